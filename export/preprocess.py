"""Any digit image → the 28×28 float32 input the models were trained on (numpy + Pillow only).

The MNIST recipe (LeCun et al.): crop to the ink's bounding box, scale it so its longer side is
`BOX_SIZE` (20) pixels keeping the aspect ratio, paste it into an `IMAGE_SIZE` (28) square and shift
it by a whole number of pixels so that its centre of mass lands on (14, 14). Values are float32 in
[0, 1], white ink on black.

`web/preprocess.js` implements `preprocess_array` operation for operation, and the golden vectors in
`tests/golden/preprocess.json` hold the two within 1/255 per pixel. So every step is spelled out:
the scaling is an exact area average (a box filter whose weights are computed here, not Pillow's
resize, whose kernel JavaScript could not mirror), rounding is `floor(x + 0.5)` (JavaScript's
`Math.round`, not Python's round-half-to-even), and the shift is a whole number of pixels.

This module never imports TensorFlow: the edge predictor and the Streamlit app both use it.
"""

import io
import math
import os
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_SIZE = 28  # side of the model input, pixels
BOX_SIZE = 20  # the ink's longer side after scaling (MNIST leaves a 4-pixel margin)
CENTER = IMAGE_SIZE // 2  # where the centre of mass lands, in pixel-index coordinates (row, column)
INK_THRESHOLD = 0.1  # a pixel brighter than this is ink (for the bounding box and the blank test)
MIN_INK_FRACTION = 0.0002  # less ink mass than this × (longer side)² is a stray mark: blank
ROUNDING_SLACK = 1e-9  # keeps floor(x + 0.5) equal in both languages when x is a tie (k + 0.5)
MAX_PIXELS = 40_000_000  # larger images are refused before decoding (decompression bombs)
NOISE_SIGMAS = 4.0  # photos: paper brighter than background + this many noise deviations is ink
NOISE_FLOOR_FRACTION = 0.15  # photos: and at least this fraction of the paper-to-ink contrast
MIN_CONTRAST = 0.1  # photos: a peak less than this above the paper means there is no ink
MAX_WORKING_SIDE = 1024  # larger images are reduced by whole-block averaging before cleaning
PAPER_GRID = 8  # photos: the paper's level is estimated on this many × this many blocks


class ImageError(ValueError):
    """An input that is not a usable image; the message is one line naming the problem."""


# --- decoding: any file → white-on-black float32 (h, w) ------------------------------------------


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


def _paper_level(gray: np.ndarray) -> np.ndarray:
    """Estimate the paper's brightness at every pixel, float32 `(h, w)`, for uneven lighting.

    The median of each block of an 8 × 8 grid (a stroke covers well under half a block) is the
    paper there; a bilinear interpolation between the block centres gives a smooth level.
    """
    height, width = gray.shape
    row_edges = np.linspace(0, height, PAPER_GRID + 1).round().astype(int)
    column_edges = np.linspace(0, width, PAPER_GRID + 1).round().astype(int)
    medians = np.array(
        [
            [
                np.median(gray[r0:r1, c0:c1])
                for c0, c1 in zip(column_edges[:-1], column_edges[1:], strict=True)
            ]
            for r0, r1 in zip(row_edges[:-1], row_edges[1:], strict=True)
        ]
    )
    row_centres = (row_edges[:-1] + row_edges[1:] - 1) / 2
    column_centres = (column_edges[:-1] + column_edges[1:] - 1) / 2
    along_rows = np.array([np.interp(np.arange(width), column_centres, line) for line in medians])
    level = np.array([np.interp(np.arange(height), row_centres, line) for line in along_rows.T]).T
    return level.astype(np.float32)


