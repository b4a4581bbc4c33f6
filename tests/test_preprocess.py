"""digits.image (the MNIST recipe, image decoding) and its JavaScript twin web/preprocess.js."""

import importlib.util
import io
import json
import pathlib
import struct
import zlib

import numpy as np
import pytest
from golden_files import assert_expected_equal, decode, load_golden_module, run_js_check
from PIL import Image

from digits.constants import BOX_SIZE, IMAGE_SIZE
from digits.image import ImageError, load_image, preprocess_array, preprocess_image

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
GOLDEN_PATH = REPOSITORY / "tests" / "golden" / "preprocess.json"
IMAGES_PATH = REPOSITORY / "tests" / "golden" / "images.json"
JS_TOLERANCE = 1 / 255  # per pixel, Python vs JavaScript
MNIST_TOLERANCE = 0.01  # mean |difference| when re-preprocessing MNIST's own (already centred) digits


def png_bytes(array: np.ndarray, mode: str | None = None, *, format: str = "PNG", **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode).save(buffer, format, **save_options)
    return buffer.getvalue()


def bar_canvas(height: int = 280, width: int = 280, *, top: int = 60, left: int = 100) -> np.ndarray:
    """A uint8 white-on-black canvas with a solid 40×120 (wide × tall) bar."""
    canvas = np.zeros((height, width), dtype=np.uint8)
    canvas[top : top + 120, left : left + 40] = 255
    return canvas


# --- golden vectors: Python file up to date, JavaScript agrees -------------------------------------


def test_golden_file_matches_the_python_recipe():
    golden = json.loads(GOLDEN_PATH.read_text())
    fresh = load_golden_module("make_golden").build_golden()
    assert [case["name"] for case in golden["cases"]] == [case["name"] for case in fresh["cases"]]
    for stored, computed in zip(golden["cases"], fresh["cases"], strict=True):
        assert decode(stored["input_uint8"], "u1").tolist() == decode(computed["input_uint8"], "u1").tolist()
        assert_expected_equal(stored, computed)
    names = {case["name"] for case in golden["cases"]}
    assert {"blank", "near_blank_dot", "eight_touching_border", "six_portrait_canvas"} <= names
    assert sum(case["expected_float32"] is None for case in golden["cases"]) >= 2


def test_image_golden_file_matches_the_python_image_path():
    golden = json.loads(IMAGES_PATH.read_text())
    fresh = load_golden_module("make_golden").build_image_golden()  # rebuilt from the digits stored in it
    assert [case["name"] for case in golden["cases"]] == [case["name"] for case in fresh["cases"]]
    for stored, computed in zip(golden["cases"], fresh["cases"], strict=True):
        assert stored["pixels_uint8"] == computed["pixels_uint8"], f"{stored['name']}: the file changed"
        assert_expected_equal(stored, computed)
    names = {case["name"] for case in golden["cases"]}
    assert {
        "photo_shadow_jpeg",
        "tight_crop_png",
        "thin_lines_png",
        "ruled_paper_png",
        "blank_paper_jpeg",
    } <= names
    assert any(case["width"] > 1024 or case["height"] > 1024 for case in golden["cases"])  # a reduced one


def test_javascript_matches_python_on_golden_vectors():
    result, report = run_js_check("check_preprocess.js")
    failures = [case for case in report["cases"] if not case["ok"]]
    assert result.returncode == 0 and not failures, failures or result.stderr
    golden = json.loads(GOLDEN_PATH.read_text())
    images = json.loads(IMAGES_PATH.read_text())
    # both entry points per drawing, a transparent canvas, then every image file through fromPhoto
    assert len(report["cases"]) == 2 * len(golden["cases"]) + 1 + len(images["cases"])
    assert report["missing_from_spec"] == []
    assert report["max_abs_diff"] <= JS_TOLERANCE
    for case in report["cases"]:
        assert case["blank_expected"] == case["blank_actual"], case


def test_javascript_preprocessing_never_touches_the_dom():
    source = (REPOSITORY / "web" / "preprocess.js").read_text()
    assert "document" not in source and "window." not in source  # no DOM access outside ui.js


