"""Model definitions: the tutorial MLP and the CNN.

Input convention for both (and so for every export): float32 pixels in [0, 1], white ink on black.
The MLP takes the flat 784-vector, `(n, 784)`, exactly as the tutorial; the CNN takes
`(n, 28, 28, 1)`. Both end in a softmax and so output probabilities, `(n, 10)`.
"""

import keras
from keras import layers

IMAGE_SIZE = 28
NUM_CLASSES = 10
FLAT_SIZE = IMAGE_SIZE * IMAGE_SIZE


def build_mlp(*, hidden_units: int = 128) -> keras.Model:
    """The tutorial MLP: Dense 128 relu, Dense 128 relu, Dense 10 softmax on `(n, 784)` inputs."""
    return keras.Sequential(
        [
            keras.Input(shape=(FLAT_SIZE,), name="pixels"),
            layers.Dense(hidden_units, activation="relu", name="hidden_1"),
            layers.Dense(hidden_units, activation="relu", name="hidden_2"),
            layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities"),
        ],
        name="mlp",
    )


def build_cnn() -> keras.Model:
    """The CNN on `(n, 28, 28, 1)` inputs (placeholder: the training issue tunes it)."""
    return keras.Sequential(
        [
            keras.Input(shape=(IMAGE_SIZE, IMAGE_SIZE, 1), name="image"),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities"),
        ],
        name="cnn",
    )
