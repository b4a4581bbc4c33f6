"""The image path as the app calls it: `read_digits(file)` and `digits_from_array(pixels)`.

The contract (scratch CONTRACTS.md, issue 9): each returns the digits of one image, left to right,
as `Digit`s (`image` float32 `(28, 28)` in [0, 1] white on black; `box` `(x0, y0, x1, y1)` in the
source's pixels, x1/y1 exclusive); `[]` when there is no digit; `digits.image.ImageError` (a
`ValueError`, one line) for unusable input. `digits.image` provides them once its segmentation
lands; until then this module stands in with the one-digit path of today (the whole ink is one
digit, its box the ink's bounding box), so the app is written against the final calls.
"""

import dataclasses

import numpy as np

from digits.constants import INK_THRESHOLD
from digits.image import ImageError, load_image, preprocess_array

try:  # the segmenting image path (issue 9), once `digits.image` exports it
    from digits.image import digits_from_array, read_digits  # noqa: F401
except ImportError:

    @dataclasses.dataclass(frozen=True)
    class Digit:
        """One digit: its 28×28 model input and where it was found in the source image."""

        image: np.ndarray  # float32 (28, 28) in [0, 1], white ink on black
        box: tuple[int, int, int, int]  # (x0, y0, x1, y1) source pixels, x1/y1 exclusive

    def digits_from_array(gray_or_rgba: np.ndarray, *, classify=None) -> list[Digit]:
        """White-on-black pixels float `(h, w)` in [0, 1] (or RGBA uint8 `(h, w, 4)`) → `[Digit]`.

        One digit for the whole ink (the segmentation is not there yet); `classify` is accepted
        for the final signature and unused.
        """
        pixels = np.asarray(gray_or_rgba)
        if pixels.ndim == 3:
            pixels = pixels[..., :3].astype(np.float32).mean(axis=2) / 255.0
        image = preprocess_array(pixels)
        if image is None:
            return []
        ink = np.asarray(pixels, dtype=np.float32) > (
            INK_THRESHOLD * (255 if pixels.dtype == np.uint8 else 1)
        )
        rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        box = (int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1)
        return [Digit(image=image, box=box)]

    def read_digits(source, *, classify=None, max_pixels: int | None = None) -> list[Digit]:
        """Decode and clean a file (path, bytes or file-like), then `digits_from_array`."""
        options = {} if max_pixels is None else {"max_pixels": max_pixels}
        return digits_from_array(load_image(source, **options), classify=classify)


__all__ = ["ImageError", "digits_from_array", "read_digits"]
