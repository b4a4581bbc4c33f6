"""The MNIST recipe: white-on-black `(h, w)` → the 28×28 float32 input the models were trained on.

The recipe (LeCun et al.): crop to the ink's bounding box, scale it so its longer side is
`BOX_SIZE` (20) pixels keeping the aspect ratio, paste it into an `IMAGE_SIZE` (28) square and shift
it by a whole number of pixels so that its centre of mass lands on (14, 14). Values are float32 in
[0, 1], white ink on black.

`web/preprocess.js` implements `preprocess_array` operation for operation, and the golden vectors in
`tests/golden/preprocess.json` hold the two within 1/255 per pixel. So every step is spelled out:
the scaling is an exact area average (a box filter whose weights are computed here, not Pillow's
resize, whose kernel JavaScript could not mirror), rounding is `floor(x + 0.5)` (JavaScript's
`Math.round`, not Python's round-half-to-even), and the shift is a whole number of pixels.
"""

import math

import numpy as np

from digits.constants import BOX_SIZE, CENTER, IMAGE_SIZE, INK_THRESHOLD, MIN_INK_FRACTION, ROUNDING_SLACK
from digits.image.decode import load_image


def _round(value: float) -> int:
    """Round half up, as JavaScript's `Math.round` does (with a slack so ties agree across languages)."""
    return math.floor(value + 0.5 + ROUNDING_SLACK)


def _area_weights(source_size: int, target_size: int) -> np.ndarray:
    """Box-filter weights float64 `(target_size, source_size)`, rows summing to 1.

    Output pixel i averages the source interval [i·s/t, (i+1)·s/t), each source pixel weighted by
    its overlap with it.
    """
    weights = np.zeros((target_size, source_size), dtype=np.float64)
    for target in range(target_size):
        start = target * source_size / target_size
        end = (target + 1) * source_size / target_size
        for source in range(math.floor(start), min(source_size, math.ceil(end))):
            weights[target, source] = (min(end, source + 1) - max(start, source)) / (end - start)
    return weights


def preprocess_array(gray: np.ndarray) -> np.ndarray | None:
    """White ink on black, float in [0, 1] or uint8 `(h, w)` → float32 `(28, 28)` in [0, 1].

    Returns None when the image is blank: no pixel above `INK_THRESHOLD`, or less ink in all than
    `MIN_INK_FRACTION` of the longer side squared (a stray dot is not a digit).
    """
    gray = np.asarray(gray)
    if gray.ndim != 2 or gray.shape[0] == 0 or gray.shape[1] == 0:
        raise ValueError(f"expected a 2-D (height, width) grayscale image, got shape {gray.shape}")
    if gray.dtype == np.uint8:
        pixels = gray.astype(np.float64) / 255.0
    else:
        pixels = np.clip(np.nan_to_num(gray.astype(np.float64)), 0.0, 1.0)
    ink = pixels > INK_THRESHOLD
    if not ink.any() or pixels[ink].sum() < MIN_INK_FRACTION * max(pixels.shape) ** 2:
        return None
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    crop = pixels[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    crop_height, crop_width = crop.shape
    longer = max(crop_height, crop_width)
    box_height = max(1, math.floor((2 * crop_height * BOX_SIZE + longer) / (2 * longer)))
    box_width = max(1, math.floor((2 * crop_width * BOX_SIZE + longer) / (2 * longer)))
    box = _area_weights(crop_height, box_height) @ crop @ _area_weights(crop_width, box_width).T
    mass = box.sum()
    center_row = (box.sum(axis=1) * np.arange(box_height)).sum() / mass
    center_column = (box.sum(axis=0) * np.arange(box_width)).sum() / mass
    top = min(max(_round(CENTER - center_row), 0), IMAGE_SIZE - box_height)  # never cut the ink off
    left = min(max(_round(CENTER - center_column), 0), IMAGE_SIZE - box_width)
    image = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    image[top : top + box_height, left : left + box_width] = np.clip(box, 0.0, 1.0)
    return image


def preprocess_image(source, **load_options) -> np.ndarray | None:
    """`load_image(source, **load_options)` then `preprocess_array`: float32 `(28, 28)` or None."""
    return preprocess_array(load_image(source, **load_options))
