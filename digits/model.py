"""An ONNX digit classifier in onnxruntime: the one used by the edge CLI, the app and the measurements.

    classifier = OnnxClassifier("web/models/cnn/onnx-int8/model.onnx")
    probabilities = classifier.predict(images)   # float32 (n, 28, 28) in [0, 1] → float32 (n, 10)
    outputs = classifier.predict_with_embedding(images)   # {"probabilities": (n, 10), "embedding": (n, d)}

The input layout is read from the graph (`(n, 784)` flat, `(n, 28, 28, 1)` NHWC, `(n, 1, 28, 28)`
NCHW or `(n, 28, 28)`) or given by a manifest entry; outputs that are not already probabilities
(rows non-negative and summing to 1) are taken as logits and go through `softmax`. Outputs are
selected by name (the entry's, else `probabilities` / `embedding`), so the release models' second
output never shadows the first; a foreign model with other names gives its first output. numpy and
onnxruntime only: this file never imports TensorFlow.
"""

from pathlib import Path

import numpy as np

from digits.constants import IMAGE_SIZE, LAYOUT_SHAPES, NUM_CLASSES, layout_of
from digits.manifest import EMBEDDING_OUTPUT, PROBABILITIES_OUTPUT

PROBABILITY_TOLERANCE = 1e-3  # rows within this of summing to 1 (and non-negative) are probabilities
PREDICT_BATCH_SIZE = 1000  # images per runtime call when predicting many


class ModelError(ValueError):
    """The model file cannot be used: missing, not ONNX, or an unexpected input or output."""


def one_line(error: BaseException) -> str:
    """Return the first line of an exception's message (onnxruntime's span several), never empty."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise, numerically stable softmax of `(n, k)` logits; float32 `(n, k)`."""
    logits = np.asarray(logits, dtype=np.float64)
    exponentials = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (exponentials / exponentials.sum(axis=1, keepdims=True)).astype(np.float32)


def to_probabilities(scores: np.ndarray) -> np.ndarray:
    """`(n, 10)` model outputs → float32 probabilities: unchanged if they already are, else softmax."""
    scores = np.asarray(scores)
    if scores.ndim != 2 or scores.shape[1] != NUM_CLASSES:
        raise ModelError(f"model output has shape {scores.shape}, expected (n, {NUM_CLASSES})")
    sums = scores.astype(np.float64).sum(axis=1)
    if scores.size and scores.min() >= 0 and np.all(np.abs(sums - 1.0) <= PROBABILITY_TOLERANCE):
        return scores.astype(np.float32)
    return softmax(scores)


def to_model_input(images: np.ndarray, layout: str) -> np.ndarray:
    """Reshape float32 images `(n, 28, 28)` (or one `(28, 28)`) to a layout of `LAYOUT_SHAPES`.

    `flat` → `(n, 784)`, `nhwc` → `(n, 28, 28, 1)`, `nchw` → `(n, 1, 28, 28)`, `hw` → `(n, 28, 28)`.
    """
    images = np.asarray(images, dtype=np.float32)
    if images.shape == (IMAGE_SIZE, IMAGE_SIZE):
        images = images[np.newaxis]
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(f"expected images of shape (n, 28, 28), got {images.shape}")
    if layout not in LAYOUT_SHAPES:
        raise ValueError(f"unknown input layout {layout!r}; expected one of {', '.join(LAYOUT_SHAPES)}")
    return np.ascontiguousarray(images.reshape((-1, *LAYOUT_SHAPES[layout])))


def _open_session(model_path: Path, *, threads: int):
    """Open an onnxruntime CPU session on the file's bytes; `ModelError` (one line) if it cannot."""
    import onnxruntime  # here, so `--help` and import errors of the CLI stay cheap

    try:
        model_bytes = Path(model_path).read_bytes()
    except OSError as error:
        raise ModelError(f"cannot read model {model_path}: {error.strerror}") from None
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only: callers print their own one-line messages
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Weights kept beside the model (`model.onnx.data`) are found next to it, not in the working dir.
    options.add_session_config_entry(
        "session.model_external_initializers_file_folder_path", str(Path(model_path).resolve().parent)
    )
    try:
        session = onnxruntime.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime raises its own (Fail, InvalidGraph, …) for bad files
        raise ModelError(f"not a usable ONNX model {model_path}: {one_line(error)}") from None
    return session, f"onnxruntime {onnxruntime.__version__}"


