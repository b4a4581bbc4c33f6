"""`python -m bench.compare`: every manifest variant measured in its own runtime, side by side.

For each variant (and the source Keras models, via `predict` and a direct `model(x)` call):
bytes and gzip bytes, test accuracy, agreement with Keras, max |Δp|, one-image latency (median
and p95 over `--runs` runs after a warm-up) and throughput on a batch of 256. ONNX runs in
onnxruntime (CPU, 1 thread), TF.js in node (timed inside node), Keras in TensorFlow.
`--onnx PATH` adds an external ONNX model with its own input convention (its size counts every
file it needs: external data such as `model.onnx.data` included). Writes
`reports/compare.{md,json,png}` and prints the table.

    python -m bench.compare                     # everything, 1,000 latency runs
    python -m bench.compare --variants cnn-onnx-int8,cnn-tfjs-uint8 --runs 100
    python -m bench.compare --onnx other.onnx --layout nchw --scale 255 --output logits
"""

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from bench.compare_report import write_reports
from bench.compare_rows import report_row, run_in_batches, summarize_timings, time_calls
from digits.constants import NUM_CLASSES
from digits.manifest import (
    DEFAULT_MODELS_DIR,
    PROBABILITIES_OUTPUT,
    ManifestError,
    find_keras_entry,
    read_manifest,
)
from digits.model import OnnxClassifier, softmax, to_model_input
from digits.stats import TimingPlan
from export.runtimes import TfjsPredictor, load_predictor

KERAS_PREDICT_RUNS = 1000  # as many as the others; `model.predict` is ~50-100 ms a call (~2.5 min)


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
    paths = onnx_files(path)
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
        f"external:{path.name}", "external", paths=paths, labels=labels, reference=None, **measured
    )


def onnx_files(path: Path) -> list[Path]:
    """Return the ONNX file and every external-data file its tensors point to (`model.onnx.data`).

    A model saved with external data keeps a few KB of graph in the `.onnx` and its weights beside
    it; its size is the sum. ValueError (one line) if a referenced file is missing.
    """
    import onnx
    from onnx.external_data_helper import ExternalDataInfo, uses_external_data

    path = Path(path)
    try:
        graph_model = onnx.load(path, load_external_data=False)
    except OSError:
        raise
    except Exception as error:  # protobuf's DecodeError and friends for a file that is not ONNX
        raise ValueError(f"{path} is not an ONNX model: {type(error).__name__}: {error}") from None
    locations = dict.fromkeys(
        ExternalDataInfo(tensor).location
        for tensor in _tensors(graph_model.graph)
        if uses_external_data(tensor)
    )
    files = [path, *(path.parent / location for location in locations)]
    missing = [str(file) for file in files if not file.is_file()]
    if missing:
        raise ValueError(f"{path}: its external data {', '.join(missing)} is missing")
    return files


def _tensors(graph):
    """Yield every tensor of an ONNX graph: initializers, and constants in attributes and subgraphs."""
    yield from graph.initializer
    for node in graph.node:
        for attribute in node.attribute:
            yield from ([attribute.t] if attribute.HasField("t") else [])
            yield from attribute.tensors
            for subgraph in ([attribute.g] if attribute.HasField("g") else []) + list(attribute.graphs):
                yield from _tensors(subgraph)


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


def select_entries(manifest: dict, variants: str) -> list[dict]:
    """Return the manifest entries named in `variants` (comma-separated; all when empty), in order.

    ValueError naming the unknown ids and the known ones.
    """
    wanted = [name.strip() for name in variants.split(",") if name.strip()]
    known = {entry["id"] for entry in manifest["models"]}
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise ValueError(f"unknown variant(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return [entry for entry in manifest["models"] if not wanted or entry["id"] in wanted]


def measure_all(arguments: argparse.Namespace) -> tuple[list[dict], int]:
    """Every requested row (Keras, manifest variants, external model), measured; and the image count."""
    from export.evaluate import load_test_set

    manifest = read_manifest(arguments.models_dir)
    entries = select_entries(manifest, arguments.variants)
    images, labels = load_test_set(arguments.data_dir)
    images, labels = images[: arguments.limit], labels[: arguments.limit]
    data = {"images": images, "labels": labels}
    rows, references = [], {}
    for model in dict.fromkeys(entry["model"] for entry in entries) if not arguments.no_keras else ():
        predict_runs = min(arguments.keras_predict_runs, arguments.runs)
        keras_entry = find_keras_entry(manifest, model)
        keras_rows, references[model] = compare_keras(
            keras_entry, arguments.models_dir, **data, runs=arguments.runs, predict_runs=predict_runs
        )
        rows += keras_rows
        print(f"measured {model} keras", flush=True)
    for entry in entries:
        rows.append(
            compare_variant(entry, arguments.models_dir, **data, references=references, runs=arguments.runs)
        )
        print(f"measured {entry['id']}", flush=True)
    if arguments.onnx is not None:
        rows.append(compare_external(arguments.onnx, arguments, **data, runs=arguments.runs))
    return rows, len(images)


def main(argv=None) -> int:
    """Measure, print the table, write the reports; returns the exit status."""
    arguments = parse_arguments(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        rows, image_count = measure_all(arguments)
    except (ManifestError, ValueError, RuntimeError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    runs = {
        "latency_runs": arguments.runs,
        "keras_predict_runs": min(arguments.keras_predict_runs, arguments.runs),
    }
    print(write_reports(rows, arguments.out, runs=runs, images=image_count))
    return 0


if __name__ == "__main__":
    sys.exit(main())
