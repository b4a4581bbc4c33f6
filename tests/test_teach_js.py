"""web/teach.js against digits/examples.py: the same examples and embeddings give the same answers.

Python writes the anchors, the examples (a writer's odd styles) and model outputs (that writer's
renditions, MNIST test digits), with what `digits.examples.adapt` made of them; node runs
tests/js/check_teach.js, which teaches the same examples through the page API (`MnistTeach.load`
on a memory store) and also checks reload, export, import, forget and a corrupt store.
"""

import json
import pathlib
import shutil
import subprocess

import numpy as np
import pytest

from bench import writers as simulated
from digits import examples as python_teach
from digits.anchors import anchors_to_json
from digits.examples import adapt, examples_to_json, make_examples, parse_examples
from digits.model import OnnxClassifier
from export.anchors import build_anchors

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
CNN_ONNX = REPOSITORY / "web" / "models" / "cnn" / "onnx-fp32" / "model.onnx"
TOLERANCE = 1e-6  # probabilities and similarities, Python float64 vs JavaScript numbers
MNIST_ROWS = 300  # MNIST test digits among the rows compared
WRITER = 5
BOUNDARY_STEPS = 41  # interpolated embeddings per MNIST 7, from a taught flagged 1 to the 7


def outputs_of(classifier, images):
    result = classifier.predict_with_embedding(images)
    return result["probabilities"], result["embedding"]


@pytest.fixture(scope="module")
def report(tmp_path_factory, mnist_data_dir):
    from train.data import load_mnist

    assert CNN_ONNX.is_file(), f"{CNN_ONNX} is missing: run make demo (or python -m export)"
    node = shutil.which("node")
    assert node, "node is needed to check web/teach.js (make setup installs it)"
    classifier, mnist = OnnxClassifier(CNN_ONNX), load_mnist(mnist_data_dir)
    train_probabilities, train_embeddings = outputs_of(
        classifier, mnist.train_images[:5000] / np.float32(255)
    )
    anchors = build_anchors(
        train_embeddings, mnist.train_labels[:5000], train_probabilities.argmax(1), model="cnn", per_class=20
    )
    writer = simulated.make_writer(WRITER)
    taught_images, digits, rows = [], [], []
    for style, (truth, _) in simulated.ODD_STYLES.items():
        taught_images.append(simulated.renditions(writer, style, 2, seed=1))
        digits += [truth, truth]
        rows.append(simulated.renditions(writer, style, 6, seed=2))
    rows += [simulated.renditions(writer, digit, 2, seed=2) for digit in range(10)]
    taught_images = np.concatenate(taught_images)
    examples = make_examples("cnn", digits, taught_images, outputs_of(classifier, taught_images)[1])
    probabilities, embeddings = outputs_of(classifier, np.concatenate(rows))
    mnist_probabilities, mnist_embeddings = outputs_of(
        classifier, mnist.test_images[:MNIST_ROWS] / np.float32(255)
    )
    # Rows that cross the decision boundary: from a taught flagged 1 to MNIST 7s, read as 7.
    sevens = np.flatnonzero(mnist.test_labels[:MNIST_ROWS] == 7)[:3]
    steps = np.linspace(0.0, 1.0, BOUNDARY_STEPS)[:, np.newaxis]
    crossing = [(1 - steps) * examples.embeddings[0] + steps * mnist_embeddings[seven] for seven in sevens]
    crossing_probabilities = mnist_probabilities[sevens].repeat(BOUNDARY_STEPS, axis=0)
    probabilities = np.concatenate([probabilities, mnist_probabilities, crossing_probabilities])
    embeddings = np.concatenate([embeddings, mnist_embeddings, *crossing]).astype(np.float32)
    adapted = adapt(probabilities, embeddings, examples, anchors)
    folder = tmp_path_factory.mktemp("teach-js")
    cases = {
        "model": "cnn",
        "anchors_text": anchors_to_json(anchors),
        "examples_text": examples_to_json(examples),
        "probabilities": probabilities.tolist(),
        "embeddings": embeddings.tolist(),
        "expected": [
            {
                "probabilities": p.tolist(),
                "changed": bool(c),
                "digit": int(p.argmax()),
                "similarity": float(s),
            }
            for p, c, s in zip(adapted.probabilities, adapted.changed, adapted.similarity, strict=True)
        ],
    }
    (folder / "cases.json").write_text(json.dumps(cases))
    command = [
        node,
        str(REPOSITORY / "tests" / "js" / "check_teach.js"),
        str(folder / "cases.json"),
        str(folder / "export.json"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), cases, examples, (folder / "export.json").read_text()


def test_the_rows_cover_both_outcomes(report):
    _, cases, _, _ = report
    changed = [row["changed"] for row in cases["expected"]]
    assert 10 <= sum(changed) <= len(changed) - MNIST_ROWS, "some odd renditions change, MNIST mostly not"
    crossing = changed[-3 * BOUNDARY_STEPS :]
    assert any(crossing) and not all(crossing), "the interpolated rows cross the decision boundary"


def test_javascript_gives_the_same_answers(report):
    js, cases, _, _ = report
    rows = js["storage"]["rows"]
    assert len(rows) == len(cases["expected"])
    assert all(row["agree"] for row in rows), [i for i, row in enumerate(rows) if not row["agree"]]
    assert max(row["max_abs_diff"] for row in rows) <= TOLERANCE
    assert max(row["similarity_diff"] for row in rows) <= TOLERANCE
    assert js["direct_agree"]


def test_javascript_constants_are_pythons(report):
    constants = report[0]["constants"]
    for name in (
        "MAX_EXAMPLES",
        "PIXEL_DECIMALS",
        "EMBEDDING_DIGITS",
        "MARGIN_BASE",
        "MARGIN_PER_DOUBLING",
        "MIN_SIMILARITY",
        "TEACH_WEIGHT",
        "EXAMPLES_FORMAT",
        "EXAMPLES_VERSION",
    ):
        assert constants[name] == getattr(python_teach, name), name


def test_the_page_export_reads_in_python_with_the_same_examples(report):
    _, _, examples, exported = report
    again = parse_examples(exported, model="cnn", embedding_size=examples.embedding_size)
    assert np.array_equal(again.digits, examples.digits)
    assert np.array_equal(again.embeddings, examples.embeddings)
    assert np.abs(again.pixels - examples.pixels).max() <= 1e-6


def test_storage_reload_import_forget_and_a_corrupt_store(report):
    storage = report[0]["storage"]
    counts = ",".join(str(n) for n in report[2].counts())
    assert storage["counts_after_reload"] == counts
    assert storage["batch_agrees"] and storage["listed"]
    assert all(storage["bad_imports"].values()) and storage["counts_after_bad_imports"] == counts
    assert all("\n" not in message for message in storage["bad_imports"].values())
    assert storage["duplicates_added"] == 0
    assert storage["counts_after_forget"] == "0,0,0,0,0,0,0,0,0,0" and not storage["stored_after_forget"]
    assert storage["own_answers_after_forget"]
    assert storage["imported_again"] == len(report[2])
    assert storage["corrupt_load_error"] and storage["corrupt_backup_kept"]
    assert storage["counts_after_corrupt_add"] == "0,1,0,0,0,0,0,0,0,0"
