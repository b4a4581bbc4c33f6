"""MNIST loading: find the four original IDX gzip files, verify them, parse them into uint8 arrays.

Lookup order: the `data_dir` argument (`--data-dir`), then the `MNIST_DATA_DIR` environment
variable, then the per-user cache folder (`$XDG_CACHE_HOME/mnist-anywhere/mnist`, by default
`~/.cache/mnist-anywhere/mnist`). Only when no folder was named and the cache lacks a file is that
file downloaded from a canonical mirror, checked against its known sha256 and written atomically.

Every fault in a file (not gzip, wrong magic number, wrong image size, truncated, label > 9, image
and label counts that differ) raises one `MnistError` naming the file and the fault.
Normalisation (÷255, reshape, one-hot) is left to the training code: this module returns uint8.
"""

import dataclasses
import gzip
import os
import pathlib
import time
import urllib.error
import urllib.request
import warnings

import numpy as np

from digits.constants import IMAGE_SIZE, NUM_CLASSES
from digits.files import atomic_path, sha256_file

IMAGES_MAGIC = 2051  # IDX: unsigned byte, 3 dimensions
LABELS_MAGIC = 2049  # IDX: unsigned byte, 1 dimension
TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
FILE_NAMES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)
# sha256 of the canonical files (as served by the mirror and inside Keras' mnist.npz).
CANONICAL_SHA256 = {
    TEST_IMAGES: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    TEST_LABELS: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    TRAIN_LABELS: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    TRAIN_IMAGES: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
}
MIRROR_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
DOWNLOAD_ATTEMPTS = 3  # tries per file before giving up (network blips)
DOWNLOAD_TIMEOUT_SECONDS = 60

_warned_checksums: set[str] = set()  # sets of non-canonical files already reported, each once
SHA256_NOTED_VARIABLE = "MNIST_SHA256_NOTED"  # "1": an earlier step of the same run already said it


class MnistError(ValueError):
    """A missing, unreadable or malformed MNIST file; the message names the file and the fault."""


@dataclasses.dataclass(frozen=True)
class MnistData:
    """MNIST as uint8 arrays, exactly as stored in the IDX files (pixels 0-255, white ink on black).

    train_images: `(60000, 28, 28)` uint8; train_labels: `(60000,)` uint8 in 0-9;
    test_images: `(10000, 28, 28)` uint8; test_labels: `(10000,)` uint8 in 0-9.
    sha256: file name → sha256 of the file read; data_dir: the folder they came from.
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    sha256: dict[str, str] = dataclasses.field(default_factory=dict)
    data_dir: pathlib.Path | None = None


def cache_dir() -> pathlib.Path:
    """Return the per-user cache folder: `$XDG_CACHE_HOME/mnist-anywhere/mnist` or `~/.cache/…`."""
    base = os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache"
    return pathlib.Path(base) / "mnist-anywhere" / "mnist"


def _read_gzip(path: pathlib.Path) -> bytes:
    try:
        with gzip.open(path, "rb") as stream:
            return stream.read()
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise MnistError(f"{path}: not a readable gzip file ({error})") from error


def _header(path: pathlib.Path, raw: bytes, *, magic: int, dimensions: int) -> list[int]:
    header_bytes = 4 * (1 + dimensions)
    if len(raw) < header_bytes:
        raise MnistError(f"{path}: truncated: {len(raw)} bytes, shorter than the IDX header")
    values = [int.from_bytes(raw[i : i + 4], "big") for i in range(0, header_bytes, 4)]
    if values[0] != magic:
        raise MnistError(f"{path}: wrong magic number {values[0]} (expected {magic})")
    return values[1:]


def read_idx_images(path: str | os.PathLike) -> np.ndarray:
    """Parse a gzip IDX image file into `(n, 28, 28)` uint8; raises `MnistError` on any fault."""
    path = pathlib.Path(path)
    raw = _read_gzip(path)
    count, rows, columns = _header(path, raw, magic=IMAGES_MAGIC, dimensions=3)
    if (rows, columns) != (IMAGE_SIZE, IMAGE_SIZE):
        raise MnistError(f"{path}: images are {rows}x{columns}, expected {IMAGE_SIZE}x{IMAGE_SIZE}")
    expected = 16 + count * rows * columns
    if len(raw) != expected:
        fault = "truncated" if len(raw) < expected else "trailing bytes"
        raise MnistError(f"{path}: {fault}: {len(raw)} bytes, expected {expected} for {count} images")
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(count, rows, columns).copy()


def read_idx_labels(path: str | os.PathLike) -> np.ndarray:
    """Parse a gzip IDX label file into `(n,)` uint8 in 0-9; raises `MnistError` on any fault."""
    path = pathlib.Path(path)
    raw = _read_gzip(path)
    (count,) = _header(path, raw, magic=LABELS_MAGIC, dimensions=1)
    expected = 8 + count
    if len(raw) != expected:
        fault = "truncated" if len(raw) < expected else "trailing bytes"
        raise MnistError(f"{path}: {fault}: {len(raw)} bytes, expected {expected} for {count} labels")
    labels = np.frombuffer(raw, dtype=np.uint8, offset=8).copy()
    if labels.size and labels.max() >= NUM_CLASSES:
        index = int(np.argmax(labels >= NUM_CLASSES))
        raise MnistError(f"{path}: label {labels[index]} at index {index} is not a digit 0-9")
    return labels


def missing_files_message(searched: list[pathlib.Path], reason: str) -> str:
    """Build the one error shown when MNIST cannot be found or fetched: the four names, where to put them."""
    names = "\n".join(f"  {name}" for name in FILE_NAMES)
    where = "\n".join(f"  {folder}" for folder in searched) or "  (none)"
    return (
        f"MNIST not found ({reason}). Put the four original files\n{names}\n"
        f"in a folder and pass --data-dir FOLDER, or set MNIST_DATA_DIR=FOLDER, or place them in "
        f"the cache folder {cache_dir()}.\nFolders searched:\n{where}"
    )


def _download(url: str, destination: pathlib.Path) -> None:
    """Fetch `url` to `destination` (no checks: the caller verifies); the seam tests monkeypatch."""
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
        destination.write_bytes(response.read())


def _download_with_retries(name: str, destination: pathlib.Path) -> None:
    """Fetch one MNIST file into `destination`, retrying network failures `DOWNLOAD_ATTEMPTS` times."""
    last_error: Exception | None = None
    for attempt in range(1, DOWNLOAD_ATTEMPTS + 1):
        try:
            _download(MIRROR_URL + name, destination)
            return
        except (urllib.error.URLError, OSError, TimeoutError) as error:
            last_error = error
            destination.unlink(missing_ok=True)
            if attempt < DOWNLOAD_ATTEMPTS:
                time.sleep(attempt)
    folder = destination.parent
    raise MnistError(missing_files_message([folder], f"download of {name} failed: {last_error}"))


def download_file(name: str, folder: pathlib.Path) -> pathlib.Path:
    """Download one MNIST file into `folder`, verify its sha256, move it in place atomically.

    Retries network failures `DOWNLOAD_ATTEMPTS` times. A file whose sha256 differs from the
    canonical one is deleted and rejected with `MnistError`; nothing partial is ever left behind.
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    with atomic_path(target) as partial:  # renamed over `target` only once verified
        _download_with_retries(name, partial)
        digest = sha256_file(partial)
        if digest != CANONICAL_SHA256[name]:
            raise MnistError(
                f"{MIRROR_URL + name}: downloaded file has sha256 {digest}, expected "
                f"{CANONICAL_SHA256[name]}; rejected and not kept"
            )
    return target


