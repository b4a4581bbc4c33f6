"""Keras → ONNX (fp32) through `model.export(format="onnx")` (tf2onnx underneath).

The graph keeps the Keras input name (`pixels` for the MLP, `image` for the CNN) and has two
outputs, `probabilities` `(batch, 10)` then `embedding` `(batch, d)` (`export.embedding`), with a
dynamic batch dimension named `batch`. Names and order are canonical (`export.canonical`), so
re-exporting the same `.keras` gives the same bytes.
"""

import os
import tempfile
from pathlib import Path

import onnx

from digits.files import atomic_path
from digits.manifest import EMBEDDING_OUTPUT, PROBABILITIES_OUTPUT
from export.canonical import canonicalize
from export.embedding import with_embedding

OPSET = 17
BATCH_DIMENSION = "batch"


def export_onnx(model, path: Path, *, opset: int = OPSET) -> Path:
    """Export a Keras classifier (one `(n, …)` float32 input, one `(n, 10)` output) to `path`.

    The file gets the `embedding` output too, is checked with `onnx.checker` and written atomically.
    """
    import tensorflow as tf

    input_name = model.inputs[0].name
    shape = (None, *model.inputs[0].shape[1:])
    signature = [tf.TensorSpec(shape, tf.float32, name=input_name)]
    path = Path(path)
    with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
        raw_path = os.path.join(scratch, "raw.onnx")
        with_embedding(model).export(
            raw_path, format="onnx", input_signature=signature, opset_version=opset, verbose=False
        )
        graph_model = onnx.load(raw_path)
    _name_outputs(graph_model, [PROBABILITIES_OUTPUT, EMBEDDING_OUTPUT])
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


def _name_outputs(graph_model: onnx.ModelProto, output_names: list[str]) -> None:
    """Rename the graph's outputs (tf2onnx: `Identity:0`, `Identity_1:0`, in Keras order) everywhere."""
    outputs = graph_model.graph.output
    if len(outputs) != len(output_names):
        raise ValueError(f"expected {len(output_names)} outputs, the graph has {len(outputs)}")
    renames = {value.name: name for value, name in zip(outputs, output_names, strict=True)}
    for node in graph_model.graph.node:
        node.output[:] = [renames.get(name, name) for name in node.output]
        node.input[:] = [renames.get(name, name) for name in node.input]
    for value in outputs:
        value.name = renames[value.name]
