"""Cleaning (`web/image/clean.js`): luma at working resolution → white ink on black.

The ink is float64 `(h, w)` in [0, 1]:

1. Flatten transparency (`flatten`).
2. Decide the polarity (`ink_is_dark`): the border's dark share and the local skew of deviations.
3. The paper's level (`paper.py`) is subtracted (dark ink: divided by the paper's brightness).
4. Noise (2nd to 10th percentile of the contrast) and the ink's level; too little ink: blank.
5. Contrast → ink by a ramp (`ramp`).
"""

import dataclasses
import math

import numpy as np

from digits.constants import (
    BORDER_CERTAIN,
    BORDER_DECISIVE,
    CLEAN_NOISE,
    GAUSSIAN_Q10_Q02,
    INK_SIGMAS,
    INK_TOP_FRACTION,
    INK_TOP_MIN_PIXELS,
    MAX_STATISTIC_SAMPLES,
    MIN_CONTRAST,
    MIN_PAPER_BRIGHTNESS,
    MIN_SHADED_SIDE,
    NOISE_SIGMAS,
    POLARITY_BLOCKS,
    RAMP_END,
    RAMP_END_CLEAN,
    RAMP_START,
    RAMP_START_CLEAN,
    SKEW_DECISIVE,
    SKEW_MIN_MARGIN,
    SKEW_NOISE_SIGMAS,
)
from digits.image.blocks import bilinear_grid, block_statistics
from digits.image.numeric import nth_largest, numpy_sum, order_statistic, otsu_level, subsample
from digits.image.paper import paper_level


@dataclasses.dataclass
class Ink:
    """One polarity's ink at working resolution."""

    pixels: np.ndarray  # float64 (height, width) in [0, 1], white ink on black
    factor: int  # original pixels per working pixel along each axis
    contrast: float  # the ink's level (0 when blank)
    dark_ink: bool  # the polarity found: ink darker than the paper
    saturated: bool = False  # the ramp ends below the ink's level (a photo): strokes reach full ink
    other: "Ink | None" = None  # the other polarity's ink when the polarity was not certain


def flatten(luma: np.ndarray, coverage: np.ndarray) -> np.ndarray | None:
    """Flatten premultiplied luma and coverage float32 `(h, w)` into float64 luma.

    Transparent parts take the colour that contrasts with what is painted; None when nothing is.
    """
    gray = luma.astype(np.float64)
    if bool((coverage >= 1).all()):
        return gray
    covered = coverage.astype(np.float64)
    painted = numpy_sum(covered)
    if painted <= 0:
        return None
    background = 1.0 if numpy_sum(gray) / painted < 0.5 else 0.0
    return gray + background * (1 - covered)


def border_dark_share(gray: np.ndarray, level: float) -> float:
    """Return the share of the outer ring's pixels at or below `level`."""
    height, width = gray.shape
    inner = slice(1, height - 1)
    ring = np.concatenate([gray[0], gray[height - 1], gray[inner, 0], gray[inner, width - 1]])
    return int((ring <= level).sum()) / ring.size


def surroundings_of(gray: np.ndarray, block_count: int) -> np.ndarray:
    """Return every pixel's surroundings: block medians, bilinear (one median for small images)."""
    height, width = gray.shape
    if min(width, height) < MIN_SHADED_SIDE:
        return np.full((height, width), order_statistic(subsample(gray, MAX_STATISTIC_SAMPLES), 0.5))
    block = math.ceil(min(width, height) / block_count)
    return bilinear_grid(block_statistics(gray, block, 0.5), block, height, width)


