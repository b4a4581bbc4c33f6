"""Model inputs from MNIST's uint8 arrays: explicit normalisation, one layout per model, one-hot labels.

uint8 pixels ÷ 255 → float32 in [0, 1]; the MLP gets `(n, 784)`, the CNN `(n, 28, 28, 1)`; labels
become one-hot `(n, 10)` for categorical cross-entropy.
"""

import keras
import numpy as np

from digits.constants import FLAT_SIZE, IMAGE_SIZE, NUM_CLASSES


def to_flat(images: np.ndarray) -> np.ndarray:
    """uint8 `(n, 28, 28)` → float32 `(n, 784)` in [0, 1] (the MLP's input)."""
    return images.reshape(len(images), FLAT_SIZE).astype("float32") / 255.0


def to_nhwc(images: np.ndarray) -> np.ndarray:
    """uint8 `(n, 28, 28)` → float32 `(n, 28, 28, 1)` in [0, 1] (the CNN's input)."""
    return images.reshape(len(images), IMAGE_SIZE, IMAGE_SIZE, 1).astype("float32") / 255.0


def one_hot(labels: np.ndarray) -> np.ndarray:
    """uint8 `(n,)` digits → float32 `(n, 10)` one-hot rows."""
    return keras.utils.to_categorical(labels, NUM_CLASSES).astype("float32")
