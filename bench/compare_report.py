"""Render `python -m bench.compare` rows: `compare.md` (table), `compare.json`, `compare.png`."""

import json
import os
import platform
import time
from pathlib import Path

from digits.files import atomic_path, write_atomically

COLUMNS = (  # (header, row key, format)
    ("variant", "variant", "{}"),
    ("runtime", "runtime", "{}"),
    ("bytes", "bytes", "{:,}"),
    ("gzip bytes", "gzip_bytes", "{:,}"),
    ("test acc.", "test_accuracy", "{:.2%}"),
    ("agree w/ Keras", "agreement_with_keras", "{:.2%}"),
    ("max abs Δp", "max_abs_diff", "{:.1e}"),
    ("1 image median (ms)", "latency_ms_median", "{:.3f}"),
    ("1 image p95 (ms)", "latency_ms_p95", "{:.3f}"),
    ("batch 256 (img/s)", "throughput_images_per_s", "{:,.0f}"),
)


def machine_description() -> str:
    """CPU model and core count, for the report's header."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def markdown_table(rows: list[dict]) -> str:
    """Render the rows as a GitHub markdown table (— where a figure does not apply)."""
    lines = ["| " + " | ".join(header for header, _, _ in COLUMNS) + " |"]
    lines.append("|" + "|".join("---" if index < 2 else "---:" for index in range(len(COLUMNS))) + "|")
    for row in rows:
        cells = [("—" if row.get(key) is None else style.format(row[key])) for _, key, style in COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_reports(rows: list[dict], out_dir: Path, *, runs: dict, images: int) -> str:
    """Write `compare.md`, `compare.json` and `compare.png` into `out_dir`; returns the table."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    table = markdown_table(rows)
    measured = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    machine = machine_description()
    notes = (
        f"Measured {measured} on {machine}, on {images:,} MNIST test images. Every row runs the file in "
        f"its own runtime: ONNX in onnxruntime (CPU provider, 1 intra-op thread, called from Python), "
        f"TF.js in node (`@tensorflow/tfjs` + wasm backend, timed inside node), Keras in TensorFlow "
        f"(default threads). Latency: one image, {runs['latency_runs']:,} timed calls after a warm-up "
        f"({runs['keras_predict_runs']:,} for Keras `model.predict`, ~0.1 s a call); throughput: a batch "
        f"of 256, median of 20 calls. Agreement and max abs Δp are against the Keras model's `predict`."
    )
    markdown = f"# Comparison of the exported variants\n\n{notes}\n\n{table}\n"
    write_atomically(out_dir / "compare.md", markdown)
    report = {"measured": measured, "machine": machine, "images": images, **runs, "rows": rows}
    write_atomically(out_dir / "compare.json", json.dumps(report, indent=2) + "\n")
    plot(rows, out_dir / "compare.png")
    return table


COLORS = {"mlp": "tab:blue", "cnn": "tab:orange", "external": "tab:green"}  # per model
MARKERS = {"keras": "*", "onnx": "o", "tfjs": "s"}  # per format


def plot(rows: list[dict], path: Path) -> None:
    """Accuracy vs bytes (log x) and one-image latency per variant, side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (sizes, latencies) = plt.subplots(1, 2, figsize=(13, 5.5))
    _plot_sizes(sizes, rows)
    _plot_latencies(latencies, rows)
    figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=110, format="png")
    plt.close(figure)


def _plot_sizes(axes, rows: list[dict]) -> None:
    """Accuracy (%) against size on disk (log scale), one marker per file, labelled format+precision."""
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    for row in rows:
        if row["variant"].endswith("-keras-call"):
            continue  # same file and accuracy as the `predict` row
        parts = row["variant"].split("-")
        file_format = parts[1] if len(parts) > 1 and parts[1] in MARKERS else "external"
        label = f"{file_format} {parts[-1]}" if file_format in ("onnx", "tfjs") else file_format
        color = COLORS.get(row["model"], "tab:gray")
        point = (row["bytes"], row["test_accuracy"] * 100)
        axes.scatter(*point, color=color, marker=MARKERS.get(file_format, "^"), s=60, alpha=0.8)
        offset = (5, 5) if file_format in ("tfjs", "keras") else (5, -11)
        axes.annotate(label if file_format != "external" else row["variant"], point, fontsize=7,
                      xytext=offset, textcoords="offset points", color=color)  # fmt: skip
    handles = [plt.Line2D([], [], linestyle="", marker="o", color=color, label=model) for model, color in
               COLORS.items() if any(row["model"] == model for row in rows)]  # fmt: skip
    handles += [plt.Line2D([], [], linestyle="", marker=marker, color="black", label=name) for name, marker in
                MARKERS.items()]  # fmt: skip
    axes.legend(handles=handles, fontsize=8, loc="best")
    axes.set_xscale("log")
    ticks = [kibibytes * 1024 for kibibytes in (50, 100, 200, 500, 1000, 2000, 5000)]
    axes.xaxis.set_major_locator(matplotlib.ticker.FixedLocator(ticks))
    axes.xaxis.set_major_formatter(
        matplotlib.ticker.FuncFormatter(lambda value, _: f"{value / 1024:,.0f} KiB")
    )
    axes.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    axes.set_xlabel("size on disk (log scale)")
    axes.set_ylabel("test accuracy (%)")
    axes.set_title("Accuracy vs size")
    axes.grid(True, alpha=0.3)


def _plot_latencies(axes, rows: list[dict]) -> None:
    """Median one-image latency per row (log scale), one bar each, coloured by model."""
    names = [row["variant"] for row in rows]
    axes.barh(names, [row["latency_ms_median"] for row in rows],
              color=[COLORS.get(row["model"], "tab:gray") for row in rows])  # fmt: skip
    axes.set_xscale("log")
    axes.set_xlabel("one-image latency, median (ms, log scale)")
    axes.set_title("Latency (own runtime)")
    axes.invert_yaxis()
    axes.tick_params(axis="y", labelsize=7)
    axes.grid(True, axis="x", alpha=0.3)
