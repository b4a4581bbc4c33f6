"""The image path: any photo, scan or drawing → clean white ink on black → the 28×28 model input.

decode (open a file, to grey, reduce) · clean (paper level, polarity, noise) · recipe (crop,
scale to 20 px, centre of mass on the centre). The JavaScript twin is `web/preprocess.js`.
"""

from digits.image.decode import ImageError, load_image
from digits.image.recipe import preprocess_array, preprocess_image

__all__ = ["ImageError", "load_image", "preprocess_array", "preprocess_image"]

# Segmentation (issue 9): an image's digits, left to right.
from digits.image.segment import Digit, digits_from_array, read_digits  # noqa: E402

__all__ += ["Digit", "digits_from_array", "read_digits"]
