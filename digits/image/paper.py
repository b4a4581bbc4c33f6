"""The paper's level under the ink (`web/image/paper.js`).

A low order statistic per block of a fine grid (paper as long as a tenth of the block is paper),
the grid continued linearly past its borders, opened morphologically (min then max over 9 × 9
blocks: no stroke survives, shadows and light gradients do), bilinear back to pixels.
"""

import math

import numpy as np

from digits.constants import (
    MAX_STATISTIC_SAMPLES,
    MIN_SHADED_SIDE,
    OPENING_RADIUS,
    PAPER_BLOCKS,
    PAPER_FRACTION,
)
from digits.image.blocks import bilinear_grid, block_statistics
from digits.image.numeric import order_statistic, subsample


def _extend_axis0(grid: np.ndarray, count: int, low: float, high: float) -> np.ndarray:
    """Pad `count` rows above and below, continuing each column from its last two cells, clamped."""
    rows = grid.shape[0]
    first, last = grid[0], grid[rows - 1]
    step_first = first - grid[min(1, rows - 1)]
    step_last = last - grid[max(rows - 2, 0)]
    steps = np.arange(1, count + 1, dtype=np.float64)[:, None]
    before = np.clip(first + step_first * steps, low, high)[::-1]  # row count − k holds k
    after = np.clip(last + step_last * steps, low, high)
    return np.concatenate([before, grid, after], axis=0)


def extend_linearly(grid: np.ndarray, count: int) -> np.ndarray:
    """Pad `count` cells on every side of float64 `(rows, columns)`.

    Rows then columns are continued in straight lines from their last two cells (a lone cell
    repeats), clamped to the grid's range.
    """
    low, high = float(grid.min()), float(grid.max())
    tall = _extend_axis0(grid, count, low, high)
    return _extend_axis0(tall.T, count, low, high).T.copy()


def window_extreme(grid: np.ndarray, radius: int, *, largest: bool) -> np.ndarray:
    """Take the min (or max) over the (2·radius + 1)² square around each cell, cells outside skipped."""
    pick = np.maximum if largest else np.minimum
    fill = -np.inf if largest else np.inf
    rows, columns = grid.shape
    padded = np.full((rows + 2 * radius, columns), fill)
    padded[radius : radius + rows] = grid
    down = padded[0:rows].copy()
    for offset in range(1, 2 * radius + 1):
        down = pick(down, padded[offset : offset + rows])
    padded = np.full((rows, columns + 2 * radius), fill)
    padded[:, radius : radius + columns] = down
    result = padded[:, 0:columns].copy()
    for offset in range(1, 2 * radius + 1):
        result = pick(result, padded[:, offset : offset + columns])
    return result


def paper_level(inkness: np.ndarray) -> np.ndarray:
    """Estimate the paper's level under inkness float64 `(height, width)` (ink bright): float64, smooth."""
    height, width = inkness.shape
    if min(width, height) < MIN_SHADED_SIDE:
        level = order_statistic(subsample(inkness, MAX_STATISTIC_SAMPLES), PAPER_FRACTION)
        return np.full((height, width), level)
    block = math.ceil(min(width, height) / PAPER_BLOCKS)
    levels = block_statistics(inkness, block, PAPER_FRACTION)
    rows, columns = levels.shape
    extended = extend_linearly(levels, OPENING_RADIUS)
    eroded = window_extreme(extended, OPENING_RADIUS, largest=False)
    opened = window_extreme(eroded, OPENING_RADIUS, largest=True)
    cropped = opened[OPENING_RADIUS : OPENING_RADIUS + rows, OPENING_RADIUS : OPENING_RADIUS + columns]
    return bilinear_grid(np.ascontiguousarray(cropped), block, height, width)