# --- the recipe ----------------------------------------------------------------------------------------


def test_output_shape_range_box_and_centre():
    image = preprocess_array(bar_canvas())
    assert image.shape == (IMAGE_SIZE, IMAGE_SIZE) and image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() <= 1.0
    rows, columns = np.nonzero(image > 0)
    assert rows.max() - rows.min() + 1 == BOX_SIZE  # the longer side is 20 px
    assert columns.max() - columns.min() + 1 == round(40 * BOX_SIZE / 120)  # aspect ratio kept
    mass = image.sum()
    assert abs((image.sum(axis=1) * np.arange(IMAGE_SIZE)).sum() / mass - IMAGE_SIZE // 2) <= 0.5
    assert abs((image.sum(axis=0) * np.arange(IMAGE_SIZE)).sum() / mass - IMAGE_SIZE // 2) <= 0.5


def test_position_and_canvas_size_do_not_matter():
    reference = preprocess_array(bar_canvas())
    np.testing.assert_array_equal(preprocess_array(bar_canvas(top=0, left=0)), reference)
    np.testing.assert_array_equal(preprocess_array(bar_canvas(400, 300, top=280, left=260)), reference)


def test_uint8_and_float_inputs_agree():
    canvas = bar_canvas()
    np.testing.assert_allclose(preprocess_array(canvas), preprocess_array(canvas / 255.0), atol=1e-6)
    np.testing.assert_allclose(
        preprocess_array(canvas), preprocess_array((canvas / 255.0).astype(np.float32)), atol=1e-6
    )


def test_blank_and_near_blank_are_none():
    assert preprocess_array(np.zeros((280, 280))) is None
    assert preprocess_array(np.full((280, 280), 0.05)) is None  # below the ink threshold
    dot = np.zeros((280, 280))
    dot[100:102, 100:102] = 1.0  # a stray 2×2 dot on a 280-pixel pad
    assert preprocess_array(dot) is None


def test_heavy_end_is_clamped_not_cut_off():
    canvas = np.zeros((280, 280))
    canvas[135:145, 20:260] = 1.0
    canvas[100:180, 20:80] = 1.0  # almost all the mass at the left end
    image = preprocess_array(canvas)
    assert image.sum() == pytest.approx(preprocess_array(canvas[:, ::-1])[:, ::-1].sum(), rel=1e-6)
    columns = np.nonzero(image.any(axis=0))[0]
    assert columns.max() - columns.min() + 1 == BOX_SIZE and columns.max() <= IMAGE_SIZE - 1


@pytest.mark.parametrize("shape", [(28,), (0, 5), (3, 4, 5)])
def test_wrong_shapes_raise_value_error(shape):
    with pytest.raises(ValueError, match="shape"):
        preprocess_array(np.zeros(shape))


def test_mnist_digits_are_already_preprocessed(mnist_data_dir):
    loader = importlib.import_module("train.data")
    data = loader.load_mnist(mnist_data_dir)
    differences = [np.abs(preprocess_array(image) - image / 255.0).mean() for image in data.test_images[:300]]
    assert np.mean(differences) <= MNIST_TOLERANCE, np.mean(differences)


# --- decoding -----------------------------------------------------------------------------------------


def digit_pixels() -> np.ndarray:
    canvas = np.zeros((120, 100), dtype=np.uint8)
    canvas[20:100, 45:60] = 255
    canvas[20:35, 30:60] = 255
    return canvas


@pytest.mark.parametrize("mode", ["L", "RGB", "P", "1", "LA", "RGBA", "CMYK", "I;16", "I", "F"])
def test_every_mode_decodes_to_white_on_black(mode):
    pixels = digit_pixels()
    if mode == "I;16":
        image = Image.fromarray(pixels.astype(np.uint16) * 257)
    else:
        image = Image.fromarray(pixels).convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, "TIFF" if mode in ("CMYK", "I;16", "I", "F") else "PNG")
    gray = load_image(buffer.getvalue())
    assert gray.dtype == np.float32 and gray.shape == pixels.shape
    np.testing.assert_allclose(gray, pixels / 255.0, atol=0.02)


def test_dark_ink_on_paper_is_inverted_and_jpeg_works():
    gray = load_image(png_bytes(255 - digit_pixels(), format="JPEG", quality=90))
    assert gray[60, 50] > 0.9 and gray[5, 5] < 0.05


@pytest.mark.parametrize("ink", [(0, 0, 80), (255, 255, 255)])
def test_transparency_is_background(ink):
    rgba = np.zeros((120, 100, 4), dtype=np.uint8)
    rgba[..., :3] = ink
    rgba[..., 3] = digit_pixels()  # the digit is opaque, the rest transparent
    gray = load_image(png_bytes(rgba, "RGBA"))
    assert gray[60, 50] > 0.9 and gray[5, 5] < 0.05


def test_exif_orientation_is_applied():
    image = Image.fromarray(digit_pixels())
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: viewers turn it 90° clockwise
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    gray = load_image(buffer.getvalue())
    assert gray.shape == (100, 120)


def test_phone_photo_of_paper_keeps_the_digit_and_drops_the_grain():
    generator = np.random.default_rng(0)
    rows, columns = np.mgrid[0:600, 0:800]
    paper = 0.6 + 0.25 * columns / 800 + generator.normal(0, 0.03, rows.shape)  # uneven light, grain
    ink = (np.abs(columns - 400) < 14) & (rows > 150) & (rows < 450)
    photo = np.where(ink, 0.15 + generator.normal(0, 0.03, rows.shape), paper)
    rgb = (np.clip(np.stack([photo, photo * 0.95, photo * 0.9], axis=-1), 0, 1) * 255).astype(np.uint8)
    gray = load_image(png_bytes(rgb, format="JPEG", quality=85))
    assert (gray[~ink] > 0.1).mean() < 0.001  # the paper is black
    assert (gray[ink] > 0.1).mean() > 0.95  # the stroke survives
    image = preprocess_array(gray)
    assert image is not None and np.nonzero(image.any(axis=0))[0].size <= 4  # a thin "1"


def test_sources_path_bytes_and_file(tmp_path):
    data = png_bytes(digit_pixels())
    path = tmp_path / "digit.png"
    path.write_bytes(data)
    from_path, from_string = load_image(path), load_image(str(path))
    np.testing.assert_array_equal(from_path, load_image(data))
    np.testing.assert_array_equal(from_string, load_image(io.BytesIO(data)))
    assert preprocess_image(path).shape == (IMAGE_SIZE, IMAGE_SIZE)
    assert preprocess_image(png_bytes(np.zeros((50, 50), dtype=np.uint8))) is None


NOISE_PNG = png_bytes(np.random.default_rng(0).integers(0, 256, (200, 200), dtype=np.uint8))
TRUNCATED_PNG = NOISE_PNG[: len(NOISE_PNG) // 2]  # header and half the pixel data


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_header(width: int, height: int) -> bytes:
    """A small PNG whose header claims width × height (8-bit grey), with one row of pixel data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(bytes(1 + min(width, 1000)))
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", pixels)
        + png_chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"definitely not an image", "not an image"),
        (png_header(50_000, 50_000), "too large"),  # 2.5 gigapixels: beyond Pillow's own bomb limit
        (png_header(10_000, 5_000), "too large"),  # 50 megapixels: beyond ours
        (TRUNCATED_PNG, "truncated"),
    ],
)
def test_bad_inputs_raise_one_line_image_errors(data, message):
    with pytest.raises(ImageError, match=message) as caught:
        load_image(data)
    assert isinstance(caught.value, ValueError) and "\n" not in str(caught.value)


def test_limit_is_checked_before_decoding_and_is_adjustable(tmp_path):
    with pytest.raises(ImageError, match="too large"):
        load_image(png_bytes(digit_pixels()), max_pixels=1000)
    with pytest.raises(ImageError, match="not found"):
        load_image(tmp_path / "missing.png")
    with pytest.raises(ValueError, match="max_pixels"):
        load_image(png_bytes(digit_pixels()), max_pixels=0)
