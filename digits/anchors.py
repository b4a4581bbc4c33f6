"""MNIST anchors: the fixed reference points the teach feature compares personal examples against.

A taught example may override the model only when an input is closer to it than to every anchor
of the class the model predicted (`digits.examples.adapt`). The anchors are a few correctly read
MNIST training digits per class, and the space they live in is the model's embedding (its
penultimate activations), centred on the MNIST mean and whitened by the within-class covariance
(shrunk towards a multiple of the identity), so that directions in which one class varies a lot
count less than directions that separate classes. Everything is computed once per model, from the
fp32 model on the training set, and shipped with it:

    {"format": "mnist-anywhere-anchors", "version": 1, "model": "cnn", "embedding_size": 128,
     "per_class": 50, "shrinkage": 0.1, "digits": [0, 0, …, 9],
     "mean": B64, "projection": B64, "anchors": B64}

B64 = base64 of little-endian float32, row-major: `mean` (d,), `projection` (d, d) with
`z = (embedding − mean) @ projection`, `anchors` (m, d) already projected and scaled to unit length.
The page (`web/teach.js`) reads the same file and decodes the same float32 values. numpy only.
"""

import base64
import json
from dataclasses import dataclass

import numpy as np

from digits.constants import NUM_CLASSES
from digits.files import write_atomically

ANCHORS_FORMAT = "mnist-anywhere-anchors"
ANCHORS_VERSION = 1
ANCHORS_PER_CLASS = 50  # per digit; chosen on simulated writers (bench/teach.py, README "Teaching")
SHRINKAGE = 0.1  # covariance = (1 − s)·within-class + s·(mean variance)·I: keeps rare directions tame
ANCHOR_SEED = 0  # which correctly read training digits become anchors
MIN_NORM = 1e-12  # a projected vector shorter than this counts as zero (similarity 0 to everything)


class AnchorsError(ValueError):
    """An anchors file that cannot be used (wrong format, model or sizes); the message is one line."""


@dataclass(frozen=True)
class Anchors:
    """Anchors of one model. Arrays are float64 views of the shipped float32 values."""

    model: str  # the manifest's model name, e.g. "cnn"
    digits: np.ndarray  # int64 (m,): the class of each anchor
    mean: np.ndarray  # float64 (d,): subtracted from every embedding
    projection: np.ndarray  # float64 (d, d): whitening, z = (e − mean) @ projection
    vectors: np.ndarray  # float64 (m, d): projected anchors, unit length
    per_class: int  # anchors per digit
    shrinkage: float  # the covariance shrinkage used to build the projection

    @property
    def embedding_size(self) -> int:
        """d, the width of the model's embedding."""
        return self.mean.shape[0]


def project(embeddings: np.ndarray, anchors: Anchors) -> np.ndarray:
    """Project embeddings `(n, d)` to float64 `(n, d)` unit vectors in the anchors' whitened space.

    A vector that projects to (almost) zero stays zero, so its similarities are all 0.
    """
    return _project(embeddings, anchors.mean, anchors.projection)


def _project(embeddings: np.ndarray, mean: np.ndarray, projection: np.ndarray) -> np.ndarray:
    embeddings = np.asarray(embeddings, dtype=np.float64)
    if embeddings.ndim != 2 or embeddings.shape[1] != mean.shape[0]:
        raise ValueError(f"expected embeddings of shape (n, {mean.shape[0]}), got {embeddings.shape}")
    projected = (embeddings - mean) @ projection
    norms = np.sqrt((projected * projected).sum(axis=1, keepdims=True))
    return np.where(norms > MIN_NORM, projected / np.maximum(norms, MIN_NORM), 0.0)


def build_anchors(
    embeddings: np.ndarray,
    labels: np.ndarray,
    predictions: np.ndarray,
    *,
    model: str,
    per_class: int = ANCHORS_PER_CLASS,
    shrinkage: float = SHRINKAGE,
    seed: int = ANCHOR_SEED,
) -> Anchors:
    """Build anchors from training embeddings float `(n, d)`, true labels and predicted labels `(n,)`.

    The whitening uses every row; the anchors are `per_class` rows per digit drawn (seeded) among
    those the model reads right. Values are rounded to float32, exactly as they are shipped.
    """
    embeddings = np.asarray(embeddings, dtype=np.float64)
    labels, predictions = np.asarray(labels).astype(np.int64), np.asarray(predictions).astype(np.int64)
    if embeddings.ndim != 2 or labels.shape != (len(embeddings),) or predictions.shape != labels.shape:
        raise ValueError(
            f"expected (n, d) embeddings and (n,) labels, got {embeddings.shape}, {labels.shape}"
        )
    if not 0.0 <= shrinkage <= 1.0:
        raise ValueError(f"shrinkage must be in [0, 1], got {shrinkage}")
    mean, projection = _whitening(embeddings, labels, shrinkage=shrinkage)
    chosen = _choose(labels, predictions, per_class=per_class, seed=seed)
    mean = mean.astype(np.float32).astype(np.float64)  # the shipped values, used from here on
    projection = projection.astype(np.float32).astype(np.float64)
    unit = _project(embeddings[chosen], mean, projection).astype(np.float32).astype(np.float64)
    return Anchors(model, labels[chosen], mean, projection, unit, per_class, float(shrinkage))


