"""The MNIST test set for the Compare tab: found like everything else, never downloaded in a request.

Lookup (as `train.data`): `--data-dir` (`streamlit run streamlit_app.py -- --data-dir FOLDER`),
then `MNIST_DATA_DIR`, then the cache folder `make demo` fills. A folder named explicitly is the only
one looked at. Only the two test files are needed (comparing needs no training images), and they are
read once per server with `train.data`'s IDX readers (numpy only).
"""

import os
from pathlib import Path

import numpy as np
import streamlit as st

from train.data import TEST_IMAGES, TEST_LABELS, cache_dir, read_idx_images, read_idx_labels

TEST_FILES = (TEST_IMAGES, TEST_LABELS)


class MissingTestSet(ValueError):
    """The test files are not where MNIST is looked for; the message says what to do."""


def find_test_set(data_dir: str | os.PathLike | None = None) -> Path:
    """Return the folder holding both test files, or raise `MissingTestSet` at once (no download)."""
    named = [("--data-dir", data_dir), ("MNIST_DATA_DIR", os.environ.get("MNIST_DATA_DIR") or None)]
    origin, folder = next(((origin, folder) for origin, folder in named if folder), ("cache", None))
    folder = Path(folder).expanduser() if folder else cache_dir()
    missing = [name for name in TEST_FILES if not (folder / name).is_file()]
    if not missing:
        return folder
    where = f"{origin} {folder}" if origin != "cache" else f"the cache folder {folder}"
    raise MissingTestSet(
        f"The MNIST test set is not in {where} (missing: {', '.join(missing)}). "
        f"Run `make demo` (it downloads MNIST into {cache_dir()}), or set MNIST_DATA_DIR to a folder "
        f"holding {' and '.join(TEST_FILES)} and restart the app."
    )


@st.cache_resource(show_spinner="Reading the 10,000 MNIST test images…")
def load_test_set(folder: str) -> tuple[np.ndarray, np.ndarray]:
    """Test images uint8 `(10000, 28, 28)` and labels uint8 `(10000,)`, read once per server, read-only.

    Raises `train.data.MnistError` (a `ValueError`) naming the file when one is malformed.
    """
    images = read_idx_images(Path(folder) / TEST_IMAGES)
    labels = read_idx_labels(Path(folder) / TEST_LABELS)
    if len(images) != len(labels):
        raise MissingTestSet(f"{folder}: {len(images)} test images but {len(labels)} labels")
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels
