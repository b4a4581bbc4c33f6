"""Write `tests/golden/segment.json`: ink images and their digits by `digits.image.segment`.

`tests/js/check_segment.js` runs `web/image/segment.js` on the same ink and must find the same
boxes, in the same order, with every 28×28 input within 1/255 per pixel. Run from the repository
root after changing the segmentation or the recipe: `.venv/bin/python tests/golden/make_segment_golden.py`;
`tests/test_segment.py` fails when the committed file no longer matches what Python computes.

Each case is clean ink (white on black) quantised to uint8 (zlib + base64), so both languages read
the same values: MNIST test digits composed into numbers (gaps, touching, three touching), drawn
pieces (a 4 in two strokes, a crossed 7, a 1 with a foot, a 5's flag), specks and a fragment.
Most cases run without a model; two run with `classify` = the "column classifier", a stand-in both
languages compute exactly: it is sure (p = 0.99) of a 28×28 input whose ink spans at most 18
columns and unsure (0.5) otherwise, so a wide whole reads unsurely and narrow parts surely.
"""

import base64
import json
import pathlib
import sys
import zlib

import numpy as np

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPOSITORY))
import digits.image.segment as segmentation  # noqa: E402
from bench.numbers import compose, digit_ink, touching_gap  # noqa: E402
from digits.constants import INK_THRESHOLD, NUM_CLASSES  # noqa: E402
from digits.files import write_atomically  # noqa: E402

GOLDEN_PATH = REPOSITORY / "tests" / "golden" / "segment.json"
TOLERANCE = 1 / 255  # the largest per-pixel difference allowed between the two languages
NARROW_COLUMNS = 18  # the column classifier is sure of inputs whose ink spans at most this many columns
CONSTANT_NAMES = (
    "SPECK_FRACTION",
    "FAINT_PEAK",
    "MERGE_OVERLAP",
    "MIN_DIGIT_HEIGHT",
    "ATTACH_GAP",
    "SPLIT_ASPECT",
    "SPLIT_RULES",
    "ALONE_RULES",
    "FORCE_ASPECT",
    "CONTEXT_WIDE",
    "MIN_PART_WIDTH",
    "MIN_PART_HEIGHT",
    "MIN_PART_WHOLE",
    "MAX_CUT_INK",
    "MAX_CUT_STROKES",
    "MAX_CANDIDATES",
)


def column_classifier(images: np.ndarray) -> np.ndarray:
    """Float32 `(n, 28, 28)` → `(n, 10)`: p = 0.99 for class 1 when the ink spans ≤ 18 columns, else 0.5."""
    probabilities = np.zeros((len(images), NUM_CLASSES), dtype=np.float32)
    for index, image in enumerate(images):
        columns = np.flatnonzero((image > INK_THRESHOLD).any(axis=0))
        sure = len(columns) > 0 and columns[-1] - columns[0] + 1 <= NARROW_COLUMNS
        probabilities[index] = (1 - (0.99 if sure else 0.5)) / (NUM_CLASSES - 1)
        probabilities[index, 1] = 0.99 if sure else 0.5
    return probabilities


def encode(array: np.ndarray) -> str:
    return base64.b64encode(zlib.compress(np.ascontiguousarray(array).tobytes(), 9)).decode("ascii")


def strokes(height: int, width: int, rectangles: list) -> np.ndarray:
    """A uint8 canvas with full-ink rectangles (x0, y0, x1, y1): drawn pieces without a rasteriser."""
    canvas = np.zeros((height, width), dtype=np.uint8)
    for x0, y0, x1, y1 in rectangles:
        canvas[y0:y1, x0:x1] = 255
    return canvas


def mnist_cases() -> list:
    """Numbers of MNIST test digits: (name, uint8 ink, classify?)."""
    from train.data import load_mnist

    data = load_mnist()
    first = {
        digit: digit_ink(data.test_images[int(np.argmax(data.test_labels == digit))]) for digit in range(10)
    }
    second = {
        digit: digit_ink(data.test_images[int(np.flatnonzero(data.test_labels == digit)[1])])
        for digit in range(10)
    }
    twice = lambda ink: np.kron(ink, np.ones((2, 2), dtype=np.uint8))  # noqa: E731 (a larger drawing)
    touch = touching_gap(first[4], first[7], shifts=[0, 0])
    touch_three = touching_gap(second[0], first[8], shifts=[0, 0])
    return [
        ("single_mnist_7", compose([first[7]], []), False),
        ("number_2026_gap_4", compose([first[2], first[0], second[2], first[6]], [4, 4, 4]), False),
        ("number_90210_gap_1_twice", twice(compose([first[d] for d in (9, 0, 2, 1, 0)], [1] * 4)), False),
        ("number_315_gap_0", compose([first[3], first[1], first[5]], [0, 0]), False),
        ("touching_47", compose([first[4], first[7]], [touch]), False),
        ("touching_47_column_classifier", compose([first[4], first[7]], [touch]), True),
        (
            "three_touching_080_column_classifier",
            compose([second[0], first[8], first[0]], [touch_three] * 2),
            True,
        ),
    ]


def drawn_cases() -> list:
    """Drawn pieces: (name, uint8 ink, classify?)."""
    return [
        ("blank", np.zeros((40, 60), dtype=np.uint8), False),
        ("four_in_two_strokes", strokes(60, 50, [(10, 5, 14, 35), (10, 31, 40, 35), (30, 5, 34, 55)]), False),
        ("one_and_seven_apart", strokes(60, 60, [(10, 5, 14, 55), (24, 5, 50, 9), (46, 9, 50, 55)]), False),
        ("crossed_seven", strokes(60, 50, [(8, 5, 40, 9), (30, 9, 34, 55), (22, 28, 44, 31)]), False),
        (
            "one_with_foot_and_speck",
            strokes(60, 60, [(28, 5, 32, 50), (18, 53, 42, 56), (50, 10, 52, 12)]),
            False,
        ),
        (
            "five_flag_and_fragment",
            strokes(
                60,
                80,
                [
                    (10, 5, 14, 30),
                    (10, 27, 34, 31),
                    (30, 31, 34, 55),
                    (10, 52, 34, 55),
                    (16, 2, 36, 5),
                    (45, 40, 50, 46),
                ],
            ),
            False,
        ),
        ("wide_bar_pair", strokes(40, 100, [(5, 5, 9, 35), (9, 18, 60, 21), (60, 5, 64, 35)]), False),
    ]


def main() -> None:
    """Compute every case and write the golden file."""
    cases = []
    for name, ink, with_model in drawn_cases() + mnist_cases():
        found = segmentation.segment(
            ink.astype(np.float32) / 255, classify=column_classifier if with_model else None
        )
        cases.append(
            {
                "name": name,
                "width": int(ink.shape[1]),
                "height": int(ink.shape[0]),
                "classify": "columns" if with_model else None,
                "input_uint8": encode(ink.astype(np.uint8)),
                "expected": [
                    {"box": list(digit.box), "image_float32": encode(digit.image.astype("<f4"))}
                    for digit in found
                ],
            }
        )
    golden = {
        "tolerance": TOLERANCE,
        "narrow_columns": NARROW_COLUMNS,
        "constants": {name: getattr(segmentation, name) for name in CONSTANT_NAMES},
        "cases": cases,
    }
    write_atomically(GOLDEN_PATH, json.dumps(golden, indent=1) + "\n")
    print(
        f"wrote {GOLDEN_PATH}: {len(cases)} cases, "
        + ", ".join(f"{c['name']} {len(c['expected'])}" for c in cases)
    )


if __name__ == "__main__":
    main()
