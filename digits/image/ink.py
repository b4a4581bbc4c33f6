"""Reduced luma → the digits' clean ink (`web/image/ink.js`).

Cleaning, the polarity settled, ruled lines cleared, marks that are not digits dropped.

When `clean` is not certain of the polarity it returns both; each is cleared of lines and marks,
and the first guess stands unless its kept ink is unlike a digit: nothing strong (at or above
MASK_LEVEL) kept, or more than MAX_DIGIT_PIECES pieces (components with strong ink) while the
other polarity keeps fewer. A digit is one or two strokes, while the paper seen as ink is cut into
pieces by the strokes (the loops of 0, 6, 8, 9, the sides of a tight crop). Both languages share
this rule.
"""

import dataclasses

import numpy as np

from digits.constants import MASK_LEVEL, MAX_DIGIT_PIECES
from digits.image.clean import clean
from digits.image.components import label
from digits.image.lines import clear_lines
from digits.image.marks import marks_removed


@dataclasses.dataclass(frozen=True)
class CleanInk:
    """The clean ink of an image at working resolution."""

    pixels: np.ndarray  # float64 (height, width) in [0, 1], white ink on black
    factor: int  # original pixels per working pixel along each axis
    dark_ink: bool  # the ink was darker than the paper


def kept_ink(pixels: np.ndarray, *, saturated: bool = False) -> tuple[np.ndarray, int]:
    """Remove ruled lines and marks that are not digits from ink float64 `(h, w)`.

    Returns the ink kept and how many of its components have strong ink (≥ MASK_LEVEL).
    """
    cleared = clear_lines(pixels)
    parts = label(cleared)
    kept = marks_removed(parts, saturated=saturated)
    keep = np.zeros(parts.count + 1, dtype=bool)  # the last slot is label −1: no ink
    keep[kept] = True
    pieces = sum(1 for k in kept if parts.peak[k] >= MASK_LEVEL)
    return np.where(keep[parts.labels], cleared, 0.0), pieces


def clean_ink(luma: np.ndarray, coverage: np.ndarray, *, factor: int = 1) -> CleanInk:
    """Reduced premultiplied luma and coverage float32 `(h, w)` → `CleanInk`."""
    ink = clean(luma, coverage, factor=factor)
    pixels, pieces = kept_ink(ink.pixels, saturated=ink.saturated)
    if ink.other is not None:
        other, other_pieces = kept_ink(ink.other.pixels, saturated=ink.other.saturated)
        unlike_a_digit = pieces == 0 or (pieces > MAX_DIGIT_PIECES and other_pieces < pieces)
        if other_pieces > 0 and unlike_a_digit:
            return CleanInk(other, factor, ink.other.dark_ink)
    return CleanInk(pixels, factor, ink.dark_ink)
