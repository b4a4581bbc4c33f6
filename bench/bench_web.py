"""Measure the static page in Chromium: time to ready, first prediction, latency per variant, bytes.

`python -m bench.bench_web` (make bench-web) opens web/index.html from file:// (and from a local
`python -m http.server` for comparison), and writes `reports/bench-web.md` and `.json`, plus the
README's screenshot `docs/page.png` (a number written on the pad, the default variant). It also
times the page's inputs (a camera frame, a 5-digit number on the pad) and counts how often
numbers drawn with the mouse and the real photos of ../shared/realdigits are read right
(bench/bench_web_inputs.py). Everything is measured
inside the page with `performance.now()` (Chromium coarsens it to 0.1 ms without cross-origin
isolation, so sub-millisecond medians are quantised). Nothing here is asserted: tests/test_web.py
checks the contract; this reports figures.
"""

import argparse
import json
import os
import platform
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench import bench_web_inputs, stroke_font
from bench import browser as web_page
from bench.bench_web_report import check_targets, render_markdown
from digits.files import atomic_path, write_atomically
from digits.stats import summarize

REPO_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class BenchConfig:
    """What to measure and where to write it."""

    latency_runs: int = 200  # single-image predictions per variant and backend (after warm-up)
    load_repeats: int = 3  # fresh page loads per scheme; the median is reported
    report_dir: Path = REPO_DIR / "reports"  # bench-web.md and bench-web.json go here
    screenshot: Path = REPO_DIR / "docs" / "page.png"  # the README's picture of the page
    ready_target_ms: float = 1000.0  # target: ready within 1 s of navigation from file://
    cnn_latency_target_ms: float = 5.0  # target: CNN median prediction with TF.js
    input_runs: int = 50  # timed readings of the camera frame and of the number on the pad
    numbers_per_length: int = 20  # numbers of each length 2-6 drawn with the mouse for the whole rate
    number_target_ms: float = 20.0  # target (issue 9): a 5-digit number read on the page, median
    whole_number_target: float = 0.97  # target (issue 9): numbers drawn with the mouse read whole
    real_digits_target: float = 0.97  # target (issue 8): ../shared/realdigits read through input#photo
    screenshot_number: str = "2026"  # what docs/page.png shows written on the pad


LATENCY_SCRIPT = """async ([id, backend, pixels, runs]) => {
  const variant = await MnistPage.loadVariant(id, { backend });
  const input = Float32Array.from(pixels);
  const times = [];
  for (let run = 0; run < runs; run += 1) times.push((await variant.predict(input)).ms);
  return { backend: variant.backend, times };
}"""

PREPROCESS_SCRIPT = """(runs) => {
  const image = MnistUi.readPadImage(); // what the page reads: one pixel per pad unit
  const times = [];
  for (let run = 0; run < runs; run += 1) {
    const start = performance.now();
    MnistPreprocess.fromImageData(image);
    times.push(performance.now() - start);
  }
  return { times, width: image.width, height: image.height };
}"""


def summarize_ms(times: list[float]) -> dict:
    """Median, p95 and mean of milliseconds (`digits.stats`, as every latency figure), and the count."""
    summary = summarize(times)
    return {
        "median_ms": summary.median,
        "p95_ms": summary.p95,
        "mean_ms": summary.mean,
        "runs": summary.count,
    }


def local_bytes(urls: list[str], *, web_dir: Path, base_url: str) -> int:
    """Sum the on-disk sizes of the distinct page files behind `urls` (file:// or the local server)."""
    total = 0
    for url in sorted(set(urls)):
        if not url.startswith(base_url):
            continue
        path = web_dir / url[len(base_url) :].split("?")[0]
        if path.is_file():
            total += path.stat().st_size
    return total


def measure_loads(browser, scheme: str, base_url: str, *, config: BenchConfig) -> dict:
    """Ready time, first-prediction latency and bytes loaded, over fresh page loads."""
    ready, first_prediction, bytes_loaded = [], [], []
    for _ in range(config.load_repeats):
        start = time.perf_counter()
        page, record = web_page.open_page(browser, web_page.page_url(scheme, base_url))
        wall_ms = (time.perf_counter() - start) * 1000
        ready.append(page.evaluate("MnistPage.readyAt"))
        first_prediction.append(web_page.draw(page, web_page.SEVEN))
        bytes_loaded.append(local_bytes(record.requests, web_dir=web_page.WEB_DIR, base_url=base_url))
        page.close()
    return {
        "ready_ms": summarize(ready).median,
        "ready_ms_all": ready,
        "wall_ms_to_ready_last": wall_ms,
        "first_prediction_after_pointerup_ms": summarize(first_prediction).median,
        "bytes_loaded_default_variant": summarize(bytes_loaded).median,
    }


