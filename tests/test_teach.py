"""Personal examples (issue 11): the method, the file formats, forget, and the edge CLI's --examples."""

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from bench import writers as simulated
from digits.anchors import AnchorsError, anchors_to_json, parse_anchors, read_anchors, write_anchors
from digits.examples import (
    MARGIN_BASE,
    MAX_EXAMPLES,
    TEACH_WEIGHT,
    ExamplesError,
    adapt,
    empty_examples,
    make_examples,
    margin_for,
    parse_examples,
    read_examples,
    write_examples,
)
from digits.model import OnnxClassifier
from export.anchors import build_anchors

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
CNN_ONNX = REPOSITORY / "web" / "models" / "cnn" / "onnx-fp32" / "model.onnx"
ANCHOR_SOURCE_DIGITS = 6000  # training digits the test anchors come from (the release uses all 60,000)
ANCHORS_PER_CLASS = 20
MNIST_CHECKED = 1000  # test digits that must keep the model's answers with an example in place


@pytest.fixture(scope="module")
def classifier():
    assert CNN_ONNX.is_file(), f"{CNN_ONNX} is missing: run make demo (or python -m export)"
    return OnnxClassifier(CNN_ONNX)


@pytest.fixture(scope="module")
def mnist(mnist_data_dir):
    from train.data import load_mnist

    return load_mnist(mnist_data_dir)


@pytest.fixture(scope="module")
def anchors(classifier, mnist):
    images = mnist.train_images[:ANCHOR_SOURCE_DIGITS].astype(np.float32) / 255.0
    outputs = classifier.predict_with_embedding(images)
    labels = mnist.train_labels[:ANCHOR_SOURCE_DIGITS]
    predicted = outputs["probabilities"].argmax(axis=1)
    return build_anchors(outputs["embedding"], labels, predicted, model="cnn", per_class=ANCHORS_PER_CLASS)


@pytest.fixture(scope="module")
def mnist_outputs(classifier, mnist):
    outputs = classifier.predict_with_embedding(mnist.test_images[:MNIST_CHECKED].astype(np.float32) / 255.0)
    return outputs["probabilities"], outputs["embedding"], mnist.test_labels[:MNIST_CHECKED]


def odd_renditions(classifier, style: str, count: int, *, seed: int):
    """One writer's renditions of an odd style: (pixels, probabilities, embeddings)."""
    images = simulated.renditions(simulated.make_writer(3), style, count, seed=seed)
    outputs = classifier.predict_with_embedding(images)
    return images, outputs["probabilities"], outputs["embedding"]


@pytest.fixture(scope="module")
def flagged_one(classifier, anchors):
    """One taught flagged 1 and ten other renditions by the same writer."""
    pixels, _, embeddings = odd_renditions(classifier, "flagged-1", 1, seed=1)
    examples = make_examples("cnn", [1], pixels, embeddings)
    return examples, odd_renditions(classifier, "flagged-1", 10, seed=2)


def test_no_examples_gives_the_models_own_answers(anchors, mnist_outputs):
    probabilities, embeddings, _ = mnist_outputs
    adapted = adapt(probabilities, embeddings, empty_examples("cnn", anchors.embedding_size), anchors)
    assert np.array_equal(adapted.probabilities, probabilities)
    assert not adapted.changed.any() and (adapted.example_digit == -1).all()


def test_one_taught_flagged_one_reads_the_writers_others_right(anchors, flagged_one):
    examples, (_, probabilities, embeddings) = flagged_one
    assert (probabilities.argmax(axis=1) == 1).sum() <= 2, "the base model should misread this style"
    adapted = adapt(probabilities, embeddings, examples, anchors)
    assert (adapted.probabilities.argmax(axis=1) == 1).sum() >= 8
    changed = adapted.changed
    assert (adapted.example_digit[changed] == 1).all() and (adapted.similarity[changed] > 0.6).all()
    # A win blends: 0.1·p + 0.9·onehot(1), still a distribution; the rest are untouched.
    expected = (1 - TEACH_WEIGHT) * probabilities[changed].astype(np.float64)
    expected[:, 1] += TEACH_WEIGHT
    np.testing.assert_allclose(adapted.probabilities[changed], expected, atol=1e-6)
    assert np.array_equal(adapted.probabilities[~changed], probabilities[~changed])


