"""Keras → SavedModel → TF.js graph model (fp32, fp16 or uint8 weights) with the official converter.

Keras 3 models saved as TF.js *layers* models do not load in TF.js, so we go through a SavedModel
whose serving signature maps the Keras input name (`pixels` / `image`) to `{"probabilities",
"embedding"}`; TF.js selects outputs by those keys (`model.execute(x, ["probabilities"])`).
Weights go in a single shard (`group1-shard1of1.bin`) because the static page embeds them.
`model.json` is written with sorted keys: the converter turns protobuf maps (node attributes) into
JSON objects in an order that changes from run to run, the only byte difference between two
conversions of the same SavedModel (the weights and node order are stable).
"""

import json
import os
import shutil
from pathlib import Path

from digits.files import write_atomically
from digits.manifest import EMBEDDING_OUTPUT, PROBABILITIES_OUTPUT
from export.embedding import with_embedding

SIGNATURE = "serving_default"
# Converter quantization map per precision (None: keep float32 weights).
QUANTIZATION = {"fp32": None, "fp16": {"float16": True}, "uint8": {"uint8": True}}
SINGLE_SHARD_BYTES = 1 << 30


def export_saved_model(model, directory: Path) -> Path:
    """Write a Keras classifier as a SavedModel whose `serving_default` returns two outputs.

    `{"probabilities": (n, 10), "embedding": (n, d)}`, float32 (see `export.embedding`).
    """
    import keras
    import tensorflow as tf

    input_name = model.inputs[0].name
    shape = (None, *model.inputs[0].shape[1:])
    two_outputs = with_embedding(model)
    archive = keras.export.ExportArchive()
    archive.track(two_outputs)

    def serve(images):
        probabilities, embedding = two_outputs(images, training=False)
        return {PROBABILITIES_OUTPUT: probabilities, EMBEDDING_OUTPUT: embedding}

    archive.add_endpoint(
        name=SIGNATURE,
        fn=serve,
        input_signature=[tf.TensorSpec(shape, tf.float32, name=input_name)],
    )
    archive.write_out(str(directory), verbose=False)
    return Path(directory)


def convert_saved_model(saved_model_dir: Path, output_dir: Path, *, precision: str) -> list[Path]:
    """Convert a SavedModel to a TF.js graph model in `output_dir`; returns the files written.

    `precision` is `fp32`, `fp16` (`--quantize_float16`) or `uint8` (`--quantize_uint8`).
    `model.json` is rewritten without whitespace (it is embedded in the page) and with sorted keys.
    """
    if precision not in QUANTIZATION:
        raise ValueError(f"unknown TF.js precision {precision!r}; expected one of {', '.join(QUANTIZATION)}")
    # tensorflowjs imports tensorflow_decision_forests, whose welcome banner needs IPython whenever
    # stdout is not a terminal (pytest, `| tee`); the variable switches the banner off.
    os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")
    from tensorflowjs.converters import tf_saved_model_conversion_v2

    output_dir = Path(output_dir)
    if output_dir.exists():
        shutil.rmtree(output_dir)
    tf_saved_model_conversion_v2.convert_tf_saved_model(
        str(saved_model_dir),
        str(output_dir),
        signature_def=SIGNATURE,
        quantization_dtype_map=QUANTIZATION[precision],
        weight_shard_size_bytes=SINGLE_SHARD_BYTES,
    )
    model_json_path = output_dir / "model.json"
    model_json = json.loads(model_json_path.read_text(encoding="utf-8"))
    write_atomically(model_json_path, json.dumps(model_json, separators=(",", ":"), sort_keys=True))
    shards = [path for group in model_json["weightsManifest"] for path in group["paths"]]
    return [model_json_path, *(output_dir / shard for shard in shards)]
