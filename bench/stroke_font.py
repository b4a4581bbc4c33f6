"""A small stroke font of handwritten digits, for drawing numbers on the page with the mouse.

Each digit has a few styles, as people write them: a 1 plain, flagged or with a foot; a 4 in two
strokes, slanted or open; a 5 in two strokes (its flag touching the body or apart from it) or
one; a 7 plain, crossed or hooked; an 8 in one stroke or two loops; a 9 with a straight or a
curved stem. A glyph is a list of strokes, each a list of
(x, y) points in a unit box (x = 0 left … 1 right of the glyph's width, y = 0 top … 1 bottom).

`number_strokes` lays digits out left to right on the 2:1 pad with random slant, size, gaps and
wobble, and returns strokes in pad fractions, ready for `bench.browser.draw(..., square=False)`.
"""

import math
import random

PAD_ASPECT = 2.0  # the page's pad is 560 × 280 pad units (web/ui.js PAD_WIDTH / PAD_HEIGHT)
POINTS_PER_UNIT = 8  # points per glyph height on straight parts: the pad smooths them into curves
ARC_STEP_DEGREES = 20  # one point per this many degrees on round parts (18 around a 0)


def _arc(
    center_x: float, center_y: float, radius_x: float, radius_y: float, start: float, end: float
) -> list:
    """Points on an ellipse from angle `start` to `end` (degrees; 0 = right, 90 = up; either way)."""
    steps = max(2, round(abs(end - start) / ARC_STEP_DEGREES))
    return [
        (
            center_x + radius_x * math.cos(math.radians(start + (end - start) * step / steps)),
            center_y - radius_y * math.sin(math.radians(start + (end - start) * step / steps)),
        )
        for step in range(steps + 1)
    ]


# (strokes, width / height): the glyph's proportions; every style of a digit is a separate entry.
GLYPHS = {
    0: [
        ([_arc(0.5, 0.5, 0.5, 0.5, 90, 450)], 0.62),
        ([_arc(0.5, 0.5, 0.5, 0.5, 60, 410)], 0.7),
    ],
    1: [
        ([[(0.55, 0.0), (0.45, 1.0)]], 0.12),
        ([[(0.0, 0.28), (0.6, 0.0), (0.6, 1.0)]], 0.35),
        ([[(0.1, 0.25), (0.55, 0.0), (0.55, 1.0)], [(0.05, 1.0), (1.0, 1.0)]], 0.45),
    ],
    2: [
        ([_arc(0.5, 0.28, 0.48, 0.28, 160, -30) + [(0.0, 1.0), (1.0, 0.98)]], 0.62),
        ([_arc(0.5, 0.3, 0.45, 0.3, 150, -10) + [(0.05, 0.95), (0.3, 0.9), (1.0, 1.0)]], 0.6),
    ],
    3: [
        ([_arc(0.45, 0.25, 0.45, 0.25, 150, -90) + _arc(0.45, 0.75, 0.5, 0.25, 90, -150)], 0.6),
        ([[(0.05, 0.0), (0.95, 0.0), (0.4, 0.42)] + _arc(0.45, 0.71, 0.5, 0.29, 80, -150)], 0.6),
    ],
    4: [
        ([[(0.65, 0.0), (0.0, 0.68), (1.0, 0.68)], [(0.75, 0.25), (0.75, 1.0)]], 0.7),
        ([[(0.12, 0.0), (0.05, 0.6), (1.0, 0.6)], [(0.75, 0.05), (0.75, 1.0)]], 0.65),
    ],
    5: [
        (
            [
                [(0.15, 0.02), (0.1, 0.45)] + _arc(0.45, 0.69, 0.5, 0.31, 130, -150),
                [(0.15, 0.02), (0.95, 0.0)],
            ],
            0.6,
        ),
        ([[(0.95, 0.0), (0.15, 0.0), (0.1, 0.45)] + _arc(0.45, 0.69, 0.5, 0.31, 130, -150)], 0.6),
        # the flag written apart from the body, as many people do: two pieces, one digit
        (
            [[(0.1, 0.14), (0.07, 0.47)] + _arc(0.42, 0.7, 0.5, 0.3, 130, -150), [(0.38, 0.0), (1.0, -0.02)]],
            0.6,
        ),
    ],
    6: [
        ([[(0.85, 0.0), (0.4, 0.2), (0.05, 0.65)] + _arc(0.5, 0.72, 0.45, 0.28, 180, -180)], 0.62),
    ],
    7: [
        ([[(0.0, 0.0), (1.0, 0.0), (0.35, 1.0)]], 0.6),
        ([[(0.0, 0.0), (1.0, 0.0), (0.35, 1.0)], [(0.4, 0.5), (0.95, 0.5)]], 0.62),
        ([[(0.0, 0.12), (0.1, 0.0), (1.0, 0.02), (0.4, 1.0)]], 0.6),
    ],
    8: [
        (
            [
                _arc(0.5, 0.25, 0.38, 0.25, 20, 270)
                + _arc(0.5, 0.73, 0.47, 0.27, 90, -270)
                + _arc(0.5, 0.25, 0.38, 0.25, 270, 380)
            ],
            0.6,
        ),
        ([_arc(0.5, 0.24, 0.4, 0.24, 90, 450), _arc(0.5, 0.74, 0.5, 0.26, 90, 450)], 0.6),
    ],
    9: [
        ([_arc(0.5, 0.27, 0.47, 0.27, 0, 360) + [(0.97, 0.27), (0.85, 1.0)]], 0.6),
        ([_arc(0.5, 0.27, 0.47, 0.27, 0, 360) + [(0.97, 0.3), (0.9, 0.75), (0.6, 1.0), (0.3, 0.95)]], 0.6),
    ],
}
STYLES = {digit: len(styles) for digit, styles in GLYPHS.items()}  # how many styles each digit has


