"""Parity of the committed release (`web/models/`): every variant in its own runtime vs Keras.

Both outputs of every export are checked: the probabilities and the embedding (the penultimate
activations the teach feature compares). Runs on a fresh clone: the Keras models are committed
beside the exports. The full-test-set checks are marked slow (TF.js runs in node).
"""

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from digits.files import sha256_file
from digits.manifest import DEFAULT_MODELS_DIR, MODELS, VARIANTS, ManifestError, read_manifest
from export.runtimes import REPOSITORY_ROOT, load_predictor

tol = 1e-5  # max |Δ| allowed between an fp32 export and Keras, probabilities and embedding alike
EMBEDDING_SIZE = 128  # both release models: the CNN's dense_relu, the MLP's hidden_2
QUANTIZED_EMBEDDING_COSINE = 0.99  # a quantized embedding must point where Keras's does, image by image
ACCURACY_BOUND = 0.001  # a quantized variant may lose at most 0.1 percentage point
SIZE_BOUNDS = {"int8": 0.30, "uint8": 0.30, "fp16": 0.55}  # fraction of the fp32 bytes, same format
ONE_IMAGE = 1 / 10_000  # re-measured accuracy must match the manifest to within one test image

MANIFEST = read_manifest(DEFAULT_MODELS_DIR)
ENTRIES = {entry["id"]: entry for entry in MANIFEST["models"]}
FP32_IDS = [variant_id for variant_id, entry in ENTRIES.items() if entry["precision"] == "fp32"]
QUANTIZED_IDS = [variant_id for variant_id, entry in ENTRIES.items() if entry["precision"] != "fp32"]


@pytest.fixture(scope="module")
def test_set(mnist_data_dir):
    from export.evaluate import load_test_set

    return load_test_set(mnist_data_dir)


@pytest.fixture(scope="module")
def predictions(test_set):
    """Lazily computed outputs per variant id (and `<model>-keras`) on the 10,000 test images.

    `{"probabilities": (10000, 10), "embedding": (10000, 128)}`, float32.
    """
    cache = {}

    def predict(variant_id: str) -> dict[str, np.ndarray]:
        if variant_id not in cache:
            cache[variant_id] = load_predictor(variant_id).predict_with_embedding(test_set[0])
        return cache[variant_id]

    return predict


