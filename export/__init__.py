"""Export stage: Keras models → ONNX and TF.js (fp32 and quantized), the manifest, runtimes, compare.

Importing this package is cheap and TensorFlow-free; the modules that need TensorFlow
(`onnx.py`, `tfjs.py`, `pipeline.py`) import it themselves.
"""
