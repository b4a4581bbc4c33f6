"""Simulated writers for the teach benchmark: a stroke font with odd styles, writers and jitter.

A glyph is a list of strokes, each a list of (x, y) control points in a unit box (x = 0 left … 1
right of the glyph's width, y = 0 top … 1 bottom), smoothed by Catmull-Rom splines. `ODD_STYLES`
are the habits the base model misreads (issue 11): a flagged 1 (read as 7), a European 1, a
closed-top 4 (as 9), a crossed 7, an open-top 9 and a strongly slanted 6 (as 5). `ORDINARY` holds
one plain glyph per digit.

A `Writer` (drawn from a seed) bends every control point of every glyph by its own fixed offsets
and has its own slant, size, proportions and pen width; each `rendition` of a digit by that writer
adds fresh jitter (position, size, slant, stroke width, point noise), so no two renditions are the
same. `render` paints strokes like the page's pad (white round-capped strokes on black, 280 pad
units high, widths 8–40) and `read_pad` turns the pad into the 28×28 model input: that one function
is the image path, so it can switch when the image path does.
"""

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from digits.image import preprocess_array

PAD_WIDTH, PAD_HEIGHT = 560, 280  # the page's pad in pad units (web/ui.js)
MIN_STROKE_WIDTH, MAX_STROKE_WIDTH = 8, 40  # the page's stroke-width slider
SUPERSAMPLE = 4  # render at 4× and average down: anti-aliased edges like a canvas
SPLINE_STEPS = 8  # points per control-point interval along a Catmull-Rom spline


def arc(center_x: float, center_y: float, radius_x: float, radius_y: float, start: float, end: float) -> list:
    """Control points on an ellipse from angle `start` to `end` (degrees, 0 = right, 90 = up)."""
    steps = max(2, round(abs(end - start) / 30))
    angles = [math.radians(start + (end - start) * step / steps) for step in range(steps + 1)]
    return [(center_x + radius_x * math.cos(a), center_y - radius_y * math.sin(a)) for a in angles]


@dataclass(frozen=True)
class Glyph:
    """One way of writing a digit: control-point strokes in a unit box, its proportions and lean."""

    strokes: list  # strokes, each a list of (x, y) control points in the unit box
    aspect: float  # width / height of the glyph
    slant: float = 0.0  # extra shear on top of the writer's own (the slanted 6)


