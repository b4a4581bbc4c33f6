"""Decoding: any image file → luma and coverage at the working resolution → clean ink.

`web/image/decode.js` is the pixel part's twin; numpy + Pillow only.

Paths, bytes or file-like objects in any format and mode Pillow reads; EXIF orientation applied.
Pixels are reduced by exact integer block averaging (`reduce_rgba`, the same sums as JavaScript)
so the longer side is at most MAX_WORKING_SIDE, and memory stays bounded for any accepted input:
JPEGs decode at a reduced scale (draft), large 8-bit PNGs are decoded a strip of rows at a time
(`digits.image.strips`), and other formats are decoded whole only while their pixels fit in
MAX_DECODED_BYTES. Nothing is converted to float at full size. Every failure is an `ImageError`
with a one-line message.
"""

import io
import math
import os
import warnings
import zlib

import numpy as np
from PIL import Image, UnidentifiedImageError

from digits.constants import LUMA_WEIGHTS, MAX_WORKING_SIDE
from digits.image.ink import clean_ink
from digits.image.strips import png_orientation, png_strips

MAX_PIXELS = 40_000_000  # larger images are refused before decoding (decompression bombs)
MAX_DECODED_BYTES = 80_000_000  # formats decoded whole (not JPEG, not 8-bit PNG) must fit in this
STRIP_PIXELS = 1_000_000  # pixels decoded and converted to RGBA at a time (4 MB)
SUM_PIXELS = 250_000  # pixels summed at a time (1 MB per int32 array)
BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}  # else 4
ORIENTATIONS = {  # EXIF orientation → how the stored pixels are turned to be seen upright
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.T,
    6: lambda a: np.rot90(a, -1),
    7: lambda a: np.rot90(a, 2).T,
    8: lambda a: np.rot90(a, 1),
}


class ImageError(ValueError):
    """An input that is not a usable image; the message is one line naming the problem."""


def block_factor(width: int, height: int, max_side: int = MAX_WORKING_SIDE) -> int:
    """Block side so the longer side is at most `max_side`, never below one whole block per axis."""
    return max(1, min(math.ceil(max(width, height) / max_side), width, height))


