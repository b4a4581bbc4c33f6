"""Image files made by code from MNIST digits: the kinds of input the image path must read.

Shared by `tests/golden/make_golden.py` (whole files whose Python and JavaScript readings must
agree) and `bench/image_path.py` (MNIST test digits written to files and read back). Only numpy
and Pillow; every function is deterministic (seeded noise, Pillow's encoders).

Each `RENDERINGS[name](digit, seed)` takes a uint8 `(28, 28)` MNIST digit (white on black, as
stored) and returns the bytes of an image file.
"""

import io

import numpy as np
from PIL import Image, ImageFilter


def encode(pixels: np.ndarray, image_format: str = "PNG", **options) -> bytes:
    """uint8 `(h, w)` or `(h, w, 3|4)` → the bytes of an image file."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, image_format, **options)
    return buffer.getvalue()


def upscale(digit: np.ndarray, side: int) -> np.ndarray:
    """A 28-px digit scaled to `side` pixels (bicubic): float64 ink `(side, side)` in [0, 1]."""
    image = Image.fromarray(digit).resize((side, side), Image.BICUBIC)
    return np.clip(np.asarray(image, dtype=np.float64) / 255.0, 0.0, 1.0)


def skeleton(mask: np.ndarray) -> np.ndarray:
    """Zhang–Suen thinning of a bool mask: 1-px wide lines with the mask's connectivity."""
    image = np.pad(mask, 1).astype(np.uint8)
    while True:
        changed = False
        for step in (0, 1):
            p2, p3, p4 = image[:-2, 1:-1], image[:-2, 2:], image[1:-1, 2:]
            p5, p6, p7 = image[2:, 2:], image[2:, 1:-1], image[2:, :-2]
            p8, p9 = image[1:-1, :-2], image[:-2, :-2]
            ring = [p2, p3, p4, p5, p6, p7, p8, p9, p2]
            neighbours = sum(ring[:8])
            pairs = zip(ring[:-1], ring[1:], strict=True)
            transitions = sum(((a == 0) & (b == 1)).astype(np.uint8) for a, b in pairs)
            first, second = (p2 * p4 * p6, p4 * p6 * p8) if step == 0 else (p2 * p4 * p8, p2 * p6 * p8)
            remove = (image[1:-1, 1:-1] == 1) & (neighbours >= 2) & (neighbours <= 6) & (transitions == 1)
            remove &= (first == 0) & (second == 0)
            if remove.any():
                image[1:-1, 1:-1][remove] = 0
                changed = True
        if not changed:
            return image[1:-1, 1:-1].astype(bool)


def morphed(digit: np.ndarray, *, thicker: bool, scale: int = 4) -> np.ndarray:
    """The digit written `scale` times larger with a solid pen (bicubic, binarised at half ink):
    thinned to its skeleton, 3 px wide (under 1 px at 28), or thickened by a 7 × 7 max filter
    (MNIST's 2–3 px strokes become 4–5 px at 28): uint8, white on black."""
    image = Image.fromarray(digit).resize((28 * scale, 28 * scale), Image.BICUBIC)
    solid = np.asarray(image) >= 128
    if thicker:
        return np.asarray(Image.fromarray(solid.astype(np.uint8) * 255).filter(ImageFilter.MaxFilter(7)))
    lines = Image.fromarray(skeleton(solid).astype(np.uint8) * 255)
    return np.asarray(lines.filter(ImageFilter.MaxFilter(3)))


def tight(digit: np.ndarray) -> np.ndarray:
    """The digit cropped to its ink's box (ink touches every side), uint8."""
    rows, columns = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
    return digit[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]


def paper_scene(
    ink: np.ndarray,
    *,
    size: tuple[int, int],
    seed: int,
    at: tuple[int, int] | None = None,
    shadow: float = 0.35,
    noise: float = 0.02,
    pen=(0.1, 0.1, 0.12),
) -> np.ndarray:
    """Ink float `(h, w)` in [0, 1] written on paper `size` = (height, width): uint8 RGB.

    The paper is warm white lit unevenly: a linear gradient and a soft shadow (a darker disc
    blurred over a third of the page, `shadow` deep), with sensor noise. The pen is an RGB colour.
    """
    height, width = size
    rng = np.random.default_rng(seed)
    rows, columns = np.mgrid[0:height, 0:width].astype(np.float64)
    light = 0.92 - 0.12 * columns / width - 0.05 * rows / height
    centre_row, centre_column = rng.uniform(0.2, 0.8) * height, rng.uniform(0.0, 0.4) * width
    distance = np.hypot(rows - centre_row, columns - centre_column) / max(height, width)
    light *= 1 - shadow * np.clip(1.3 - distance / 0.35, 0.0, 1.0)
    top, left = at if at is not None else ((height - ink.shape[0]) // 2, (width - ink.shape[1]) // 2)
    canvas = np.zeros((height, width))
    canvas[top : top + ink.shape[0], left : left + ink.shape[1]] = ink
    paper = np.stack([light * 1.0, light * 0.97, light * 0.9], axis=-1)
    pen_colour = np.asarray(pen) * light[..., None]
    image = paper * (1 - canvas[..., None]) + pen_colour * canvas[..., None]
    image += rng.normal(0.0, noise, image.shape)
    return (np.clip(image, 0, 1) * 255).round().astype(np.uint8)


def elliptic_shadow_page(
    *, size: tuple[int, int], seed: int, shadow: float, noise: float = 0.02
) -> np.ndarray:
    """Blank paper `size` = (height, width) under a tilted elliptic shadow `shadow` deep: uint8 RGB.

    The light as `paper_scene`'s; the shadow's axes (10 to 40 % of the page), tilt and centre are
    drawn from `seed`, its edge fading over half its radius.
    """
    height, width = size
    rng = np.random.default_rng(seed)
    rows, columns = np.mgrid[0:height, 0:width].astype(np.float64)
    light = 0.92 - 0.12 * columns / width - 0.05 * rows / height
    centre_row, centre_column = rng.uniform(0.2, 0.8) * height, rng.uniform(0.2, 0.8) * width
    across, down = rng.uniform(0.1, 0.4) * width, rng.uniform(0.1, 0.4) * height
    tilt = rng.uniform(0.0, np.pi)
    x, y = columns - centre_column, rows - centre_row
    u = (x * np.cos(tilt) + y * np.sin(tilt)) / across
    v = (-x * np.sin(tilt) + y * np.cos(tilt)) / down
    light *= 1 - shadow * np.clip(1.5 - np.hypot(u, v), 0.0, 1.0)
    paper = np.stack([light * 1.0, light * 0.97, light * 0.9], axis=-1)
    paper += rng.normal(0.0, noise, paper.shape)
    return (np.clip(paper, 0, 1) * 255).round().astype(np.uint8)


def paper_photo(digit: np.ndarray, seed: int) -> bytes:
    """A phone photo: the digit 120 px tall on 200 × 160 paper with a shadow, JPEG quality 85."""
    return encode(paper_scene(upscale(digit, 120), size=(160, 200), seed=seed), "JPEG", quality=85)


RENDERINGS = {  # name → (digit, seed) → file bytes
    "png": lambda digit, seed: encode(digit),
    "jpeg": lambda digit, seed: encode(digit, "JPEG", quality=75),
    "inverted": lambda digit, seed: encode(255 - digit),
    "tight": lambda digit, seed: encode(255 - tight(digit)),
    "thinned": lambda digit, seed: encode(morphed(digit, thicker=False)),
    "thickened": lambda digit, seed: encode(morphed(digit, thicker=True)),
    "paper_photo": paper_photo,
}
