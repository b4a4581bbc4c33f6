"""Load a manifest variant and predict probabilities with it, each in its own runtime.

    predictor = load_predictor("cnn-onnx-int8")
    probabilities = predictor.predict(images)   # images float32 (n, 28, 28) in [0, 1] → (n, 10)
    outputs = predictor.predict_with_embedding(images)   # {"probabilities": (n, 10), "embedding": (n, d)}

ONNX variants run in `digits.model.OnnxClassifier` (numpy + onnxruntime: importing this file loads
no TensorFlow). `"<model>-keras"` loads the source Keras model (imports keras lazily). TF.js
variants run in node through `export/js/run_tfjs.js` (raw float32 in, raw float32 out). Every load
checks the sha256 of the files against the manifest, so a broken or stale model file is a clear error.
"""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from digits.constants import NUM_CLASSES
from digits.manifest import (
    DEFAULT_MODELS_DIR,
    EMBEDDING_OUTPUT,
    PROBABILITIES_OUTPUT,
    ManifestError,
    find_entry,
    find_keras_entry,
    read_manifest,
    verify_files,
)
from digits.model import PREDICT_BATCH_SIZE, OnnxClassifier, to_model_input
from digits.stats import TimingPlan

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
TFJS_SCRIPT = Path(__file__).resolve().parent / "js" / "run_tfjs.js"
OUTPUT_OPTIONS = ("output", "embedding")  # the runner's options that name an output file
# The runner's timing options and the `TimingPlan` fields they take.
TIMING_OPTIONS = {
    "latency-runs": "runs",
    "warm-up-runs": "warm_up_runs",
    "throughput-batch": "throughput_batch",
    "throughput-runs": "throughput_runs",
}
TFJS_BACKEND = "wasm"  # XNNPACK in node: matches Keras to ~1e-6 and is ~25× faster than "cpu"


class KerasPredictor:
    """The source `.keras` model (imports keras on first use)."""

    def __init__(self, entry: dict, path: Path):
        import keras

        self.entry = entry
        self.model = keras.saving.load_model(path, compile=False)
        self.runtime = f"keras {keras.__version__}"

    def run(self, model_input: np.ndarray) -> np.ndarray:
        """Call `model(x)` directly on input already in the model's layout; `(n, 10)` float32."""
        return np.asarray(self.model(model_input, training=False))

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Float32 images `(n, 28, 28)` in [0, 1] → probabilities `(n, 10)` float32 (`model.predict`)."""
        model_input = to_model_input(images, self.entry["input"]["layout"])
        return self.model.predict(model_input, batch_size=PREDICT_BATCH_SIZE, verbose=0).astype(np.float32)

    def predict_with_embedding(self, images: np.ndarray) -> dict[str, np.ndarray]:
        """Float32 images `(n, 28, 28)` → `{"probabilities": (n, 10), "embedding": (n, d)}` float32.

        The reference the exports' two outputs are measured against (`export.embedding.with_embedding`).
        """
        from export.embedding import with_embedding

        model_input = to_model_input(images, self.entry["input"]["layout"])
        outputs = with_embedding(self.model).predict(model_input, batch_size=PREDICT_BATCH_SIZE, verbose=0)
        names = (PROBABILITIES_OUTPUT, EMBEDDING_OUTPUT)
        return {
            name: np.asarray(output, dtype=np.float32) for name, output in zip(names, outputs, strict=True)
        }


class TfjsPredictor:
    """A TF.js graph model run by node (`export/js/run_tfjs.js`, `@tensorflow/tfjs` + wasm backend)."""

    def __init__(self, entry: dict, model_json: Path, *, backend: str = TFJS_BACKEND):
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("TF.js variants run in node, and `node` is not on PATH")
        self.entry = entry
        self.node = node
        self.model_json = Path(model_json)
        self.backend = backend
        self.runtime = f"tfjs {tfjs_version()} (node, {backend} backend)"

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Float32 images `(n, 28, 28)` in [0, 1] → probabilities `(n, 10)` float32."""
        outputs, _ = self.run_node(to_model_input(images, self.entry["input"]["layout"]))
        return outputs[PROBABILITIES_OUTPUT]

    def predict_with_embedding(self, images: np.ndarray) -> dict[str, np.ndarray]:
        """Float32 images `(n, 28, 28)` → `{"probabilities": (n, 10), "embedding": (n, d)}` float32."""
        model_input = to_model_input(images, self.entry["input"]["layout"])
        outputs, _ = self.run_node(model_input, with_embedding=True)
        return outputs

    def run_node(self, model_input: np.ndarray, *, timing: TimingPlan | None = None, with_embedding=False):
        """Predict in node; with a `timing` plan also time it there. Returns (outputs, report).

        `outputs`: `{"probabilities": (n, 10)}` float32, plus `"embedding": (n, d)` when asked.
        The report holds `runtime` and, when timed, the raw samples `latency_ms` (one image per
        call) and `batch_seconds` (`throughput_batch` images per call), to be summarised by
        `digits.stats` like every other latency.
        """
        with tempfile.TemporaryDirectory(prefix="tfjs-") as scratch:
            paths = {name: Path(scratch) / f"{name}.f32" for name in ("input", *OUTPUT_OPTIONS)}
            np.ascontiguousarray(model_input, dtype="<f4").tofile(paths["input"])
            shape = ",".join(str(size) for size in model_input.shape)
            options = {"model": self.model_json, "input": paths["input"], "output": paths["output"],
                       "shape": shape, "backend": self.backend}  # fmt: skip
            if with_embedding:
                options["embedding"] = paths["embedding"]
            if timing is not None:
                options.update({option: getattr(timing, field) for option, field in TIMING_OPTIONS.items()})
            report = self._run([self.node, str(TFJS_SCRIPT), *_flatten(options)])
            probabilities = np.fromfile(paths["output"], dtype="<f4").reshape(-1, NUM_CLASSES)
            outputs = {PROBABILITIES_OUTPUT: probabilities}
            if with_embedding:
                width = report["embedding_size"]
                outputs[EMBEDDING_OUTPUT] = np.fromfile(paths["embedding"], dtype="<f4").reshape(-1, width)
        return {name: values.astype(np.float32) for name, values in outputs.items()}, report

    def _run(self, command: list[str]) -> dict:
        """Run the node runner; its JSON report line (RuntimeError with node's message if it fails)."""
        completed = subprocess.run(command, capture_output=True, text=True, cwd=REPOSITORY_ROOT)
        if completed.returncode != 0:
            raise RuntimeError(f"node failed on {self.model_json}: {completed.stderr.strip()[-2000:]}")
        report = json.loads(completed.stdout.strip().splitlines()[-1])
        self.runtime = report["runtime"]
        return report


