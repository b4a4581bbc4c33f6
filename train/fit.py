"""Fit, evaluate and save: the tutorial MLP and the CNN, each into `<out>/<model>/`.

Normalisation is explicit here: uint8 pixels ÷ 255 → float32 in [0, 1]; the MLP gets `(n, 784)`,
the CNN `(n, 28, 28, 1)`; labels become one-hot `(n, 10)` for categorical cross-entropy.
"""

import dataclasses
import json
import math
import pathlib
import platform
import time

import keras
import numpy as np
import tensorflow as tf

from digits.constants import FLAT_SIZE, IMAGE_SIZE, NUM_CLASSES
from digits.files import atomic_path, write_atomically
from train import figures
from train.config import CnnConfig, MlpConfig, check_config
from train.data import CANONICAL_SHA256, MnistData
from train.models import build_cnn, build_mlp

EVALUATION_BATCH_SIZE = 1000  # batch for evaluate/predict: memory only, no effect on results


def to_flat(images: np.ndarray) -> np.ndarray:
    """uint8 `(n, 28, 28)` → float32 `(n, 784)` in [0, 1] (the MLP's input)."""
    return images.reshape(len(images), FLAT_SIZE).astype("float32") / 255.0


def to_nhwc(images: np.ndarray) -> np.ndarray:
    """uint8 `(n, 28, 28)` → float32 `(n, 28, 28, 1)` in [0, 1] (the CNN's input)."""
    return images.reshape(len(images), IMAGE_SIZE, IMAGE_SIZE, 1).astype("float32") / 255.0