def measure_variants(page, record, *, config: BenchConfig) -> list[dict]:
    """Per variant (and TF.js backend): cold load time, bytes it adds, and prediction latency."""
    from train.data import load_mnist

    digit = load_mnist().test_images[0].astype(np.float32) / 255.0  # a real MNIST 7
    backends = [
        name for name in ("wasm", "cpu", "webgl") if page.evaluate(f"MnistRuntimes.hasTfjsBackend('{name}')")
    ]
    base_url = web_page.WEB_DIR.as_uri() + "/"
    results = []
    for entry in page.evaluate("MnistPage.manifest.models"):
        for backend in backends if entry["format"] == "tfjs" else ["wasm"]:
            before = local_bytes(record.requests, web_dir=web_page.WEB_DIR, base_url=base_url)
            load_ms = page.evaluate(
                "async ([id, backend]) => { const start = performance.now();"
                " await MnistPage.loadVariant(id, { backend }); return performance.now() - start; }",
                [entry["id"], backend],
            )
            added = local_bytes(record.requests, web_dir=web_page.WEB_DIR, base_url=base_url) - before
            measured = page.evaluate(
                LATENCY_SCRIPT, [entry["id"], backend, digit.ravel().tolist(), config.latency_runs]
            )
            results.append(
                {
                    "id": entry["id"],
                    "backend": measured["backend"],
                    "model_bytes": entry["bytes"],
                    "load_ms": load_ms,
                    "bytes_added_by_load": added,
                    **summarize_ms(measured["times"]),
                }
            )
            print(f"  {entry['id']:<16} {measured['backend']:<6} median {results[-1]['median_ms']:.2f} ms")
    return results


def take_screenshot(browser, path: Path, *, number: str) -> None:
    """Screenshot the page at a desktop size with `number` written on the pad and the comparison open."""
    page, _record = web_page.open_page(
        browser, web_page.page_url("file"), viewport={"width": 1100, "height": 1000}
    )
    strokes = stroke_font.number_strokes(number, rng=random.Random(number))
    web_page.draw(page, strokes, steps=1, square=False)
    page.click("#compare")
    page.wait_for_selector("#compare-table:not([hidden])")
    page.wait_for_function("MnistPage.isIdle()")
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path, keep_suffix=True) as temporary:  # Playwright picks the format by extension
        page.screenshot(path=str(temporary), full_page=True)
    page.close()


def measure_inputs(browser, *, config: BenchConfig, variant_id: str) -> dict:
    """Measure the camera frame, the number on the pad, numbers drawn with the mouse, real photos."""
    from train.data import load_mnist

    digit = load_mnist().test_images[1]  # a real MNIST 2, written on paper for the camera frame
    page, _record = web_page.open_page(browser, web_page.page_url("file"))
    print("inputs: camera frame, number on the pad…")
    inputs = {
        "camera_frame": bench_web_inputs.measure_camera_frame(page, digit, runs=config.input_runs),
        "pad_number": bench_web_inputs.measure_pad_number(page, variant_id, runs=config.input_runs),
    }
    print("inputs: numbers drawn with the mouse, real digits through input#photo…")
    inputs["numbers_read_whole"] = bench_web_inputs.measure_numbers_read_whole(
        page, per_length=config.numbers_per_length
    )
    inputs["real_digits"] = bench_web_inputs.measure_real_digits(page)
    page.close()
    return inputs


def run(config: BenchConfig) -> dict:
    """Measure everything; return the report dict."""
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()[0]  # other processes on the machine skew p95 the most
    with sync_playwright() as playwright, web_page.static_server() as http_base:
        browser = web_page.launch_chromium(playwright)
        print("page loads (file://, http://)…")
        loads = {
            "file": measure_loads(browser, "file", web_page.WEB_DIR.as_uri() + "/", config=config),
            "http": measure_loads(browser, "http", http_base, config=config),
        }
        page, record = web_page.open_page(browser, web_page.page_url("file"))
        default_variant = page.input_value("#variant")
        web_page.draw(page, web_page.SEVEN)
        preprocess = page.evaluate(PREPROCESS_SCRIPT, 50)
        print("variants…")
        variants = measure_variants(page, record, config=config)
        page.close()
        inputs = measure_inputs(browser, config=config, variant_id=default_variant)
        take_screenshot(browser, config.screenshot, number=config.screenshot_number)
        chromium = browser.version
        browser.close()
    return {
        "chromium": chromium,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "load_average_1min": {"before": load_before, "after": os.getloadavg()[0]},
        "default_variant": default_variant,
        "loads": loads,
        "preprocess": {
            **summarize_ms(preprocess["times"]),
            "size": f"{preprocess['width']}×{preprocess['height']}",
        },
        "variants": variants,
        "inputs": inputs,
        "targets": check_targets(loads, variants, config=config),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: measure and write reports/bench-web.{md,json} and docs/page.png."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=BenchConfig.latency_runs, help="predictions per variant")
    parser.add_argument("--report-dir", type=Path, default=BenchConfig.report_dir)
    parser.add_argument("--screenshot", type=Path, default=BenchConfig.screenshot)
    arguments = parser.parse_args(argv)
    if arguments.runs < 10:
        parser.error(f"--runs must be at least 10 for a p95, got {arguments.runs}")
    if not Path(web_page.CHROMIUM).exists():
        print(f"bench-web: {web_page.CHROMIUM} is missing (make setup installs it)", file=sys.stderr)
        return 1
    config = BenchConfig(
        latency_runs=arguments.runs, report_dir=arguments.report_dir, screenshot=arguments.screenshot
    )
    report = run(config)
    config.report_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(config.report_dir / "bench-web.json", json.dumps(report, indent=2) + "\n")
    markdown = render_markdown(report, config=config)
    write_atomically(config.report_dir / "bench-web.md", markdown)
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
