"""Export stage: Keras models → ONNX and TF.js (fp32 and quantized), measured, published with a manifest.

Conversion only: `onnx.py`, `tfjs.py`, `quantize.py`, `pipeline.py` (`python -m export`), the
manifest writer, `evaluate.py` (accuracy on MNIST) and `runtimes.py` (Keras and TF.js runtimes; ONNX
runs in `digits.model`). Importing this package is cheap and TensorFlow-free; the modules that need
TensorFlow import it themselves. `python -m export.predict` is an alias of `digits.predict`.
"""
