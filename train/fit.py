"""Fit, evaluate and save: the tutorial MLP and the CNN, each into `<out>/<model>/`.

The stages live apart: `train.inputs` (normalisation, layouts, one-hot), `train.augment` (the CNN's
random warps), `train.trainers` (the two fits), `train.evaluation` (test figures, report, files).
"""

import pathlib

from train.config import CnnConfig, MlpConfig
from train.data import MnistData
from train.evaluation import TrainingRun, evaluate, write_report
from train.inputs import to_flat, to_nhwc
from train.trainers import train_cnn, train_mlp

TRAINERS = {"mlp": (train_mlp, to_flat), "cnn": (train_cnn, to_nhwc)}  # name → (trainer, input layout)


def run(model_name: str, data: MnistData, *, config: MlpConfig | CnnConfig, out_dir, limit=None) -> dict:
    """Train `model_name` ("mlp" or "cnn"), evaluate on the full test set, write everything.

    Writes `<out_dir>/<model_name>/`: model.keras, metrics.json and the five PNG figures.
    Returns the metrics dict (without probabilities).
    """
    if model_name not in TRAINERS:
        raise ValueError(f"unknown model {model_name!r}; expected one of {sorted(TRAINERS)}")
    trainer, to_inputs = TRAINERS[model_name]
    folder = pathlib.Path(out_dir) / model_name
    folder.mkdir(parents=True, exist_ok=True)
    model, history, fit_seconds, train_images = trainer(data, config, limit=limit)
    results = evaluate(model, to_inputs(data.test_images), data.test_labels)
    training = TrainingRun(
        model_name=model_name,
        model=model,
        config=config,
        history=history,
        fit_seconds=fit_seconds,
        train_images=train_images,
        limit=limit,
    )
    return write_report(folder, training, data=data, results=results)
