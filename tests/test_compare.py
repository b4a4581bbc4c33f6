"""`python -m bench.compare` on a subset: table, reports, and an external model's input convention."""

import json

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from bench.compare import main as compare_main
from digits.manifest import DEFAULT_MODELS_DIR, read_manifest
from digits.model import softmax

LIMIT = 500  # test images: enough for accuracy to be meaningful, quick to run


def external_model(path):
    """Our MLP behind a foreign convention: NCHW input in 0…255, log-probabilities ("logits") out."""
    entry = next(entry for entry in read_manifest()["models"] if entry["id"] == "mlp-onnx-fp32")
    graph_model = onnx.load(DEFAULT_MODELS_DIR / entry["files"][0])
    graph = graph_model.graph
    inner_input = graph.input[0].name
    graph.initializer.extend(
        [
            numpy_helper.from_array(np.array(255.0, np.float32), "scale_255"),
            numpy_helper.from_array(np.array([-1, 784], np.int64), "flat_shape"),
        ]
    )
    prefix = [
        helper.make_node("Div", ["raw_nchw", "scale_255"], ["scaled_nchw"]),
        helper.make_node("Reshape", ["scaled_nchw", "flat_shape"], [inner_input]),
    ]
    graph.node.insert(0, prefix[1])
    graph.node.insert(0, prefix[0])
    graph.node.append(helper.make_node("Log", ["probabilities"], ["logits"]))
    del graph.input[:]
    graph.input.append(helper.make_tensor_value_info("raw_nchw", TensorProto.FLOAT, ["n", 1, 28, 28]))
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["n", 10]))
    onnx.checker.check_model(graph_model)
    onnx.save(graph_model, path)
    return path


def test_softmax_of_log_probabilities_is_the_identity():
    probabilities = np.array([[0.1, 0.2, 0.7] + [0.0] * 7], np.float32) + 1e-9
    np.testing.assert_allclose(softmax(np.log(probabilities)), probabilities / probabilities.sum(), atol=1e-6)


@pytest.mark.slow
def test_compare_on_a_subset_writes_reports_and_reads_an_external_model(tmp_path, capsys, mnist_data_dir):
    external = external_model(tmp_path / "external.onnx")
    status = compare_main(
        ["--variants", "mlp-onnx-fp32,mlp-onnx-int8,mlp-tfjs-uint8", "--runs", "30", "--limit", str(LIMIT),
         "--out", str(tmp_path / "reports"), "--onnx", str(external), "--layout", "nchw", "--scale", "255",
         "--output", "logits", "--data-dir", str(mnist_data_dir)]
    )  # fmt: skip
    assert status == 0
    table = capsys.readouterr().out
    for name in ("mlp-keras-predict", "mlp-keras-call", "mlp-onnx-fp32", "mlp-onnx-int8", "mlp-tfjs-uint8"):
        assert f"| {name} |" in table
    assert "external:external.onnx" in table
    report = json.loads((tmp_path / "reports" / "compare.json").read_text())
    rows = {row["variant"]: row for row in report["rows"]}
    assert report["latency_runs"] == report["keras_predict_runs"] == 30 and report["images"] == LIMIT
    assert rows["mlp-onnx-fp32"]["agreement_with_keras"] == 1.0
    assert rows["mlp-onnx-fp32"]["max_abs_diff"] <= 1e-5
    assert rows["mlp-tfjs-uint8"]["runtime"].startswith("tfjs ")
    assert rows["external:external.onnx"]["test_accuracy"] == rows["mlp-onnx-fp32"]["test_accuracy"]
    for row in rows.values():
        assert row["gzip_bytes"] < row["bytes"] or row["variant"].startswith("mlp-keras")
        assert 0 < row["latency_ms_median"] <= row["latency_ms_p95"]
        assert row["throughput_images_per_s"] > 0
    assert (tmp_path / "reports" / "compare.md").read_text().count("\n| ") == len(rows) + 1
    assert (tmp_path / "reports" / "compare.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_variant_is_one_clear_error(tmp_path, capsys):
    assert compare_main(["--variants", "mlp-onnx-fp64", "--out", str(tmp_path)]) == 1
    assert "mlp-onnx-fp64" in capsys.readouterr().err
    assert not (tmp_path / "compare.md").exists()


def test_an_external_model_with_external_data_counts_every_file(tmp_path, capsys, mnist_data_dir):
    """A peer model keeping its weights in `model.onnx.data` is measured at its full size."""
    entry = next(entry for entry in read_manifest()["models"] if entry["id"] == "mlp-onnx-fp32")
    peer = tmp_path / "peer" / "model.onnx"
    peer.parent.mkdir()
    onnx.save(onnx.load(DEFAULT_MODELS_DIR / entry["files"][0]), peer, save_as_external_data=True,
              all_tensors_to_one_file=True, location="model.onnx.data", size_threshold=0)  # fmt: skip
    graph_bytes, data_bytes = peer.stat().st_size, (peer.parent / "model.onnx.data").stat().st_size
    assert graph_bytes < 20_000 < 400_000 < data_bytes  # the weights really are outside the .onnx
    status = compare_main(
        ["--variants", "mlp-onnx-fp32", "--no-keras", "--runs", "5", "--limit", str(LIMIT),
         "--out", str(tmp_path / "reports"), "--onnx", str(peer), "--layout", "flat",
         "--data-dir", str(mnist_data_dir)]
    )  # fmt: skip
    assert status == 0, capsys.readouterr().err
    report = json.loads((tmp_path / "reports" / "compare.json").read_text())
    rows = {row["variant"]: row for row in report["rows"]}
    assert rows["external:model.onnx"]["bytes"] == graph_bytes + data_bytes
    assert rows["external:model.onnx"]["test_accuracy"] == rows["mlp-onnx-fp32"]["test_accuracy"]
    (peer.parent / "model.onnx.data").unlink()
    status = compare_main(
        ["--variants", "mlp-onnx-fp32", "--no-keras", "--runs", "5", "--limit", "10", "--onnx", str(peer),
         "--layout", "flat", "--out", str(tmp_path / "again"), "--data-dir", str(mnist_data_dir)]
    )  # fmt: skip
    error = capsys.readouterr().err.strip()
    assert status == 1 and error.startswith("error: ") and len(error.splitlines()) == 1
    assert "model.onnx.data is missing" in error
