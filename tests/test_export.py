"""End-to-end export on quick-trained models in tmp_path: manifest complete, atomic, partial re-export."""

import json
import os
from pathlib import Path

import numpy as np
import onnx
import pytest

from digits.files import sha256_file
from digits.manifest import MODELS, VARIANTS
from export.__main__ import main as export_main

TRAINING_IMAGES = 3000  # enough for a quick model well above chance
CHANCE = 1 / 10  # quick models must beat guessing (measured: MLP 0.82; CNN 0.15, batch norm barely warmed)
ENTRY_KEYS = {"id", "model", "format", "precision", "files", "bytes", "sha256", "input", "output", "outputs",
              "metrics"}  # fmt: skip
METRIC_KEYS = {"test_accuracy", "agreement_with_keras", "max_abs_diff", "embedding_max_abs_diff", "runtime"}
ANCHOR_METRIC_KEYS = {"anchor_similarity_max_abs_diff", "anchor_agreement"}  # a model with anchors
OUTPUTS = {  # every export's outputs: the build_mlp / build_cnn defaults are 128 wide before the classifier
    "probabilities": {"name": "probabilities", "kind": "probabilities", "size": 10},
    "embedding": {"name": "embedding", "kind": "embedding", "size": 128},
}
tol = 1e-5  # max |Δ| between an fp32 export and Keras, for the probabilities and the embedding


