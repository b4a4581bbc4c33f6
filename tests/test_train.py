"""Training CLI: a small `--limit` run of each model writes every output; bad values fail cleanly."""

import json
import os
import subprocess
import sys

import pytest

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIGURES = ("samples.png", "history.png", "predictions.png", "confusion_matrix.png", "misclassified.png")
LIMIT = 600  # training images for the quick runs (the test set stays complete)
MLP_TUTORIAL_ACCURACY = 0.975  # the tutorial MLP's floor on the full data


def run_train(*arguments, data_dir=None, timeout=600):
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    if data_dir is not None:
        environment["MNIST_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "train", *map(str, arguments)],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_limited_run_writes_model_metrics_and_figures(model, tmp_path, mnist_data_dir):
    result = run_train(
        "--model", model, "--epochs", 1, "--limit", LIMIT, "--out", tmp_path, data_dir=mnist_data_dir
    )
    assert result.returncode == 0, result.stderr[-3000:]
    folder = tmp_path / model
    assert (folder / "model.keras").stat().st_size > 0
    for figure in FIGURES:
        assert (folder / figure).read_bytes().startswith(b"\x89PNG"), figure
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["model"] == model
    assert metrics["epochs"] == 1 and metrics["train_images"] <= LIMIT and metrics["test_images"] == 10000
    correct = sum(metrics["confusion_matrix"][digit][digit] for digit in range(10))
    assert metrics["test_accuracy"] == pytest.approx(correct / 10000, abs=1e-6)
    assert len(metrics["per_class_accuracy"]) == 10
    assert len(metrics["confusion_matrix"]) == 10 and all(
        len(row) == 10 for row in metrics["confusion_matrix"]
    )
    assert sum(map(sum, metrics["confusion_matrix"])) == 10000
    for key in ("test_loss", "batch_size", "seed", "fit_seconds", "parameters", "data_sha256", "versions"):
        assert key in metrics, key
    assert not list(folder.glob("*.tmp")) and not list(folder.glob("*.partial*"))
    assert f"{model}: test accuracy" in result.stdout
    assert "\u2501" in result.stdout  # Keras' progress bar is shown


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--epochs", "0"], "--epochs: must be positive, got 0"),
        (["--epochs", "many"], "--epochs: expected a whole number"),
        (["--model", "resnet"], "invalid choice: 'resnet'"),
        (["--limit", "5"], "--limit: must be between 100 and 60000, got 5"),
        (["--batch-size", "-3"], "--batch-size: must be positive"),
        (["--data-dir", "/no/such/folder"], "--data-dir: /no/such/folder is not a folder"),
    ],
)
def test_invalid_values_give_a_clear_error(arguments, message):
    result = run_train(*arguments, timeout=60)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_folder_without_mnist_lists_the_files(tmp_path):
    result = run_train("--model", "mlp", "--data-dir", tmp_path, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for name in ("train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "MNIST_DATA_DIR"):
        assert name in result.stderr


@pytest.mark.slow
def test_tutorial_mlp_reaches_its_accuracy_on_full_data(tmp_path, mnist_data_dir):
    result = run_train("--model", "mlp", "--out", tmp_path, data_dir=mnist_data_dir)
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads((tmp_path / "mlp" / "metrics.json").read_text())
    assert metrics["train_images"] == 48000 and metrics["epochs"] == 10  # 20% held out for validation
    assert metrics["test_accuracy"] >= MLP_TUTORIAL_ACCURACY