def one_hot(labels: np.ndarray) -> np.ndarray:
    """uint8 `(n,)` digits → float32 `(n, 10)` one-hot rows."""
    return keras.utils.to_categorical(labels, NUM_CLASSES).astype("float32")


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and TensorFlow and ask TF for deterministic ops (reruns agree)."""
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def augment_batch(
    batch_index: tf.Tensor, batch: tuple[tf.Tensor, tf.Tensor], *, config: CnnConfig
) -> tuple[tf.Tensor, tf.Tensor]:
    """Random rotation, zoom and shift of a batch `(b, 28, 28, 1)`, one affine warp per image.

    The parameters come from a stateless generator keyed by (seed, batch index), so the stream
    is reproducible. `ImageProjectiveTransformV3` maps each output pixel back to the input:
    input = R(angle) / scale · (output − centre) + centre + shift.
    """
    images, labels = batch
    count = tf.shape(images)[0]
    seed = tf.stack([tf.cast(batch_index, tf.int32), tf.constant(config.seed, tf.int32)])
    uniform = tf.random.stateless_uniform([count, 4], seed, minval=-1.0, maxval=1.0)
    angle = uniform[:, 0] * (config.rotation_degrees * math.pi / 180.0)
    scale = 1.0 + uniform[:, 1] * config.zoom_fraction
    shift_x = uniform[:, 2] * config.shift_pixels
    shift_y = uniform[:, 3] * config.shift_pixels
    centre = (IMAGE_SIZE - 1) / 2.0
    a0, a1 = tf.cos(angle) / scale, -tf.sin(angle) / scale
    b0, b1 = tf.sin(angle) / scale, tf.cos(angle) / scale
    a2 = centre - a0 * centre - a1 * centre + shift_x
    b2 = centre - b0 * centre - b1 * centre + shift_y
    zeros = tf.zeros_like(a0)
    transforms = tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)
    warped = tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=transforms,
        output_shape=[IMAGE_SIZE, IMAGE_SIZE],
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
    )
    return warped, labels


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
    dataset = (
        tf.data.Dataset.from_tensor_slices((to_nhwc(images[:train_count]), one_hot(labels[:train_count])))
        .shuffle(train_count, seed=config.seed, reshuffle_each_iteration=True)
        .repeat()
        .batch(min(config.batch_size, train_count), drop_remainder=True)
        .enumerate()
        .map(lambda index, batch: augment_batch(index, batch, config=config))
        .prefetch(tf.data.AUTOTUNE)
    )
    total_steps = steps_per_epoch * config.epochs
    warmup_steps = min(steps_per_epoch * config.warmup_epochs, total_steps - 1)
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0,
        decay_steps=total_steps - warmup_steps,
        warmup_target=config.peak_learning_rate,
        warmup_steps=warmup_steps,
    )
    model = build_cnn(dropout_rate=config.dropout_rate, dense_units=config.dense_units)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
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


def evaluate(model: keras.Model, inputs: np.ndarray, labels: np.ndarray) -> dict:
    """Loss, accuracy, per-class accuracy, 10x10 confusion matrix (rows: true, columns: predicted).

    Also returns the `(n, 10)` float32 probabilities under "probabilities" (for the figures).
    """
    loss, accuracy = model.evaluate(inputs, one_hot(labels), batch_size=EVALUATION_BATCH_SIZE, verbose=0)
    probabilities = model.predict(inputs, batch_size=EVALUATION_BATCH_SIZE, verbose=0)
    predicted = probabilities.argmax(axis=1)
    confusion = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    np.add.at(confusion, (labels.astype(np.int64), predicted), 1)
    per_class = confusion.diagonal() / np.maximum(confusion.sum(axis=1), 1)
    return {
        "test_accuracy": float(accuracy),
        "test_loss": float(loss),
        "per_class_accuracy": [round(float(value), 6) for value in per_class],
        "confusion_matrix": confusion.tolist(),
        "probabilities": probabilities,
    }


def save_model(model: keras.Model, path: pathlib.Path) -> None:
    """Save a `.keras` file atomically (Keras insists on the suffix, hence `*.partial.keras`)."""
    with atomic_path(path, keep_suffix=True) as partial:
        model.save(partial)


def write_json(payload: dict, path: pathlib.Path) -> None:
    """Write JSON atomically: `<path>.tmp`, then rename."""
    write_atomically(path, json.dumps(payload, indent=2) + "\n")


def versions() -> dict[str, str]:
    """Versions of what produced the model (they go into metrics.json)."""
    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
    }


def run(model_name: str, data: MnistData, *, config: MlpConfig | CnnConfig, out_dir, limit=None) -> dict:
    """Train `model_name` ("mlp" or "cnn"), evaluate on the full test set, write everything.

    Writes `<out_dir>/<model_name>/`: model.keras, metrics.json and the five PNG figures.
    Returns the metrics dict (without probabilities).
    """
    trainers = {"mlp": (train_mlp, to_flat), "cnn": (train_cnn, to_nhwc)}
    if model_name not in trainers:
        raise ValueError(f"unknown model {model_name!r}; expected one of {sorted(trainers)}")
    trainer, to_inputs = trainers[model_name]
    folder = pathlib.Path(out_dir) / model_name
    folder.mkdir(parents=True, exist_ok=True)
    model, history, fit_seconds, train_images = trainer(data, config, limit=limit)
    results = evaluate(model, to_inputs(data.test_images), data.test_labels)
    probabilities = results.pop("probabilities")
    save_model(model, folder / "model.keras")
    metrics = {
        "model": model_name,
        **results,
        "test_images": len(data.test_images),
        "epochs": config.epochs,
        "batch_size": config.batch_size,
        "seed": config.seed,
        "fit_seconds": round(fit_seconds, 2),
        "parameters": int(model.count_params()),
        "train_images": int(train_images),
        "limit": limit,
        "final_validation_accuracy": float(history["val_accuracy"][-1]),
        "config": dataclasses.asdict(config),
        "data_sha256": data.sha256,
        "data_is_canonical": {name: data.sha256.get(name) == sha for name, sha in CANONICAL_SHA256.items()},
        "versions": versions(),
    }
    write_json(metrics, folder / "metrics.json")
    figures.write_all(
        folder,
        data=data,
        history=history,
        probabilities=probabilities,
        confusion_matrix=np.array(results["confusion_matrix"]),
        title=f"{model_name.upper()}: test accuracy {results['test_accuracy']:.2%}",
    )
    return metrics
