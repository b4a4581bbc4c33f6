"""The edge CLI `python -m digits.predict`: layouts, logits, bad inputs, exit codes, no TensorFlow, alias."""

import io
import json
import os
import pathlib
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest
from PIL import Image

from digits import predict

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
MODELS_DIR = REPOSITORY / "web" / "models"
FORBIDDEN_MODULES = ("tensorflow", "keras", "tf2onnx", "jax")
WINNER = 3  # the digit the tiny test models always pick
WINNER_WEIGHT = 0.05  # the tiny model's weight from every pixel to WINNER (all others are 0)
REAL_MODEL_DIGITS = 40  # MNIST test digits written as files for the release models
REAL_MODEL_MIN_ACCURACY = 0.9  # on those, for each model and file form


def tiny_onnx_model(path: pathlib.Path, *, shape: list, softmax: bool) -> pathlib.Path:
    """An ONNX model Reshape → MatMul (→ Softmax) whose input has `shape`; ink makes WINNER win."""
    from onnx import TensorProto, helper, numpy_helper

    weights = np.zeros((784, 10), dtype=np.float32)
    weights[:, WINNER] = WINNER_WEIGHT
    nodes = [
        helper.make_node("Reshape", ["pixels", "flat_shape"], ["flat"]),
        helper.make_node("MatMul", ["flat", "weights"], ["scores" if softmax else "logits"]),
    ]
    if softmax:
        nodes.append(helper.make_node("Softmax", ["scores"], ["probabilities"], axis=-1))
    output_name = "probabilities" if softmax else "logits"
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info(output_name, TensorProto.FLOAT, [None, 10])],
        initializer=[
            numpy_helper.from_array(weights, "weights"),
            numpy_helper.from_array(np.array([-1, 784], dtype=np.int64), "flat_shape"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path.write_bytes(model.SerializeToString())
    return path


def tiny_model_probability(image_path: pathlib.Path) -> float:
    """WINNER's probability from the tiny model, computed here: score = weight × ink, the others 0."""
    from digits.image import preprocess_image

    score = WINNER_WEIGHT * float(preprocess_image(image_path).astype(np.float64).sum())
    return 1.0 / (1.0 + 9.0 * np.exp(-score))  # softmax of (score, 0, …, 0) at the score's place


def digit_png(path: pathlib.Path) -> pathlib.Path:
    canvas = np.zeros((140, 140), dtype=np.uint8)
    canvas[20:120, 60:80] = 255
    Image.fromarray(canvas).save(path)
    return path


def run_cli(
    *arguments: str, environment: dict | None = None, module: str = "digits.predict"
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, *map(str, arguments)],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        env=environment,
        timeout=120,
    )


@pytest.fixture
def flat_model(tmp_path):
    return tiny_onnx_model(tmp_path / "flat.onnx", shape=[None, 784], softmax=True)


@pytest.mark.parametrize(
    ("shape", "softmax"),
    [([None, 784], True), (["batch", 28, 28, 1], False), ([None, 1, 28, 28], True), ([1, 28, 28, 1], True)],
)
def test_layouts_and_logits(tmp_path, capsys, shape, softmax):
    model = tiny_onnx_model(tmp_path / "model.onnx", shape=shape, softmax=softmax)
    assert predict.main([str(model), str(digit_png(tmp_path / "one.png")), "--json"]) == 0
    [record] = json.loads(capsys.readouterr().out)
    assert record["digit"] == WINNER and record["error"] is None
    assert sum(record["probabilities"]) == pytest.approx(1.0, abs=1e-4)
    assert record["probability"] == pytest.approx(max(record["probabilities"]), abs=1e-6)
    assert record["probability"] > 0.5


def test_text_output_top_k_and_blank(tmp_path, capsys, flat_model):
    image = digit_png(tmp_path / "one.png")
    blank = tmp_path / "blank.png"
    Image.new("L", (64, 64), 255).save(blank)  # white paper, nothing drawn
    assert predict.main([str(flat_model), str(image), str(blank), "--top", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{image}: {WINNER} (p=") and lines[0].count("(p=") == 3
    assert lines[1] == f"{blank}: no digit"


def test_json_records_for_a_blank_image(tmp_path, capsys, flat_model):
    blank = tmp_path / "blank.png"
    Image.new("RGBA", (64, 64), (0, 0, 0, 0)).save(blank)
    assert predict.main([str(flat_model), str(blank), "--json"]) == 0
    [record] = json.loads(capsys.readouterr().out)
    assert record == {
        "image": str(blank),
        "number": "",
        "probability": None,
        "digits": [],
        "digit": None,
        "probabilities": None,
        "error": None,
    }


@pytest.fixture(scope="module")
def number_png(tmp_path_factory, mnist_data_dir):
    """MNIST test digits 9 0 2 1 0 (the first of each label) written 6 px apart: (path, labels)."""
    from bench.numbers import compose, digit_ink
    from train.data import load_mnist

    data = load_mnist(mnist_data_dir)
    labels = [9, 0, 2, 1, 0]
    inks = [
        digit_ink(data.test_images[int(np.flatnonzero(data.test_labels == label)[rank])])
        for rank, label in zip([0, 0, 0, 0, 1], labels, strict=True)
    ]
    path = tmp_path_factory.mktemp("number") / "90210.png"
    Image.fromarray(compose(inks, [6] * 4)).save(path)
    return path, "".join(map(str, labels))


def test_a_number_reads_whole_left_to_right_in_one_batch(number_png, capsys, monkeypatch):
    from digits.model import OnnxClassifier

    path, labels = number_png
    model = MODELS_DIR / "cnn" / "onnx-fp32" / "model.onnx"
    batches = []
    original = OnnxClassifier.predict
    monkeypatch.setattr(
        OnnxClassifier, "predict", lambda self, images: batches.append(len(images)) or original(self, images)
    )
    assert predict.main([str(model), str(path), "--json"]) == 0
    [record] = json.loads(capsys.readouterr().out)
    assert record["number"] == labels and [d["digit"] for d in record["digits"]] == [int(c) for c in labels]
    assert record["digit"] is None and record["probabilities"] is None, "several digits: no single digit"
    assert record["probability"] == pytest.approx(
        np.prod([d["probability"] for d in record["digits"]]), rel=1e-6
    )
    boxes = [d["box"] for d in record["digits"]]
    width, height = Image.open(path).size
    assert all(0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height for x0, y0, x1, y1 in boxes)
    assert all(a[2] <= b[0] for a, b in zip(boxes, boxes[1:], strict=False)), "left to right, apart"
    assert batches == [len(labels)], "the digits go through the model together, once"
    assert predict.main([str(model), str(path)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"{path}: {labels} (p=") and line.endswith(")")
    assert float(line.split("(p=")[1][:-1]) == pytest.approx(record["probability"], abs=5e-4)


def fake_png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(64)))
        + chunk(b"IEND", b"")
    )


def test_bad_images_are_one_line_each_and_the_rest_still_run(tmp_path, flat_model):
    good = digit_png(tmp_path / "good.png")
    not_image = tmp_path / "notes.png"
    not_image.write_text("this is text\n")
    truncated = tmp_path / "truncated.png"
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (200, 200), dtype=np.uint8)).save(buffer, "PNG")
    truncated.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    huge = tmp_path / "huge.png"
    huge.write_bytes(fake_png_header(50_000, 50_000))
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.png"
    result = run_cli(flat_model, not_image, good, truncated, huge, empty, missing)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"{good}: {WINNER} (p={tiny_model_probability(good):.3f})"]
    errors = result.stderr.splitlines()
    assert len(errors) == 5, result.stderr
    expected = {
        not_image: "not an image",
        truncated: "truncated",
        huge: "too large",
        empty: "empty",
        missing: "not found",
    }
    for line, (path, message) in zip(errors, expected.items(), strict=True):
        assert line.startswith(f"{path}: error: ") and message in line, line


