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
        **image_path_spec(),
    }


# --- the image path (digits/image/, web/image/): any photo, scan or drawing → clean ink → 28×28 ---
# decode
MAX_WORKING_SIDE = 1024  # larger images are block-averaged down to at most this longer side
LUMA_WEIGHTS = (299, 587, 114)  # ITU-R BT.601 luma, integer weights summing to 1000
# clean: polarity, paper level, noise, ink ramp
MAX_STATISTIC_SAMPLES = 262144  # global statistics read at most about this many pixels
MIN_SHADED_SIDE = 48  # smaller images get one uniform paper level and no local surroundings
BORDER_CERTAIN = 0.4  # a border at least 90 % on one side decides the polarity first
BORDER_DECISIVE = 0.15  # … a small image follows a border at least 65 % on one side
POLARITY_BLOCKS = 4  # the skew's local surroundings: this many blocks across the shorter side
SKEW_NOISE_SIGMAS = 3.0  # deviations within this many noise deviations do not count for the skew
SKEW_MIN_MARGIN = 0.02  # … nor within this
SKEW_DECISIVE = 0.6  # the skew is clear about the polarity beyond ± this
PAPER_BLOCKS = 32  # the shorter side is split into this many blocks for the paper level
PAPER_FRACTION = 0.1  # a block's paper level: this order statistic of its inkness
OPENING_RADIUS = 4  # the grid's opening: squares of 2·4 + 1 = 9 blocks
MIN_PAPER_BRIGHTNESS = 0.4  # dark ink's contrast is relative to the paper's brightness, at least this
GAUSSIAN_Q10_Q02 = 0.7722  # (10th − 2nd percentile) / σ of a normal distribution
NOISE_SIGMAS = 4.0  # contrast below this many noise deviations is not ink
INK_SIGMAS = 8.0  # ink not this many noise deviations above the paper: a blank image
MIN_CONTRAST = 0.1  # ink less than this above the paper: a blank image
INK_TOP_FRACTION = 0.0005  # the ink's level: the contrast this share of the pixels reach …
INK_TOP_MIN_PIXELS = 16  # … or at least this many
CLEAN_NOISE = 0.2 / 255  # noise below this: a clean (digital) image, whose grey edges are ink
RAMP_START = 0.2  # a photo's ink starts at this fraction of the ink's level …
RAMP_END = 0.6  # … and is full ink from this fraction up
RAMP_START_CLEAN = 0.0  # a clean image's ramp starts at the noise floor …
RAMP_END_CLEAN = 1.0  # … and ends at the ink's level
# lines: ruled and squared paper
LINE_COVERAGE = 0.75  # a line row has ink in at least this share of its columns
LINE_ALONE = 0.25  # … and the band is alone in at least this share of the columns
MAX_LINE_THICKNESS = 0.04  # a band at most this × the image's height (and ≥ 1 row) thick
LINE_CLEARANCE = 0.05  # "alone": no other ink within this × the height above or below the band
# marks: components that are not digits
JUDGED_SIDE = 0.05  # components whose longer side is at least this × the shorter image side are judged
WEAK_SHARE = 0.5  # weak: mean ink under this × the strongest judged component's …
FAT_RATIO = 0.3  # … and touching the frame or with strokes this thick (× its longer side): shading
SOFT_CORE = 0.6  # as thick and under this share of its pixels at full ink: a shadow's soft edge
FULL_INK = 0.99  # a pixel at or above this is at full ink
MAX_HOLES = 14  # more holes than this: ink frayed by noise, shading (digits: 0–7, shadows: 27+)
SOLID_RATIO = 0.4  # strokes this thick (× the longer side): a solid blob, suspect
EDGE_CONTACT = 0.5  # lying along this share of an image side: a paper edge, suspect
LINE_ASPECT = 8  # from side to side and this many times longer than thick: a line, suspect
EDGE_INSIDE_MASS = 0.1  # a suspect goes when an ordinary component has this share of its mass …
EDGE_GAP = 0.1  # … and none lies within this × the heaviest one's height (≥ 2 px) of it
FRAME_WEAK_SHARE = 0.35  # touching the frame with mean ink under this × the best inside one: junk
SPECK_SIDE = 0.25  # under this × the digits' height both ways and away from them: a speck
DOT_SIDE = 0.05  # under this × the digits' height both ways: a dot, a speck even beside a digit
MAX_DIGIT_PIECES = 2  # a digit is at most this many strokes: more pieces, and the polarity may be wrong
# recipe: stroke width normalised relative to the digit's size
MASK_LEVEL = 0.5  # a pixel at or above this is in the digit's mask (stroke width)
FRAME_SIDE = 80  # the stroke-width frame: the digit's longer side, pixels
THIN_WIDTH = 5.2  # strokes thinner than this (frame pixels) are widened …
TARGET_WIDTH = 9.8  # … to about this (MNIST median)

IMAGE_PATH_NAMES = (
    "MAX_WORKING_SIDE", "LUMA_WEIGHTS", "MAX_STATISTIC_SAMPLES", "MIN_SHADED_SIDE", "BORDER_CERTAIN",
    "BORDER_DECISIVE", "POLARITY_BLOCKS", "SKEW_NOISE_SIGMAS", "SKEW_MIN_MARGIN", "SKEW_DECISIVE",
    "PAPER_BLOCKS", "PAPER_FRACTION", "OPENING_RADIUS", "MIN_PAPER_BRIGHTNESS", "GAUSSIAN_Q10_Q02",
    "NOISE_SIGMAS", "INK_SIGMAS", "MIN_CONTRAST", "INK_TOP_FRACTION", "INK_TOP_MIN_PIXELS", "CLEAN_NOISE",
    "RAMP_START", "RAMP_END", "RAMP_START_CLEAN", "RAMP_END_CLEAN", "LINE_COVERAGE", "LINE_ALONE",
    "MAX_LINE_THICKNESS", "LINE_CLEARANCE", "JUDGED_SIDE", "WEAK_SHARE", "FAT_RATIO", "SOFT_CORE", "FULL_INK",
    "MAX_HOLES",
    "SOLID_RATIO",
    "EDGE_CONTACT", "LINE_ASPECT", "EDGE_INSIDE_MASS", "EDGE_GAP", "FRAME_WEAK_SHARE", "SPECK_SIDE",
    "DOT_SIDE", "MAX_DIGIT_PIECES", "MASK_LEVEL", "FRAME_SIDE", "THIN_WIDTH", "TARGET_WIDTH",
)  # fmt: skip


def image_path_spec() -> dict:
    """Return the image path's constants for JavaScript (`spec()` includes them), tuples as lists."""
    values = {name: globals()[name] for name in IMAGE_PATH_NAMES}
    return {name: list(value) if isinstance(value, tuple) else value for name, value in values.items()}
