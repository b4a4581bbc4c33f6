"""The robust image path (`digits.image`, issue 8): polarity with digits touching the frame, ruled
lines, specks and paper edges, digits in two strokes, blank paper, 1-px lines brought to MNIST's
stroke width. Scenes are made by code (`tests/golden/renderings.py`); the same path in JavaScript
is held equal by the golden files (`tests/test_preprocess.py`)."""

import io
import pathlib

import numpy as np
import pytest
from golden_files import load_golden_module
from PIL import Image

from digits.image import load_image, preprocess_image

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]


RENDERINGS = load_golden_module("renderings")


def png_bytes(array: np.ndarray, *, format: str = "PNG", **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format, **save_options)
    return buffer.getvalue()


def paper_with(ink: np.ndarray, **options) -> bytes:
    """Ink float `(h, w)` in [0, 1] written dark on a lit, noisy paper photo, as PNG."""
    return png_bytes(RENDERINGS.paper_scene(ink, size=ink.shape, seed=0, shadow=0.2, **options))


def test_tight_crop_touching_the_frame_keeps_its_ink():
    rows, columns = np.mgrid[0:90, 0:70]
    distance = np.hypot((rows - 44.5) / 45, (columns - 34.5) / 35)
    ring = (distance > 0.62) & (distance <= 1.0)  # a bold "0" touching all four sides
    gray = load_image(png_bytes(np.where(ring, 20, 235).astype(np.uint8)))
    assert (gray[ring] > 0.5).mean() > 0.9 and (gray[distance < 0.5] > 0.1).mean() == 0


def test_ruled_lines_specks_and_paper_edges_are_dropped():
    ink = np.zeros((200, 240))
    ink[40:160, 100:112] = 1.0  # the digit: a "1"
    ink[9::20] = np.maximum(ink[9::20], 0.5)  # ruled lines across the page
    ink[180:183, 20:23] = 1.0  # a speck far from the digit
    ink[:, 215:] = 1.0  # a dark table beyond the paper's edge
    gray = load_image(paper_with(ink))
    columns = np.flatnonzero((gray > 0.1).any(axis=0))
    assert columns.min() >= 98 and columns.max() <= 113, columns
    assert (gray[49, 100:112] > 0.5).all()  # the digit crosses a line and keeps its pixels there


def test_a_four_drawn_in_two_strokes_stays_whole():
    ink = np.zeros((160, 160))
    ink[30:100, 40:48] = 1.0  # the left stroke and the bar, one piece
    ink[92:100, 40:120] = 1.0
    ink[20:140, 100:108] = 1.0  # the right stroke, drawn apart
    gray = load_image(paper_with(ink))
    assert (gray[40:90, 40:48] > 0.5).mean() > 0.9 and (gray[110:135, 100:108] > 0.5).mean() > 0.9


@pytest.mark.parametrize(("seed", "shadow"), [(0, 0.1), (1, 0.1), (2, 0.1), (0, 0.45), (1, 0.45)])
def test_blank_paper_photos_say_no_digit(seed, shadow):
    """Light shadows, and deep ones whose soft edges fade over many pixels."""
    scene = RENDERINGS.paper_scene(np.zeros((10, 10)), size=(130, 150), seed=seed, shadow=shadow)
    assert preprocess_image(png_bytes(scene, format="JPEG", quality=85)) is None


MEDIUM_SHADOWS = [(seed, shadow) for seed in (1, 5, 7, 12, 15) for shadow in (0.25, 0.3, 0.35)]


@pytest.mark.parametrize(("seed", "shadow"), MEDIUM_SHADOWS)
def test_blank_pages_under_a_medium_shadow_say_no_digit(seed, shadow):
    """A shadow whose residue is barely above the noise: its ink is riddled with holes and frayed
    into specks around it, none of it a digit (the disc of `paper_scene`, placed by the seed)."""
    scene = RENDERINGS.paper_scene(np.zeros((10, 10)), size=(150, 180), seed=seed, shadow=shadow)
    assert preprocess_image(png_bytes(scene, format="JPEG", quality=85)) is None


@pytest.mark.parametrize(("seed", "shadow"), [(3, 0.3), (8, 0.2), (13, 0.3), (5, 0.45)])
def test_blank_pages_under_an_elliptic_shadow_say_no_digit(seed, shadow):
    """A tilted elliptic shadow of another size and edge, on pages of two sizes."""
    for size in ((150, 180), (300, 400)):
        scene = RENDERINGS.elliptic_shadow_page(size=size, seed=seed, shadow=shadow)
        assert preprocess_image(png_bytes(scene, format="JPEG", quality=85)) is None, size


@pytest.mark.parametrize(("seed", "shadow"), [(1, 0.3), (7, 0.3), (12, 0.45)])
def test_a_digit_on_shaded_paper_is_still_read(seed, shadow):
    """The same shaded pages with a "4" written on them: its ink is kept, the shadow's is not."""
    ink = np.zeros((90, 90))
    ink[10:55, 20:28] = 1.0  # the left stroke and the bar
    ink[48:56, 20:75] = 1.0
    ink[5:85, 60:68] = 1.0  # the right stroke
    scene = RENDERINGS.paper_scene(ink, size=(150, 180), seed=seed, shadow=shadow)
    shaded = preprocess_image(png_bytes(scene, format="JPEG", quality=85))
    plain = preprocess_image(png_bytes(RENDERINGS.paper_scene(ink, size=(150, 180), seed=seed, shadow=0.0)))
    assert shaded is not None
    assert np.corrcoef(shaded.ravel(), plain.ravel())[0, 1] > 0.95


def test_one_pixel_lines_become_strokes_of_mnist_width():
    canvas = np.full((200, 200), 255, dtype=np.uint8)
    canvas[30:170, 100] = 0  # a "1" drawn with a 1-px pen
    canvas[30, 80:100] = 0
    image = preprocess_image(png_bytes(canvas))
    widths = (image[6:22] > 0.5).sum(axis=1)
    assert image.max() > 0.99 and np.median(widths) >= 2, widths