def _whitening(
    embeddings: np.ndarray, labels: np.ndarray, *, shrinkage: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return the mean `(d,)` and a projection `(d, d)` that makes the shrunk within-class covariance I."""
    within = np.zeros((embeddings.shape[1], embeddings.shape[1]))
    for digit in range(NUM_CLASSES):
        rows = embeddings[labels == digit]
        centred = rows - rows.mean(axis=0) if len(rows) else rows
        within += centred.T @ centred
    within /= len(embeddings)
    size = within.shape[0]
    target = (1.0 - shrinkage) * within + shrinkage * (np.trace(within) / size) * np.eye(size)
    values, vectors = np.linalg.eigh(target)
    return embeddings.mean(axis=0), vectors / np.sqrt(np.maximum(values, MIN_NORM))


def _choose(labels: np.ndarray, predictions: np.ndarray, *, per_class: int, seed: int) -> np.ndarray:
    """Return row indices `(10 · per_class,)`: per digit, `per_class` rows read right (seeded)."""
    rng = np.random.default_rng(seed)
    chosen = []
    for digit in range(NUM_CLASSES):
        candidates = np.flatnonzero((labels == digit) & (predictions == digit))
        if len(candidates) < per_class:
            raise ValueError(f"digit {digit}: {len(candidates)} correctly read rows, need {per_class}")
        chosen.append(np.sort(rng.choice(candidates, per_class, replace=False)))
    return np.concatenate(chosen)


def _encode(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode("ascii")


def _decode(text, shape: tuple, name: str) -> np.ndarray:
    """base64 little-endian float32 → float64 array of `shape`; `AnchorsError` if it is not that."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (TypeError, ValueError):
        raise AnchorsError(f"anchors field {name!r} is not base64") from None
    if len(raw) != 4 * int(np.prod(shape)):
        raise AnchorsError(f"anchors field {name!r} holds {len(raw) // 4} numbers, expected shape {shape}")
    values = np.frombuffer(raw, dtype="<f4").astype(np.float64).reshape(shape)
    if not np.all(np.isfinite(values)):
        raise AnchorsError(f"anchors field {name!r} holds NaN or infinity")
    return values


def anchors_to_json(anchors: Anchors) -> str:
    """Return the anchors file's text (see the module docstring)."""
    record = {
        "format": ANCHORS_FORMAT,
        "version": ANCHORS_VERSION,
        "model": anchors.model,
        "embedding_size": anchors.embedding_size,
        "per_class": anchors.per_class,
        "shrinkage": anchors.shrinkage,
        "digits": [int(digit) for digit in anchors.digits],
        "mean": _encode(anchors.mean),
        "projection": _encode(anchors.projection),
        "anchors": _encode(anchors.vectors),
    }
    return json.dumps(record, separators=(",", ":")) + "\n"


def parse_anchors(text: str) -> Anchors:
    """Parse an anchors file's text; `AnchorsError` (one line) when anything is off."""
    try:
        record = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise AnchorsError(
            f"anchors file is not JSON: {error.msg if hasattr(error, 'msg') else error}"
        ) from None
    if not isinstance(record, dict) or record.get("format") != ANCHORS_FORMAT:
        raise AnchorsError(f"not an anchors file: format is not {ANCHORS_FORMAT!r}")
    if record.get("version") != ANCHORS_VERSION:
        raise AnchorsError(f"anchors version {record.get('version')!r} is not {ANCHORS_VERSION}")
    size, digits = record.get("embedding_size"), record.get("digits")
    if not isinstance(size, int) or size <= 0 or not isinstance(record.get("model"), str):
        raise AnchorsError(f"anchors file has no valid model / embedding_size ({size!r})")
    if not isinstance(digits, list) or not all(isinstance(d, int) and 0 <= d < NUM_CLASSES for d in digits):
        raise AnchorsError("anchors field 'digits' must be a list of digits 0-9")
    if len(set(digits)) != NUM_CLASSES:
        raise AnchorsError(f"anchors cover digits {sorted(set(digits))}; every digit 0-9 needs some")
    return Anchors(
        model=record["model"],
        digits=np.asarray(digits, dtype=np.int64),
        mean=_decode(record.get("mean"), (size,), "mean"),
        projection=_decode(record.get("projection"), (size, size), "projection"),
        vectors=_decode(record.get("anchors"), (len(digits), size), "anchors"),
        per_class=int(record.get("per_class", 0)),
        shrinkage=float(record.get("shrinkage", 0.0)),
    )


def read_anchors(path) -> Anchors:
    """Read an anchors file; `AnchorsError` naming the file when it cannot be read or used."""
    try:
        with open(path, encoding="utf-8") as file:
            return parse_anchors(file.read())
    except OSError as error:
        raise AnchorsError(f"cannot read anchors {path}: {error.strerror}") from None
    except AnchorsError as error:
        raise AnchorsError(f"{path}: {error}") from None


def write_anchors(path, anchors: Anchors) -> None:
    """Write the anchors file atomically (temp file, then rename)."""
    write_atomically(path, anchors_to_json(anchors))
