"""`python -m bench.compare`: every manifest variant measured in its own runtime, side by side.

For each variant (and the source Keras models, via `predict` and a direct `model(x)` call):
bytes and gzip bytes, test accuracy, agreement with Keras, max |Δp|, one-image latency (median
and p95 over `--runs` runs after a warm-up) and throughput on a batch of 256. ONNX runs in
onnxruntime (CPU, 1 thread), TF.js in node (timed inside node), Keras in TensorFlow.
`--onnx PATH` adds an external ONNX model with its own input convention. Writes
`reports/compare.{md,json,png}` and prints the table.

    python -m bench.compare                     # everything, 1,000 latency runs
    python -m bench.compare --variants cnn-onnx-int8,cnn-tfjs-uint8 --runs 100
    python -m bench.compare --onnx other.onnx --layout nchw --scale 255 --output logits
"""

import argparse
import gzip
import os
import sys
import time
from pathlib import Path

import numpy as np

from bench.compare_report import write_reports
from digits.constants import NUM_CLASSES
from digits.manifest import (
    DEFAULT_MODELS_DIR,
    PROBABILITIES_OUTPUT,
    ManifestError,
    find_keras_entry,
    read_manifest,
)
from digits.model import OnnxClassifier, softmax, to_model_input
from digits.stats import TimingPlan, summarize
from export.runtimes import TfjsPredictor, load_predictor

KERAS_PREDICT_RUNS = 1000  # as many as the others; `model.predict` is ~50-100 ms a call (~2.5 min)


def gzip_bytes(paths: list[Path]) -> int:
    """Total size of the files gzip-compressed (level 9): what a web server would send."""
    return sum(len(gzip.compress(Path(path).read_bytes(), compresslevel=9)) for path in paths)


def summarize_timings(latency_ms: list[float], batch_seconds: list[float], *, batch: int) -> dict:
    """Raw samples → the report's latency median and p95 (ms) and images/s (median batch call)."""
    latency = summarize(latency_ms)
    return {
        "latency_ms_median": latency.median,
        "latency_ms_p95": latency.p95,
        "throughput_images_per_s": batch / summarize(batch_seconds).median,
    }


def time_calls(call, model_input: np.ndarray, *, plan: TimingPlan) -> dict:
    """Time `call` on the first image `plan.runs` times after a warm-up, then on a batch; summarised."""
    one_input, batch_input = model_input[:1], model_input[: plan.throughput_batch]
    for _ in range(plan.warm_up_runs):
        call(one_input)
    latencies = []
    for _ in range(plan.runs):
        started = time.perf_counter()
        call(one_input)
        latencies.append((time.perf_counter() - started) * 1000)
    call(batch_input)
    batch_seconds = []
    for _ in range(plan.throughput_runs):
        started = time.perf_counter()
        call(batch_input)
        batch_seconds.append(time.perf_counter() - started)
    return summarize_timings(latencies, batch_seconds, batch=len(batch_input))


def run_in_batches(call, model_input: np.ndarray, *, batch_size: int = 1000) -> np.ndarray:
    """`call` over `model_input` in batches, concatenated: `(n, 10)`."""
    return np.concatenate(
        [call(model_input[start : start + batch_size]) for start in range(0, len(model_input), batch_size)]
    )


def compare_variant(entry: dict, models_dir: Path, *, images, labels, references: dict, runs: int) -> dict:
    """Measure one manifest entry in its own runtime; returns a report row."""
    predictor = load_predictor(entry, models_dir=models_dir)
    model_input = to_model_input(images, entry["input"]["layout"])
    plan = TimingPlan(runs=runs)
    if isinstance(predictor, TfjsPredictor):
        outputs, report = predictor.run_node(model_input, timing=plan)
        probabilities = outputs[PROBABILITIES_OUTPUT]
        timings = summarize_timings(
            report["latency_ms"], report["batch_seconds"], batch=report["throughput_batch"]
        )
    else:
        probabilities = predictor.predict(images)
        timings = time_calls(predictor.run, model_input, plan=plan)
    measured = {"runtime": predictor.runtime, "probabilities": probabilities, "timings": timings}
    paths = [models_dir / name for name in entry["files"]]
    return report_row(entry["id"], entry["model"], paths=paths, labels=labels,
                      reference=references.get(entry["model"]), **measured)  # fmt: skip


def compare_keras(
    entry: dict, models_dir: Path, *, images, labels, runs: int, predict_runs: int
) -> tuple[list[dict], np.ndarray]:
    """Rows for a Keras model: `model.predict` and a direct `model(x)` call; also its probabilities."""
    predictor = load_predictor(entry, models_dir=models_dir)
    model_input = to_model_input(images, entry["input"]["layout"])
    reference = predictor.predict(images)
    rows = []
    for label, call in (
        ("predict", lambda x: predictor.model.predict(x, verbose=0)),
        ("call", predictor.run),
    ):
        plan = TimingPlan(runs=predict_runs if label == "predict" else runs)
        timings = time_calls(call, model_input, plan=plan)
        probabilities = reference if label == "predict" else run_in_batches(predictor.run, model_input)
        runtime = f"{predictor.runtime} ({'model.predict' if label == 'predict' else 'model(x)'})"
        measured = {"runtime": runtime, "probabilities": probabilities, "timings": timings}
        name = f"{entry['model']}-keras-{label}"
        paths = [models_dir / entry["file"]]
        rows.append(
            report_row(name, entry["model"], paths=paths, labels=labels, reference=reference, **measured)
        )
    return rows, reference


