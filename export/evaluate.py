"""Measure a variant: accuracy on the 10,000 MNIST test images and agreement with Keras.

The images come from `train.data.load_mnist` (imported lazily: it may pull in TensorFlow).
"""

import functools

import numpy as np

CALIBRATION_SEED = 0  # fixed choice of calibration images, so exports are reproducible


@functools.lru_cache(maxsize=2)
def _load_mnist(data_dir):
    """`train.data.load_mnist`, once per process and data dir (it checks sha256 sums each time)."""
    from train.data import load_mnist

    return load_mnist(data_dir)


def load_test_set(data_dir=None) -> tuple[np.ndarray, np.ndarray]:
    """MNIST test images float32 `(10000, 28, 28)` in [0, 1] and labels int64 `(10000,)`."""
    data = _load_mnist(data_dir)
    return data.test_images.astype(np.float32) / 255.0, data.test_labels.astype(np.int64)


def load_training_set(data_dir=None) -> tuple[np.ndarray, np.ndarray]:
    """MNIST training images float32 `(60000, 28, 28)` in [0, 1] and labels int64 `(60000,)`."""
    data = _load_mnist(data_dir)
    return data.train_images.astype(np.float32) / 255.0, data.train_labels.astype(np.int64)


def load_calibration_images(count: int, *, data_dir=None) -> np.ndarray:
    """`count` TRAINING images (fixed random choice), float32 `(count, 28, 28)` in [0, 1]."""
    data = _load_mnist(data_dir)
    if not 0 < count <= len(data.train_images):
        raise ValueError(f"calibration count must be in 1..{len(data.train_images)}, got {count}")
    chosen = np.sort(
        np.random.default_rng(CALIBRATION_SEED).choice(len(data.train_images), count, replace=False)
    )
    return data.train_images[chosen].astype(np.float32) / 255.0


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Top-1 accuracy of `(n, 10)` probabilities against `(n,)` labels."""
    return float(np.mean(probabilities.argmax(axis=1) == labels))


def measure(outputs: dict, labels: np.ndarray, *, reference: dict, runtime: str) -> dict:
    """Return the manifest `metrics` block of a variant's outputs against the Keras `reference`.

    `outputs` / `reference`: `{"probabilities": (n, 10), "embedding": (n, d)}` float32. Figures:
    test accuracy, top-1 agreement, max |Δp| and max |Δ| of the embedding (3 significant digits).
    """
    for name, values in reference.items():
        if outputs[name].shape != values.shape:
            raise ValueError(f"{name} {outputs[name].shape} and its reference {values.shape} differ in shape")
    probabilities, expected = outputs["probabilities"], reference["probabilities"]
    return {
        "test_accuracy": round(accuracy(probabilities, labels), 6),
        "agreement_with_keras": round(float(np.mean(probabilities.argmax(1) == expected.argmax(1))), 6),
        "max_abs_diff": max_abs_diff(probabilities, expected),
        "embedding_max_abs_diff": max_abs_diff(outputs["embedding"], reference["embedding"]),
        "runtime": runtime,
    }


def max_abs_diff(values: np.ndarray, reference: np.ndarray) -> float:
    """Largest |values − reference|, rounded to 3 significant digits for the manifest."""
    return float(f"{float(np.max(np.abs(values - reference))):.3g}")
