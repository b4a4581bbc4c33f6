"""Reduced luma → the digits' clean ink (`web/image/ink.js`).

Cleaning, the polarity settled, ruled lines cleared, marks that are not digits dropped.

When `clean` is not certain of the polarity it returns both; each is cleared of lines and marks,
and the first guess stands unless it keeps no strong ink (nothing at or above MASK_LEVEL) while the
other does. Both languages share this rule.
"""

import dataclasses

import numpy as np

from digits.constants import MASK_LEVEL
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


def kept_ink(pixels: np.ndarray) -> np.ndarray:
    """Ink float64 `(h, w)` → the same with ruled lines and marks that are not digits removed."""
    cleared = clear_lines(pixels)
    parts = label(cleared)
    keep = np.zeros(parts.count + 1, dtype=bool)  # the last slot is label −1: no ink
    keep[marks_removed(parts)] = True
    return np.where(keep[parts.labels], cleared, 0.0)


def clean_ink(luma: np.ndarray, coverage: np.ndarray, *, factor: int = 1) -> CleanInk:
    """Reduced premultiplied luma and coverage float32 `(h, w)` → `CleanInk`."""
    ink = clean(luma, coverage, factor=factor)
    pixels = kept_ink(ink.pixels)
    if ink.other is not None:
        other = kept_ink(ink.other.pixels)
        if not (pixels >= MASK_LEVEL).any() and (other >= MASK_LEVEL).any():
            return CleanInk(other, factor, ink.other.dark_ink)
    return CleanInk(pixels, factor, ink.dark_ink)
