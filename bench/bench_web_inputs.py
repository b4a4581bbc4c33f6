"""The page's inputs, measured in Chromium: camera frames, numbers on the pad, real photos.

Part of `python -m bench.bench_web` (make bench-web). Times come from `performance.now()` inside
the page and are summarised by `digits.stats` (median, nearest-rank p95); rates are counts.
Nothing is asserted here: the tests check behaviour, this reports figures.
"""

import base64
import csv
import random
from pathlib import Path

import numpy as np

from bench import browser as web_page
from bench import digit_images, stroke_font
from digits.stats import summarize

REAL_DIGITS_DIR = web_page.REPO_DIR.parent / "shared" / "realdigits"
CAMERA_FRAME = (640, 480)  # the size Chromium's fake camera and most webcams give by default
PAD_NUMBER = "90210"  # the 5-digit number whose reading is timed
WARM_UP_RUNS = 3  # untimed runs first (wasm kernels compile, caches fill)

CAMERA_SCRIPT = """async ([encoded, width, height, runs, warmUp]) => {
  const gray = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i += 1) {
    rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = gray[i];
    rgba[4 * i + 3] = 255;
  }
  const image = new ImageData(rgba, width, height);
  const times = [];
  let found = 0;
  for (let run = 0; run < warmUp + runs; run += 1) {
    const start = performance.now();
    found = (await MnistPreprocess.findDigits(image)).length;
    if (run >= warmUp) times.push(performance.now() - start);
  }
  return { times, found };
}"""

PAD_READING_SCRIPT = """async ([id, runs, warmUp]) => {
  const variant = await MnistPage.loadVariant(id, { backend: 'wasm' });
  const image = MnistUi.readPadImage(); // what the page reads: one pixel per pad unit
  const total = [], findDigits = [], model = [];
  let number = '';
  for (let run = 0; run < warmUp + runs; run += 1) {
    const reading = await MnistReading.readImage(image, variant);
    number = reading.number;
    if (run < warmUp) continue;
    total.push(reading.ms.total);
    findDigits.push(reading.ms.findDigits);
    model.push(reading.ms.model);
  }
  return { total, findDigits, model, number, width: image.width, height: image.height };
}"""


def _summary(times: list[float]) -> dict:
    summary = summarize(times)
    return {"median_ms": summary.median, "p95_ms": summary.p95, "runs": summary.count}


def measure_camera_frame(page, digit: np.ndarray, *, runs: int) -> dict:
    """Time `MnistPreprocess.findDigits` on a 640 × 480 camera frame of `digit` written on paper."""
    width, height = CAMERA_FRAME
    frame = digit_images.paper(digit, width=width, height=height, digit_side=200)
    encoded = base64.b64encode(frame.tobytes()).decode("ascii")
    measured = page.evaluate(CAMERA_SCRIPT, [encoded, width, height, runs, WARM_UP_RUNS])
    return {**_summary(measured["times"]), "size": f"{width}×{height}", "digits_found": measured["found"]}


def measure_pad_number(page, variant_id: str, *, runs: int) -> dict:
    """Draw PAD_NUMBER on the pad; time reading it (image path + one batched call) on TF.js wasm."""
    web_page.clear_pad(page)
    strokes = stroke_font.number_strokes(PAD_NUMBER, rng=random.Random(PAD_NUMBER))
    web_page.draw(page, strokes, steps=1, square=False)
    measured = page.evaluate(PAD_READING_SCRIPT, [variant_id, runs, WARM_UP_RUNS])
    return {
        **_summary(measured["total"]),
        "find_digits_median_ms": summarize(measured["findDigits"]).median,
        "model_median_ms": summarize(measured["model"]).median,
        "number": PAD_NUMBER,
        "read": measured["number"],
        "pad_pixels": f"{measured['width']}×{measured['height']}",
        "variant": variant_id,
    }


def measure_numbers_read_whole(page, *, per_length: int, seed: int = 2026) -> dict:
    """Draw numbers of 2-6 digits with the mouse (the stroke font); count how many are read whole."""
    rng = random.Random(seed)
    by_length = {}
    wrong = []
    for length in range(2, 7):
        right = 0
        for _ in range(per_length):
            text = stroke_font.random_number(rng, digits=length)
            web_page.clear_pad(page)
            web_page.draw(page, stroke_font.number_strokes(text, rng=rng), steps=1, square=False)
            right += web_page.number(page) == text
            if web_page.number(page) != text:
                wrong.append(f"{text}→{web_page.number(page) or '∅'}")
        by_length[length] = right / per_length
    total = per_length * len(by_length)
    return {"numbers": total, "whole_rate": 1 - len(wrong) / total, "by_length": by_length, "wrong": wrong}


def measure_real_digits(page, directory: Path = REAL_DIGITS_DIR) -> dict | None:
    """Upload every image of ../shared/realdigits through input#photo; accuracy by kind (None if absent)."""
    sources = directory / "SOURCES.tsv"
    if not sources.is_file():
        return None
    with sources.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file, delimiter="\t"))
    right, total = {}, {}
    for row in rows:
        web_page.upload(page, (directory / row["file"]).read_bytes(), name=row["file"], mime_type="image/png")
        total[row["kind"]] = total.get(row["kind"], 0) + 1
        right[row["kind"]] = right.get(row["kind"], 0) + (web_page.number(page) == row["digit"])
    return {kind: {"right": right[kind], "total": total[kind]} for kind in sorted(total)}
