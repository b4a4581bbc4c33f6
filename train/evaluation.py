"""Evaluation and report: test-set figures, `metrics.json`, the model file and the PNG figures.

Everything written is atomic (`digits.files`): a crash never leaves half a model or report.
"""

import dataclasses
import json
import pathlib
import platform

import keras
import numpy as np
import tensorflow as tf

from digits.constants import NUM_CLASSES
from digits.files import atomic_path, write_atomically
from train import figures
from train.augment import augmented_examples
from train.config import CnnConfig, MlpConfig
from train.data import CANONICAL_SHA256, MnistData
from train.inputs import one_hot

EVALUATION_BATCH_SIZE = 1000  # batch for evaluate/predict: memory only, no effect on results
AUGMENTED_EXAMPLES = 16  # training images in the CNN's augmented.png, each with 5 augmented copies


@dataclasses.dataclass(frozen=True)
class TrainingRun:
    """What a trainer produced, as the report needs it."""

    model_name: str  # "mlp" or "cnn"
    model: keras.Model
    config: MlpConfig | CnnConfig
    history: dict  # Keras history: per-epoch lists (accuracy, loss, val_accuracy, val_loss)
    fit_seconds: float
    train_images: int  # images fitted (validation held out)
    limit: int | None  # the `--limit` it ran with


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


def versions() -> dict[str, str]:
    """Versions of what produced the model (they go into metrics.json)."""
    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
    }


def metrics_report(run: TrainingRun, results: dict, *, data: MnistData) -> dict:
    """Build `metrics.json`: test figures (`results` without probabilities), settings, provenance."""
    return {
        "model": run.model_name,
        **results,
        "test_images": len(data.test_images),
        "epochs": run.config.epochs,
        "batch_size": run.config.batch_size,
        "seed": run.config.seed,
        "fit_seconds": round(run.fit_seconds, 2),
        "parameters": int(run.model.count_params()),
        "train_images": int(run.train_images),
        "limit": run.limit,
        "final_validation_accuracy": float(run.history["val_accuracy"][-1]),
        "config": dataclasses.asdict(run.config),
        "data_sha256": data.sha256,
        "data_is_canonical": {name: data.sha256.get(name) == sha for name, sha in CANONICAL_SHA256.items()},
        "versions": versions(),
    }


def save_model(model: keras.Model, path: pathlib.Path) -> None:
    """Save a `.keras` file atomically (Keras insists on the suffix, hence `*.partial.keras`)."""
    with atomic_path(path, keep_suffix=True) as partial:
        model.save(partial)


def write_json(payload: dict, path: pathlib.Path) -> None:
    """Write JSON atomically: `<path>.tmp`, then rename."""
    write_atomically(path, json.dumps(payload, indent=2) + "\n")


def write_report(folder: pathlib.Path, run: TrainingRun, *, data: MnistData, results: dict) -> dict:
    """Write `model.keras`, `metrics.json` and the five figures (the CNN: six) into `folder`.

    Returns the metrics. `results` is `evaluate`'s dict, probabilities included (the figures need them).
    """
    figures_input = dict(results)
    probabilities = figures_input.pop("probabilities")
    save_model(run.model, folder / "model.keras")
    metrics = metrics_report(run, figures_input, data=data)
    write_json(metrics, folder / "metrics.json")
    figures.write_all(
        folder,
        data=data,
        history=run.history,
        probabilities=probabilities,
        confusion_matrix=np.array(results["confusion_matrix"]),
        title=f"{run.model_name.upper()}: test accuracy {results['test_accuracy']:.2%}",
    )
    if isinstance(run.config, CnnConfig):
        examples = augmented_examples(data.train_images[:AUGMENTED_EXAMPLES], config=run.config)
        figures.plot_augmented(examples, folder / "augmented.png")
    return metrics
