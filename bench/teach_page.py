"""Simulated writers teach the real page in Chromium: `python -m bench.teach_page`.

Writes reports/teach_page.{md,json}.

`bench/teach.py` measures the method in numpy; this measures the page itself, from `file://`,
as issue 11 asks: each simulated writer (`bench.writers`) opens the page in a fresh browser
context (empty localStorage), draws one teaching rendition of every odd style and presses
"That's a …" with the digit it is, then the page is **reloaded** and the writer's other
renditions of every odd style, and of the plain digits 0–9, are drawn and read. Both the page's
answer (`#number`) and the model's own (`MnistPage.lastReading()`, `modelDigit`) are kept, so one
pass gives before and after. Timings come from inside the page: the teach (`add`, storage
included) and, per digit, the model call and the adapt step of every reading.

Drawings go in with `MnistInputUi.drawStrokes` (the pad's own painting, minus the mouse's pointer
sampling) so that thousands of renditions take minutes; tests/test_web_teach.py draws with the
mouse. The helpers that draw a writer's renditions are shared with that test.
"""

import argparse
import dataclasses
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench import browser as web_page
from bench import writers as simulated
from bench.teach_page_report import markdown
from digits.files import write_atomically
from digits.stats import summarize

REPORTS_DIR = Path(__file__).resolve().parents[1] / "reports"
TEACH_SEED = 1  # the renditions a writer teaches with (bench/teach.py's "teach" renditions)
TEST_SEED = 2  # the renditions read afterwards (bench/teach.py's "test" renditions)

READ_SCRIPT = """() => {
  const reading = MnistPage.lastReading();
  const digits = reading ? reading.digits : [];
  return {
    number: document.getElementById('number').dataset.value,
    model: digits.map((each) => String(each.modelDigit)).join(''),
    taught: digits.some((each) => each.taught !== null),
    probabilities: digits.length === 1 ? Array.from(digits[0].probabilities) : null,
    digits: digits.length,
    ms: reading ? reading.ms : null,
  };
}"""


def renditions(writer_seed: int, style: int | str, count: int, *, seed: int) -> list:
    """Return the writer's first `count` renditions of `style`: `(strokes in pad units, pen)` each.

    The same renditions, in the same order, as `bench.writers.renditions` draws (bench/teach.py).
    """
    writer = simulated.make_writer(writer_seed)
    rng = np.random.default_rng([writer.seed, sum(map(ord, str(style))), seed])
    return [simulated.rendition(writer, style, rng) for _ in range(count)]


def number_rendition(writer_seed: int, styles: list, *, seed: int) -> tuple[list, float]:
    """Lay one rendition of each style left to right on the pad, a number: `(strokes, pen)`.

    Each rendition is shrunk (never grown) to 70% of its slot (the pad's width / len(styles))
    and of the pad's height and centred in the slot; the pen is their mean, scaled alike.
    """
    strokes, pens = [], []
    slot = simulated.PAD_WIDTH / len(styles)
    for index, style in enumerate(styles):
        drawn, pen = renditions(writer_seed, style, 1, seed=seed)[0]
        points = np.vstack(drawn)
        low, high = points.min(axis=0), points.max(axis=0)
        size = np.maximum(high - low, 1.0)
        scale = min(1.0, 0.7 * slot / size[0], 0.7 * simulated.PAD_HEIGHT / size[1])
        centre = np.array([slot * (index + 0.5), simulated.PAD_HEIGHT / 2])
        strokes += [(stroke - (low + high) / 2) * scale + centre for stroke in drawn]
        pens.append(pen * scale)
    pen = float(np.clip(np.mean(pens), simulated.MIN_STROKE_WIDTH, simulated.MAX_STROKE_WIDTH))
    return strokes, pen


def page_strokes(strokes: list, pen: float) -> list:
    """Strokes for `MnistInputUi.drawStrokes`: `[{width, points: [{x, y}]}]` in pad units."""
    return [
        {"width": pen, "points": [{"x": float(x), "y": float(y)} for x, y in stroke]} for stroke in strokes
    ]


def draw_at_once(page, strokes: list, pen: float) -> dict:
    """Put a rendition on the pad through the page's own painting; return `read(page)`."""
    page.evaluate("(strokes) => MnistInputUi.drawStrokes(strokes)", page_strokes(strokes, pen))
    page.wait_for_function("MnistPage.isIdle()")
    return read(page)


def draw_with_mouse(page, strokes: list, pen: float) -> dict:
    """Draw a rendition with the mouse (the stroke-width slider set to its pen); return `read(page)`."""
    web_page.clear_pad(page)
    page.evaluate(
        "(width) => { const slider = document.getElementById('stroke-width');"
        " slider.value = String(width); slider.dispatchEvent(new Event('input')); }",
        round(pen),
    )
    fractions = [
        [(x / simulated.PAD_WIDTH, y / simulated.PAD_HEIGHT) for x, y in stroke] for stroke in strokes
    ]
    web_page.draw(page, fractions, steps=1, square=False)
    return read(page)


def read(page) -> dict:
    """Return what the page read: `number` (the digits), `model` (the model's own), `taught`, timings."""
    return page.evaluate(READ_SCRIPT)


def teach(page, digit: int) -> float:
    """Press "That's a `digit`" and wait for the page to read again; return the teach's ms."""
    page.click(f'button[data-teach="{digit}"]')
    page.wait_for_function("MnistPage.isIdle()")
    return page.evaluate("MnistPage.teaching().timings.teachMs")


def open_fresh(browser, query: str):
    """Open the page from file:// in a new browser context (its own, empty localStorage)."""
    return web_page.open_page(browser, web_page.page_url("file", query=query))


