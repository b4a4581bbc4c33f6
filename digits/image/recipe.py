"""One digit's ink → the 28×28 MNIST input, strokes brought to MNIST's width first.

`web/image/recipe.js` does the same operation for operation; `tests/golden/` holds the two within
1/255 per pixel.

Stroke width: the mask (ink ≥ MASK_LEVEL) pooled by "any" to a frame whose longer side is
FRAME_SIDE, measured from its cross-erosion depths; a digit thinner than THIN_WIDTH has its mask
dilated by a disk to about TARGET_WIDTH and the recipe runs on the frame. The recipe (LeCun et
al.): crop to the ink's box, scale the longer side to BOX_SIZE (20) by an exact area average (rows,
then columns, a box filter whose weights are computed here, not Pillow's resize), paste into 28 × 28
shifted by whole pixels so the centre of mass lands on (14, 14). Rounding is floor(x + 0.5).
"""

import math

import numpy as np

from digits.constants import (
    BOX_SIZE,
    CENTER,
    FRAME_SIDE,
    IMAGE_SIZE,
    INK_THRESHOLD,
    MASK_LEVEL,
    MIN_INK_FRACTION,
    TARGET_WIDTH,
    THIN_WIDTH,
)
from digits.image.masks import disk, pool_any, stroke_width
from digits.image.numeric import round_half_up


