"""Training CLI: a small `--limit` run of each model writes every output; bad values fail cleanly."""

import json
import os
import re
import subprocess
import sys

import pytest

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIGURES = ("samples.png", "history.png", "predictions.png", "confusion_matrix.png", "misclassified.png")
LIMIT = 600  # training images for the quick runs (the test set stays complete)
MLP_TUTORIAL_ACCURACY = 0.975  # the tutorial MLP's floor on the full data
# What TensorFlow prints on a machine without a GPU unless silenced (absl lines, CUDA probes).
ERROR_LOOKING = re.compile(r"^[EWIF]\d{4} |cuInit|cuDNN|cuBLAS|cuFFT|factory|absl|placer|Traceback")


def run_train(*arguments, data_dir=None, timeout=600):
    environment = dict(os.environ)
    environment.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the command's own default is what users get
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
    for figure in (*FIGURES, "augmented.png") if model == "cnn" else FIGURES:
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
    chatter = [line for line in result.stderr.splitlines() if ERROR_LOOKING.search(line)]
    assert not chatter, chatter  # no CUDA / absl / "factory already registered" lines on a healthy run
    assert result.stderr.count("not the canonical MNIST") <= 1  # said once, in one line


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


def test_absl_info_lines_are_filtered_and_everything_else_passes():
    script = (
        "import os\n"
        "from train.quiet import absl_info_filtered\n"
        "with absl_info_filtered():\n"
        "    os.write(2, b'I0000 00:00:1795577917.776390    1112 devices.cc:67] Starting new session\\n')\n"
        "    os.write(2, b'E0000 00:00:1795577917.776390    1112 graph.cc:9] a real error\\n')\n"
        "    os.write(2, b'warning: a plain line\\n')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPOSITORY, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "E0000 00:00:1795577917.776390    1112 graph.cc:9] a real error",
        "warning: a plain line",
    ]
