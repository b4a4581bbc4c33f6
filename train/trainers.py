"""The two trainers: the tutorial MLP exactly as the tutorial fits it, and the augmented, scheduled CNN.

Each returns `(model, history dict, fit seconds, training images used)`; evaluation and the report
are `train.evaluation`'s job, orchestration `train.fit`'s.
"""

import time

import keras
import tensorflow as tf

from train.augment import augment_batch
from train.config import CnnConfig, MlpConfig, check_config
from train.data import MnistData
from train.inputs import one_hot, to_flat, to_nhwc
from train.models import build_cnn, build_mlp


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and TensorFlow and ask TF for deterministic ops (reruns agree)."""
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def train_mlp(data: MnistData, config: MlpConfig, *, limit: int | None = None):
    """Fit the tutorial MLP as the tutorial does. Returns (model, history, fit seconds, images fitted)."""
    check_config(config)
    seed_everything(config.seed)
    images, labels = data.train_images[:limit], data.train_labels[:limit]
    model = build_mlp(hidden_units=config.hidden_units)
    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    start = time.perf_counter()
    history = model.fit(
        to_flat(images),
        one_hot(labels),
        epochs=config.epochs,
        batch_size=config.batch_size,
        validation_split=config.validation_split,
        verbose=1,
    )
    train_count = int(len(images) * (1.0 - config.validation_split))  # Keras' own split point
    return model, history.history, time.perf_counter() - start, train_count


def augmented_batches(images, labels, *, config: CnnConfig, strong_steps: int) -> tf.data.Dataset:
    """Stream augmented batches `((b, 28, 28, 1), (b, 10))` from uint8 images, shuffled, endlessly.

    Batches from index `strong_steps` on get the affine warp only (`augment_batch`). The map runs
    sequentially and the batch index keys the random stream, so the stream is reproducible.
    """
    count = len(images)
    return (
        tf.data.Dataset.from_tensor_slices((to_nhwc(images), one_hot(labels)))
        .shuffle(count, seed=config.seed, reshuffle_each_iteration=True)
        .repeat()
        .batch(min(config.batch_size, count), drop_remainder=True)
        .enumerate()
        .map(lambda index, batch: augment_batch(index, batch, config=config, strong_steps=strong_steps))
        .prefetch(tf.data.AUTOTUNE)
    )


def warmup_cosine_schedule(steps_per_epoch: int, config: CnnConfig):
    """Linear warm-up from 0 to the peak rate over `warmup_epochs`, then cosine decay to 0."""
    total_steps = steps_per_epoch * config.epochs
    warmup_steps = min(steps_per_epoch * config.warmup_epochs, total_steps - 1)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0,
        decay_steps=total_steps - warmup_steps,
        warmup_target=config.peak_learning_rate,
        warmup_steps=warmup_steps,
    )


def train_cnn(data: MnistData, config: CnnConfig, *, limit: int | None = None):
    """Augmented, scheduled training. Returns (model, history dict, fit seconds, images used).

    The last `validation_images` training images (a fifth of them at most, under `--limit`) are
    held out for the validation curve; the test set is never looked at while fitting.
    """
    check_config(config)
    seed_everything(config.seed)
    images, labels = data.train_images[:limit], data.train_labels[:limit]
    validation_count = min(config.validation_images, len(images) // 5)
    train_count = len(images) - validation_count
    steps_per_epoch = max(1, train_count // config.batch_size)
    total_steps = steps_per_epoch * config.epochs
    strong_steps = total_steps - round(total_steps * config.gentle_final_fraction)
    dataset = augmented_batches(
        images[:train_count], labels[:train_count], config=config, strong_steps=strong_steps
    )
    model = build_cnn(
        dropout_rate=config.dropout_rate, dense_units=config.dense_units, conv_filters=config.conv_filters
    )
    model.compile(
        optimizer=keras.optimizers.Adam(warmup_cosine_schedule(steps_per_epoch, config)),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    start = time.perf_counter()
    history = model.fit(
        dataset,
        epochs=config.epochs,
        steps_per_epoch=steps_per_epoch,
        validation_data=(to_nhwc(images[train_count:]), one_hot(labels[train_count:])),
        shuffle=False,
        verbose=1,
    )
    return model, history.history, time.perf_counter() - start, train_count
