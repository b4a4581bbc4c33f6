"""ONNX fp32 → int8: static quantization, QDQ format, per-channel int8 weights, uint8 activations.

Calibration images come from the TRAINING set (never the test set that measures accuracy).
The final softmax stays in float so probabilities keep their precision; `quantize_dynamic` is not
used because it turns Conv into ConvInteger, which onnxruntime's CPU provider cannot run.
"""

import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process

from export.canonical import canonicalize
from export.onnx import save_onnx

CALIBRATION_BATCH_SIZE = 100  # images per calibration batch fed to onnxruntime


class _ImageBatches(CalibrationDataReader):
    """Feeds `(batch, …)` float32 calibration batches to onnxruntime under the graph's input name."""

    def __init__(self, input_name: str, images: np.ndarray):
        self._batches = iter(
            [
                {input_name: images[start : start + CALIBRATION_BATCH_SIZE]}
                for start in range(0, len(images), CALIBRATION_BATCH_SIZE)
            ]
        )

    def get_next(self):
        return next(self._batches, None)


def quantize_onnx_int8(fp32_path: Path, int8_path: Path, *, calibration_images: np.ndarray) -> Path:
    """Write a static-QDQ int8 copy of `fp32_path` to `int8_path`.

    `calibration_images`: float32 in [0, 1], already in the model's input shape (e.g. `(n, 784)`).
    """
    graph_model = onnx.load(fp32_path)
    input_name = graph_model.graph.input[0].name
    softmax_nodes = [node.name for node in graph_model.graph.node if node.op_type == "Softmax"]
    with tempfile.TemporaryDirectory(dir=Path(int8_path).parent) as scratch:
        prepared = Path(scratch) / "prepared.onnx"
        quantized = Path(scratch) / "quantized.onnx"
        quant_pre_process(str(fp32_path), str(prepared), skip_symbolic_shape=True)
        quantize_static(
            str(prepared),
            str(quantized),
            _ImageBatches(input_name, np.ascontiguousarray(calibration_images, dtype=np.float32)),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            weight_type=QuantType.QInt8,
            activation_type=QuantType.QUInt8,
            calibrate_method=CalibrationMethod.MinMax,
            nodes_to_exclude=softmax_nodes,
        )
        result = onnx.load(quantized)
    canonicalize(result)  # stable names and order; drops intermediate shape annotations too
    onnx.checker.check_model(result, full_check=True)
    save_onnx(result, Path(int8_path))
    return Path(int8_path)
