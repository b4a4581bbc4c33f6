"""Write the golden vectors: `tests/golden/preprocess.json` (drawings → 28×28 by
`digits.image.preprocess_array`) and `tests/golden/images.json` (whole image files → 28×28 by
`digits.image.preprocess_image`).

`tests/js/check_preprocess.js` runs `web/preprocess.js` on the same inputs and must agree within
1/255 per pixel, with the same blank decisions. Run from the repository root after changing the
Python image path: `.venv/bin/python tests/golden/make_golden.py`; `tests/test_preprocess.py` fails
when a committed file no longer matches what the Python side computes.

Image files (`image_cases.py`: photos with shadows, scans, 1-px line drawings, coloured pens,
ruled paper, specks and paper edges, transparency, EXIF rotation, a reduced large image, a tiny
one, blank paper) are made by code from a few MNIST test digits, stored in `images.json` so the
files can be rebuilt without the MNIST download. The JS side gets the RGBA pixels Pillow decoded
(EXIF orientation applied, as a browser shows the file), so the two decoders need not agree.

Each case is a canvas (width × height, black) with antialiased white strokes (polylines with a pen
width and an ink level); the JSON keeps the stroke definitions for reading and the rendered uint8
pixels for computing (zlib + base64, so no rasteriser has to agree across languages). Expected
outputs are float32 28×28 (zlib + base64), or null for a blank canvas.
"""

import base64
import io
import json
import math
import os
import pathlib
import sys
import zlib

import numpy as np
from PIL import Image, ImageOps

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]
GOLDEN_DIR = REPOSITORY / "tests" / "golden"
sys.path.insert(0, str(REPOSITORY))
sys.path.insert(0, str(GOLDEN_DIR))
from image_cases import CASES as IMAGE_CASES  # noqa: E402
from image_cases import DIGIT_INDICES  # noqa: E402

from digits.constants import BOX_SIZE, IMAGE_SIZE  # noqa: E402
from digits.files import write_atomically  # noqa: E402
from digits.image import preprocess_array, preprocess_image  # noqa: E402

GOLDEN_PATH = GOLDEN_DIR / "preprocess.json"
IMAGES_PATH = GOLDEN_DIR / "images.json"
TOLERANCE = 1 / 255  # the largest per-pixel difference allowed between the two languages


def ellipse(center_x: float, center_y: float, radius_x: float, radius_y: float, points: int = 24) -> list:
    """A closed polyline approximating an ellipse, as [[x, y], …]."""
    return [
        [
            round(center_x + radius_x * math.cos(2 * math.pi * k / points), 2),
            round(center_y + radius_y * math.sin(2 * math.pi * k / points), 2),
        ]
        for k in range(points + 1)
    ]


# name, width, height, strokes: each {"points": [[x, y], …], "width": pen px, "ink": 0…1}
CASES = [
    ("seven_centred", 280, 280, [{"points": [[80, 70], [200, 70], [120, 220]], "width": 18, "ink": 1}]),
    (
        "three_small_off_centre",
        280,
        280,
        [
            {
                "points": [[20, 20], [60, 15], [70, 40], [45, 55], [72, 70], [60, 95], [18, 92]],
                "width": 7,
                "ink": 1,
            },
        ],
    ),
    (
        "four_thin",
        280,
        280,
        [
            {"points": [[150, 40], [70, 170], [210, 170]], "width": 2, "ink": 1},
            {"points": [[170, 110], [170, 250]], "width": 2, "ink": 1},
        ],
    ),
    ("zero_thick", 280, 280, [{"points": ellipse(140, 140, 70, 100), "width": 34, "ink": 1}]),
    ("one_tall", 280, 280, [{"points": [[150, 30], [140, 250]], "width": 16, "ink": 1}]),
    ("dash_wide", 280, 280, [{"points": [[30, 150], [250, 140]], "width": 14, "ink": 1}]),
    (
        "two_grey_ink",
        280,
        280,
        [
            {"points": [[80, 90], [140, 50], [200, 90], [90, 220], [210, 220]], "width": 20, "ink": 0.55},
        ],
    ),
    (
        "eight_touching_border",
        280,
        280,
        [
            {"points": ellipse(230, 80, 50, 75), "width": 20, "ink": 1},
            {"points": ellipse(230, 220, 55, 60), "width": 20, "ink": 1},
        ],
    ),
    (
        "heavy_end_clamped",
        280,
        280,
        [
            {"points": [[40, 140], [250, 140]], "width": 6, "ink": 1},
            {"points": [[30, 130], [40, 150]], "width": 60, "ink": 1},
        ],
    ),
    ("symmetric_bar_tie", 200, 200, [{"points": [[60, 80], [140, 80]], "width": 21, "ink": 1}]),
    (
        "six_portrait_canvas",
        200,
        320,
        [
            {
                "points": [[140, 40], [70, 150], [60, 240], [100, 290], [150, 250], [130, 190], [70, 210]],
                "width": 16,
                "ink": 1,
            },
        ],
    ),
    (
        "five_landscape_canvas",
        400,
        150,
        [
            {
                "points": [[240, 20], [180, 20], [175, 70], [220, 65], [235, 100], [210, 130], [170, 120]],
                "width": 10,
                "ink": 1,
            },
        ],
    ),
    (
        "nine_upscaled_small_canvas",
        28,
        28,
        [
            {"points": ellipse(12, 9, 3, 3, 12), "width": 1.5, "ink": 1},
            {"points": [[15, 9], [14, 19]], "width": 1.5, "ink": 1},
        ],
    ),
    ("near_blank_dot", 280, 280, [{"points": [[100, 100], [101, 101]], "width": 2, "ink": 1}]),
    ("blank", 280, 280, []),
    ("faint_below_threshold", 280, 280, [{"points": [[50, 50], [230, 230]], "width": 20, "ink": 0.08}]),
]