def cosine_similarity(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Row-wise cosine of two `(n, d)` arrays, `(n,)` (1 for a pair of all-zero rows)."""
    norms = np.linalg.norm(first, axis=1) * np.linalg.norm(second, axis=1)
    dots = np.sum(first.astype(np.float64) * second, axis=1)
    return np.where(norms > 0, dots / np.maximum(norms, 1e-30), 1.0)


def test_manifest_lists_every_model_and_variant():
    assert list(ENTRIES) == [f"{model}-{variant}" for model in MODELS for variant in VARIANTS]
    assert [entry["model"] for entry in MANIFEST["keras"]] == list(MODELS)


@pytest.mark.parametrize("variant_id", list(ENTRIES))
def test_manifest_matches_the_committed_files(variant_id):
    entry = ENTRIES[variant_id]
    assert entry["bytes"] == sum((DEFAULT_MODELS_DIR / name).stat().st_size for name in entry["files"])
    assert entry["sha256"] == {name: sha256_file(DEFAULT_MODELS_DIR / name) for name in entry["files"]}
    variant_dir = DEFAULT_MODELS_DIR / entry["model"] / f"{entry['format']}-{entry['precision']}"
    on_disk = sorted(path.relative_to(DEFAULT_MODELS_DIR).as_posix() for path in variant_dir.iterdir())
    assert on_disk == sorted(entry["files"]), "files in the variant dir that the manifest does not list"


@pytest.mark.parametrize("variant_id", list(ENTRIES))
def test_every_variant_has_both_outputs_under_the_manifest_names(variant_id):
    entry = ENTRIES[variant_id]
    assert entry["output"] == {"name": "probabilities", "kind": "probabilities"}
    assert entry["outputs"] == {
        "probabilities": {"name": "probabilities", "kind": "probabilities", "size": 10},
        "embedding": {"name": "embedding", "kind": "embedding", "size": EMBEDDING_SIZE},
    }
    if entry["format"] == "onnx":
        import onnxruntime

        session = onnxruntime.InferenceSession(str(DEFAULT_MODELS_DIR / entry["files"][0]))
        widths = {output.name: output.shape[-1] for output in session.get_outputs()}
    else:
        model_json = next(name for name in entry["files"] if name.endswith("model.json"))
        signature = json.loads((DEFAULT_MODELS_DIR / model_json).read_text())["signature"]["outputs"]
        widths = {key: int(value["tensorShape"]["dim"][-1]["size"]) for key, value in signature.items()}
    assert widths == {"probabilities": 10, "embedding": EMBEDDING_SIZE}


def test_keras_entries_match_the_committed_files():
    for entry in MANIFEST["keras"]:
        path = DEFAULT_MODELS_DIR / entry["file"]
        assert entry["bytes"] == path.stat().st_size
        assert entry["sha256"] == sha256_file(path)


@pytest.mark.parametrize("model", MODELS)
def test_every_model_ships_its_teach_anchors_as_the_manifest_says(model):
    from digits.anchors import read_anchors

    block = MANIFEST["anchors"][model]
    path = DEFAULT_MODELS_DIR / block["file"]
    assert block["file"] == f"{model}/anchors.json"
    assert (block["bytes"], block["sha256"]) == (path.stat().st_size, sha256_file(path))
    anchors = read_anchors(path)
    assert anchors.model == model
    assert anchors.embedding_size == block["embedding_size"] == EMBEDDING_SIZE


@pytest.mark.slow
def test_committed_anchors_are_what_the_fp32_onnx_model_gives_on_the_training_set(mnist_data_dir):
    """Rebuilding the CNN's anchors from the committed files gives the committed bytes."""
    from digits.anchors import anchors_to_json
    from export.anchors import compute_anchors
    from export.evaluate import load_training_set

    images, labels = load_training_set(mnist_data_dir)
    block = MANIFEST["anchors"]["cnn"]
    onnx_path = DEFAULT_MODELS_DIR / ENTRIES["cnn-onnx-fp32"]["files"][0]
    rebuilt = compute_anchors(onnx_path, images, labels, model="cnn")
    assert anchors_to_json(rebuilt) == (DEFAULT_MODELS_DIR / block["file"]).read_text()


def test_a_broken_model_file_is_a_clear_error(tmp_path):
    shutil.copytree(DEFAULT_MODELS_DIR / "mlp" / "onnx-fp32", tmp_path / "mlp" / "onnx-fp32")
    (tmp_path / "manifest.json").write_text(json.dumps({"models": [ENTRIES["mlp-onnx-fp32"]], "keras": []}))
    with open(tmp_path / "mlp" / "onnx-fp32" / "model.onnx", "r+b") as handle:
        handle.seek(100)
        handle.write(b"\x00\x01\x02\x03")
    with pytest.raises(ManifestError, match="broken or stale"):
        load_predictor("mlp-onnx-fp32", models_dir=tmp_path)
    (tmp_path / "mlp" / "onnx-fp32" / "model.onnx").unlink()
    with pytest.raises(ManifestError, match="missing"):
        load_predictor("mlp-onnx-fp32", models_dir=tmp_path)


def test_onnx_predictor_never_imports_tensorflow():
    script = (
        "import sys, numpy as np\n"
        "from export.runtimes import load_predictor\n"
        "for variant in ('mlp-onnx-fp32', 'cnn-onnx-int8'):\n"
        "    probabilities = load_predictor(variant).predict(np.zeros((3, 28, 28), np.float32))\n"
        "    assert probabilities.shape == (3, 10) and probabilities.dtype == np.float32\n"
        "heavy = ('tensorflow', 'keras', 'tensorflowjs')\n"
        "loaded = sorted(name for name in sys.modules if name.split('.')[0] in heavy)\n"
        "print(loaded)\n"
    )  # fmt: skip
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=REPOSITORY_ROOT, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"


@pytest.mark.slow
@pytest.mark.parametrize("variant_id", FP32_IDS)
def test_fp32_export_matches_keras_on_all_test_images(variant_id, predictions, test_set):
    entry = ENTRIES[variant_id]
    reference, outputs = predictions(f"{entry['model']}-keras"), predictions(variant_id)
    probabilities = outputs["probabilities"]
    assert probabilities.shape == reference["probabilities"].shape == (10_000, 10)
    assert np.mean(probabilities.argmax(1) == reference["probabilities"].argmax(1)) == 1.0
    assert np.max(np.abs(probabilities - reference["probabilities"])) <= tol
    assert outputs["embedding"].shape == reference["embedding"].shape == (10_000, EMBEDDING_SIZE)
    assert np.max(np.abs(outputs["embedding"] - reference["embedding"])) <= tol
    accuracy = np.mean(probabilities.argmax(1) == test_set[1])
    assert abs(accuracy - entry["metrics"]["test_accuracy"]) <= ONE_IMAGE
    assert entry["metrics"]["agreement_with_keras"] == 1.0
    assert entry["metrics"]["embedding_max_abs_diff"] <= tol


@pytest.mark.slow
@pytest.mark.parametrize("model", MODELS)
def test_keras_accuracy_in_the_manifest_is_what_the_file_scores(model, predictions, test_set):
    entry = next(entry for entry in MANIFEST["keras"] if entry["model"] == model)
    accuracy = np.mean(predictions(f"{model}-keras")["probabilities"].argmax(1) == test_set[1])
    assert abs(accuracy - entry["metrics"]["test_accuracy"]) <= ONE_IMAGE


@pytest.mark.slow
@pytest.mark.parametrize("variant_id", QUANTIZED_IDS)
def test_quantized_variant_keeps_accuracy_and_shrinks(variant_id, predictions, test_set):
    entry = ENTRIES[variant_id]
    fp32 = ENTRIES[f"{entry['model']}-{entry['format']}-fp32"]
    probabilities = predictions(variant_id)["probabilities"]
    accuracy = np.mean(probabilities.argmax(1) == test_set[1])
    assert abs(accuracy - entry["metrics"]["test_accuracy"]) <= ONE_IMAGE, "manifest figure is stale"
    reference = predictions(f"{entry['model']}-keras")["probabilities"]
    agreement = np.mean(probabilities.argmax(1) == reference.argmax(1))
    assert abs(agreement - entry["metrics"]["agreement_with_keras"]) <= ONE_IMAGE
    assert fp32["metrics"]["test_accuracy"] - accuracy <= ACCURACY_BOUND + 1e-9, (
        f"{variant_id} loses {100 * (fp32['metrics']['test_accuracy'] - accuracy):.2f} pp (bound 0.1 pp)"
    )
    ratio = entry["bytes"] / fp32["bytes"]
    assert ratio <= SIZE_BOUNDS[entry["precision"]], f"{variant_id} is {ratio:.1%} of its fp32 bytes"


@pytest.mark.slow
@pytest.mark.parametrize("variant_id", QUANTIZED_IDS)
def test_quantized_variant_keeps_the_embedding_direction(variant_id, predictions):
    entry = ENTRIES[variant_id]
    embedding = predictions(variant_id)["embedding"]
    reference = predictions(f"{entry['model']}-keras")["embedding"]
    assert cosine_similarity(embedding, reference).min() >= QUANTIZED_EMBEDDING_COSINE
    measured = float(np.max(np.abs(embedding - reference)))
    assert measured == pytest.approx(entry["metrics"]["embedding_max_abs_diff"], rel=0.01), "stale figure"