def _densify(stroke: list, *, height: float) -> list:
    """Insert points so consecutive points are about `height / POINTS_PER_UNIT` apart (smooth mouse moves)."""
    dense = [stroke[0]]
    for (x0, y0), (x1, y1) in zip(stroke, stroke[1:], strict=False):
        pieces = max(1, round(math.hypot(x1 - x0, y1 - y0) / height * POINTS_PER_UNIT))
        dense += [
            (x0 + (x1 - x0) * step / pieces, y0 + (y1 - y0) * step / pieces) for step in range(1, pieces + 1)
        ]
    return dense


def glyph_strokes(
    digit: int, *, style: int, left: float, top: float, height: float, slant: float, rng
) -> list:
    """One digit's strokes in pad units: placed at (left, top), `height` tall, sheared by `slant`.

    `slant` is the horizontal shift of the top relative to the bottom, as a fraction of the height
    (right-leaning handwriting is about 0.1-0.2). Every point wobbles by up to 1.5% of the height.
    """
    if digit not in GLYPHS:
        raise ValueError(f"digit must be 0-9, got {digit!r}")
    strokes, aspect = GLYPHS[digit][style % len(GLYPHS[digit])]
    width = aspect * height
    wobble = 0.015 * height
    placed = []
    for stroke in strokes:
        points = [
            (
                left + x * width + slant * (1 - y) * height + rng.uniform(-wobble, wobble),
                top + y * height + rng.uniform(-wobble, wobble),
            )
            for x, y in stroke
        ]
        placed.append(_densify(points, height=height))
    return placed


def glyph_width(digit: int, *, style: int, height: float) -> float:
    """Return the width of a digit's glyph in pad units (without slant)."""
    return GLYPHS[digit][style % len(GLYPHS[digit])][1] * height


def number_strokes(
    text: str, *, rng: random.Random, pad_height: float = 280.0, stroke_width: float = 20.0
) -> list:
    """Strokes of a handwritten number across the 2:1 pad, in pad fractions (x of its width, y of its height).

    Each digit gets a random style, the number a common slant, size and baseline. Gaps between
    digits are 15-45% of the digit height and always more than a stroke's width (`stroke_width`,
    pad units: the page's default pen), so drawn digits do not touch; touching digits are the
    segmentation tests' job, with MNIST digits.
    """
    if not text or not text.isdigit():
        raise ValueError(f"text must be a string of digits, got {text!r}")
    pad_width = PAD_ASPECT * pad_height
    styles = [rng.randrange(STYLES[int(char)]) for char in text]
    gap_fractions = [rng.uniform(0.15, 0.45) for _ in text[1:]]
    slant = rng.uniform(-0.05, 0.2)
    minimum_gap = stroke_width + 8  # the ink of two neighbours stays this far apart, less the wobble

    def layout(height: float) -> tuple[list, float]:
        gaps = [max(fraction * height, minimum_gap) for fraction in gap_fractions]
        widths = [
            glyph_width(int(char), style=style, height=height)
            for char, style in zip(text, styles, strict=True)
        ]
        return gaps, sum(widths) + sum(gaps) + abs(slant) * height

    height = rng.uniform(0.45, 0.7) * pad_height
    while layout(height)[1] > 0.9 * pad_width:  # shrink until the number fits the pad's width
        height *= 0.97
    gaps, total = layout(height)
    left = (pad_width - total) / 2 + rng.uniform(-0.5, 0.5) * (0.95 * pad_width - total)
    top = (pad_height - height) / 2 + rng.uniform(-0.3, 0.3) * (pad_height - height - stroke_width)
    strokes = []
    for index, (char, style) in enumerate(zip(text, styles, strict=True)):
        shifted = left + max(0.0, -slant) * height
        strokes += glyph_strokes(
            int(char), style=style, left=shifted, top=top, height=height, slant=slant, rng=rng
        )
        left += glyph_width(int(char), style=style, height=height) + (gaps[index] if index < len(gaps) else 0)
    return [[(x / pad_width, y / pad_height) for x, y in stroke] for stroke in strokes]


def random_number(rng: random.Random, *, digits: int) -> str:
    """Return `digits` random digits (a leading 0 allowed: postcodes and meter readings have them)."""
    return "".join(str(rng.randrange(10)) for _ in range(digits))
