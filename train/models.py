"""Model definitions: the tutorial MLP and the CNN.

Input convention for both (and so for every export): float32 pixels in [0, 1], white ink on black.
The MLP takes the flat 784-vector, `(n, 784)`, exactly as the tutorial; the CNN takes
`(n, 28, 28, 1)`. Both end in a softmax and so output probabilities, `(n, 10)`.
"""

import keras
from keras import layers

from digits.constants import FLAT_SIZE, IMAGE_SIZE, NUM_CLASSES


def build_mlp(*, hidden_units: int = 128) -> keras.Model:
    """Build the tutorial MLP: Dense 128 relu, Dense 128 relu, Dense 10 softmax on `(n, 784)` inputs."""
    return keras.Sequential(
        [
            keras.Input(shape=(FLAT_SIZE,), name="pixels"),
            layers.Dense(hidden_units, activation="relu", name="hidden_1"),
            layers.Dense(hidden_units, activation="relu", name="hidden_2"),
            layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities"),
        ],
        name="mlp",
    )


def _conv_block(filters: int, name: str) -> list[layers.Layer]:
    """3x3 valid convolution, batch norm, ReLU (no conv bias: the batch norm's offset replaces it)."""
    return [
        layers.Conv2D(filters, 3, use_bias=False, name=f"{name}_conv"),
        layers.BatchNormalization(name=f"{name}_norm"),
        layers.ReLU(name=f"{name}_relu"),
    ]


def build_cnn(
    *, dropout_rate: float = 0.4, dense_units: int = 128, conv_filters: tuple[int, int, int] = (32, 64, 96)
) -> keras.Model:
    """Build the CNN on `(n, 28, 28, 1)` float32 inputs in [0, 1]; outputs `(n, 10)` probabilities.

    conv32 → pool → conv64 → conv96 → pool → dense128 → dropout → softmax (~273k parameters,
    ~7.1M multiply-adds per image; `conv_filters` sets the three widths). Batch norm after every
    convolution and the dense layer lets a short, high learning-rate schedule converge;
    augmentation happens in the input pipeline, never in the model, so the saved graph is plain
    standard layers (inference-mode batch norm).
    """
    if not 0.0 <= dropout_rate < 1.0:
        raise ValueError(f"dropout_rate must be in [0, 1), got {dropout_rate}")
    return keras.Sequential(
        [
            keras.Input(shape=(IMAGE_SIZE, IMAGE_SIZE, 1), name="image"),
            *_conv_block(conv_filters[0], "block1"),  # 26x26x32
            layers.MaxPooling2D(2, name="pool1"),  # 13x13x32
            *_conv_block(conv_filters[1], "block2"),  # 11x11x64
            *_conv_block(conv_filters[2], "block3"),  # 9x9x96
            layers.MaxPooling2D(2, name="pool2"),  # 4x4x96
            layers.Flatten(name="flatten"),
            layers.Dense(dense_units, use_bias=False, name="dense"),
            layers.BatchNormalization(name="dense_norm"),
            layers.ReLU(name="dense_relu"),
            layers.Dropout(dropout_rate, name="dropout"),
            layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities"),
        ],
        name="cnn",
    )
