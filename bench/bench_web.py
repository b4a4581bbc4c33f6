"""Measure the static page in Chromium: time to ready, first prediction, latency per variant, bytes.

`python -m bench.bench_web` (make bench-web) opens web/index.html from file:// (and from a local
`python -m http.server` for comparison), and writes `reports/bench-web.md` and `.json`, plus the
README's screenshot `docs/page.png` (a drawn digit, the default variant). Everything is measured
inside the page with `performance.now()` (Chromium coarsens it to 0.1 ms without cross-origin
isolation, so sub-millisecond medians are quantised). Nothing here is asserted: tests/test_web.py
checks the contract; this reports figures.
"""

import argparse
import json
import math
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench import browser as web_page
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


LATENCY_SCRIPT = """async ([id, backend, pixels, runs]) => {
  const variant = await MnistPage.loadVariant(id, { backend });
  const input = Float32Array.from(pixels);
  const times = [];
  for (let run = 0; run < runs; run += 1) times.push((await variant.predict(input)).ms);
  return { backend: variant.backend, times };
}"""

PREPROCESS_SCRIPT = """(runs) => {
  const pad = document.getElementById('pad');
  const image = pad.getContext('2d').getImageData(0, 0, pad.width, pad.height);
  const times = [];
  for (let run = 0; run < runs; run += 1) {
    const start = performance.now();
    MnistPreprocess.fromImageData(image);
    times.push(performance.now() - start);
  }
  return { times, width: pad.width, height: pad.height };
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


def handwritten_two() -> list:
    """Return a smooth "2" for the screenshot: an arc over the top, a diagonal, a base (pad fractions)."""
    arc = [
        (0.5 + 0.2 * math.cos(math.radians(angle)), 0.34 - 0.2 * math.sin(math.radians(angle)))
        for angle in range(160, -41, -8)
    ]
    end_x, end_y = arc[-1]
    diagonal = [
        (end_x + (0.26 - end_x) * step / 8, end_y + (0.82 - end_y) * step / 8) for step in range(1, 9)
    ]
    base = [(0.26 + 0.5 * step / 6, 0.82 - 0.015 * step / 6) for step in range(1, 7)]
    return [arc + diagonal + base]


def take_screenshot(browser, path: Path) -> None:
    """Screenshot the page at a desktop size with a drawn 2 and the comparison table open."""
    page, _record = web_page.open_page(
        browser, web_page.page_url("file"), viewport={"width": 1100, "height": 1000}
    )
    web_page.draw(page, handwritten_two(), steps=2)
    page.click("#compare")
    page.wait_for_selector("#compare-table:not([hidden])")
    page.wait_for_function("MnistPage.isIdle()")
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path, keep_suffix=True) as temporary:  # Playwright picks the format by extension
        page.screenshot(path=str(temporary), full_page=True)
    page.close()


def load_lines(report: dict, *, config: BenchConfig) -> list[str]:
    """Markdown: how it was measured, the page-load table, the targets and the preprocessing time."""
    loads = report["loads"]
    load = report["load_average_1min"]
    return [
        "# Static page in Chromium (`make bench-web`)",
        "",
        f"Chromium {report['chromium']} headless on {report['machine']}; {config.latency_runs} predictions"
        " per row, one image each, after a warm-up. Times from `performance.now()` inside the page"
        " (quantised to 0.1 ms by Chromium). Load average (1 min) on the machine:"
        f" {load['before']:.1f} before, {load['after']:.1f} after"
        + ("; busy, so p95 mostly measures the other processes." if load["before"] > 1.5 else "."),
        "",
        "| Page load | file:// | http:// |",
        "|---|---|---|",
        f"| navigation → `data-ready` (default variant {report['default_variant']}), median ms"
        f" | {loads['file']['ready_ms']:.0f} | {loads['http']['ready_ms']:.0f} |",
        "| first prediction, `pointerup` → DOM, ms"
        f" | {loads['file']['first_prediction_after_pointerup_ms']:.1f}"
        f" | {loads['http']['first_prediction_after_pointerup_ms']:.1f} |",
        f"| bytes loaded (default variant) | {loads['file']['bytes_loaded_default_variant'] / 1e6:.2f} MB"
        f" | {loads['http']['bytes_loaded_default_variant'] / 1e6:.2f} MB |",
        "",
        f"Targets: ready ≤ {config.ready_target_ms:.0f} ms from file:// —"
        f" {'met' if report['targets']['ready_met'] else 'NOT met'};"
        f" CNN TF.js median ≤ {config.cnn_latency_target_ms:.0f} ms —"
        f" {'met' if report['targets']['cnn_latency_met'] else 'NOT met'}"
        f" ({report['targets']['cnn_tfjs_best']}).",
        "",
        f"Preprocessing the {report['preprocess']['size']} pad into 28×28 (`MnistPreprocess.fromImageData`):"
        f" median {report['preprocess']['median_ms']:.2f} ms, p95 {report['preprocess']['p95_ms']:.2f} ms.",
        "",
    ]


def variant_lines(report: dict) -> list[str]:
    """Markdown: one latency row per variant and backend, and what the figures do not say."""
    lines = [
        "| Variant | Backend | Model size | Load (cold) | Bytes added by load | Median | p95 |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in report["variants"]:
        lines.append(
            f"| {row['id']} | {row['backend']} | {row['model_bytes'] / 1e3:.0f} kB | {row['load_ms']:.0f} ms"
            f" | {row['bytes_added_by_load'] / 1e6:.2f} MB | {row['median_ms']:.2f} ms"
            f" | {row['p95_ms']:.2f} ms |"
        )
    return lines + [
        "",
        "The first ONNX variant pays for onnxruntime-web's 14 MB wasm (19 MB as base64 script), loaded"
        " only when an ONNX variant is chosen. WebGL here is Chromium's software renderer (SwiftShader),"
        " so its figures say nothing about a real GPU.",
        "",
    ]


def render_markdown(report: dict, *, config: BenchConfig) -> str:
    """Render the report as Markdown: load figures, then one latency row per variant and backend."""
    return "\n".join(load_lines(report, config=config) + variant_lines(report))


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
        take_screenshot(browser, config.screenshot)
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
        "targets": check_targets(loads, variants, config=config),
    }


def check_targets(loads: dict, variants: list[dict], *, config: BenchConfig) -> dict:
    """Whether the page met its targets: ready from file:// in time, the CNN's TF.js latency."""
    cnn_tfjs = [row for row in variants if row["id"].startswith("cnn-tfjs-fp32")]
    best = min(cnn_tfjs, key=lambda row: row["median_ms"]) if cnn_tfjs else None
    return {
        "ready_met": loads["file"]["ready_ms"] <= config.ready_target_ms,
        "cnn_latency_met": bool(best and best["median_ms"] <= config.cnn_latency_target_ms),
        "cnn_tfjs_best": f"{best['id']} on {best['backend']}: {best['median_ms']:.2f} ms" if best else "none",
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