ORDINARY = {
    0: Glyph([arc(0.5, 0.5, 0.5, 0.5, 100, 460)], 0.65),
    1: Glyph([[(0.3, 0.12), (0.55, 0.0), (0.5, 0.5), (0.45, 1.0)]], 0.25),
    2: Glyph(
        [arc(0.5, 0.27, 0.45, 0.27, 160, -20) + [(0.45, 0.7), (0.0, 1.0), (0.5, 0.98), (1.0, 0.97)]], 0.6
    ),
    3: Glyph([arc(0.45, 0.25, 0.45, 0.25, 150, -90) + arc(0.45, 0.74, 0.5, 0.26, 90, -160)], 0.6),
    4: Glyph([[(0.5, 0.0), (0.0, 0.65), (1.0, 0.65)], [(0.72, 0.3), (0.72, 0.65), (0.72, 1.0)]], 0.7),
    5: Glyph([[(0.9, 0.0), (0.2, 0.0), (0.12, 0.45)] + arc(0.45, 0.69, 0.48, 0.31, 125, -150)], 0.6),
    6: Glyph([[(0.8, 0.0), (0.3, 0.3), (0.05, 0.7)] + arc(0.5, 0.72, 0.45, 0.28, 180, -180)], 0.6),
    7: Glyph([[(0.0, 0.0), (0.5, 0.0), (1.0, 0.0), (0.6, 0.5), (0.35, 1.0)]], 0.6),
    8: Glyph(
        [
            arc(0.5, 0.25, 0.4, 0.25, 20, 270)
            + arc(0.5, 0.74, 0.48, 0.26, 90, -270)
            + arc(0.5, 0.25, 0.4, 0.25, 270, 380)
        ],
        0.6,
    ),
    9: Glyph([arc(0.5, 0.27, 0.47, 0.27, 0, 360) + [(0.97, 0.27), (0.92, 0.6), (0.85, 1.0)]], 0.6),
}
# Odd style name → (the digit it is, its glyph). Each is misread by the base CNN most of the time
# (flagged 1, European 1, closed 4, open 9) or some of the time (crossed 7, slanted 6).
ODD_STYLES = {
    "flagged-1": (1, Glyph([[(0.0, 0.3), (0.85, 0.0), (0.8, 0.5), (0.75, 1.0)]], 0.6)),
    "european-1": (1, Glyph([[(0.0, 0.6), (0.35, 0.3), (0.8, 0.0), (0.75, 0.5), (0.7, 1.0)]], 0.7)),
    "closed-4": (
        4,
        Glyph(
            [[(0.85, 0.02), (0.3, 0.0), (0.05, 0.55), (1.0, 0.55)], [(0.85, 0.0), (0.83, 0.5), (0.8, 1.0)]],
            0.6,
        ),
    ),
    "crossed-7": (
        7,
        Glyph(
            [[(0.0, 0.2), (0.15, 0.0), (1.0, 0.05), (0.65, 0.5), (0.6, 1.0)], [(0.25, 0.45), (1.0, 0.45)]],
            0.6,
        ),
    ),
    "open-9": (
        9,
        Glyph(
            [arc(0.45, 0.3, 0.45, 0.3, 100, 330) + [(0.95, 0.45), (0.95, 0.0), (0.93, 0.5), (0.9, 1.0)]], 0.6
        ),
    ),
    "slanted-6": (
        6,
        Glyph([[(0.9, 0.0), (0.3, 0.4)] + arc(0.45, 0.75, 0.4, 0.25, 180, -180)], 0.5, slant=0.7),
    ),
}


@dataclass(frozen=True)
class Writer:
    """One simulated person: fixed habits drawn from `seed` (every rendition starts from these)."""

    seed: int  # the writer's identity; the same seed always gives the same writer
    slant: float  # shear of the top relative to the bottom, fraction of the height (right-leaning > 0)
    height: float  # digit height in pad units (the pad is 280 high)
    aspect: float  # multiplies every glyph's width / height
    stroke_width: float  # pen width in pad units, within the page's 8–40
    bend: float  # how far (fraction of the height) this writer's control points sit from the font's


def make_writer(seed: int) -> Writer:
    """Draw a writer from `seed`: slant −0.1…0.3, height 120–240, aspect 0.8–1.2, width 8–40."""
    rng = np.random.default_rng([seed, 11])
    return Writer(
        seed=seed,
        slant=float(rng.uniform(-0.1, 0.3)),
        height=float(rng.uniform(120, 240)),
        aspect=float(rng.uniform(0.8, 1.2)),
        stroke_width=float(rng.uniform(MIN_STROKE_WIDTH, MAX_STROKE_WIDTH)),
        bend=float(rng.uniform(0.02, 0.06)),
    )


def _catmull_rom(points: np.ndarray) -> np.ndarray:
    """Return a smooth curve through float64 control points `(k, 2)` → `(SPLINE_STEPS·(k−1) + 1, 2)`."""
    if len(points) < 3:
        return points
    padded = np.vstack([points[:1], points, points[-1:]])
    steps = np.linspace(0.0, 1.0, SPLINE_STEPS, endpoint=False)[:, None]
    curve = []
    for index in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[index - 1 : index + 3]
        curve.append(
            0.5
            * (
                2 * p1
                + (p2 - p0) * steps
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * steps**2
                + (3 * p1 - p0 - 3 * p2 + p3) * steps**3
            )
        )
    return np.vstack([*curve, points[-1:]])


