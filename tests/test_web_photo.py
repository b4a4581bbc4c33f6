"""The page's photo input in Chromium: input#photo, drag-and-drop and paste; bad files; real photos.

Digit images are rendered in the test from MNIST test digits (bench/digit_images.py): a PNG
screenshot (white on black), a JPEG paper photo and a PNG paper scan (dark on light), a JPEG
stored sideways with an EXIF orientation. Bad files must each give one line on the page, and
the page must keep working after them.
"""

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bench import browser as web_page
from bench import digit_images

pytestmark = pytest.mark.browser

pytest.importorskip("playwright.sync_api")

REAL_DIGITS_DIR = Path(__file__).resolve().parents[2] / "shared" / "realdigits"
REAL_PHOTO = "049_0.png"  # a phone photo: a thin pen on creased paper
REAL_TARGET = 0.97  # issue 8: ≥ 97% of ../shared/realdigits read right through input#photo
RENDERINGS = {
    "screenshot.png": (digit_images.screenshot_png, "image/png"),
    "paper-photo.jpg": (digit_images.paper_jpeg, "image/jpeg"),
    "paper-scan.png": (digit_images.paper_png, "image/png"),
    "sideways-exif.jpg": (digit_images.rotated_jpeg, "image/jpeg"),
}


@pytest.fixture(scope="module")
def first_of_each_digit(mnist_data_dir) -> list[tuple[int, np.ndarray]]:
    """The first MNIST test image of each digit 0-9: (label, uint8 (28, 28))."""
    from train.data import load_mnist

    data = load_mnist(mnist_data_dir)
    return [(digit, data.test_images[int(np.argmax(data.test_labels == digit))]) for digit in range(10)]


def _reading(page) -> dict:
    """The last reading's digits and boxes, and the photo's size, from the page."""
    return page.evaluate(
        "() => { const r = MnistPage.lastReading();"
        " return r && { number: r.number, boxes: r.digits.map((d) => d.box) }; }"
    )


def _check_read(page, expected: str, *, label: str) -> None:
    assert web_page.message(page) == "", f"{label}: {web_page.message(page)}"
    assert page.evaluate("MnistUi.currentView()") == "photo", f"{label}: the photo is shown"
    assert web_page.number(page) == expected, f"{label}: read {web_page.number(page)!r}"
    assert web_page.prediction(page) == expected
    probabilities = web_page.probabilities(page)
    assert max(probabilities, key=probabilities.get) == expected
    assert sum(probabilities.values()) == pytest.approx(1, abs=1e-3)


@pytest.mark.parametrize("rendering", list(RENDERINGS))
def test_mnist_digits_as_photo_files_are_read(page, first_of_each_digit, rendering):
    render, mime_type = RENDERINGS[rendering]
    for digit, image in first_of_each_digit:
        web_page.upload(page, render(image), name=f"{digit}-{rendering}", mime_type=mime_type)
        _check_read(page, str(digit), label=f"{digit} as {rendering}")


def test_the_box_surrounds_the_digit_in_the_photo(page, first_of_each_digit):
    digit, image = first_of_each_digit[4]
    data = digit_images.paper_png(image, side=300)  # the digit fills the middle 200 × 200 pixels
    web_page.upload(page, data, name="four.png", mime_type="image/png")
    reading = _reading(page)
    assert reading["number"] == str(digit)
    (x0, y0, x1, y1) = reading["boxes"][0]
    ink_rows, ink_columns = np.nonzero(image > 50)  # the digit's ink in 28 px, scaled to 200 px at (50, 50)
    expected = [50 + ink_columns.min() * 200 / 28, 50 + ink_rows.min() * 200 / 28]
    expected += [50 + (ink_columns.max() + 1) * 200 / 28, 50 + (ink_rows.max() + 1) * 200 / 28]
    tolerance = 200 / 28 * 1.5  # bilinear scaling blurs the ink's edge by about a source pixel
    assert np.allclose([x0, y0, x1, y1], expected, atol=tolerance), (reading["boxes"], expected)


@pytest.mark.parametrize("kind", ["drop", "paste"])
def test_drop_and_paste_read_the_photo(page, first_of_each_digit, kind):
    for digit, image in first_of_each_digit[:3]:
        web_page.transfer(
            page, digit_images.paper_jpeg(image), kind=kind, name="p.jpg", mime_type="image/jpeg"
        )
        _check_read(page, str(digit), label=f"{digit} by {kind}")


