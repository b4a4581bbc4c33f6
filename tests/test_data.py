"""MNIST loading: IDX parsing on small files written here, every corruption, checksums, lookup."""

import gzip
import hashlib
import pathlib
import urllib.error
import warnings

import numpy as np
import pytest

from train import data
from train.data import FILE_NAMES, MnistError, load_mnist, read_idx_images, read_idx_labels


def idx_images_bytes(images: np.ndarray, *, magic: int = 2051) -> bytes:
    count, rows, columns = images.shape
    header = b"".join(value.to_bytes(4, "big") for value in (magic, count, rows, columns))
    return header + images.astype(np.uint8).tobytes()


def idx_labels_bytes(labels: np.ndarray, *, magic: int = 2049) -> bytes:
    return magic.to_bytes(4, "big") + len(labels).to_bytes(4, "big") + labels.astype(np.uint8).tobytes()


def write_gzip(path: pathlib.Path, payload: bytes) -> pathlib.Path:
    path.write_bytes(gzip.compress(payload))
    return path


def small_images(count: int, *, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(count, 28, 28), dtype=np.uint8)


def write_mnist_folder(folder: pathlib.Path, *, train_count: int = 5, test_count: int = 3) -> dict:
    """Four valid small IDX files; returns the arrays written."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train_images": small_images(train_count, seed=1),
        "train_labels": np.arange(train_count, dtype=np.uint8) % 10,
        "test_images": small_images(test_count, seed=2),
        "test_labels": (np.arange(test_count, dtype=np.uint8) + 3) % 10,
    }
    write_gzip(folder / data.TRAIN_IMAGES, idx_images_bytes(arrays["train_images"]))
    write_gzip(folder / data.TRAIN_LABELS, idx_labels_bytes(arrays["train_labels"]))
    write_gzip(folder / data.TEST_IMAGES, idx_images_bytes(arrays["test_images"]))
    write_gzip(folder / data.TEST_LABELS, idx_labels_bytes(arrays["test_labels"]))
    return arrays


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path, monkeypatch):
    """No MNIST_DATA_DIR, a private cache, no real network, fresh once-only warnings."""
    monkeypatch.delenv("MNIST_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-home"))
    monkeypatch.setattr(data, "_warned_checksums", set())
    monkeypatch.setattr(data.time, "sleep", lambda seconds: None)

    def no_network(url, destination):
        raise urllib.error.URLError("network disabled in tests")

    monkeypatch.setattr(data, "_download", no_network)


def test_parses_small_idx_files(tmp_path):
    written = write_mnist_folder(tmp_path / "mnist")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the small files are not the canonical ones
        loaded = load_mnist(tmp_path / "mnist")
    for name, array in written.items():
        np.testing.assert_array_equal(getattr(loaded, name), array)
        assert getattr(loaded, name).dtype == np.uint8
    assert loaded.train_images.shape == (5, 28, 28)
    assert set(loaded.sha256) == set(FILE_NAMES)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"this is not gzip at all", "not a readable gzip file"),
        (gzip.compress(idx_images_bytes(small_images(2)))[:-12], "not a readable gzip file"),
        (gzip.compress(idx_images_bytes(small_images(2), magic=2049)), "wrong magic number 2049"),
        (gzip.compress(idx_images_bytes(small_images(2))[:-5]), "truncated"),
        (gzip.compress(idx_images_bytes(small_images(2))[:10]), "truncated"),
        (gzip.compress(idx_images_bytes(small_images(2)) + b"\0"), "trailing bytes"),
        (gzip.compress(idx_images_bytes(np.zeros((2, 27, 28), np.uint8))), "27x28, expected 28x28"),
    ],
    ids=["not-gzip", "cut-gzip", "magic", "truncated", "short-header", "trailing", "dims"],
)
def test_corrupt_image_file_names_file_and_fault(tmp_path, payload, message):
    path = tmp_path / data.TRAIN_IMAGES
    path.write_bytes(payload)
    with pytest.raises(MnistError, match=message) as caught:
        read_idx_images(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (idx_labels_bytes(np.array([1, 2, 3]), magic=2051), "wrong magic number 2051"),
        (idx_labels_bytes(np.array([1, 2, 3]))[:-1], "truncated"),
        (idx_labels_bytes(np.array([1, 12, 3])), "label 12 at index 1 is not a digit"),
    ],
    ids=["magic", "truncated", "label-over-9"],
)
def test_corrupt_label_file_names_file_and_fault(tmp_path, payload, message):
    path = write_gzip(tmp_path / data.TEST_LABELS, payload)
    with pytest.raises(MnistError, match=message) as caught:
        read_idx_labels(path)
    assert str(path) in str(caught.value)


def test_image_label_count_mismatch(tmp_path):
    folder = tmp_path / "mnist"
    write_mnist_folder(folder)
    write_gzip(folder / data.TEST_LABELS, idx_labels_bytes(np.array([1, 2], np.uint8)))
    with pytest.raises(MnistError, match="3 images but .*t10k-labels-idx1-ubyte.gz has 2 labels"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            load_mnist(folder)


def test_mnist_error_is_a_value_error():
    assert issubclass(MnistError, ValueError)


def test_local_checksum_mismatch_warns_once_and_loads(tmp_path):
    folder = tmp_path / "mnist"
    write_mnist_folder(folder)
    with pytest.warns(UserWarning, match="not the canonical MNIST files") as record:
        load_mnist(folder)
    assert len(record) == 1  # one sentence naming every file that differs
    message = str(record[0].message)
    assert all(name in message for name in FILE_NAMES) and "\n" not in message
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a second load must not warn again
        load_mnist(folder)


def test_a_run_that_already_said_it_does_not_warn_again(tmp_path, monkeypatch):
    folder = tmp_path / "mnist"
    write_mnist_folder(folder)
    monkeypatch.setenv(data.SHA256_NOTED_VARIABLE, "1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_mnist(folder)


def test_download_verifies_sha256_and_writes_atomically(tmp_path, monkeypatch):
    contents = {name: f"fake {name}".encode() for name in FILE_NAMES}
    monkeypatch.setattr(
        data, "CANONICAL_SHA256", {name: hashlib.sha256(body).hexdigest() for name, body in contents.items()}
    )
    requested = []

    def fake_download(url, destination):
        requested.append(url)
        destination.write_bytes(contents[url.rsplit("/", 1)[1]])

    monkeypatch.setattr(data, "_download", fake_download)
    paths = data.find_mnist_files()
    assert requested == [data.MIRROR_URL + name for name in FILE_NAMES]
    for name, path in paths.items():
        assert path == data.cache_dir() / name
        assert path.read_bytes() == contents[name]
    assert not list(data.cache_dir().glob("*.partial"))
    requested.clear()
    data.find_mnist_files()  # everything cached: no download at all
    assert requested == []


def test_downloaded_file_with_wrong_sha256_is_rejected_and_not_kept(monkeypatch):
    monkeypatch.setattr(data, "_download", lambda url, destination: destination.write_bytes(b"tampered"))
    with pytest.raises(MnistError, match="rejected and not kept"):
        data.find_mnist_files()
    assert list(data.cache_dir().iterdir()) == []


def test_download_retries_then_succeeds(monkeypatch):
    monkeypatch.setattr(data, "CANONICAL_SHA256", {n: hashlib.sha256(b"ok").hexdigest() for n in FILE_NAMES})
    attempts = []

    def flaky(url, destination):
        attempts.append(url)
        if len(attempts) % 2:
            raise urllib.error.URLError("blip")
        destination.write_bytes(b"ok")

    monkeypatch.setattr(data, "_download", flaky)
    data.find_mnist_files()
    assert len(attempts) == 2 * len(FILE_NAMES)


def test_offline_error_lists_the_four_files_and_where_to_put_them():
    with pytest.raises(MnistError) as caught:
        load_mnist()
    message = str(caught.value)
    for name in FILE_NAMES:
        assert name in message
    assert "--data-dir" in message and "MNIST_DATA_DIR" in message
    assert str(data.cache_dir()) in message


def test_lookup_order(tmp_path, monkeypatch):
    argument_dir, environment_dir = tmp_path / "argument", tmp_path / "environment"
    cached = write_mnist_folder(data.cache_dir(), train_count=4)
    from_argument = write_mnist_folder(argument_dir, train_count=6)
    from_environment = write_mnist_folder(environment_dir, train_count=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert len(load_mnist().train_images) == len(cached["train_images"])
        monkeypatch.setenv("MNIST_DATA_DIR", str(environment_dir))
        assert len(load_mnist().train_images) == len(from_environment["train_images"])
        assert len(load_mnist(argument_dir).train_images) == len(from_argument["train_images"])


def test_named_folder_missing_a_file_is_an_error_not_a_fallback(tmp_path):
    folder = tmp_path / "mnist"
    write_mnist_folder(folder)
    (folder / data.TEST_LABELS).unlink()
    with pytest.raises(MnistError, match="lacks t10k-labels-idx1-ubyte.gz"):
        load_mnist(folder)
    with pytest.raises(MnistError, match="is not a folder"):
        load_mnist(tmp_path / "nowhere")