def glyph_of(style: int | str) -> tuple[int, Glyph]:
    """Return `(true digit, glyph)` of an ordinary digit (0–9) or an odd style name of `ODD_STYLES`."""
    if isinstance(style, str):
        if style not in ODD_STYLES:
            raise ValueError(f"unknown odd style {style!r}; expected one of {', '.join(ODD_STYLES)}")
        return ODD_STYLES[style]
    if style not in ORDINARY:
        raise ValueError(f"digit must be 0-9, got {style!r}")
    return style, ORDINARY[style]


def _writer_glyph(writer: Writer, style: int | str) -> list[np.ndarray]:
    """Return the writer's own version of a glyph: every control point moved by a fixed per-writer offset."""
    strokes = glyph_of(style)[1].strokes
    rng = np.random.default_rng([writer.seed, sum(map(ord, str(style))), 7])
    return [np.asarray(stroke, float) + rng.normal(0.0, writer.bend, (len(stroke), 2)) for stroke in strokes]


def rendition(writer: Writer, style: int | str, rng: np.random.Generator) -> tuple[list[np.ndarray], float]:
    """One rendition of `style` by `writer`: (strokes in pad units, pen width), with fresh jitter.

    Jitter: size ×0.85–1.15, slant ±0.08, pen width ×0.8–1.25, each control point ±2% of the
    height (normal), and the digit anywhere on the pad where it fits.
    """
    glyph = glyph_of(style)[1]
    height = writer.height * rng.uniform(0.85, 1.15)
    width = glyph.aspect * writer.aspect * height
    slant = writer.slant + glyph.slant + rng.uniform(-0.08, 0.08)
    span = width + abs(slant) * height
    left = rng.uniform(10, max(11.0, PAD_WIDTH - span - 10)) + max(0.0, -slant) * height
    top = rng.uniform(10, max(11.0, PAD_HEIGHT - height - 10))
    strokes = []
    for stroke in _writer_glyph(writer, style):
        noisy = stroke + rng.normal(0.0, 0.02, stroke.shape)
        curve = _catmull_rom(noisy)
        x = left + curve[:, 0] * width + slant * (1 - curve[:, 1]) * height
        strokes.append(np.column_stack([x, top + curve[:, 1] * height]))
    pen = float(np.clip(writer.stroke_width * rng.uniform(0.8, 1.25), MIN_STROKE_WIDTH, MAX_STROKE_WIDTH))
    return strokes, pen


def render(strokes: list[np.ndarray], pen: float) -> np.ndarray:
    """Paint strokes (pad units) white on black, round caps and joins: uint8 `(280, 560)`."""
    scale = SUPERSAMPLE
    canvas = Image.new("L", (PAD_WIDTH * scale, PAD_HEIGHT * scale), 0)
    draw = ImageDraw.Draw(canvas)
    radius = pen * scale / 2
    for stroke in strokes:
        points = [(float(x) * scale, float(y) * scale) for x, y in stroke]
        if len(points) > 1:
            draw.line(points, fill=255, width=round(pen * scale))
        for x, y in points:  # round caps and joins
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    small = canvas.resize((PAD_WIDTH, PAD_HEIGHT), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.uint8)


def read_pad(gray: np.ndarray) -> np.ndarray:
    """Read a painted pad through the image path: uint8 `(h, w)` → float32 `(28, 28)`.

    Today `digits.image.preprocess_array` (one digit per pad); the one place to switch when the
    image path changes. Raises `ValueError` for a blank pad (a rendition always has ink).
    """
    image = preprocess_array(gray)
    if image is None:
        raise ValueError("blank pad: the rendition drew no ink")
    return image


def renditions(writer: Writer, style: int | str, count: int, *, seed: int) -> np.ndarray:
    """`count` renditions of `style` by `writer`, read through the image path: float32 `(count, 28, 28)`."""
    rng = np.random.default_rng([writer.seed, sum(map(ord, str(style))), seed])
    return np.stack([read_pad(render(*rendition(writer, style, rng))) for _ in range(count)])
