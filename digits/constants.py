"""Every size and convention the models, the image path and the page share: defined here once.

`spec()` is the subset JavaScript needs; `web/build.py spec` writes it into `web/spec.js`
(`globalThis.MNIST_SPEC`), so the page and the node runner never keep their own copies.
"""

IMAGE_SIZE = 28  # side of the model input, pixels
FLAT_SIZE = IMAGE_SIZE * IMAGE_SIZE  # 784: the MLP's input vector
NUM_CLASSES = 10  # digits 0–9
BOX_SIZE = 20  # the ink's longer side after scaling (MNIST leaves a 4-pixel margin)
CENTER = IMAGE_SIZE // 2  # where the centre of mass lands, in pixel-index coordinates (row, column)
INK_THRESHOLD = 0.1  # a pixel brighter than this is ink (for the bounding box and the blank test)
MIN_INK_FRACTION = 0.0002  # less ink mass than this × (longer side)² is a stray mark: blank
ROUNDING_SLACK = 1e-9  # keeps floor(x + 0.5) equal in both languages when x is a tie (k + 0.5)

# The one table of model input layouts: name → the input's shape after the batch dimension.
# One channel, so every layout holds the same pixels in the same row-major order (a reshape).
LAYOUT_SHAPES = {
    "flat": (FLAT_SIZE,),
    "nhwc": (IMAGE_SIZE, IMAGE_SIZE, 1),
    "nchw": (1, IMAGE_SIZE, IMAGE_SIZE),
    "hw": (IMAGE_SIZE, IMAGE_SIZE),
}


def layout_of(trailing_shape) -> str:
    """Return the layout name of an input shape without its batch dimension (`(784,)` → `"flat"`).

    Raises `ValueError` naming the shape when it is none of `LAYOUT_SHAPES`.
    """
    trailing = tuple(trailing_shape)
    for name, shape in LAYOUT_SHAPES.items():
        if trailing == shape:
            return name
    expected = ", ".join(f"(n, {', '.join(map(str, shape))})" for shape in LAYOUT_SHAPES.values())
    raise ValueError(f"unsupported input shape (n, {', '.join(map(str, trailing))}); expected {expected}")


def spec() -> dict:
    """Return the constants JavaScript shares with Python, as plain JSON values (lists, not tuples)."""
    return {
        "IMAGE_SIZE": IMAGE_SIZE,
        "FLAT_SIZE": FLAT_SIZE,
        "NUM_CLASSES": NUM_CLASSES,
        "BOX_SIZE": BOX_SIZE,
        "CENTER": CENTER,
        "INK_THRESHOLD": INK_THRESHOLD,
        "MIN_INK_FRACTION": MIN_INK_FRACTION,
        "ROUNDING_SLACK": ROUNDING_SLACK,
        "LAYOUT_SHAPES": {name: list(shape) for name, shape in LAYOUT_SHAPES.items()},
    }
