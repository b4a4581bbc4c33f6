"""The image path as the app calls it: `read_digits(file)` and `digits_from_array(pixels)`.

Each returns the digits of one image, left to right, as `Digit`s (`image` float32 `(28, 28)` in
[0, 1] white on black; `box` `(x0, y0, x1, y1)` in the source's pixels, x1/y1 exclusive); `[]`
when there is no digit; `digits.image.ImageError` (a `ValueError`, one line) for unusable input.
They are `digits.image`'s own (cleaning, segmentation, the MNIST recipe per digit), so the app,
the edge CLI and the tests read an image the same way.
"""

from digits.image import Digit, ImageError, digits_from_array, read_digits

__all__ = ["Digit", "ImageError", "digits_from_array", "read_digits"]
