"""Shared pytest fixtures (append yours in a section of your own)."""

import os
import pathlib

import pytest

# --- training stage (train/) -------------------------------------------------------------------
MNIST_FILE_NAMES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


@pytest.fixture(scope="session")
def mnist_data_dir() -> pathlib.Path:
    """The folder with the real MNIST files: MNIST_DATA_DIR, else ../shared/mnist beside the repo.

    Fails (never skips) with a message saying what to set: the training tests need the data.
    """
    repository = pathlib.Path(__file__).resolve().parents[1]
    candidates = [os.environ.get("MNIST_DATA_DIR"), repository.parent / "shared" / "mnist"]
    for candidate in candidates:
        if candidate and all((pathlib.Path(candidate) / name).is_file() for name in MNIST_FILE_NAMES):
            return pathlib.Path(candidate)
    pytest.fail(
        "the real MNIST files were not found: set MNIST_DATA_DIR to a folder holding "
        + ", ".join(MNIST_FILE_NAMES)
        + " (for example export MNIST_DATA_DIR=../shared/mnist)"
    )
