"""Build one variant's files from a Keras model, `<model_dir>/<variant>/…`: conversion only.

The int8 ONNX file is quantized from the fp32 one, and the three TF.js precisions are converted
from one SavedModel, so those two intermediates are built once per model and reused:
`<model_dir>/onnx-fp32/model.onnx` and `<model_dir>/.saved_model/`. Measuring is the pipeline's
job (`export.pipeline`); the converters are imported on first use (they import TensorFlow).
"""

import shutil
from pathlib import Path

import numpy as np

from digits.manifest import split_variant

ONNX_FILE_NAME = "model.onnx"
SAVED_MODEL_DIR = ".saved_model"  # the SavedModel the TF.js variants are converted from


def build_variant(model, variant: str, *, model_dir: Path, calibration_input: np.ndarray) -> list[Path]:
    """Write `variant` (`"onnx-int8"`, `"tfjs-fp16"`, …) of a Keras `model`; returns its files.

    `calibration_input`: float32 training images already in the model's input layout (e.g.
    `(n, 784)`), used only by `onnx-int8`. Every file is written atomically.
    """
    file_format, precision = split_variant(variant)
    model_dir = Path(model_dir)
    directory = model_dir / variant
    directory.mkdir(parents=True, exist_ok=True)
    if file_format == "onnx":
        fp32_path = fp32_onnx(model, model_dir)
        if precision == "fp32":
            return [fp32_path]
        from export.quantize import quantize_onnx_int8

        int8_path = directory / ONNX_FILE_NAME
        return [quantize_onnx_int8(fp32_path, int8_path, calibration_images=calibration_input)]
    from export.tfjs import convert_saved_model, export_saved_model

    saved_model = model_dir / SAVED_MODEL_DIR
    if not saved_model.exists():
        export_saved_model(model, saved_model)
    return convert_saved_model(saved_model, directory, precision=precision)


def remove_intermediates(model_dir: Path, *, keep: tuple[str, ...]) -> None:
    """Delete the folders under `model_dir` that are not in `keep` (the SavedModel, an unasked fp32)."""
    for directory in Path(model_dir).iterdir():
        if directory.name not in keep:
            shutil.rmtree(directory)


def fp32_onnx(model, model_dir: Path) -> Path:
    """`<model_dir>/onnx-fp32/model.onnx`, exported on first use (int8 and the anchors start from it)."""
    path = model_dir / "onnx-fp32" / ONNX_FILE_NAME
    if not path.exists():
        from export.onnx import export_onnx

        path.parent.mkdir(parents=True, exist_ok=True)
        export_onnx(model, path)
    return path
