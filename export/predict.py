"""`python -m export.predict MODEL.onnx IMAGE…`: an alias of the edge CLI `digits.predict`.

Kept because scripts and docs call it; the code lives in `digits/predict.py` (no TensorFlow).
"""

import sys

from digits.predict import main

if __name__ == "__main__":
    sys.exit(main())
