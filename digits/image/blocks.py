"""Block grids of the image path (`web/image/blocks.js`).

Square blocks laid from the top-left corner, the last row and column moved back to end at the
edge; an order statistic per block; bilinear interpolation between block centres back to pixels.
"""

import math

import numpy as np


def block_starts(length: int, block: int) -> np.ndarray:
    """First index of each block along an axis: min(j·block, length − block), j < ceil(length / block)."""
    count = math.ceil(length / block)
    return np.minimum(np.arange(count) * block, length - block)


def block_statistics(pixels: np.ndarray, block: int, fraction: float) -> np.ndarray:
    """Return the order statistic `fraction` of every block of float64 `(height, width)`: `(rows, cols)`."""
    height, width = pixels.shape
    rows = block_starts(height, block)[:, None] + np.arange(block)  # (rows, block)
    columns = block_starts(width, block)[:, None] + np.arange(block)  # (columns, block)
    index = math.floor(fraction * (block * block - 1))
    levels = np.empty((rows.shape[0], columns.shape[0]), dtype=np.float64)
    for row, row_indices in enumerate(rows):  # one band of blocks at a time: bounded memory
        band = pixels[row_indices][:, columns]  # (block, columns, block)
        values = band.transpose(1, 0, 2).reshape(columns.shape[0], block * block)
        levels[row] = np.partition(values, index, axis=1)[:, index]
    return levels


def interpolation_weights(block: int, length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear weights from block centres (start + (block − 1) / 2) to `length` pixels along an axis.

    Returns (left, right, weight), each `(length,)`; pixels before the first or after the last
    centre take that block's value.
    """
    starts = block_starts(length, block)
    count = starts.size
    if count == 1:
        zeros = np.zeros(length, dtype=np.int64)
        return zeros, zeros, np.zeros(length, dtype=np.float64)
    centres = starts + (block - 1) / 2
    positions = np.arange(length, dtype=np.float64)
    following = np.searchsorted(centres, positions, side="right")  # first centre > position
    upper = np.clip(following, 1, count - 1)
    lower = upper - 1
    ratio = (positions - centres[lower]) / (centres[upper] - centres[lower])
    return lower, upper, np.clip(ratio, 0.0, 1.0)


def bilinear_grid(levels: np.ndarray, block: int, height: int, width: int) -> np.ndarray:
    """Block values `(rows, columns)` → float64 `(height, width)`, bilinear between block centres.

    Along rows first (a + (b − a)·wx), then along columns the same with wy.
    """
    left, right, across = interpolation_weights(block, width)
    top, bottom, down = interpolation_weights(block, height)
    first = levels[:, left]
    along = first + (levels[:, right] - first) * across
    upper = along[top]
    return upper + (along[bottom] - upper) * down[:, None]