def _read(source) -> bytes:
    """Read the bytes of `source` (path, bytes or binary file-like); ImageError when unreadable or empty."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        try:
            with open(source, "rb") as file:
                data = file.read()
        except FileNotFoundError:
            raise ImageError(f"file not found: {os.fspath(source)}") from None
        except IsADirectoryError:
            raise ImageError(f"a directory, not an image: {os.fspath(source)}") from None
        except OSError as error:
            raise ImageError(f"cannot read {os.fspath(source)}: {error.strerror}") from None
    elif hasattr(source, "read"):
        data = source.read()
    else:
        raise ImageError(f"expected a path, bytes or a binary file, got {type(source).__name__}")
    if not data:
        raise ImageError("empty file")
    return data


def _open(data: bytes) -> Image.Image:
    """Open image bytes lazily: only the header is read here."""
    try:
        return Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as error:
        raise ImageError(f"image too large: {str(error).splitlines()[0]}") from None
    except UnidentifiedImageError:
        raise ImageError("not an image (unrecognised format)") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageError(f"truncated or corrupt image: {str(error).splitlines()[0]}") from None


class BlockSums:
    """Exact integer block sums of RGBA strips, fed top to bottom: the working-resolution image."""

    def __init__(self, width: int, height: int, factor: int):
        self.factor, self.columns, self.rows = factor, width // factor, height // factor
        self.luma = np.zeros((self.rows, self.columns), dtype=np.float32)
        self.coverage = np.zeros((self.rows, self.columns), dtype=np.float32)
        self.done = 0  # block rows filled
        self.carry = None  # rows added that do not yet make a whole block row

    def add(self, rgba: np.ndarray) -> None:
        """Add the next uint8 RGBA rows `(n, width, 4)`; rows short of a whole block wait for the next."""
        if self.carry is not None:
            rgba = np.concatenate([self.carry, rgba])
        blocks = min(rgba.shape[0] // self.factor, self.rows - self.done)
        self.carry = rgba[blocks * self.factor :].copy() if self.done + blocks < self.rows else None
        step = max(1, SUM_PIXELS // (self.factor * self.factor * self.columns))  # block rows at a time
        for first in range(0, blocks, step):
            count = min(step, blocks - first)
            self._add_blocks(rgba[first * self.factor : (first + count) * self.factor], count)

    def _add_blocks(self, pixels: np.ndarray, blocks: int) -> None:
        """Sum `blocks` whole block rows of uint8 RGBA: int32 per pixel (≤ 65,025,000), int64 sums."""
        factor, columns = self.factor, self.columns
        pixels = pixels[:, : columns * factor]
        red, green, blue = LUMA_WEIGHTS
        alpha = pixels[..., 3].astype(np.int32)
        weighted = red * pixels[..., 0].astype(np.int32)
        weighted += green * pixels[..., 1].astype(np.int32)
        weighted += blue * pixels[..., 2].astype(np.int32)
        weighted *= alpha
        shape = (blocks, factor, columns, factor)
        luma_sums = weighted.reshape(shape).sum(axis=(1, 3), dtype=np.int64)
        alpha_sums = alpha.reshape(shape).sum(axis=(1, 3), dtype=np.int64)
        count = factor * factor
        rows = slice(self.done, self.done + blocks)
        self.luma[rows] = luma_sums / (1000 * 255 * 255 * count)
        self.coverage[rows] = alpha_sums / (255 * count)
        self.done += blocks


def reduce_rgba(rgba: np.ndarray, *, max_side: int = MAX_WORKING_SIDE) -> tuple[np.ndarray, np.ndarray, int]:
    """RGBA uint8 `(h, w, 4)` → (luma, coverage) float32 `(h // f, w // f)` and the factor f.

    luma = Σ (299·R + 587·G + 114·B)·A / (1000·255²·f²) (premultiplied), coverage = Σ A / (255·f²),
    over whole f × f blocks (the last w mod f columns and h mod f rows dropped); the same bits as
    `reduceRgba` in JavaScript.
    """
    height, width = rgba.shape[:2]
    sums = BlockSums(width, height, block_factor(width, height, max_side))
    step = max(1, STRIP_PIXELS // max(width, 1) // sums.factor) * sums.factor
    for top in range(0, height, step):
        sums.add(rgba[top : top + step])
    return sums.luma, sums.coverage, sums.factor


def _reduce_image(image: Image.Image) -> tuple[np.ndarray, np.ndarray, int]:
    """Reduce a decoded image to (luma, coverage, factor), converted to RGBA a strip at a time."""
    width, height = image.size
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        return _reduce_wide(image)
    sums = BlockSums(width, height, block_factor(width, height))
    step = max(1, STRIP_PIXELS // width // sums.factor) * sums.factor
    for top in range(0, sums.rows * sums.factor, step):
        strip = image.crop((0, top, width, min(top + step, height))).convert("RGBA")
        sums.add(np.asarray(strip))
    return sums.luma, sums.coverage, sums.factor


def _reduce_wide(image: Image.Image) -> tuple[np.ndarray, np.ndarray, int]:
    """16-bit, 32-bit and float grey: scaled to [0, 1] by their range, block means, opaque."""
    values = np.asarray(image)
    peak = float(values.max()) if values.size else 0.0
    scale = 1.0 if peak <= 1.0 else 255.0 if peak <= 255.0 else 65535.0 if peak <= 65535.0 else peak
    height, width = values.shape
    factor = block_factor(width, height)
    rows, columns = height // factor, width // factor
    luma = np.empty((rows, columns), dtype=np.float32)
    for row in range(rows):  # one block row at a time: no float copy at full size
        band = values[row * factor : (row + 1) * factor, : columns * factor].astype(np.float64)
        luma[row] = np.clip(band / scale, 0.0, 1.0).reshape(factor, columns, factor).mean(axis=(0, 2))
    return luma, np.ones_like(luma), factor


def _decode(image: Image.Image, data: bytes) -> tuple[np.ndarray, np.ndarray, int]:
    """Decode within bounded memory: JPEG draft, 8-bit PNG strips, else whole (if it fits)."""
    width, height = image.size
    factor = block_factor(width, height)
    if image.format == "JPEG" and factor > 1:
        image.draft(image.mode, (width // factor, height // factor))  # DCT scaling: 1/2, 1/4, 1/8
    elif image.format == "PNG" and factor > 1:
        strips = png_strips(data)
        if strips is not None:
            sums = BlockSums(width, height, factor)
            for strip in strips:
                sums.add(strip)
            return sums.luma, sums.coverage, sums.factor
    decoded_bytes = width * height * BYTES_PER_PIXEL.get(image.mode, 4)
    if image.format != "JPEG" and decoded_bytes > MAX_DECODED_BYTES:
        raise ImageError(
            f"image too large to decode whole: {width}×{height} {image.format} {image.mode} needs"
            f" {decoded_bytes / 1e6:.0f} MB > {MAX_DECODED_BYTES / 1e6:.0f} MB; save it as JPEG or PNG"
        )
    image.load()
    return _reduce_image(image)


def decode_reduced(source, *, max_pixels: int = MAX_PIXELS) -> tuple[np.ndarray, np.ndarray, int]:
    """Decode `source` into premultiplied luma and coverage float32 `(h, w)`, and the factor.

    At the working resolution, turned upright. Raises `ImageError` for bad input.
    """
    if max_pixels <= 0:
        raise ValueError(f"max_pixels must be positive, got {max_pixels}")
    data = _read(source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = _open(data)
        width, height = image.size
        if width * height > max_pixels:
            raise ImageError(f"image too large: {width}×{height} = {width * height} pixels > {max_pixels}")
        if width == 0 or height == 0:
            raise ImageError(f"image has no pixels: {width}×{height}")
        try:
            orientation = png_orientation(data) if image.format == "PNG" else image.getexif().get(0x0112, 1)
            luma, coverage, factor = _decode(image, data)
        except Image.DecompressionBombError as error:
            raise ImageError(f"image too large: {str(error).splitlines()[0]}") from None
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, zlib.error) as error:
            if isinstance(error, ImageError):
                raise
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise ImageError(f"truncated or corrupt image: {message}") from None
    turn = ORIENTATIONS.get(orientation, lambda array: array)
    return np.ascontiguousarray(turn(luma)), np.ascontiguousarray(turn(coverage)), factor


def load_image(source, *, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Decode and clean an image file into float32 `(h, w)` in [0, 1], white ink on black.

    `source` is a path, bytes or a binary file-like object in any format and mode Pillow reads
    (L, RGB, RGBA, P, LA, I;16, 1, CMYK…); the EXIF orientation is applied and the image reduced
    to at most MAX_WORKING_SIDE per side. The polarity is decided, the paper's level (shadows,
    uneven light) and noise removed, ruled lines and marks that are not digits dropped
    (`digits.image.ink`). Images with more than `max_pixels` pixels are refused from their header.
    Raises `ImageError` (a `ValueError`) with a one-line message otherwise.
    """
    luma, coverage, factor = decode_reduced(source, max_pixels=max_pixels)
    return clean_ink(luma, coverage, factor=factor).pixels.astype(np.float32)
