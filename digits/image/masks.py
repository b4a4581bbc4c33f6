"""Boolean masks of the recipe (`web/image/masks.js`), bool numpy arrays `(height, width)`.

Pooling by "any" (a 1-px line survives any reduction), the stroke width from cross-erosion
depths, dilation by a disk.
"""

import math

import numpy as np


def pool_any(mask: np.ndarray, target_height: int, target_width: int) -> np.ndarray:
    """`(height, width)` → `(target_height, target_width)`: set where any pixel of the interval is.

    Target pixel i covers source indices floor(i·s/t) … ceil((i+1)·s/t) − 1, rows then columns.
    """
    height, width = mask.shape
    rows = np.zeros((target_height, width), dtype=bool)
    for target in range(target_height):
        first = math.floor(target * height / target_height)
        last = math.ceil((target + 1) * height / target_height)
        rows[target] = mask[first:last].any(axis=0)
    result = np.zeros((target_height, target_width), dtype=bool)
    for target in range(target_width):
        first = math.floor(target * width / target_width)
        last = math.ceil((target + 1) * width / target_width)
        result[:, target] = rows[:, first:last].any(axis=1)
    return result


def erode_cross(mask: np.ndarray) -> np.ndarray:
    """One erosion by the 4-neighbour cross (outside counts as background)."""
    result = np.zeros_like(mask)
    result[1:-1, 1:-1] = (
        mask[1:-1, 1:-1] & mask[:-2, 1:-1] & mask[2:, 1:-1] & mask[1:-1, :-2] & mask[1:-1, 2:]
    )
    return result


def stroke_width(mask: np.ndarray) -> float:
    """Measure the mean stroke width (pixels) from erosion depths; 0 when empty.

    D = Σ surviving counts / area, width = 2·(D + sqrt(max(D² − D, 0))) − 1 (exact for a straight
    stroke of odd width).
    """
    area = int(mask.sum())
    if area == 0:
        return 0.0
    total, count, current = 0, area, mask
    while count > 0:
        total += count
        current = erode_cross(current)
        count = int(current.sum())
    depth = total / area
    return 2 * (depth + math.sqrt(max(depth * depth - depth, 0.0))) - 1


def disk(mask: np.ndarray, radius: int) -> np.ndarray:
    """Dilate a mask `(height, width)` by the disk dy² + dx² ≤ radius² (outside counts as empty)."""
    height, width = mask.shape
    result = mask.copy()
    for dy in range(-radius, radius + 1):
        reach = 0
        while (reach + 1) * (reach + 1) + dy * dy <= radius * radius:
            reach += 1
        across = mask.copy()
        for dx in range(1, reach + 1):
            across[:, dx:] |= mask[:, :-dx] if dx < width else False
            across[:, :-dx] |= mask[:, dx:] if dx < width else False
        if dy >= 0:
            result[dy:] |= across[: height - dy] if dy < height else False
        else:
            result[: height + dy] |= across[-dy:] if -dy < height else False
    return result
