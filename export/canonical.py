"""Canonical ONNX graphs: the same model gives the same bytes, whichever process exported it.

tf2onnx names what it creates from process-wide counters (`Conv__48` in one run, `Conv__101` in the
next), keeps whichever of two equal constants its de-duplication meets first (set order), and
writes the traced function's name (`__inference___call___912`) into the graph's doc string;
onnxruntime's quantizer adds names derived from those. None of it changes what the graph computes.

`canonicalize` rewrites everything that is only a name or an order:
- nodes in a topological order that depends only on what they compute (never on a name or on
  the converter's order), named `<OpType>_<position>` (`Conv_1`, `Relu_2`);
- a node's outputs named after it (`Conv_1`, then `Conv_1:1`, …);
- initializers named after their first consumer and its input's name in the operator schema
  (`Conv_1.W`, `DequantizeLinear_4.x_scale`), stored in order of first use; unused ones dropped;
- attributes sorted by name; doc strings, intermediate shape annotations and the graph name fixed.
Graph inputs and outputs keep their names (`image`, `probabilities`, `embedding`): they are the
contract. The arithmetic, the weights and the opset are untouched.
"""

import hashlib

import onnx
from onnx import defs

GRAPH_NAME = "main_graph"


def canonicalize(graph_model: onnx.ModelProto, *, graph_name: str = GRAPH_NAME) -> onnx.ModelProto:
    """Rename and reorder `graph_model` in place (see the module docstring); returns it."""
    graph = graph_model.graph
    fixed = {value.name for value in (*graph.input, *graph.output)}
    initializers = {tensor.name: tensor for tensor in graph.initializer}
    nodes = _topological_order(graph, initializers)
    opset = _default_opset(graph_model)
    names = {name: name for name in fixed}
    used_initializers = [tensor for tensor in graph.initializer if tensor.name in fixed]
    for position, node in enumerate(nodes):
        node.name = f"{node.op_type}_{position}"
        for slot, name in enumerate(node.input):
            if name in initializers and name not in names:
                names[name] = f"{node.name}.{_input_label(node, slot, opset=opset)}"
                used_initializers.append(initializers[name])
            if name:
                node.input[slot] = names[name]
        for slot, name in enumerate(node.output):
            if name and name not in fixed:
                names[name] = node.name if slot == 0 else f"{node.name}:{slot}"
            node.output[slot] = names.get(name, name)
        _tidy_node(node)
    for tensor in used_initializers:
        tensor.name = names[tensor.name]
        tensor.ClearField("doc_string")
    del graph.initializer[:]
    graph.initializer.extend(used_initializers)
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.value_info[:]
    graph.name = graph_name
    graph.ClearField("doc_string")
    graph_model.ClearField("doc_string")
    return graph_model


def _topological_order(graph: onnx.GraphProto, initializers: dict) -> list[onnx.NodeProto]:
    """Return copies of the nodes in an order that depends on the computation only, not on names.

    Each node comes after its producers; among the nodes ready together, the one with the smallest
    structural key goes first: operator, attributes and inputs, an input being known by the
    position of its producer, by its contents (an initializer) or by its name (a graph input).
    Raises ValueError on a cycle or an input nothing produces.
    """
    labels = {value.name: f"input {value.name}" for value in graph.input}
    labels.update({name: f"initializer {_digest(tensor)}" for name, tensor in initializers.items()})
    labels[""] = ""  # an omitted optional input
    pending = [onnx.NodeProto.FromString(node.SerializeToString()) for node in graph.node]
    ordered = []
    while pending:
        ready = [node for node in pending if all(name in labels for name in node.input)]
        if not ready:
            missing = sorted({name for node in pending for name in node.input} - set(labels))
            raise ValueError(f"ONNX graph has a cycle or undefined inputs: {missing[:5]}")
        chosen = min(ready, key=lambda node: _structural_key(node, labels))
        pending.remove(chosen)
        for slot, name in enumerate(chosen.output):
            labels[name] = f"node {len(ordered)} output {slot}"
        ordered.append(chosen)
    return ordered


def _structural_key(node: onnx.NodeProto, labels: dict[str, str]) -> tuple:
    """Return what a node computes, from what: its operator, attributes and labelled inputs."""
    attributes = sorted(node.attribute, key=lambda attribute: attribute.name)
    return (
        node.domain,
        node.op_type,
        tuple(labels[name] for name in node.input),
        tuple(attribute.SerializeToString() for attribute in attributes),
    )


def _digest(tensor: onnx.TensorProto) -> str:
    """Return the sha256 of an initializer's type, shape and values (its name left out)."""
    unnamed = onnx.TensorProto.FromString(tensor.SerializeToString())
    unnamed.ClearField("name")
    unnamed.ClearField("doc_string")
    return hashlib.sha256(unnamed.SerializeToString()).hexdigest()


def _default_opset(graph_model: onnx.ModelProto) -> int:
    """Return the model's opset for the default (`ai.onnx`) domain."""
    return max(entry.version for entry in graph_model.opset_import if entry.domain in ("", "ai.onnx"))


def _input_label(node: onnx.NodeProto, slot: int, *, opset: int) -> str:
    """Return the schema's name for input `slot` of `node` (`W`, `x_scale`), or `input<slot>`."""
    try:
        schema = defs.get_schema(node.op_type, opset, node.domain)
    except defs.SchemaError:
        return f"input{slot}"
    formal = schema.inputs
    if slot < len(formal) and formal[slot].option != defs.OpSchema.FormalParameterOption.Variadic:
        return formal[slot].name
    return f"input{slot}"


def _tidy_node(node: onnx.NodeProto) -> None:
    """Sort a node's attributes by name and drop its doc string."""
    attributes = sorted(node.attribute, key=lambda attribute: attribute.name)
    del node.attribute[:]
    node.attribute.extend(attributes)
    node.ClearField("doc_string")
