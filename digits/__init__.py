"""The TensorFlow-free core: numpy, Pillow and onnxruntime only (what the edge wheel installs).

constants (sizes, layouts; `spec()` feeds `web/spec.js`) · files (atomic writes, sha256) ·
stats (median, p95) · manifest (read, verify) · model (the ONNX classifier) · image (any picture →
the 28×28 model input) · predict (the edge CLI, `python -m digits.predict`).

Nothing here imports `train`, `export`, `bench`, `tests`, Streamlit or TensorFlow
(tests/test_core.py checks it).
"""