def compare_external(path: Path, arguments: argparse.Namespace, *, images, labels, runs: int) -> dict:
    """Measure an external ONNX model, converting our [0, 1] images to its input convention."""
    predictor = OnnxClassifier(path, entry={"id": path.name, "input": {"layout": arguments.layout}})
    model_input = to_model_input(images, arguments.layout)
    model_input = ((model_input * arguments.scale - arguments.mean) / arguments.std).astype(np.float32)
    outputs = run_in_batches(predictor.run, model_input)
    if outputs.ndim != 2 or outputs.shape[1] != NUM_CLASSES:
        raise ValueError(f"{path}: expected a (n, {NUM_CLASSES}) output, got {outputs.shape}")
    probabilities = softmax(outputs) if arguments.output == "logits" else outputs.astype(np.float32)
    plan = TimingPlan(runs=runs)
    timings = time_calls(predictor.run, model_input, plan=plan)
    measured = {"runtime": predictor.runtime, "probabilities": probabilities, "timings": timings}
    return report_row(
        f"external:{path.name}", "external", paths=[path], labels=labels, reference=None, **measured
    )


def report_row(name: str, model: str, *, paths, labels, reference, runtime, probabilities, timings) -> dict:
    """One report row (agreement / max |Δp| are None without a Keras reference)."""
    row = {
        "variant": name,
        "model": model,
        "runtime": runtime,
        "bytes": sum(Path(path).stat().st_size for path in paths),
        "gzip_bytes": gzip_bytes(paths),
        "test_accuracy": float(np.mean(probabilities.argmax(1) == labels)),
        "agreement_with_keras": None,
        "max_abs_diff": None,
    }
    if reference is not None:
        row["agreement_with_keras"] = float(np.mean(probabilities.argmax(1) == reference.argmax(1)))
        row["max_abs_diff"] = float(np.max(np.abs(probabilities - reference)))
    row.update(
        {key: float(value) for key, value in timings.items() if key.startswith(("latency", "throughput_i"))}
    )
    return row


def parse_arguments(argv=None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=DEFAULT_MODELS_DIR, help="dir with manifest.json")
    parser.add_argument("--variants", default="", help="comma-separated manifest ids (default: all)")
    parser.add_argument("--no-keras", action="store_true", help="skip the Keras rows (and Keras comparisons)")
    parser.add_argument(
        "--runs", type=int, default=1000, help="timed one-image runs per variant (default 1000)"
    )
    parser.add_argument(
        "--keras-predict-runs",
        type=int,
        default=KERAS_PREDICT_RUNS,
        help=f"timed Keras `model.predict` runs (slow; default {KERAS_PREDICT_RUNS}, at most --runs)",
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="use only the first N test images (quick runs)"
    )
    parser.add_argument("--out", type=Path, default=Path("reports"), help="where compare.{md,json,png} go")
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="MNIST dir (default: $MNIST_DATA_DIR, cache)"
    )
    external = parser.add_argument_group("external ONNX model")
    external.add_argument("--onnx", type=Path, default=None, help="an ONNX model to measure beside ours")
    external.add_argument(
        "--layout", choices=["nchw", "nhwc", "flat"], default="nchw", help="its input layout"
    )
    external.add_argument("--scale", type=float, default=1.0, help="input = (pixels01 * scale - mean) / std")
    external.add_argument("--mean", type=float, default=0.0, help="subtracted after scaling")
    external.add_argument("--std", type=float, default=1.0, help="divided by after subtracting the mean")
    external.add_argument("--output", choices=["logits", "probabilities"], default="probabilities")
    arguments = parser.parse_args(argv)
    if arguments.runs < 1:
        parser.error(f"--runs must be at least 1, got {arguments.runs}")
    if arguments.std == 0:
        parser.error("--std must not be 0")
    return arguments


def main(argv=None) -> int:
    """Measure, print the table, write the reports; returns the exit status."""
    arguments = parse_arguments(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from export.evaluate import load_test_set

    try:
        manifest = read_manifest(arguments.models_dir)
        wanted = [name.strip() for name in arguments.variants.split(",") if name.strip()]
        known = {entry["id"] for entry in manifest["models"]}
        unknown = [name for name in wanted if name not in known]
        if unknown:
            raise ValueError(f"unknown variant(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        entries = [entry for entry in manifest["models"] if not wanted or entry["id"] in wanted]
        images, labels = load_test_set(arguments.data_dir)
        images, labels = images[: arguments.limit], labels[: arguments.limit]
        rows, references = [], {}
        for model in dict.fromkeys(entry["model"] for entry in entries):
            if arguments.no_keras:
                continue
            keras_rows, references[model] = compare_keras(
                find_keras_entry(manifest, model),
                arguments.models_dir,
                images=images,
                labels=labels,
                runs=arguments.runs,
                predict_runs=min(arguments.keras_predict_runs, arguments.runs),
            )
            rows += keras_rows
            print(f"measured {model} keras", flush=True)
        for entry in entries:
            rows.append(
                compare_variant(
                    entry,
                    arguments.models_dir,
                    images=images,
                    labels=labels,
                    references=references,
                    runs=arguments.runs,
                )
            )
            print(f"measured {entry['id']}", flush=True)
        if arguments.onnx is not None:
            rows.append(
                compare_external(arguments.onnx, arguments, images=images, labels=labels, runs=arguments.runs)
            )
    except (ManifestError, ValueError, RuntimeError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    runs = {
        "latency_runs": arguments.runs,
        "keras_predict_runs": min(arguments.keras_predict_runs, arguments.runs),
    }
    table = write_reports(rows, arguments.out, runs=runs, images=len(images))
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
