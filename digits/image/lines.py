"""Ruled and squared paper (`web/image/lines.js`): straight lines across the whole image cleared.

A horizontal line is a band of consecutive rows (at most MAX_LINE_THICKNESS × the height thick,
at least 1 row) each with ink in LINE_COVERAGE of its columns, alone (no ink within
LINE_CLEARANCE × the height above or below it) in at least LINE_ALONE of the columns. The band is
cleared except where a stroke crosses it (ink right above and right below the band). Vertical
lines: the same on the transposed image. The mask is the ink before anything is cleared.
"""

import numpy as np

from digits.constants import LINE_ALONE, LINE_CLEARANCE, LINE_COVERAGE, MAX_LINE_THICKNESS
from digits.image.numeric import round_half_up


def _clear_band(result: np.ndarray, mask: np.ndarray, top: int, bottom: int) -> None:
    """Clear rows [top, bottom) of `result` in place if they are a line (see the module's doc)."""
    height, width = mask.shape
    clearance = max(1, round_half_up(LINE_CLEARANCE * height))
    above = mask[max(0, top - clearance) : top].any(axis=0)
    below = mask[bottom : min(height, bottom + clearance)].any(axis=0)
    alone = int((~above & ~below).sum())
    if alone / width < LINE_ALONE:
        return
    if top > 0 and bottom < height:
        crossed = mask[top - 1] & mask[bottom]
    else:
        crossed = np.zeros(width, dtype=bool)
    result[top:bottom, ~crossed] = 0.0


def clear_rows(ink: np.ndarray) -> np.ndarray:
    """Horizontal ruled lines cleared from float64 `(height, width)`: a copy."""
    height, width = ink.shape
    mask = ink > 0
    covered = mask.sum(axis=1) >= LINE_COVERAGE * width
    thickest = max(1, round_half_up(MAX_LINE_THICKNESS * height))
    result = ink.copy()
    top = 0
    while top < height:
        if not covered[top]:
            top += 1
            continue
        bottom = top
        while bottom < height and covered[bottom]:
            bottom += 1
        if bottom - top <= thickest:
            _clear_band(result, mask, top, bottom)
        top = bottom
    return result


def clear_lines(ink: np.ndarray) -> np.ndarray:
    """Horizontal, then vertical ruled lines cleared from float64 `(height, width)`: a copy."""
    return np.ascontiguousarray(clear_rows(np.ascontiguousarray(clear_rows(ink).T)).T)