class OnnxClassifier:
    """An ONNX file in onnxruntime (CPU provider, one intra-op thread by default: stable timings).

    `entry`: the manifest entry when the model comes from the release (its `input.layout` is used);
    without one, the layout is read from the graph's input shape.
    """

    def __init__(self, model_path, *, entry: dict | None = None, threads: int = 1):
        self.session, self.runtime = _open_session(Path(model_path), threads=threads)
        model_input = self.session.get_inputs()[0]
        if model_input.type != "tensor(float)":
            raise ModelError(
                f"model input {model_input.name!r} is {model_input.type}, expected tensor(float)"
            )
        self.input_name = model_input.name
        if entry is not None:
            self.layout = entry["input"]["layout"]
        else:
            try:
                self.layout = layout_of(model_input.shape[1:])
            except ValueError:
                raise ModelError(
                    f"model input {model_input.name!r} has shape {model_input.shape}; expected (n, 784), "
                    "(n, 28, 28, 1) or (n, 1, 28, 28)"
                ) from None
        self.entry = entry or {"id": Path(model_path).name, "input": {"layout": self.layout}}
        self.output_name, self.embedding_name = _output_names(self.session, self.entry)

    def run(self, model_input: np.ndarray) -> np.ndarray:
        """One runtime call on input already in the model's layout; the raw `(n, 10)` probabilities output."""
        return self.session.run([self.output_name], {self.input_name: model_input})[0]

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Float32 images `(n, 28, 28)` (or one `(28, 28)`) in [0, 1] → probabilities `(n, 10)` float32."""
        model_input = to_model_input(images, self.layout)
        batches = [
            to_probabilities(self.run(model_input[start : start + PREDICT_BATCH_SIZE]))
            for start in range(0, len(model_input), PREDICT_BATCH_SIZE)
        ]
        return np.concatenate(batches) if batches else np.zeros((0, NUM_CLASSES), np.float32)

    def predict_with_embedding(self, images: np.ndarray) -> dict[str, np.ndarray]:
        """Float32 images `(n, 28, 28)` in [0, 1] → `{"probabilities": (n, 10), "embedding": (n, d)}`.

        Both float32 and from the same runtime calls. `ModelError` if the model has no embedding output.
        """
        if self.embedding_name is None:
            raise ModelError(f"{self.entry['id']} has no {EMBEDDING_OUTPUT!r} output: re-export it")
        model_input = to_model_input(images, self.layout)
        names = [self.output_name, self.embedding_name]
        batches = [
            self.session.run(names, {self.input_name: model_input[start : start + PREDICT_BATCH_SIZE]})
            for start in range(0, max(len(model_input), 1), PREDICT_BATCH_SIZE)  # one call when empty
        ]
        return {
            PROBABILITIES_OUTPUT: to_probabilities(np.concatenate([batch[0] for batch in batches])),
            EMBEDDING_OUTPUT: np.concatenate([batch[1] for batch in batches]).astype(np.float32),
        }


def _output_names(session, entry: dict) -> tuple[str, str | None]:
    """Return the names of the probabilities and embedding outputs (embedding: None when absent).

    The manifest entry's `outputs` names win; else `probabilities` / `embedding` if the graph has
    them; else the graph's first output holds the probabilities (a foreign model).
    """
    available = [output.name for output in session.get_outputs()]
    described = entry.get("outputs", {})
    wanted = described.get(PROBABILITIES_OUTPUT, {}).get("name", PROBABILITIES_OUTPUT)
    probabilities = wanted if wanted in available else available[0]
    embedding = described.get(EMBEDDING_OUTPUT, {}).get("name", EMBEDDING_OUTPUT)
    return probabilities, (embedding if embedding in available and embedding != probabilities else None)
