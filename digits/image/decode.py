"""Decoding: any image file → white-on-black float32 `(h, w)` in [0, 1] (numpy + Pillow only).

Paths, bytes or file-like objects in any format and mode Pillow reads; EXIF orientation applied,
transparency flattened, huge images refused from their header (decompression bombs) or reduced by
block averaging, then cleaned by `digits.image.clean`. Every failure is an `ImageError` with a
one-line message.
"""

import io
import math
import os
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from digits.image.clean import normalize

MAX_PIXELS = 40_000_000  # larger images are refused before decoding (decompression bombs)
MAX_WORKING_SIDE = 1024  # larger images are reduced by whole-block averaging before cleaning


class ImageError(ValueError):
    """An input that is not a usable image; the message is one line naming the problem."""


def _open(source) -> Image.Image:
    """Open `source` (path, bytes or binary file-like) lazily: only the header is read here."""
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            return Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as error:
            raise ImageError(f"image too large: {str(error).splitlines()[0]}") from None
        except UnidentifiedImageError:
            raise ImageError("not an image (unrecognised format)") from None
        except (OSError, SyntaxError, ValueError) as error:
            raise ImageError(f"truncated or corrupt image: {str(error).splitlines()[0]}") from None


def _to_gray(image: Image.Image) -> np.ndarray:
    """Convert a decoded image to float32 `(h, w)` luminance in [0, 1], transparency flattened.

    Transparent pixels become the background: black under light content, white under dark content
    (a dark digit on a transparent PNG must stay a dark digit on paper, and the reverse).
    """
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        values = np.asarray(image, dtype=np.float64)
        peak = float(values.max()) if values.size else 0.0
        scale = 1.0 if peak <= 1.0 else 255.0 if peak <= 255.0 else 65535.0 if peak <= 65535.0 else peak
        return np.clip(values / scale, 0.0, 1.0).astype(np.float32)
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if not has_alpha:
        return np.asarray(image.convert("L"), dtype=np.float32) / 255.0
    rgba = image.convert("RGBA")
    alpha = np.asarray(rgba.getchannel("A"), dtype=np.float32) / 255.0
    luma = np.asarray(rgba.convert("RGB").convert("L"), dtype=np.float32) / 255.0
    if alpha.min() >= 1.0:
        return luma
    content = float((luma * alpha).sum() / max(alpha.sum(), 1e-6))  # mean brightness of what is drawn
    background = 1.0 if content < 0.5 else 0.0
    return (luma * alpha + background * (1.0 - alpha)).astype(np.float32)


def _reduce(gray: np.ndarray) -> np.ndarray:
    """Average `f × f` blocks so the longer side is at most `MAX_WORKING_SIDE`.

    A 12-megapixel photo takes seconds to clean at full size, and the digit ends up 20 pixels tall.
    """
    factor = math.ceil(max(gray.shape) / MAX_WORKING_SIDE)
    if factor <= 1:
        return gray
    height, width = gray.shape[0] // factor, gray.shape[1] // factor
    if height == 0 or width == 0:  # a long thin strip: keep it as it is
        return gray
    blocks = gray[: height * factor, : width * factor].reshape(height, factor, width, factor)
    return blocks.mean(axis=(1, 3), dtype=np.float32)


def load_image(source, *, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Decode an image file into float32 `(h, w)` in [0, 1], white ink on black.

    `source` is a path, bytes or a binary file-like object in any format and mode Pillow reads
    (L, RGB, RGBA, P, LA, I;16, 1, CMYK…); the EXIF orientation is applied, transparency is
    flattened, dark-on-light images are inverted and photos are cleaned (see `digits.image.clean.normalize`).
    Images with more than `max_pixels` pixels are refused from their header, before decoding;
    images wider or taller than `MAX_WORKING_SIDE` come back reduced by a whole factor.
    Raises `ImageError` (a `ValueError`) with a one-line message otherwise.
    """
    if max_pixels <= 0:
        raise ValueError(f"max_pixels must be positive, got {max_pixels}")
    image = _open(source)
    width, height = image.size
    if width * height > max_pixels:
        raise ImageError(f"image too large: {width}×{height} = {width * height} pixels > {max_pixels}")
    if width == 0 or height == 0:
        raise ImageError(f"image has no pixels: {width}×{height}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image.draft(None, (MAX_WORKING_SIDE, MAX_WORKING_SIDE))  # JPEG: decode at a reduced scale
            image.load()
            image = ImageOps.exif_transpose(image) or image
            gray = _reduce(_to_gray(image))
        except Image.DecompressionBombError as error:
            raise ImageError(f"image too large: {str(error).splitlines()[0]}") from None
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise ImageError(f"truncated or corrupt image: {message}") from None
    return normalize(gray)
