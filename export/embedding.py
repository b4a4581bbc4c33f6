"""The two-output model every export is built from: `[probabilities (n, 10), embedding (n, d)]`.

The embedding is what the classifier layer reads: the penultimate layer after its activation (the
MLP's `hidden_2`, the CNN's 128-wide `dense_relu`); Dropout layers in between are identities at
inference and are skipped. The page's teach feature and the edge CLI's `--examples` compare
drawings by it.

The layers are called once more on a fresh `keras.Input`, so both outputs come from one forward
pass: a model loaded from `.keras` has been built more than once, and pairing `model.outputs` with
a layer's `.output` from another build traces the network twice (twice the TF.js weights).
"""


def with_embedding(model):
    """Return a functional Keras model on the same layers (same weights): `[probabilities, embedding]`.

    `model` must be a built `keras.Sequential` ending in the classifier layer; the embedding is the
    output of its last layer before the classifier that is not a Dropout, shape `(n, d)`.
    """
    import keras

    if not isinstance(model, keras.Sequential) or len(model.layers) < 2 or not model.inputs:
        raise ValueError(f"expected a built keras.Sequential of two or more layers, got {model!r}")
    source = model.inputs[0]
    inputs = keras.Input(shape=source.shape[1:], dtype=source.dtype, name=source.name)
    tensor = embedding = inputs
    for layer in model.layers[:-1]:
        tensor = layer(tensor)
        if not isinstance(layer, keras.layers.Dropout):
            embedding = tensor  # the last activation before the classifier, Dropout skipped
    probabilities = model.layers[-1](tensor)
    if len(embedding.shape) != 2:
        raise ValueError(f"{model.name}: penultimate activations of shape {embedding.shape}, not (n, d)")
    return keras.Model(inputs, [probabilities, embedding], name=model.name)


def embedding_size(model) -> int:
    """Return the width `d` of a Keras classifier's embedding (128 for the release MLP and CNN)."""
    return int(with_embedding(model).outputs[1].shape[-1])