def area_weights(source_size: int, target_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Box-filter weights: output i averages the source interval [i·s/t, (i+1)·s/t).

    Returns (first, last, weights): the source range [first, last) with weights per target, and
    float64 `(target_size, source_size)` (zero outside the interval).
    """
    weights = np.zeros((target_size, source_size), dtype=np.float64)
    first = np.zeros(target_size, dtype=np.int64)
    last = np.zeros(target_size, dtype=np.int64)
    for target in range(target_size):
        start = target * source_size / target_size
        end = (target + 1) * source_size / target_size
        first[target] = math.floor(start)
        last[target] = min(source_size, math.ceil(end))
        for source in range(first[target], last[target]):
            overlap = min(end, source + 1) - max(start, source)
            if overlap > 0:
                weights[target, source] = overlap / (end - start)
    return first, last, weights


def resample(pixels: np.ndarray, target_height: int, target_width: int) -> np.ndarray:
    """Area-average float64 `(height, width)` to `(target_height, target_width)`: rows, then columns.

    Each output is accumulated source by source in order, as the JavaScript twin does.
    """
    height, width = pixels.shape
    first, last, weights = area_weights(height, target_height)
    rows = np.zeros((target_height, width), dtype=np.float64)
    for target in range(target_height):
        for source in range(first[target], last[target]):
            rows[target] += weights[target, source] * pixels[source]
    first, last, weights = area_weights(width, target_width)
    result = np.zeros((target_height, target_width), dtype=np.float64)
    for target in range(target_width):
        for source in range(first[target], last[target]):
            result[:, target] += weights[target, source] * rows[:, source]
    return result


def ink_box(pixels: np.ndarray) -> tuple[int, int, int, int] | None:
    """Return the box (top, bottom, left, right) of pixels above INK_THRESHOLD (ends exclusive), or None."""
    ink = pixels > INK_THRESHOLD
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(columns[0]), int(columns[-1]) + 1


def normalise_strokes(pixels: np.ndarray) -> np.ndarray:
    """Bring a digit's strokes (float64 `(h, w)`, cropped to its ink box) to MNIST's width.

    Returns the crop itself, or the frame (padded by the disk's radius, so strokes along the ink's
    box widen outwards too) with its thin mask widened by a disk.
    """
    height, width = pixels.shape
    longer = max(height, width)
    frame_height = max(1, round_half_up(height * FRAME_SIDE / longer))
    frame_width = max(1, round_half_up(width * FRAME_SIDE / longer))
    mask = pool_any(pixels >= MASK_LEVEL, frame_height, frame_width)
    measured = stroke_width(mask)
    if measured == 0 or measured >= THIN_WIDTH:
        return pixels
    radius = max(1, round_half_up((TARGET_WIDTH - measured) / 2))
    soft = np.pad(resample(pixels, frame_height, frame_width), radius)  # room for the outer strokes
    return np.maximum(soft, disk(np.pad(mask, radius), radius).astype(np.float64))


def centre_of_mass(values: np.ndarray) -> tuple[float, float]:
    """Centre of mass (row, column) of float64 `(height, width)`, in numpy's summation order."""
    height, width = values.shape
    mass = values.sum()
    row = (values.sum(axis=1) * np.arange(height)).sum() / mass
    column = (values.sum(axis=0) * np.arange(width)).sum() / mass
    return float(row), float(column)


def mnist_recipe(pixels: np.ndarray) -> np.ndarray | None:
    """White ink on black float64 `(h, w)` in [0, 1] → float32 `(28, 28)`, or None when blank."""
    box = ink_box(pixels)
    if box is None:
        return None
    top, bottom, left, right = box
    crop = np.ascontiguousarray(pixels[top:bottom, left:right])
    crop_height, crop_width = crop.shape
    longer = max(crop_height, crop_width)
    box_height = max(1, (2 * crop_height * BOX_SIZE + longer) // (2 * longer))
    box_width = max(1, (2 * crop_width * BOX_SIZE + longer) // (2 * longer))
    scaled = np.clip(resample(crop, box_height, box_width), 0.0, 1.0)
    centre_row, centre_column = centre_of_mass(scaled)
    shift_top = min(max(round_half_up(CENTER - centre_row), 0), IMAGE_SIZE - box_height)  # never cut off
    shift_left = min(max(round_half_up(CENTER - centre_column), 0), IMAGE_SIZE - box_width)
    image = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    image[shift_top : shift_top + box_height, shift_left : shift_left + box_width] = scaled
    return image


def digit_input(pixels: np.ndarray, *, normalise: bool = True) -> np.ndarray | None:
    """Turn a digit's ink (others' ink removed), float64 `(h, w)`, into float32 `(28, 28)`.

    None without ink. `normalise` widens thin strokes first.
    """
    box = ink_box(pixels)
    if box is None:
        return None
    top, bottom, left, right = box
    cropped = np.ascontiguousarray(pixels[top:bottom, left:right])
    return mnist_recipe(normalise_strokes(cropped) if normalise else cropped)


def as_ink(gray: np.ndarray) -> np.ndarray:
    """White-on-black float in [0, 1] or uint8 `(h, w)` → float64 in [0, 1]; ValueError on a bad shape."""
    gray = np.asarray(gray)
    if gray.ndim != 2 or gray.shape[0] == 0 or gray.shape[1] == 0:
        raise ValueError(f"expected a 2-D (height, width) grayscale image, got shape {gray.shape}")
    if gray.dtype == np.uint8:
        return gray.astype(np.float64) / 255.0
    return np.clip(np.nan_to_num(gray.astype(np.float64)), 0.0, 1.0)


def preprocess_array(gray: np.ndarray) -> np.ndarray | None:
    """White ink on black, float in [0, 1] or uint8 `(h, w)` → float32 `(28, 28)` in [0, 1].

    Returns None when the image is blank: no pixel above `INK_THRESHOLD`, or less ink in all than
    `MIN_INK_FRACTION` of the longer side squared (a stray dot is not a digit).
    """
    pixels = as_ink(gray)
    ink = pixels > INK_THRESHOLD
    if not ink.any() or pixels[ink].sum() < MIN_INK_FRACTION * max(pixels.shape) ** 2:
        return None
    return digit_input(pixels)


def preprocess_image(source, **load_options) -> np.ndarray | None:
    """`load_image(source, **load_options)` then `preprocess_array`: float32 `(28, 28)` or None."""
    from digits.image.decode import load_image  # decode imports the cleaning, not the recipe

    return preprocess_array(load_image(source, **load_options))