def snapshot(directory: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under `directory`."""
    return {path.relative_to(directory).as_posix(): sha256_file(path) for path in sorted(directory.rglob("*"))
            if path.is_file()}  # fmt: skip


def run_cli(artifacts: Path, out: Path, data_dir: Path, *options: str) -> int:
    """`python -m export --artifacts … --out … --data-dir … OPTIONS`, in-process; the exit status."""
    locations = ["--artifacts", str(artifacts), "--out", str(out), "--data-dir", str(data_dir)]
    return export_main([*locations, "--calibration-count", "200", *options])


@pytest.fixture(scope="module")
def quick_artifacts(tmp_path_factory, mnist_data_dir) -> Path:
    """`<tmp>/artifacts/{mlp,cnn}/model.keras`: both models after one epoch on 3,000 images."""
    import keras

    from train.data import load_mnist
    from train.models import build_cnn, build_mlp

    data = load_mnist(mnist_data_dir)
    images = data.train_images[:TRAINING_IMAGES].astype(np.float32) / 255.0
    labels = data.train_labels[:TRAINING_IMAGES]
    artifacts = tmp_path_factory.mktemp("artifacts")
    keras.utils.set_random_seed(0)
    for name, build, model_input in (
        ("mlp", build_mlp, images.reshape(-1, 784)),
        ("cnn", build_cnn, images[..., np.newaxis]),
    ):
        model = build()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(model_input, labels, epochs=1, batch_size=128, verbose=0)
        (artifacts / name).mkdir()
        model.save(artifacts / name / "model.keras")
    return artifacts


@pytest.fixture(scope="module")
def exported(quick_artifacts, tmp_path_factory, mnist_data_dir) -> Path:
    """A full `python -m export` of the quick models; returns its `--out` dir."""
    out = tmp_path_factory.mktemp("release") / "models"
    status = run_cli(quick_artifacts, out, mnist_data_dir)
    assert status == 0
    return out


@pytest.mark.slow
def test_manifest_is_complete_and_matches_the_files(exported):
    manifest = json.loads((exported / "manifest.json").read_text())
    ids = [entry["id"] for entry in manifest["models"]]
    assert ids == [f"{model}-{variant}" for model in MODELS for variant in VARIANTS]
    for entry in manifest["models"]:
        assert set(entry) == ENTRY_KEYS
        has_anchors = entry["model"] in manifest["anchors"]
        assert set(entry["metrics"]) == METRIC_KEYS | (ANCHOR_METRIC_KEYS if has_anchors else set())
        assert entry["id"] == f"{entry['model']}-{entry['format']}-{entry['precision']}"
        assert entry["bytes"] == sum((exported / name).stat().st_size for name in entry["files"])
        assert entry["sha256"] == {name: sha256_file(exported / name) for name in entry["files"]}
        assert entry["output"] == {"name": "probabilities", "kind": "probabilities"}
        assert entry["outputs"] == OUTPUTS
        expected_input = {"mlp": ("pixels", [None, 784], "flat"), "cnn": ("image", [None, 28, 28, 1], "nhwc")}
        name, shape, layout = expected_input[entry["model"]]
        assert entry["input"] == {
            "name": name,
            "shape": shape,
            "layout": layout,
            "dtype": "float32",
            "range": [0, 1],
        }
        runtime = entry["metrics"]["runtime"]
        assert runtime.startswith("onnxruntime 1.") if entry["format"] == "onnx" else "(node, " in runtime
        if entry["precision"] == "fp32":
            assert entry["metrics"]["agreement_with_keras"] == 1.0
            assert entry["metrics"]["max_abs_diff"] <= tol
            assert entry["metrics"]["embedding_max_abs_diff"] <= tol
        if entry["format"] == "tfjs":
            assert [Path(name).name for name in entry["files"]] == ["model.json", "group1-shard1of1.bin"]
    keras_accuracy = {entry["model"]: entry["metrics"]["test_accuracy"] for entry in manifest["keras"]}
    for entry in manifest["models"]:
        if entry["precision"] == "fp32":
            assert entry["metrics"]["test_accuracy"] == keras_accuracy[entry["model"]]
    for keras_entry in manifest["keras"]:
        assert keras_entry["file"] == f"{keras_entry['model']}/keras/model.keras"
        assert keras_entry["sha256"] == sha256_file(exported / keras_entry["file"])
        assert keras_entry["metrics"]["runtime"].startswith("keras 3.")
    assert not list(exported.parent.glob(".export-staging-*")), "staging dir left behind"


@pytest.mark.slow
def test_anchors_are_written_for_a_model_that_reads_well_and_skipped_for_one_that_does_not(exported):
    """The quick MLP (~80% right) gets `mlp/anchors.json`, listed with its sha256; the one-epoch CNN
    (barely above chance: fewer than 50 training digits of some class read right) gets none."""
    from digits.anchors import read_anchors
    from export.anchors import ANCHORS_PER_CLASS

    manifest = json.loads((exported / "manifest.json").read_text())
    assert set(manifest["anchors"]) == {"mlp"}
    block = manifest["anchors"]["mlp"]
    assert block["file"] == "mlp/anchors.json"
    assert block["sha256"] == sha256_file(exported / block["file"])
    assert block["bytes"] == (exported / block["file"]).stat().st_size
    anchors = read_anchors(exported / block["file"])
    assert anchors.model == "mlp" and anchors.embedding_size == 128
    assert np.bincount(anchors.digits, minlength=10).tolist() == [ANCHORS_PER_CLASS] * 10
    assert not (exported / "cnn" / "anchors.json").exists()
    for entry in manifest["models"]:
        if entry["model"] == "mlp" and entry["precision"] == "fp32":
            assert entry["metrics"]["anchor_agreement"] >= 0.99
            assert entry["metrics"]["anchor_similarity_max_abs_diff"] <= 1e-4


@pytest.mark.slow
def test_manifest_accuracy_is_what_each_exported_file_scores(exported, mnist_data_dir):
    """Every figure is measured on the file in its own runtime: re-running it gives the same number."""
    from export.evaluate import load_test_set
    from export.runtimes import load_predictor

    images, labels = load_test_set(mnist_data_dir)
    manifest = json.loads((exported / "manifest.json").read_text())
    for entry in manifest["models"]:
        probabilities = load_predictor(entry, models_dir=exported).predict(images)
        accuracy = float(np.mean(probabilities.argmax(axis=1) == labels))
        assert entry["metrics"]["test_accuracy"] == round(accuracy, 6), entry["id"]
        assert accuracy > CHANCE, f"{entry['id']}: {accuracy:.3f}"


@pytest.mark.slow
def test_onnx_files_have_names_opset_and_dynamic_batch(exported):
    for model, input_name in (("mlp", "pixels"), ("cnn", "image")):
        for precision in ("fp32", "int8"):
            graph_model = onnx.load(exported / model / f"onnx-{precision}" / "model.onnx")
            onnx.checker.check_model(graph_model)
            assert (
                max(entry.version for entry in graph_model.opset_import if entry.domain in ("", "ai.onnx"))
                >= 17
            )
            assert [value.name for value in graph_model.graph.input] == [input_name]
            assert [value.name for value in graph_model.graph.output] == ["probabilities", "embedding"]
            assert graph_model.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
            if precision == "int8":
                assert "ConvInteger" not in {node.op_type for node in graph_model.graph.node}


@pytest.mark.slow
def test_partial_reexport_keeps_the_other_models_entries(exported, quick_artifacts, mnist_data_dir):
    before = json.loads((exported / "manifest.json").read_text())
    mlp_files = snapshot(exported / "mlp")
    status = run_cli(quick_artifacts, exported, mnist_data_dir, "--model", "cnn", "--variants", "onnx-fp32")
    assert status == 0
    after = json.loads((exported / "manifest.json").read_text())
    assert [entry["id"] for entry in after["models"]] == [entry["id"] for entry in before["models"]]
    assert [entry for entry in after["models"] if entry["model"] == "mlp"] == [
        entry for entry in before["models"] if entry["model"] == "mlp"
    ]
    assert snapshot(exported / "mlp") == mlp_files


@pytest.mark.slow
def test_reexporting_a_release_from_its_own_keras_files_is_byte_identical(exported, tmp_path, mnist_data_dir):
    again = tmp_path / "models"
    assert run_cli(exported, again, mnist_data_dir, "--model", "mlp") == 0  # finds mlp/keras/model.keras
    assert snapshot(again / "mlp") == snapshot(exported / "mlp")
    manifest, original = (json.loads((folder / "manifest.json").read_text()) for folder in (again, exported))
    assert manifest["models"] == [entry for entry in original["models"] if entry["model"] == "mlp"]
    assert manifest["keras"] == [entry for entry in original["keras"] if entry["model"] == "mlp"]


@pytest.mark.slow
def test_broken_keras_after_a_good_export_changes_nothing(exported, quick_artifacts, tmp_path, capsys):
    broken = tmp_path / "artifacts"
    for model in MODELS:
        (broken / model).mkdir(parents=True)
        (broken / model / "model.keras").write_bytes((quick_artifacts / model / "model.keras").read_bytes())
    with open(broken / "cnn" / "model.keras", "r+b") as handle:  # truncate: a half-copied file
        handle.truncate(os.path.getsize(broken / "cnn" / "model.keras") // 2)
    before = snapshot(exported)
    assert export_main(["--artifacts", str(broken), "--out", str(exported)]) == 1
    error = capsys.readouterr().err
    assert "error:" in error and "cnn/model.keras" in error
    assert snapshot(exported) == before


def test_missing_keras_is_one_clear_error_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "models"
    out.mkdir()
    (out / "manifest.json").write_text('{"models": [], "keras": []}\n')
    assert export_main(["--artifacts", str(tmp_path / "nowhere"), "--out", str(out)]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: ") and "model.keras not found" in error and len(error.splitlines()) == 1
    assert (out / "manifest.json").read_text() == '{"models": [], "keras": []}\n'
    assert sorted(path.name for path in tmp_path.iterdir()) == ["models"]


def test_not_a_keras_file_is_one_clear_error(tmp_path, capsys):
    for model in MODELS:
        (tmp_path / "artifacts" / model).mkdir(parents=True)
        (tmp_path / "artifacts" / model / "model.keras").write_text("not a zip")
    assert export_main(["--artifacts", str(tmp_path / "artifacts"), "--out", str(tmp_path / "models")]) == 1
    assert "is not a loadable Keras model" in capsys.readouterr().err
    assert not (tmp_path / "models").exists()


def test_unknown_variant_is_rejected(tmp_path, capsys):
    assert export_main(["--variants", "onnx-fp64", "--out", str(tmp_path / "models")]) == 1
    assert "onnx-fp64" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("failure", [RuntimeError, KeyboardInterrupt])
def test_failure_mid_export_leaves_the_release_untouched(
    failure, exported, quick_artifacts, monkeypatch, mnist_data_dir, capsys
):
    import export.tfjs

    def fail(*args, **kwargs):
        raise failure("simulated crash during the TF.js conversion")

    monkeypatch.setattr(export.tfjs, "convert_saved_model", fail)
    before = snapshot(exported)
    options = ("--model", "mlp", "--variants", "onnx-fp32,tfjs-fp32")
    if failure is KeyboardInterrupt:  # Ctrl-C: propagates, after the staging dir is removed
        with pytest.raises(KeyboardInterrupt):
            run_cli(quick_artifacts, exported, mnist_data_dir, *options)
    else:  # a failing step: one error line, exit status 1
        assert run_cli(quick_artifacts, exported, mnist_data_dir, *options) == 1
        assert "simulated crash" in capsys.readouterr().err
    assert snapshot(exported) == before
    assert not list(exported.parent.glob(".export-staging-*"))