def measure_writer(browser, writer: int, *, renditions_per_style: int, query: str) -> dict:
    """One writer: teach one rendition of each odd style, reload, read the others and plain 0–9."""
    page, record = open_fresh(browser, query)
    try:
        taught, teach_ms = {}, []
        for style, (truth, _) in simulated.ODD_STYLES.items():
            strokes, pen = renditions(writer, style, 1, seed=TEACH_SEED)[0]
            taught[style] = draw_at_once(page, strokes, pen)["model"]
            teach_ms.append(teach(page, truth))
        page.reload()
        web_page.wait_until_ready(page)
        rows = []
        for style in [*simulated.ODD_STYLES, *range(10)]:
            truth = simulated.glyph_of(style)[0]
            for strokes, pen in renditions(writer, style, renditions_per_style, seed=TEST_SEED):
                result = draw_at_once(page, strokes, pen)
                rows.append({"style": str(style), "truth": str(truth), **result})
        assert not record.errors, f"console errors: {record.errors}"
        return {"writer": writer, "taught_model_read": taught, "teach_ms": teach_ms, "rows": rows}
    finally:
        page.context.close()


def figures(writers: list[dict]) -> dict:
    """Odd styles right before/after per style and overall; plain digits lost; per-digit timings."""
    odd_styles = [str(style) for style in simulated.ODD_STYLES]
    rows = [row for writer in writers for row in writer["rows"]]
    odd = [row for row in rows if row["style"] in odd_styles]
    plain = [row for row in rows if row["style"] not in odd_styles]

    def rate(selected, key):
        return sum(row[key] == row["truth"] for row in selected) / max(1, len(selected))

    def tally(selected):
        whole = [row for row in selected if row["digits"] == 1]  # not cut in two by the image path
        return {
            "n": len(selected),
            "before": rate(selected, "model"),
            "after": rate(selected, "number"),
            "cut": len(selected) - len(whole),
            "after_uncut": rate(whole, "number"),
        }

    per_style = {style: tally([row for row in odd if row["style"] == style]) for style in odd_styles}
    per_writer = [rate([r for r in w["rows"] if r["style"] in odd_styles], "number") for w in writers]
    lost = sum(row["model"] == row["truth"] and row["number"] != row["truth"] for row in plain)
    single = [row for row in rows if row["digits"] == 1 and row["ms"]]
    return {
        "odd": tally(odd),
        "per_style": per_style,
        "worst_writer": min(per_writer),
        "plain": {**tally(plain), "lost": lost},
        "changed_by_examples": sum(row["taught"] for row in rows),
        "teach_cut": sum(
            len(read) != 1 for writer in writers for read in writer["taught_model_read"].values()
        ),
        "ms": {
            "teach": _summary([ms for writer in writers for ms in writer["teach_ms"]]),
            "adapt_per_digit": _summary([row["ms"]["adapt"] for row in single]),
            "model_per_digit": _summary([row["ms"]["model"] for row in single]),
        },
    }


def _summary(samples: list) -> dict:
    return dataclasses.asdict(summarize(samples))


def _page_version() -> str:
    """Return the commit the page is measured at, and whether web/ has uncommitted changes."""

    def git(*command):
        return subprocess.run(
            ["git", *command], capture_output=True, text=True, cwd=REPORTS_DIR.parent
        ).stdout

    changed = git("status", "--porcelain", "--", "web").strip()
    return (
        f"{git('rev-parse', '--short', 'HEAD').strip()}{' + uncommitted changes in web/' if changed else ''}"
    )


def measure(arguments) -> dict:
    """Every writer through the page; the report as plain JSON values."""
    query = f"?variant={arguments.variant}&backend={arguments.backend}"
    version = _page_version() if web_page.WEB_DIR == REPORTS_DIR.parent / "web" else str(web_page.WEB_DIR)
    started = time.perf_counter()
    with web_page.chromium() as browser:
        writers = []
        for writer in range(arguments.writers):
            writers.append(
                measure_writer(browser, writer, renditions_per_style=arguments.renditions, query=query)
            )
            right = figures(writers[-1:])["odd"]["after"]
            print(f"writer {writer}: {right:.1%} of odd renditions right", flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return {
        "figures": figures(writers),
        "setup": {
            "writers": arguments.writers,
            "renditions": arguments.renditions,
            "variant": arguments.variant,
            "backend": arguments.backend,
            "date": time.strftime("%Y-%m-%d"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {load:.1f} (shared)",
            "seconds": time.perf_counter() - started,
            "page": version,
        },
        "writers": [{key: value for key, value in writer.items() if key != "rows"} for writer in writers],
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: measure and write reports/teach_page.{md,json}."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=24, help="simulated writers 0…N-1 (default 24)")
    parser.add_argument("--renditions", type=int, default=20, help="read per odd style and plain digit")
    parser.add_argument("--variant", default="cnn-tfjs-fp32", help="manifest id the page uses")
    parser.add_argument("--backend", default="wasm", choices=["wasm", "cpu", "webgl"])
    parser.add_argument("--out", type=Path, default=REPORTS_DIR, help="folder for teach_page.{md,json}")
    arguments = parser.parse_args(argv)
    missing = web_page.missing_page_parts()
    if missing:
        print(f"bench.teach_page: {missing}", file=sys.stderr)
        return 1
    report = measure(arguments)
    write_atomically(arguments.out / "teach_page.json", json.dumps(report, indent=1) + "\n")
    write_atomically(arguments.out / "teach_page.md", markdown(report))
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
