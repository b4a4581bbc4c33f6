"""Training configuration: one frozen dataclass per model, a comment on every default.

The command line overrides a few fields (`--epochs`, `--batch-size`, `--seed`) with
`dataclasses.replace`; everything else is changed here, in one place.
"""

import dataclasses

MIN_TRAIN_IMAGES = 100  # smallest `--limit`: below it a validation slice and a batch make no sense


@dataclasses.dataclass(frozen=True)
class MlpConfig:
    """The tutorial MLP, exactly: adam, categorical cross-entropy, 10 epochs, batch 128, 20% validation."""

    epochs: int = 10  # the tutorial's 10 epochs (~97.8% test accuracy)
    batch_size: int = 128  # the tutorial's batch size
    validation_split: float = 0.2  # Keras holds out the last 20% of the training images
    learning_rate: float = 0.001  # Adam's default, as the tutorial uses `optimizer="adam"`
    hidden_units: int = 128  # width of both hidden Dense layers
    seed: int = 1  # keras.utils.set_random_seed: weights, shuffling, dropout


@dataclasses.dataclass(frozen=True)
class CnnConfig:
    """The CNN: batch norm, dropout, warm-up + cosine learning rate, light affine augmentation.

    Sized so that one `fit` on 55,000 images takes about 5 minutes on 2 CPU cores and lands at
    >= 99.6% on the MNIST test set.
    """

    epochs: int = 14  # ~21 s each on 2 cores; accuracy plateaus near the end of the cosine
    batch_size: int = 128  # large enough for efficient CPU convolutions, small enough to generalise
    validation_images: int = 5000  # the last 5,000 training images, held out for the history plot
    peak_learning_rate: float = 0.003  # Adam's rate after warm-up; batch norm tolerates it
    warmup_epochs: int = 1  # linear warm-up from 0, then cosine decay to 0 at the last step
    dropout_rate: float = 0.4  # before the softmax layer
    dense_units: int = 128  # width of the dense layer before the softmax
    rotation_degrees: float = 10.0  # augmentation: uniform rotation in ±10°
    zoom_fraction: float = 0.1  # augmentation: uniform scale in 1 ± 0.1
    shift_pixels: float = 2.0  # augmentation: uniform translation in ±2 px on each axis
    seed: int = 1  # weights, shuffling, dropout and the augmentation stream


def check_config(config: MlpConfig | CnnConfig) -> None:
    """Raise `ValueError` naming the field and value when a setting is out of range."""
    if config.epochs <= 0:
        raise ValueError(f"epochs must be positive, got {config.epochs}")
    if config.batch_size <= 0:
        raise ValueError(f"batch_size must be positive, got {config.batch_size}")
    if config.seed < 0:
        raise ValueError(f"seed must be non-negative, got {config.seed}")