def _warn_about_non_canonical(paths: dict[str, pathlib.Path], sha256: dict[str, str]) -> None:
    """Say once per process, in one sentence, which files are not the canonical MNIST ones.

    Skipped when `SHA256_NOTED_VARIABLE` is "1": `make demo` sets it for the stages after training,
    which already said it.
    """
    differing = [name for name, digest in sha256.items() if CANONICAL_SHA256.get(name, digest) != digest]
    key = ",".join(str(paths[name]) for name in differing)
    if not differing or key in _warned_checksums or os.environ.get(SHA256_NOTED_VARIABLE) == "1":
        return
    _warned_checksums.add(key)
    names = ", ".join(differing)
    one = len(differing) == 1
    verb, pronoun = (
        ("is not the canonical MNIST file", "it is")
        if one
        else ("are not the canonical MNIST files", "they are")
    )
    warnings.warn(
        f"{names} in {paths[differing[0]].parent} {verb} (a local or rebuilt copy: the sha256 differs); "
        f"{pronoun} used as given.",
        stacklevel=3,
    )


def find_mnist_files(data_dir: str | os.PathLike | None = None) -> dict[str, pathlib.Path]:
    """Resolve the four files: `data_dir`, then `MNIST_DATA_DIR`, then the cache, then download.

    A folder named explicitly (argument or environment) must hold all four files: no silent
    fall-back and no download. Only the cache folder is completed by downloading.
    """
    named = (
        ("--data-dir", data_dir),
        ("MNIST_DATA_DIR", os.environ.get("MNIST_DATA_DIR") or None),
    )
    for origin, folder in named:
        if folder is None:
            continue
        folder = pathlib.Path(folder).expanduser()
        if not folder.is_dir():
            raise MnistError(missing_files_message([folder], f"{origin} {folder} is not a folder"))
        missing = [name for name in FILE_NAMES if not (folder / name).is_file()]
        if missing:
            raise MnistError(missing_files_message([folder], f"{origin} {folder} lacks {', '.join(missing)}"))
        return {name: folder / name for name in FILE_NAMES}
    folder = cache_dir()
    paths = {}
    for name in FILE_NAMES:
        path = folder / name
        paths[name] = path if path.is_file() else download_file(name, folder)
    return paths


def load_mnist(data_dir: str | os.PathLike | None = None) -> MnistData:
    """Load and validate MNIST (see the module docstring for the lookup order); uint8 arrays."""
    paths = find_mnist_files(data_dir)
    sha256 = {name: sha256_file(path) for name, path in paths.items()}
    _warn_about_non_canonical(paths, sha256)
    arrays = {}
    for split, images_name, labels_name in (
        ("train", TRAIN_IMAGES, TRAIN_LABELS),
        ("test", TEST_IMAGES, TEST_LABELS),
    ):
        images = read_idx_images(paths[images_name])
        labels = read_idx_labels(paths[labels_name])
        if len(images) != len(labels):
            raise MnistError(
                f"{paths[images_name]}: {len(images)} images but {paths[labels_name]} has "
                f"{len(labels)} labels"
            )
        arrays[f"{split}_images"], arrays[f"{split}_labels"] = images, labels
    return MnistData(**arrays, sha256=sha256, data_dir=paths[TRAIN_IMAGES].parent)