def test_dropping_text_says_what_to_drop(page):
    page.evaluate(
        """() => { const transfer = new DataTransfer(); transfer.setData('text/plain', 'https://example.com/7.png');
        document.getElementById('input-frame').dispatchEvent(
          new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true })); }"""
    )
    assert "Drop an image file" in web_page.message(page)


def _truncated_png() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.tile(np.arange(256, dtype=np.uint8), (64, 1))).save(buffer, "PNG")
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]


BAD_FILES = {
    "not an image": (b"Dear diary, today I wrote a 7.\n", "notes.txt", "text/plain", "not an image"),
    "empty": (b"", "empty.png", "image/png", "empty file"),
    "truncated PNG": (_truncated_png(), "cut.png", "image/png", "truncated or corrupt PNG"),
    "100-megapixel PNG": (digit_images.huge_png(), "bomb.png", "image/png", "image too large: 10000×10000"),
    "corrupt JPEG": (b"\xff\xd8\xff\xe0" + bytes(200), "broken.jpg", "image/jpeg", "truncated or corrupt"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_get_one_line_and_the_page_keeps_working(page, first_of_each_digit, case):
    data, name, mime_type, expected = BAD_FILES[case]
    if case == "100-megapixel PNG":
        assert len(data) < 200_000, "the bomb must stay small on disk"
    digit, image = first_of_each_digit[7]
    web_page.upload(page, digit_images.screenshot_png(image), name="seven.png", mime_type="image/png")
    web_page.upload(page, data, name=name, mime_type=mime_type)
    text = web_page.message(page)
    assert expected in text and name in text, text
    assert "\n" not in text and len(text) < 200, "one line"
    assert web_page.number(page) == str(digit), "the photo shown before is kept"
    web_page.upload(page, digit_images.paper_jpeg(image), name="again.jpg", mime_type="image/jpeg")
    _check_read(page, str(digit), label=f"a good photo after the {case}")
    page.click("#mode-draw")
    web_page.clear_pad(page)
    web_page.draw(page, web_page.ONE)
    assert web_page.prediction(page) == "1", f"drawing works after the {case}"


def test_header_sizes_match_pillow(page):
    gray = np.zeros((37, 53), dtype=np.uint8)
    files = {}
    for image_format, options in [
        ("PNG", {}),
        ("JPEG", {}),
        ("GIF", {}),
        ("BMP", {}),
        ("WEBP", {"lossless": True}),
    ]:
        buffer = io.BytesIO()
        Image.fromarray(gray).save(buffer, image_format, **options)
        files[image_format] = list(buffer.getvalue()[:4096])
    buffer = io.BytesIO()
    Image.fromarray(gray).convert("RGB").save(buffer, "WEBP", quality=80)
    files["WEBP lossy"] = list(buffer.getvalue()[:4096])
    sizes = page.evaluate(
        "files => Object.fromEntries(Object.entries(files).map(([name, bytes]) =>"
        " [name, MnistPhoto.readImageSize(Uint8Array.from(bytes))]))",
        files,
    )
    for name, size in sizes.items():
        assert (size["width"], size["height"]) == (53, 37), f"{name}: {size}"


def _real_digits() -> list[dict]:
    sources = REAL_DIGITS_DIR / "SOURCES.tsv"
    if not sources.is_file():
        pytest.fail(
            f"{sources} is missing: the real digits live in ../shared/realdigits beside the repository"
        )
    with sources.open(encoding="utf-8") as file:
        return list(csv.DictReader(file, delimiter="\t"))


def test_a_real_photo_is_read(page):
    row = next(row for row in _real_digits() if row["file"] == REAL_PHOTO)
    assert row["kind"] == "photo"
    web_page.upload(page, (REAL_DIGITS_DIR / REAL_PHOTO).read_bytes(), name=REAL_PHOTO, mime_type="image/png")
    _check_read(page, row["digit"], label=REAL_PHOTO)


def test_real_digits_are_read_through_input_photo(page):
    wrong = []
    rows = _real_digits()
    for row in rows:
        web_page.upload(
            page, (REAL_DIGITS_DIR / row["file"]).read_bytes(), name=row["file"], mime_type="image/png"
        )
        if web_page.number(page) != row["digit"]:
            wrong.append(f"{row['file']} ({row['kind']}) read {web_page.number(page)!r}")
    accuracy = 1 - len(wrong) / len(rows)
    assert accuracy >= REAL_TARGET, f"{accuracy:.1%} of {len(rows)} real digits; wrong: {', '.join(wrong)}"
