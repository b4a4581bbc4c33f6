"""Re-exporting an unchanged `.keras` gives byte-identical ONNX and TF.js files, in any process.

tf2onnx names nodes from process-wide counters and de-duplicates constants in set order; the TF.js
converter writes protobuf maps in no fixed order. `export.canonical` and sorted JSON remove both:
these tests export small models several times (twice in this process, once in a fresh one with
another hash seed) and compare every byte, and check that canonicalizing changes no number.
"""

import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest

from digits.files import sha256_file
from digits.manifest import VARIANTS
from export.canonical import canonicalize

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
CALIBRATION_IMAGES = 20  # enough for the int8 calibration to run; the values do not matter here


def build_every_variant(artifacts: Path, out_dir: Path) -> None:
    """Build every variant of `<artifacts>/<model>/model.keras` into `<out_dir>/<model>/<variant>/`."""
    import keras

    from digits.model import to_model_input
    from export.variants import build_variant, remove_intermediates

    calibration = np.random.default_rng(0).random((CALIBRATION_IMAGES, 28, 28), dtype=np.float32)
    for keras_path in sorted(artifacts.glob("*/model.keras")):
        model = keras.saving.load_model(keras_path, compile=False)
        layout = "flat" if len(model.inputs[0].shape) == 2 else "nhwc"
        model_dir = out_dir / keras_path.parent.name
        for variant in VARIANTS:
            build_variant(
                model, variant, model_dir=model_dir, calibration_input=to_model_input(calibration, layout)
            )
        remove_intermediates(model_dir, keep=VARIANTS)


def snapshot(directory: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under `directory`."""
    return {path.relative_to(directory).as_posix(): sha256_file(path) for path in sorted(directory.rglob("*"))
            if path.is_file()}  # fmt: skip


@pytest.fixture(scope="module")
def small_artifacts(tmp_path_factory) -> Path:
    """`<tmp>/{mlp,cnn}/model.keras`: the two architectures, small and untrained (seeded weights)."""
    import keras

    from train.models import build_cnn, build_mlp

    artifacts = tmp_path_factory.mktemp("small-artifacts")
    keras.utils.set_random_seed(0)
    for name, model in (("mlp", build_mlp(hidden_units=16)), ("cnn", build_cnn(dense_units=16))):
        (artifacts / name).mkdir()
        model.save(artifacts / name / "model.keras")
    return artifacts


def test_reexport_is_byte_identical_in_this_process_and_another(small_artifacts, tmp_path):
    runs = {}
    for label in ("first", "second"):  # tf2onnx's name counters have moved on the second time
        build_every_variant(small_artifacts, tmp_path / label)
        runs[label] = snapshot(tmp_path / label)
    script = (
        "import sys; from pathlib import Path; sys.path.insert(0, 'tests')\n"
        "from test_export_reproducible import build_every_variant\n"
        "build_every_variant(Path(sys.argv[1]), Path(sys.argv[2]))\n"
    )
    environment = {**os.environ, "PYTHONHASHSEED": "12345", "TF_CPP_MIN_LOG_LEVEL": "3"}
    completed = subprocess.run(
        [sys.executable, "-c", script, str(small_artifacts), str(tmp_path / "fresh")],
        cwd=REPOSITORY_ROOT, env=environment, capture_output=True, text=True,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    runs["fresh process"] = snapshot(tmp_path / "fresh")
    expected_files = {f"{model}/{variant}/{name}" for model in ("mlp", "cnn") for variant in VARIANTS
                      for name in (("model.onnx",) if variant.startswith("onnx") else
                                   ("model.json", "group1-shard1of1.bin"))}  # fmt: skip
    assert set(runs["first"]) == expected_files
    for label in ("second", "fresh process"):
        changed = sorted(name for name in expected_files if runs[label].get(name) != runs["first"][name])
        assert not changed, f"{label} export differs from the first in {changed}"


def scramble(graph_model: onnx.ModelProto, seed: int) -> onnx.ModelProto:
    """A copy with every internal name replaced at random, and the nodes and initializers shuffled."""
    copy = onnx.ModelProto.FromString(graph_model.SerializeToString())
    graph = copy.graph
    fixed = {value.name for value in (*graph.input, *graph.output)}
    generator = random.Random(seed)
    names = {}
    for node in graph.node:
        node.name = f"n{generator.randrange(10**9)}"
        for name in (*node.input, *node.output):
            if name and name not in fixed:
                names.setdefault(name, f"t{generator.randrange(10**9)}")
        node.input[:] = [names.get(name, name) for name in node.input]
        node.output[:] = [names.get(name, name) for name in node.output]
    nodes, initializers = list(graph.node), list(graph.initializer)
    generator.shuffle(nodes)
    generator.shuffle(initializers)
    del graph.node[:]
    graph.node.extend(nodes)
    for tensor in initializers:
        tensor.name = names[tensor.name]
    del graph.initializer[:]
    graph.initializer.extend(initializers)
    graph.doc_string = f"converted from __inference___call___{seed}"
    return copy


def test_canonical_form_ignores_names_and_order_and_keeps_every_number(small_artifacts, tmp_path):
    build_every_variant(small_artifacts, tmp_path)
    for model, shape in (("mlp", (5, 784)), ("cnn", (5, 28, 28, 1))):
        for variant in ("onnx-fp32", "onnx-int8"):
            original = onnx.load(tmp_path / model / variant / "model.onnx")
            canonical_bytes = {canonicalize(scramble(original, seed)).SerializeToString() for seed in (1, 2)}
            assert canonical_bytes == {original.SerializeToString()}, f"{model} {variant}"
            images = np.random.default_rng(1).random(shape, dtype=np.float32)
            outputs = []
            for graph_model in (original, scramble(original, 3)):
                session = onnxruntime.InferenceSession(
                    graph_model.SerializeToString(), providers=["CPUExecutionProvider"]
                )
                outputs.append(session.run(None, {session.get_inputs()[0].name: images}))
            for canonical_output, scrambled_output in zip(*outputs, strict=True):
                np.testing.assert_array_equal(canonical_output, scrambled_output)
