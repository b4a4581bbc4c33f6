"""Keras → ONNX (fp32) through `model.export(format="onnx")` (tf2onnx underneath).

The graph keeps the Keras input name (`pixels` for the MLP, `image` for the CNN), calls its output
`probabilities`, and has a dynamic batch dimension named `batch`. Names and order are canonical
(`export.canonical`), so re-exporting the same `.keras` gives the same bytes.
"""

import os
import tempfile
from pathlib import Path

import onnx

from digits.files import atomic_path
from export.canonical import canonicalize

OPSET = 17
BATCH_DIMENSION = "batch"


def export_onnx(model, path: Path, *, opset: int = OPSET, output_name: str = "probabilities") -> Path:
    """Export a Keras model with one `(n, …)` float32 input and one `(n, 10)` output to `path`.

    The file is checked with `onnx.checker` and written atomically.
    """
    import tensorflow as tf

    input_name = model.inputs[0].name
    shape = (None, *model.inputs[0].shape[1:])
    signature = [tf.TensorSpec(shape, tf.float32, name=input_name)]
    path = Path(path)
    with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
        raw_path = os.path.join(scratch, "raw.onnx")
        model.export(raw_path, format="onnx", input_signature=signature, opset_version=opset, verbose=False)
        graph_model = onnx.load(raw_path)
    _rename_output(graph_model, output_name)
    for value in (*graph_model.graph.input, *graph_model.graph.output):
        value.type.tensor_type.shape.dim[0].dim_param = BATCH_DIMENSION
    canonicalize(graph_model)
    graph_model.producer_name = "mnist-anywhere (keras → tf2onnx)"
    onnx.checker.check_model(graph_model, full_check=True)
    save_onnx(graph_model, path)
    return path


def save_onnx(graph_model: onnx.ModelProto, path: Path) -> None:
    """Write an ONNX model atomically (`*.tmp` beside it, then `os.replace`)."""
    with atomic_path(path) as temporary:
        onnx.save(graph_model, temporary)


def _rename_output(graph_model: onnx.ModelProto, output_name: str) -> None:
    """Rename the graph's single output (tf2onnx calls it `Identity:0`) everywhere it appears."""
    if len(graph_model.graph.output) != 1:
        raise ValueError(f"expected one output, the graph has {len(graph_model.graph.output)}")
    old_name = graph_model.graph.output[0].name
    for node in graph_model.graph.node:
        node.output[:] = [output_name if name == old_name else name for name in node.output]
        node.input[:] = [output_name if name == old_name else name for name in node.input]
    graph_model.graph.output[0].name = output_name
