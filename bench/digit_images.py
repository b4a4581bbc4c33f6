"""Image files made from MNIST digits, for feeding the page's photo and camera inputs.

Each function takes a uint8 `(28, 28)` MNIST digit (white ink on black, as stored) and returns the
bytes of a file a person could have: a PNG screenshot, a dark-on-light "paper" photo as JPEG, a
camera video (`.y4m`), and broken files (truncated, or a 100-megapixel header that is tiny on
disk). Only numpy and Pillow.
"""

import io
import struct
import zlib

import numpy as np
from PIL import Image

Y4M_FRAMES = 3  # Chromium's fake camera loops the file; a few identical frames are enough


def _encode(gray: np.ndarray, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(gray).save(buffer, image_format, **options)
    return buffer.getvalue()


def _scaled(digit: np.ndarray, side: int) -> np.ndarray:
    """Return the digit as uint8 `(side, side)`, bilinear (a 28-px digit shown on a screen, then saved)."""
    if digit.shape != (28, 28) or digit.dtype != np.uint8:
        raise ValueError(f"expected a uint8 (28, 28) MNIST digit, got {digit.dtype} {digit.shape}")
    return np.asarray(Image.fromarray(digit).resize((side, side), Image.BILINEAR))


def screenshot_png(digit: np.ndarray, *, side: int = 140) -> bytes:
    """Return the digit white on black, as on a drawing app's canvas: a PNG `side` pixels square."""
    return _encode(_scaled(digit, side), "PNG")


def _on_paper(ink: np.ndarray, *, width: int, height: int, seed: int) -> np.ndarray:
    """Return ink (float `(h, w)` in [0, 1]) centred on paper `(height, width)`, uint8 dark on light.

    The paper is 0.85-0.93 white with a gentle light gradient (brighter at the top left) and sensor
    noise (σ = 1.5% of the range), the ink about 0.12: what a phone photo of a written digit gives
    after the camera's own processing.
    """
    rng = np.random.default_rng(seed)
    rows, columns = np.mgrid[0:height, 0:width]
    image = 0.93 - 0.08 * (rows / height + columns / width) / 2
    top, left = (height - ink.shape[0]) // 2, (width - ink.shape[1]) // 2
    region = image[top : top + ink.shape[0], left : left + ink.shape[1]]
    image[top : top + ink.shape[0], left : left + ink.shape[1]] = region * (1 - ink) + 0.12 * ink
    image += rng.normal(0.0, 0.015, image.shape)
    return (np.clip(image, 0, 1) * 255).round().astype(np.uint8)


def paper(digit: np.ndarray, *, width: int, height: int, digit_side: int, seed: int = 0) -> np.ndarray:
    """Return the digit dark on light paper (see `_on_paper`), centred and `digit_side` pixels tall."""
    ink = _scaled(digit, digit_side).astype(np.float32) / 255.0
    return _on_paper(ink, width=width, height=height, seed=seed)


def paper_number_png(digits: list, *, digit_side: int = 96, gap: int = 16, seed: int = 0) -> bytes:
    """Return MNIST digits written side by side on paper, `gap` pixels apart, as a PNG (a written number)."""
    ink = np.zeros((digit_side, len(digits) * (digit_side + gap) - gap), dtype=np.float32)
    for index, digit in enumerate(digits):
        left = index * (digit_side + gap)
        ink[:, left : left + digit_side] = _scaled(digit, digit_side).astype(np.float32) / 255.0
    width, height = ink.shape[1] + 2 * digit_side, 2 * digit_side
    return _encode(_on_paper(ink, width=width, height=height, seed=seed), "PNG")


def paper_jpeg(digit: np.ndarray, *, side: int = 240, quality: int = 85) -> bytes:
    """Return a paper photo of the digit (`paper`), `side` pixels square, as JPEG."""
    return _encode(paper(digit, width=side, height=side, digit_side=side * 2 // 3), "JPEG", quality=quality)


def paper_png(digit: np.ndarray, *, side: int = 200) -> bytes:
    """Return a paper scan of the digit (`paper`), as PNG (lossless, so only the paper's own noise)."""
    return _encode(paper(digit, width=side, height=side, digit_side=side * 2 // 3), "PNG")


def rotated_jpeg(digit: np.ndarray, *, side: int = 200) -> bytes:
    """Return a paper photo stored sideways with EXIF orientation 6 (turn 90° clockwise to view it)."""
    upright = paper(digit, width=side, height=side, digit_side=side * 2 // 3)
    stored = Image.fromarray(upright).transpose(Image.Transpose.ROTATE_90)  # counter-clockwise
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


def camera_y4m(digit: np.ndarray, *, width: int = 640, height: int = 480, digit_side: int = 200) -> bytes:
    """Return a `.y4m` video (4:2:0, header `C420`) of the digit on paper, for Chromium's fake camera.

    Luma uses the video range 16-235 (BT.601), as a camera sends it; chroma is neutral (grey).
    """
    if width % 2 or height % 2:
        raise ValueError(f"4:2:0 needs an even size, got {width}×{height}")
    luma = paper(digit, width=width, height=height, digit_side=digit_side).astype(np.float32)
    y_plane = (16 + luma * 219 / 255).round().astype(np.uint8).tobytes()
    chroma = bytes([128]) * (width * height // 2)  # U and V, each a quarter of the pixels
    header = f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420\n".encode("ascii")
    return header + (b"FRAME\n" + y_plane + chroma) * Y4M_FRAMES


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_png(*, width: int = 10_000, height: int = 10_000) -> bytes:
    """Return a valid grey PNG of `width × height` (100 MP by default), about 100 kB on disk.

    Its rows are all zero and compress to almost nothing: a decompression bomb in miniature.
    """
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey, no interlace
    rows = zlib.compressobj(9)
    data = b"".join(rows.compress(b"\0" * (width + 1)) for _ in range(height)) + rows.flush()
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")
