"""Render `make bench-web`'s report (reports/bench-web.md) from its measurements (bench-web.json).

`render_markdown(report, config=...)` is pure: the committed JSON renders to the committed
Markdown. `config` is bench.bench_web.BenchConfig (its runs and targets are quoted).
"""


def _met(flag: bool) -> str:
    return "met" if flag else "NOT met"


def load_lines(report: dict, *, config) -> list[str]:
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
        f" {_met(report['targets']['ready_met'])};"
        f" CNN TF.js median ≤ {config.cnn_latency_target_ms:.0f} ms —"
        f" {_met(report['targets']['cnn_latency_met'])}"
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


def timing_lines(inputs: dict, *, config) -> list[str]:
    """Markdown: cleaning a camera frame and reading a number on the pad, median and p95."""
    camera, number = inputs["camera_frame"], inputs["pad_number"]
    whole = "" if number["read"] == number["number"] else f" (but read as {number['read'] or '∅'}, not whole)"
    return [
        "## Photos, the camera and numbers",
        "",
        "| Input | Median | p95 | Notes |",
        "|---|---|---|---|",
        f"| clean a {camera['size']} camera frame (`MnistPreprocess.findDigits`)"
        f" | {camera['median_ms']:.1f} ms | {camera['p95_ms']:.1f} ms"
        f" | a digit on shaded paper; {camera['digits_found']} digit(s) found; {camera['runs']} runs |",
        f"| read the {len(number['number'])}-digit number {number['number']} drawn on the"
        f" {number['pad_pixels']} pad (image path + one batched model call, {number['variant']} on wasm)"
        f" | {number['median_ms']:.1f} ms | {number['p95_ms']:.1f} ms"
        f" | read as {number['read'] or '∅'}; image path {number['find_digits_median_ms']:.1f} ms +"
        f" model {number['model_median_ms']:.1f} ms (medians); {number['runs']} runs |",
        "",
        f"Target: a 5-digit number read in ≤ {config.number_target_ms:.0f} ms —"
        f" {_met(number['median_ms'] <= config.number_target_ms)}{whole}.",
        "",
    ]


def rate_lines(inputs: dict, *, config) -> list[str]:
    """Markdown: numbers drawn with the mouse read whole, real digits read through input#photo."""
    whole = inputs["numbers_read_whole"]
    by_length = ", ".join(f"{length} digits {rate:.0%}" for length, rate in whole["by_length"].items())
    whole_met = _met(whole["whole_rate"] >= config.whole_number_target)
    lines = [
        f"Numbers of 2-6 digits drawn with the mouse (bench/stroke_font.py, {whole['numbers']} numbers):"
        f" **{whole['whole_rate']:.1%}** read whole ({by_length});"
        f" target ≥ {config.whole_number_target:.0%} — {whole_met}.",
        "",
    ]
    real = inputs.get("real_digits")
    if real:
        right = sum(kind["right"] for kind in real.values())
        total = sum(kind["total"] for kind in real.values())
        kinds = ", ".join(f"{name} {kind['right']}/{kind['total']}" for name, kind in real.items())
        real_met = _met(right / total >= config.real_digits_target)
        lines += [
            f"`../shared/realdigits` through `input#photo`: **{right}/{total}** ({right / total:.1%};"
            f" {kinds}); target ≥ {config.real_digits_target:.0%} — {real_met}.",
            "",
        ]
    return lines


def render_markdown(report: dict, *, config) -> str:
    """Render the report as Markdown: load figures, latency per variant, then the inputs."""
    lines = load_lines(report, config=config) + variant_lines(report)
    if report.get("inputs"):  # reports measured before the page read photos and numbers have none
        lines += timing_lines(report["inputs"], config=config) + rate_lines(report["inputs"], config=config)
    return "\n".join(lines)


def check_targets(loads: dict, variants: list[dict], *, config) -> dict:
    """Whether the page met its targets: ready from file:// in time, the CNN's TF.js latency."""
    cnn_tfjs = [row for row in variants if row["id"].startswith("cnn-tfjs-fp32")]
    best = min(cnn_tfjs, key=lambda row: row["median_ms"]) if cnn_tfjs else None
    return {
        "ready_met": loads["file"]["ready_ms"] <= config.ready_target_ms,
        "cnn_latency_met": bool(best and best["median_ms"] <= config.cnn_latency_target_ms),
        "cnn_tfjs_best": f"{best['id']} on {best['backend']}: {best['median_ms']:.2f} ms" if best else "none",
    }