def test_bad_images_in_json_mode(tmp_path, capsys, flat_model):
    missing = tmp_path / "missing.png"
    assert predict.main([str(flat_model), str(missing), str(digit_png(tmp_path / "a.png")), "--json"]) == 1
    captured = capsys.readouterr()
    records = json.loads(captured.out)
    assert "not found" in records[0]["error"] and records[0]["digit"] is None
    assert records[1]["digit"] == WINNER
    assert captured.err.count("\n") == 1


@pytest.mark.parametrize("content", [None, b"not an onnx model at all", b""])
def test_unusable_model_exits_2_with_one_line(tmp_path, content):
    model = tmp_path / "model.onnx"
    if content is not None:
        model.write_bytes(content)
    result = run_cli(model, digit_png(tmp_path / "one.png"))
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error: ")


def test_export_predict_is_still_an_alias_of_the_cli(tmp_path, flat_model):
    result = run_cli(flat_model, digit_png(tmp_path / "one.png"), "--json", module="export.predict")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["digit"] == WINNER


def test_wrong_input_shape_exits_2(tmp_path):
    model = tiny_onnx_model(tmp_path / "model.onnx", shape=[None, 32, 32, 1], softmax=True)
    result = run_cli(model, digit_png(tmp_path / "one.png"))
    assert result.returncode == 2 and "shape" in result.stderr