def _flatten(options: dict) -> list[str]:
    """`{"model": path, "runs": 5}` → `["--model", "path", "--runs", "5"]` (the runner's argument form)."""
    return [text for name, value in options.items() for text in (f"--{name}", str(value))]


def tfjs_version() -> str:
    """Return the installed `@tensorflow/tfjs` version (from node_modules), or "?" if absent."""
    package = REPOSITORY_ROOT / "node_modules" / "@tensorflow" / "tfjs" / "package.json"
    try:
        return json.loads(package.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return "?"


def load_predictor(variant, *, models_dir: Path = DEFAULT_MODELS_DIR, tfjs_backend: str = TFJS_BACKEND):
    """Return a predictor for a manifest id (`"cnn-onnx-int8"`), a manifest entry, or `"<model>-keras"`.

    Checks the files' sha256 against the manifest first (ManifestError if broken or missing).
    """
    models_dir = Path(models_dir)
    if isinstance(variant, str):
        manifest = read_manifest(models_dir)
        if variant.endswith("-keras"):
            entry = find_keras_entry(manifest, variant[: -len("-keras")])
            verify_files(models_dir, [entry["file"]], sha256={entry["file"]: entry["sha256"]}, label=variant)
            return KerasPredictor(entry, models_dir / entry["file"])
        entry = find_entry(manifest, variant)
    elif isinstance(variant, dict) and "file" in variant:
        verify_files(
            models_dir, [variant["file"]], sha256={variant["file"]: variant["sha256"]}, label="keras"
        )
        return KerasPredictor(variant, models_dir / variant["file"])
    elif isinstance(variant, dict):
        entry = variant
    else:
        raise ValueError(f"variant must be a manifest id or entry, got {type(variant).__name__}")
    if "id" not in entry or "files" not in entry:
        raise ManifestError(f"not a manifest entry: {sorted(entry)}")
    verify_files(models_dir, entry["files"], sha256=entry["sha256"], label=entry["id"])
    if entry["format"] == "onnx":
        return OnnxClassifier(models_dir / entry["files"][0], entry=entry)
    if entry["format"] == "tfjs":
        model_json = next(name for name in entry["files"] if name.endswith("model.json"))
        return TfjsPredictor(entry, models_dir / model_json, backend=tfjs_backend)
    raise ValueError(f"unknown format {entry['format']!r} in manifest entry {entry['id']}")