def local_skew(gray: np.ndarray, block_count: int) -> float:
    """Which way strong local deviations go: +1 all darker than their surroundings, −1 all lighter."""
    deviation = gray - surroundings_of(gray, block_count)
    sample = subsample(deviation, MAX_STATISTIC_SAMPLES)
    middle = order_statistic(sample, 0.5)
    noise = 1.4826 * order_statistic(np.abs(sample - middle), 0.5)
    margin = max(SKEW_NOISE_SIGMAS * noise, SKEW_MIN_MARGIN)
    darker = numpy_sum(np.square(np.maximum(-deviation - margin, 0.0)))
    lighter = numpy_sum(np.square(np.maximum(deviation - margin, 0.0)))
    return 0.0 if darker + lighter == 0 else (darker - lighter) / (darker + lighter)


def ink_is_dark(gray: np.ndarray) -> tuple[bool, bool]:
    """Decide the polarity of luma `(h, w)`: (ink darker than paper, certain).

    Border first when it is nine tenths one side, then (small images) a clear border or the skew,
    then a clear coarse skew, else the sign of coarse skew + fine skew + border vote.
    """
    level = otsu_level(subsample(gray, MAX_STATISTIC_SAMPLES))
    border_vote = 1 - 2 * border_dark_share(gray, level)
    if abs(border_vote) >= 2 * BORDER_CERTAIN:
        return border_vote > 0, True
    skew = local_skew(gray, POLARITY_BLOCKS)
    if min(gray.shape) < MIN_SHADED_SIDE:
        decisive = abs(border_vote) >= 2 * BORDER_DECISIVE
        return (border_vote > 0 if decisive else skew > 0), False
    if abs(skew) >= SKEW_DECISIVE:
        return skew > 0, True
    fine = local_skew(gray, 2 * POLARITY_BLOCKS)
    return skew + fine + border_vote > 0, False


def ramp(contrast: np.ndarray, noise: float, level: float) -> np.ndarray:
    """Contrast → ink in [0, 1]: 0 up to `start`, 1 from `end`, linear between."""
    clean_image = noise < CLEAN_NOISE
    start_fraction = RAMP_START_CLEAN if clean_image else RAMP_START
    start = max(NOISE_SIGMAS * noise, MIN_CONTRAST / 2, start_fraction * level)
    end = max(start + 1 / 255, (RAMP_END_CLEAN if clean_image else RAMP_END) * level)
    return np.clip((contrast - start) / (end - start), 0.0, 1.0)


def ink_of(gray: np.ndarray, *, dark: bool, factor: int) -> Ink:
    """One polarity's ink from float64 luma `(h, w)` (no `other`)."""
    contrast = 1 - gray if dark else gray.copy()
    level = paper_level(contrast)
    difference = contrast - level
    contrast = difference / np.maximum(1 - level, MIN_PAPER_BRIGHTNESS) if dark else difference
    sample = subsample(contrast, MAX_STATISTIC_SAMPLES)
    noise = (order_statistic(sample, 0.1) - order_statistic(sample, 0.02)) / GAUSSIAN_Q10_Q02
    top_count = max(INK_TOP_MIN_PIXELS, math.ceil(INK_TOP_FRACTION * contrast.size))
    ink_level = nth_largest(contrast, top_count)
    if ink_level < max(MIN_CONTRAST, INK_SIGMAS * noise):
        return Ink(np.zeros(gray.shape), factor, ink_level, dark)
    saturated = noise >= CLEAN_NOISE and RAMP_END < 1.0
    return Ink(ramp(contrast, noise, ink_level), factor, ink_level, dark, saturated)


def clean(luma: np.ndarray, coverage: np.ndarray, *, factor: int = 1) -> Ink:
    """Clean reduced luma and coverage float32 `(h, w)` into `Ink` (with `other` when uncertain)."""
    blank = Ink(np.zeros(luma.shape), factor, 0.0, False)
    gray = flatten(luma, coverage)
    if gray is None or float(gray.max()) - float(gray.min()) < MIN_CONTRAST:
        return blank
    dark, certain = ink_is_dark(gray)
    ink = ink_of(gray, dark=dark, factor=factor)
    if not certain:
        ink.other = ink_of(gray, dark=not dark, factor=factor)
    return ink