def test_mnist_keeps_the_models_answers_with_the_example_in_place(anchors, flagged_one, mnist_outputs):
    examples, _ = flagged_one
    probabilities, embeddings, labels = mnist_outputs
    adapted = adapt(probabilities, embeddings, examples, anchors)
    before = (probabilities.argmax(axis=1) == labels).sum()
    after = (adapted.probabilities.argmax(axis=1) == labels).sum()
    assert adapted.changed.sum() <= 3 and after >= before - 3


def test_an_example_of_the_predicted_digit_changes_nothing(anchors, flagged_one):
    _, (pixels, probabilities, embeddings) = flagged_one
    seven = make_examples("cnn", [7], pixels[:1], embeddings[:1])  # "it is a 7 after all"
    adapted = adapt(probabilities, embeddings, seven, anchors)
    assert not adapted.changed[probabilities.argmax(axis=1) == 7].any()


def test_margin_grows_with_the_number_of_examples():
    assert margin_for(1) == MARGIN_BASE
    assert margin_for(1) < margin_for(6) < margin_for(30) < margin_for(MAX_EXAMPLES)


def test_examples_file_round_trip(tmp_path, anchors, flagged_one):
    examples, (_, probabilities, embeddings) = flagged_one
    path = tmp_path / "my-examples.json"
    write_examples(path, examples)
    again = read_examples(path, model="cnn", embedding_size=anchors.embedding_size)
    assert again.counts() == [0, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    assert np.array_equal(again.digits, examples.digits) and np.array_equal(again.pixels, examples.pixels)
    assert np.array_equal(again.embeddings, examples.embeddings)
    first, second = (
        adapt(probabilities, embeddings, examples, anchors),
        adapt(probabilities, embeddings, again, anchors),
    )
    assert np.array_equal(first.probabilities, second.probabilities)
    record = json.loads(path.read_text())
    assert (
        record["format"] == "mnist-anywhere-examples" and record["version"] == 1 and record["model"] == "cnn"
    )
    assert all(round(value, 3) == value for value in record["examples"][0]["pixels"])


def valid_record(embedding_size: int = 4) -> dict:
    example = {"digit": 7, "pixels": [0.0] * 783 + [0.5], "embedding": [0.25] * embedding_size}
    return {
        "format": "mnist-anywhere-examples",
        "version": 1,
        "model": "cnn",
        "embedding_size": embedding_size,
        "examples": [example],
    }


def spoiled(change) -> str:
    record = valid_record()
    change(record)
    return json.dumps(record)


BAD_FILES = {
    "not JSON": "{not json",
    "truncated": json.dumps(valid_record())[:200],
    "another format": spoiled(lambda r: r.update(format="something-else")),
    "another version": spoiled(lambda r: r.update(version=2)),
    "another model": spoiled(lambda r: r.update(model="mlp")),
    "another embedding size": spoiled(lambda r: r.update(embedding_size=5)),
    "digit 10": spoiled(lambda r: r["examples"][0].update(digit=10)),
    "digit true": spoiled(lambda r: r["examples"][0].update(digit=True)),
    "783 pixels": spoiled(lambda r: r["examples"][0].update(pixels=[0.0] * 783)),
    "pixel above 1": spoiled(lambda r: r["examples"][0]["pixels"].__setitem__(0, 1.5)),
    "text in embedding": spoiled(lambda r: r["examples"][0]["embedding"].__setitem__(0, "x")),
    "too many": spoiled(lambda r: r.update(examples=r["examples"] * (MAX_EXAMPLES + 1))),
    "examples not a list": spoiled(lambda r: r.update(examples={})),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_examples_files_are_one_line_errors(name):
    with pytest.raises(ExamplesError) as caught:
        parse_examples(BAD_FILES[name], model="cnn", embedding_size=4)
    assert "\n" not in str(caught.value) and str(caught.value)


def test_a_valid_file_parses_and_unreadable_paths_are_named(tmp_path):
    assert parse_examples(json.dumps(valid_record()), model="cnn", embedding_size=4).counts()[7] == 1
    with pytest.raises(ExamplesError, match="cannot read examples"):
        read_examples(tmp_path / "missing.json")
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ExamplesError, match="binary.json"):
        read_examples(tmp_path / "binary.json")


def test_anchors_file_round_trip_and_bad_anchors(tmp_path, anchors):
    write_anchors(tmp_path / "anchors.json", anchors)
    again = read_anchors(tmp_path / "anchors.json")
    for field in ("digits", "mean", "projection", "vectors"):
        assert np.array_equal(getattr(again, field), getattr(anchors, field)), field
    record = json.loads(anchors_to_json(anchors))
    for change, message in (
        ({"format": "x"}, "not an anchors file"),
        ({"anchors": record["anchors"][:-8]}, "expected shape"),
        ({"mean": "***"}, "not base64"),
        ({"digits": [0] * len(record["digits"])}, "every digit"),
    ):
        with pytest.raises(AnchorsError, match=message):
            parse_anchors(json.dumps({**record, **change}))
    with pytest.raises(AnchorsError, match="not JSON"):
        parse_anchors("{")


# --- the edge CLI with --examples ------------------------------------------------------------------
def pad_png(path: pathlib.Path, style, *, seed: int) -> pathlib.Path:
    """One rendition of the writer's style painted like the page's pad, saved as a PNG."""
    rng = np.random.default_rng([3, seed])
    Image.fromarray(simulated.render(*simulated.rendition(simulated.make_writer(3), style, rng))).save(path)
    return path


def run_cli(*arguments, module: str = "digits.predict") -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", module, *map(str, arguments)]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPOSITORY, timeout=120)


@pytest.fixture(scope="module")
def cli_files(tmp_path_factory, anchors, flagged_one):
    folder = tmp_path_factory.mktemp("teach-cli")
    write_anchors(folder / "anchors.json", anchors)
    write_examples(folder / "my-examples.json", flagged_one[0])
    images = [pad_png(folder / f"flagged-{seed}.png", "flagged-1", seed=seed) for seed in range(6)]
    return folder, images


def test_cli_applies_examples_exported_from_the_page(cli_files):
    folder, images = cli_files
    plain = json.loads(run_cli(CNN_ONNX, *images, "--json").stdout)
    taught = run_cli(
        CNN_ONNX,
        *images,
        "--json",
        "--examples",
        folder / "my-examples.json",
        "--anchors",
        folder / "anchors.json",
    )
    assert taught.returncode == 0, taught.stderr
    records = json.loads(taught.stdout)
    assert sum(record["digit"] == 1 for record in plain) <= 1 and "taught" not in plain[0]
    assert sum(record["digit"] == 1 for record in records) >= 5
    assert all(record["taught"]["digit"] == 1 for record in records if record["digit"] == 1)


def test_export_predict_alias_takes_examples_and_finds_anchors_beside_the_model(tmp_path, cli_files):
    folder, images = cli_files
    release = tmp_path / "cnn"
    (release / "onnx-fp32").mkdir(parents=True)
    (release / "onnx-fp32" / "model.onnx").write_bytes(CNN_ONNX.read_bytes())
    (release / "anchors.json").write_bytes((folder / "anchors.json").read_bytes())  # <model>/anchors.json
    result = run_cli(
        release / "onnx-fp32" / "model.onnx",
        *images[:3],
        "--examples",
        folder / "my-examples.json",
        module="export.predict",
    )
    assert result.returncode == 0, result.stderr
    assert any(line.endswith("(your example)") and ": 1 (p=" in line for line in result.stdout.splitlines())


def test_cli_bad_examples_or_missing_anchors_are_one_line_exit_2(tmp_path, cli_files):
    folder, images = cli_files
    (tmp_path / "bad.json").write_text('{"format": "mnist-anywhere-examples", "version": 1')
    for arguments, message in (
        (["--examples", tmp_path / "bad.json", "--anchors", folder / "anchors.json"], "not JSON"),
        (["--examples", folder / "my-examples.json"], "--anchors"),  # no anchors.json beside the copy
    ):
        lonely = tmp_path / "alone" / "model.onnx"
        lonely.parent.mkdir(exist_ok=True)
        lonely.write_bytes(CNN_ONNX.read_bytes())
        result = run_cli(lonely, images[0], *arguments)
        assert (
            result.returncode == 2
            and message in result.stderr
            and len(result.stderr.strip().splitlines()) == 1
        )