def _normalize(gray: np.ndarray) -> np.ndarray:
    """Luminance `(h, w)` → white ink on black, paper noise suppressed, contrast stretched.

    The border (the outer 2 % of rows and columns) is taken to be background: a light border
    (a photo or a scan of dark ink on paper) inverts the image. A clean synthetic image (uniform
    border) is only stretched. A noisy one (a phone photo) has its paper level subtracted (uneven
    lighting) and loses everything within a noise margin of the paper, so grain is not ink.
    """
    height, width = gray.shape
    band = max(1, round(0.02 * min(height, width)))

    def border_of(image: np.ndarray) -> np.ndarray:
        return np.concatenate(
            [image[:band].ravel(), image[-band:].ravel(), image[:, :band].ravel(), image[:, -band:].ravel()]
        )

    border = border_of(gray)
    if np.median(border) > 0.5:
        gray, border = 1.0 - gray, 1.0 - border
    background = float(np.median(border))
    clean = float(np.mean(np.abs(border - background))) < 0.01
    if clean:
        peak = float(gray.max())
        if peak - background < MIN_CONTRAST:
            return np.zeros_like(gray, dtype=np.float32)
        return np.clip((gray - background) / (peak - background), 0.0, 1.0).astype(np.float32)
    if min(height, width) >= 4 * PAPER_GRID:
        gray = gray - _paper_level(gray)
        border = border_of(gray)
        background = float(np.median(border))
    spread = 1.4826 * float(np.median(np.abs(border - background)))  # robust standard deviation
    # The ink's level: the 99.99th percentile, so a few hot pixels do not set it, while a thin
    # digit on a 12-megapixel photo (≥ 1200 pixels) still does.
    peak = float(np.percentile(gray, 99.99))
    if peak - background < MIN_CONTRAST:
        return np.zeros_like(gray, dtype=np.float32)
    floor = background + max(NOISE_SIGMAS * spread, NOISE_FLOOR_FRACTION * (peak - background))
    return np.clip((gray - floor) / (peak - floor), 0.0, 1.0).astype(np.float32)


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
    flattened, dark-on-light images are inverted and photos are cleaned (see `_normalize`).
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
    return _normalize(gray)


# --- the MNIST recipe: white-on-black (h, w) → (28, 28) -------------------------------------------


def _round(value: float) -> int:
    """Round half up, as JavaScript's `Math.round` does (with a slack so ties agree across languages)."""
    return math.floor(value + 0.5 + ROUNDING_SLACK)


def _area_weights(source_size: int, target_size: int) -> np.ndarray:
    """Box-filter weights float64 `(target_size, source_size)`, rows summing to 1.

    Output pixel i averages the source interval [i·s/t, (i+1)·s/t), each source pixel weighted by
    its overlap with it.
    """
    weights = np.zeros((target_size, source_size), dtype=np.float64)
    for target in range(target_size):
        start = target * source_size / target_size
        end = (target + 1) * source_size / target_size
        for source in range(math.floor(start), min(source_size, math.ceil(end))):
            weights[target, source] = (min(end, source + 1) - max(start, source)) / (end - start)
    return weights


def preprocess_array(gray: np.ndarray) -> np.ndarray | None:
    """White ink on black, float in [0, 1] or uint8 `(h, w)` → float32 `(28, 28)` in [0, 1].

    Returns None when the image is blank: no pixel above `INK_THRESHOLD`, or less ink in all than
    `MIN_INK_FRACTION` of the longer side squared (a stray dot is not a digit).
    """
    gray = np.asarray(gray)
    if gray.ndim != 2 or gray.shape[0] == 0 or gray.shape[1] == 0:
        raise ValueError(f"expected a 2-D (height, width) grayscale image, got shape {gray.shape}")
    if gray.dtype == np.uint8:
        pixels = gray.astype(np.float64) / 255.0
    else:
        pixels = np.clip(np.nan_to_num(gray.astype(np.float64)), 0.0, 1.0)
    ink = pixels > INK_THRESHOLD
    if not ink.any() or pixels[ink].sum() < MIN_INK_FRACTION * max(pixels.shape) ** 2:
        return None
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    crop = pixels[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    crop_height, crop_width = crop.shape
    longer = max(crop_height, crop_width)
    box_height = max(1, math.floor((2 * crop_height * BOX_SIZE + longer) / (2 * longer)))
    box_width = max(1, math.floor((2 * crop_width * BOX_SIZE + longer) / (2 * longer)))
    box = _area_weights(crop_height, box_height) @ crop @ _area_weights(crop_width, box_width).T
    mass = box.sum()
    center_row = (box.sum(axis=1) * np.arange(box_height)).sum() / mass
    center_column = (box.sum(axis=0) * np.arange(box_width)).sum() / mass
    top = min(max(_round(CENTER - center_row), 0), IMAGE_SIZE - box_height)  # never cut the ink off
    left = min(max(_round(CENTER - center_column), 0), IMAGE_SIZE - box_width)
    image = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    image[top : top + box_height, left : left + box_width] = np.clip(box, 0.0, 1.0)
    return image


def preprocess_image(source, **load_options) -> np.ndarray | None:
    """`load_image(source, **load_options)` then `preprocess_array`: float32 `(28, 28)` or None."""
    return preprocess_array(load_image(source, **load_options))
