"""Whole image files for the golden vectors: photos, scans and drawings made by code from MNIST
digits (`renderings.py`), each a kind of input the image path must read.

`CASES` maps a name to a function of the MNIST digits (`{label: uint8 (28, 28)}`) returning the
file's bytes. `make_golden.py` reads each through `digits.image.preprocess_image` and stores the
RGBA pixels Pillow decodes (EXIF orientation applied, as a browser shows them) for the JS side.
"""

import io

import numpy as np
from PIL import Image
from renderings import elliptic_shadow_page, encode, paper_scene, tight, upscale  # noqa: E402 (tests/golden is on the path)

# key → MNIST test index: 0–9 are digits with that label; 10 is a 5 whose tight crop's polarity
# the first guess gets wrong (the other one wins), 11 a 5 whose bar lies along a tight crop's edge.
DIGIT_INDICES = {0: 3, 1: 2, 2: 1, 3: 18, 4: 4, 5: 8, 6: 11, 7: 0, 8: 61, 9: 7, 10: 1847, 11: 1911}


def _photo(digit, *, size=(150, 130), side=96, seed=0, **options) -> np.ndarray:
    return paper_scene(upscale(digit, side), size=(size[1], size[0]), seed=seed, **options)


def thin_line_drawing(digit: np.ndarray, *, side: int = 160) -> np.ndarray:
    """A paint program's 1-px black line on white: the digit's 4× outline traced 1 px wide."""
    ink = upscale(digit, side) >= 0.5
    inside = ink[1:-1, 1:-1] & ink[:-2, 1:-1] & ink[2:, 1:-1] & ink[1:-1, :-2] & ink[1:-1, 2:]
    edge = ink.copy()
    edge[1:-1, 1:-1] &= ~inside
    return np.where(edge, 0, 255).astype(np.uint8)


def ruled_paper(digit: np.ndarray) -> np.ndarray:
    """Ruled paper: light blue lines every 20 px across the page, the digit written over them."""
    scene = _photo(digit, size=(150, 140), side=100, seed=3, shadow=0.15).astype(np.float64)
    scene[10::20] = scene[10::20] * np.array([0.55, 0.7, 0.95])
    return scene.round().astype(np.uint8)


def speck_and_edge(digit: np.ndarray) -> np.ndarray:
    """A photo with a dark table beyond the paper's right edge and an ink speck far from the digit."""
    scene = _photo(digit, size=(170, 140), side=96, seed=4, at=(22, 20)).astype(np.float64)
    scene[:, 140:] = 40  # the table
    scene[120:124, 120:124] = 30  # the speck
    return scene.round().astype(np.uint8)


def transparent(digit: np.ndarray) -> np.ndarray:
    """Dark ink on a transparent background (RGBA), as drawing apps export."""
    ink = upscale(digit, 100)
    rgba = np.zeros((120, 120, 4), dtype=np.uint8)
    rgba[..., :3] = (20, 20, 60)
    rgba[10:110, 10:110, 3] = (ink * 255).round().astype(np.uint8)
    return rgba


def exif_rotated(digit: np.ndarray) -> bytes:
    """A phone photo stored sideways with EXIF orientation 6 (viewers turn it 90° clockwise)."""
    stored = Image.fromarray(_photo(digit, seed=5)).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", quality=88, exif=exif.tobytes())
    return buffer.getvalue()


CASES = {  # name → digits → file bytes
    "photo_shadow_jpeg": lambda d: encode(_photo(d[7], seed=1, shadow=0.45), "JPEG", quality=85),
    "scan_png": lambda d: encode(_photo(d[2], seed=2, shadow=0.0, noise=0.01)),
    "inverted_png": lambda d: encode(np.pad((upscale(d[1], 100) * 255).round().astype(np.uint8), 30)),
    "tight_crop_png": lambda d: encode(255 - tight(np.asarray(Image.fromarray(d[0]).resize((84, 84))))),
    "thin_lines_png": lambda d: encode(thin_line_drawing(d[4])),
    "blue_pen_jpeg": lambda d: encode(_photo(d[5], seed=6, pen=(0.15, 0.25, 0.75)), "JPEG", quality=90),
    "red_pen_png": lambda d: encode(_photo(d[3], seed=7, pen=(0.8, 0.15, 0.1), shadow=0.2)),
    "ruled_paper_png": lambda d: encode(ruled_paper(d[6])),
    "speck_and_edge_jpeg": lambda d: encode(speck_and_edge(d[3]), "JPEG", quality=90),
    "transparent_png": lambda d: encode(transparent(d[8])),
    "exif_rotated_jpeg": lambda d: exif_rotated(d[9]),
    "large_png_reduced": lambda d: encode(
        paper_scene(upscale(d[2], 600), size=(900, 1300), seed=8, noise=0.0)
    ),
    "tight_small_polarity_png": lambda d: encode(255 - tight(d[10])),
    "tight_bar_on_edge_png": lambda d: encode(255 - tight(d[11])),
    "bold_scan_bilinear_png": lambda d: encode(
        255 - np.asarray(Image.fromarray(d[0]).resize((112, 112), Image.BILINEAR))
    ),
    "tiny_16px_png": lambda d: encode(255 - np.asarray(Image.fromarray(d[7]).resize((16, 16)))),
    "blank_paper_jpeg": lambda d: encode(
        _photo(np.zeros((28, 28), np.uint8), seed=9, shadow=0.1), "JPEG", quality=85
    ),
    "blank_paper_deep_shadow_jpeg": lambda d: encode(
        _photo(np.zeros((28, 28), np.uint8), seed=1, shadow=0.45), "JPEG", quality=85
    ),
    # a medium shadow: its residue barely above the noise, frayed (bench/image_path.py's blank pages)
    "blank_paper_medium_shadow_jpeg": lambda d: encode(
        paper_scene(np.zeros((10, 10)), size=(150, 180), seed=1, shadow=0.3), "JPEG", quality=85
    ),
    "blank_paper_elliptic_shadow_jpeg": lambda d: encode(
        elliptic_shadow_page(size=(150, 180), seed=3, shadow=0.3), "JPEG", quality=85
    ),
}