BLOCKER = """
import atexit, importlib.abc, os, sys

FORBIDDEN = {forbidden!r}


class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in FORBIDDEN:
            raise ImportError(f"{{name}} is blocked: the edge predictor must not need it")
        return None


sys.meta_path.insert(0, Blocker())


@atexit.register
def report():
    loaded = sorted(name for name in sys.modules if name.split(".")[0] in FORBIDDEN)
    with open(os.environ["LOADED_REPORT"], "w") as file:
        file.write(",".join(loaded) + "|" + ",".join(sorted(sys.modules)))
"""


def test_runs_without_tensorflow(tmp_path, flat_model):
    blocker_dir = tmp_path / "blocker"
    blocker_dir.mkdir()
    (blocker_dir / "sitecustomize.py").write_text(BLOCKER.format(forbidden=FORBIDDEN_MODULES))
    report = tmp_path / "loaded.txt"
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(blocker_dir), str(REPOSITORY)]),
        "LOADED_REPORT": str(report),
    }
    probe = subprocess.run(
        [sys.executable, "-c", "import tensorflow"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert probe.returncode != 0 and "blocked" in probe.stderr  # the blocker really blocks
    result = run_cli(flat_model, digit_png(tmp_path / "one.png"), "--json", environment=environment)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["digit"] == WINNER
    forbidden_loaded, all_loaded = report.read_text().split("|")
    assert forbidden_loaded == ""
    assert "onnxruntime" in all_loaded.split(",") and "digits.image.recipe" in all_loaded.split(",")


# --- the release models on real MNIST digits --------------------------------------------------------


def manifest_onnx_entries() -> list:
    """The release's ONNX entries; without a manifest, one case that fails saying so (never none)."""
    manifest_path = MODELS_DIR / "manifest.json"
    if not manifest_path.is_file():
        return [pytest.param(None, id="manifest-missing")]
    manifest = json.loads(manifest_path.read_text())
    return [entry for entry in manifest["models"] if entry["format"] == "onnx"]


@pytest.fixture(scope="module")
def mnist_files(tmp_path_factory, mnist_data_dir):
    """MNIST test digits as files: white-on-black PNG, dark-on-light JPEG, dark ink on transparent RGBA."""
    from train.data import load_mnist

    data = load_mnist(mnist_data_dir)
    folder = tmp_path_factory.mktemp("mnist_files")
    forms = {"png": [], "inverted_jpeg": [], "transparent_rgba": []}
    for index in range(REAL_MODEL_DIGITS):
        pixels = data.test_images[index]
        large = np.asarray(Image.fromarray(pixels).resize((112, 112), Image.BILINEAR))
        label = int(data.test_labels[index])
        Image.fromarray(pixels).save(folder / f"{index}.png")
        forms["png"].append((folder / f"{index}.png", label))
        Image.fromarray(255 - large).convert("RGB").save(folder / f"{index}.jpg", quality=90)
        forms["inverted_jpeg"].append((folder / f"{index}.jpg", label))
        rgba = np.zeros((112, 112, 4), dtype=np.uint8)
        rgba[..., 2] = 90  # dark blue ink, opaque only where the digit is
        rgba[..., 3] = large
        Image.fromarray(rgba, "RGBA").save(folder / f"{index}_rgba.png")
        forms["transparent_rgba"].append((folder / f"{index}_rgba.png", label))
    return forms


@pytest.mark.parametrize("entry", manifest_onnx_entries(), ids=lambda entry: entry["id"])
def test_release_models_read_real_digits(entry, mnist_files):
    assert entry is not None, (
        f"no {MODELS_DIR / 'manifest.json'}: the release models are committed; restore them"
    )
    model = MODELS_DIR / entry["files"][0]
    for form, files in mnist_files.items():
        result = run_cli(model, *(path for path, _ in files), "--json")
        assert result.returncode == 0, result.stderr
        digits = [record["digit"] for record in json.loads(result.stdout)]
        accuracy = np.mean([digit == label for digit, (_, label) in zip(digits, files, strict=True)])
        assert accuracy >= REAL_MODEL_MIN_ACCURACY, f"{entry['id']} on {form}: {accuracy:.2f}"
