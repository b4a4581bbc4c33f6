"""Small numeric building blocks of the image path, each defined exactly as in `web/image/numeric.js`.

Rounding half up, order statistics (selection, no interpolation), numpy's float64 summation,
Otsu's threshold, deterministic subsampling, a square dilation.

Images are float64 or bool numpy arrays `(height, width)`; every function returns new arrays.
"""

import math

import numpy as np

from digits.constants import ROUNDING_SLACK


def round_half_up(value: float) -> int:
    """Round half up: floor(x + 0.5 + slack), equal in both languages when x is a tie k + 0.5."""
    return math.floor(value + 0.5 + ROUNDING_SLACK)


def numpy_sum(values: np.ndarray) -> float:
    """Sum all values as float64 in row-major order (what `numpySum` in JS reproduces bit for bit)."""
    return float(np.ascontiguousarray(values, dtype=np.float64).ravel().sum())


def order_statistic(values: np.ndarray, fraction: float) -> float:
    """Return the value at index floor(fraction·(n − 1)) of the values sorted ascending (n ≥ 1)."""
    flat = np.asarray(values, dtype=np.float64).ravel()
    index = math.floor(fraction * (flat.size - 1))
    return float(np.partition(flat, index)[index])


def nth_largest(values: np.ndarray, count: int) -> float:
    """Return the count-th largest value (the largest when count ≤ 1, the smallest past n)."""
    flat = np.asarray(values, dtype=np.float64).ravel()
    index = min(max(flat.size - count, 0), flat.size - 1)
    return float(np.partition(flat, index)[index])


def subsample(pixels: np.ndarray, max_samples: int) -> np.ndarray:
    """Every s-th row and column (s = ceil(sqrt(pixels / max_samples))), row-major: float64 1-D."""
    height, width = pixels.shape
    step = max(1, math.ceil(math.sqrt((width * height) / max_samples)))
    return np.ascontiguousarray(pixels[::step, ::step], dtype=np.float64).ravel()


def otsu_level(values: np.ndarray) -> float:
    """Otsu's threshold of values in [0, 1] binned to floor(255·v + 0.5).

    Returns the bin (as bin / 255) up to which values are dark, maximising the between-class
    variance, ties to the lowest bin; the lowest occupied bin when every value shares one bin.
    """
    bins = np.floor(np.clip(np.asarray(values, dtype=np.float64), 0.0, 1.0) * 255 + 0.5).astype(np.int64)
    counts = np.bincount(bins.ravel(), minlength=256).astype(np.float64)
    lowest = int(bins.min())
    levels = np.arange(256, dtype=np.float64)
    total = counts.sum()
    moment = (counts * levels).sum()
    weight = np.cumsum(counts)[:255]  # exact: integers below 2^53
    partial = np.cumsum(counts * levels)[:255]
    light = total - weight
    valid = (weight > 0) & (light > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        difference = partial / weight - (moment - partial) / light
        between = np.where(valid, weight * light * (difference * difference), -1.0)
    best = int(np.argmax(between))
    return best / 255 if between[best] > -1 else lowest / 255


def grow(mask: np.ndarray, radius: int) -> np.ndarray:
    """Dilate a bool mask `(height, width)` by a (2·radius + 1)² square (chessboard distance)."""
    height, width = mask.shape
    padded = np.zeros((height + 2 * radius, width + 2 * radius), dtype=bool)
    padded[radius : radius + height, radius : radius + width] = mask
    across = np.zeros((height + 2 * radius, width), dtype=bool)
    for offset in range(2 * radius + 1):
        across |= padded[:, offset : offset + width]
    result = np.zeros((height, width), dtype=bool)
    for offset in range(2 * radius + 1):
        result |= across[offset : offset + height]
    return result