def render(width: int, height: int, strokes: list) -> np.ndarray:
    """Antialiased strokes on black → uint8 `(height, width)`: coverage from the distance to each
    segment (a one-pixel ramp at the pen's edge), strokes combined by maximum."""
    rows, columns = np.mgrid[0:height, 0:width].astype(np.float64) + 0.5
    canvas = np.zeros((height, width), dtype=np.float64)
    for stroke in strokes:
        points = np.asarray(stroke["points"], dtype=np.float64)
        distance = np.full((height, width), np.inf)
        for (x0, y0), (x1, y1) in zip(points[:-1], points[1:], strict=True):
            dx, dy = x1 - x0, y1 - y0
            length_squared = dx * dx + dy * dy
            t = np.clip(((columns - x0) * dx + (rows - y0) * dy) / max(length_squared, 1e-12), 0, 1)
            distance = np.minimum(distance, np.hypot(columns - (x0 + t * dx), rows - (y0 + t * dy)))
        coverage = np.clip(stroke["width"] / 2 + 0.5 - distance, 0.0, 1.0)
        canvas = np.maximum(canvas, coverage * stroke["ink"])
    return np.round(canvas * 255).astype(np.uint8)


def encode(array: np.ndarray) -> str:
    """Array → base64 of its zlib-compressed little-endian bytes."""
    return base64.b64encode(
        zlib.compress(np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes(), 9)
    ).decode("ascii")


def build_golden() -> dict:
    """Every case rendered and preprocessed: the document written to `GOLDEN_PATH`."""
    cases = []
    for name, width, height, strokes in CASES:
        pixels = render(width, height, strokes)
        expected = preprocess_array(pixels)
        cases.append(
            {
                "name": name,
                "width": width,
                "height": height,
                "strokes": strokes,
                "input_uint8": encode(pixels),
                "expected_float32": None if expected is None else encode(expected.astype(np.float32)),
            }
        )
    return {
        "description": "web/preprocess.js must match digits/image/recipe.py; see tests/golden/make_golden.py",
        "image_size": IMAGE_SIZE,
        "box_size": BOX_SIZE,
        "tolerance": TOLERANCE,
        "cases": cases,
    }


def source_digits() -> dict:
    """The MNIST test digits the image cases are made of: `{label: uint8 (28, 28)}`.

    Read from the committed `images.json` when it has them, else from MNIST (`train.data`)."""
    if IMAGES_PATH.is_file():
        golden = json.loads(IMAGES_PATH.read_text())
        if golden.get("digit_indices") == {str(key): index for key, index in DIGIT_INDICES.items()}:
            return {int(key): decode(text, "u1").reshape(28, 28) for key, text in golden["digits"].items()}
    from train.data import load_mnist

    data = load_mnist(os.environ.get("MNIST_DATA_DIR"))
    return {label: data.test_images[index] for label, index in DIGIT_INDICES.items()}


def decoded_rgba(data: bytes) -> np.ndarray:
    """The pixels a browser shows for an image file: Pillow's decoding, EXIF orientation applied, RGBA."""
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(ImageOps.exif_transpose(image).convert("RGBA"))


def decode(text: str, dtype: str) -> np.ndarray:
    """base64 of zlib-compressed bytes → a 1-D array."""
    return np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype=dtype)


def build_image_golden(digits: dict | None = None) -> dict:
    """Every image case made, decoded and read by the Python path: the document for `IMAGES_PATH`."""
    digits = source_digits() if digits is None else digits
    cases = []
    for name, make in IMAGE_CASES.items():
        data = make(digits)
        rgba = decoded_rgba(data)
        opaque = bool((rgba[..., 3] == 255).all())
        expected = preprocess_image(data)
        cases.append(
            {
                "name": name,
                "format": Image.open(io.BytesIO(data)).format,
                "file_bytes": len(data),
                "width": int(rgba.shape[1]),
                "height": int(rgba.shape[0]),
                "channels": 3 if opaque else 4,
                "pixels_uint8": encode(np.ascontiguousarray(rgba[..., :3] if opaque else rgba)),
                "expected_float32": None if expected is None else encode(expected.astype(np.float32)),
            }
        )
    return {
        "description": "web/preprocess.js fromPhoto must match digits.image.preprocess_image on these files;"
        " see tests/golden/make_golden.py",
        "tolerance": TOLERANCE,
        "digit_indices": {str(key): index for key, index in DIGIT_INDICES.items()},
        "digits": {str(key): encode(digit) for key, digit in sorted(digits.items())},
        "cases": cases,
    }


def write_cases(path: pathlib.Path, golden: dict) -> None:
    """Write a golden document atomically, one case per line."""
    header = {key: value for key, value in golden.items() if key != "cases"}
    lines = [json.dumps(case, separators=(",", ":")) for case in golden["cases"]]  # one case per line
    text = json.dumps(header, indent=1)[:-2] + ',\n "cases": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n"
    write_atomically(path, text)
    blank = sum(case["expected_float32"] is None for case in golden["cases"])
    print(f"wrote {path.relative_to(REPOSITORY)}: {len(golden['cases'])} cases ({blank} blank)")


def main() -> None:
    """Write both golden files atomically and say how many cases each holds."""
    write_cases(GOLDEN_PATH, build_golden())
    write_cases(IMAGES_PATH, build_image_golden())


if __name__ == "__main__":
    main()
