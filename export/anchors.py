"""Anchors in the release: the teach feature's MNIST reference points, built at export time.

Every exported model gets `<model>/anchors.json` (file format and reader: `digits.anchors`). The
embeddings come from the model's fp32 ONNX export, built from the Keras source in the same run
(`<model>/onnx-fp32/model.onnx`), run in onnxruntime over the 60,000 MNIST training digits: the
whitening uses every digit, and 50 correctly read digits per class (seeded) become the anchors.
Why the fp32 ONNX and not Keras: it matches Keras within 1e-5 (the manifest's parity figures),
it is what the edge CLI and the page's ONNX variant run, and onnxruntime on the CPU gives the same
float32 embeddings in every process and with 1 or 2 threads (measured), so re-exporting an
unchanged model writes the same bytes.

One file serves every variant of the model. How far a variant's own embedding moves what the
teach rule compares (each class's nearest-anchor similarity) is measured on the 10,000 test digits
and stored in that variant's metrics (`anchor_fit`). numpy + onnxruntime; no TensorFlow.
"""

import dataclasses
from pathlib import Path

import numpy as np

from digits.anchors import ANCHORS_FILE_NAME, Anchors, project
from digits.constants import NUM_CLASSES
from digits.manifest import describe_files
from digits.model import OnnxClassifier
from export.evaluate import max_abs_diff

ANCHORS_PER_CLASS = 50  # per digit; chosen on simulated writers (bench/teach.py, README "Teaching")
SHRINKAGE = 0.1  # covariance = (1 − s)·within-class + s·(mean variance)·I: keeps rare directions tame
ANCHOR_SEED = 0  # which correctly read training digits become anchors
SOURCE_VARIANT = "onnx-fp32"  # the export whose embeddings the anchors are built from
ANCHOR_THREADS = 2  # onnxruntime threads for the 60,000 digits (1 and 2 give the same bytes)
MIN_VARIANCE = 1e-12  # eigenvalues below this are treated as this (a dead embedding unit)


class TooFewReadError(ValueError):
    """The model reads fewer than `per_class` training digits of some class right (an untrained model)."""


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
    `TooFewReadError` when a digit has fewer than `per_class` correctly read rows.
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
    shipped = Anchors(  # the float32 values of the file, used from here on
        model=model,
        digits=labels[chosen],
        mean=mean.astype(np.float32).astype(np.float64),
        projection=projection.astype(np.float32).astype(np.float64),
        vectors=np.zeros((0, embeddings.shape[1])),
        per_class=per_class,
        shrinkage=float(shrinkage),
    )
    unit = project(embeddings[chosen], shipped).astype(np.float32).astype(np.float64)
    return dataclasses.replace(shipped, vectors=unit)


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
    return embeddings.mean(axis=0), vectors / np.sqrt(np.maximum(values, MIN_VARIANCE))


def _choose(labels: np.ndarray, predictions: np.ndarray, *, per_class: int, seed: int) -> np.ndarray:
    """Return row indices `(10 · per_class,)`: per digit, `per_class` rows read right (seeded)."""
    rng = np.random.default_rng(seed)
    chosen = []
    for digit in range(NUM_CLASSES):
        candidates = np.flatnonzero((labels == digit) & (predictions == digit))
        if len(candidates) < per_class:
            raise TooFewReadError(f"digit {digit}: {len(candidates)} read right, need {per_class}")
        chosen.append(np.sort(rng.choice(candidates, per_class, replace=False)))
    return np.concatenate(chosen)


def compute_anchors(
    onnx_path: Path, train_images: np.ndarray, train_labels: np.ndarray, *, model: str
) -> Anchors:
    """Anchors of `model` from its fp32 ONNX file and the training digits.

    `train_images`: float32 `(n, 28, 28)` in [0, 1]; `train_labels`: int `(n,)`. `TooFewReadError`
    when the model reads fewer than 50 training digits of some class right (an untrained model).
    """
    classifier = OnnxClassifier(onnx_path, threads=ANCHOR_THREADS)
    outputs = classifier.predict_with_embedding(np.asarray(train_images, dtype=np.float32))
    predictions = outputs["probabilities"].argmax(axis=1)
    return build_anchors(outputs["embedding"], train_labels, predictions, model=model)


def anchors_entry(models_dir: Path, anchors: Anchors, *, training_digits: int) -> dict:
    """Return the manifest's block for the anchors written at `<models_dir>/<model>/anchors.json`."""
    relative = f"{anchors.model}/{ANCHORS_FILE_NAME}"
    size, digests = describe_files(models_dir, [relative])
    return {
        "file": relative,
        "bytes": size,
        "sha256": digests[relative],
        "count_per_class": anchors.per_class,
        "embedding_size": anchors.embedding_size,
        "source": f"{anchors.model}-{SOURCE_VARIANT}",
        "training_digits": int(training_digits),
    }


def nearest_by_class(embeddings: np.ndarray, anchors: Anchors) -> np.ndarray:
    """Float64 `(n, 10)`: each input's cosine similarity to its nearest anchor of every digit."""
    similarities = project(embeddings, anchors) @ anchors.vectors.T
    return np.stack(
        [similarities[:, anchors.digits == digit].max(axis=1) for digit in range(NUM_CLASSES)], axis=1
    )


def anchor_fit(embeddings: np.ndarray, reference: np.ndarray, anchors: Anchors) -> dict:
    """How well the model's anchors fit a variant: metrics from its and Keras's embeddings `(n, d)`.

    `anchor_similarity_max_abs_diff`: the largest change, over inputs and digits, of the nearest
    anchor's similarity (the teach rule's threshold; compare its 0.01 margin); `anchor_agreement`:
    the fraction of inputs whose nearest anchor is of the same digit as with Keras's embedding.
    """
    ours, theirs = nearest_by_class(embeddings, anchors), nearest_by_class(reference, anchors)
    return {
        "anchor_similarity_max_abs_diff": max_abs_diff(ours, theirs),
        "anchor_agreement": round(float(np.mean(ours.argmax(axis=1) == theirs.argmax(axis=1))), 6),
    }
