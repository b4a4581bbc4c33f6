"""CNN training inputs: the shuffled, batched, augmented `tf.data` stream, reproducibly.

Augmentation imitates what real digits look like once the image path has cut them out and
applied the MNIST recipe (ink box → 20 px, centre of mass on the centre, white on black):

- **Digits cut at the frame.** A tight scan or photo can clip a digit at one side: a band of the
  ink box is erased, then the digit is re-normalised as the recipe would (see below).
- **A neighbour's fragment.** When digits touch or nearly touch, the segmenter can hand over a
  box with a sliver of the next digit at its left or right side: a few columns of another digit
  of the batch are put beside (or touching) the ink, then the whole is re-normalised.
- **Re-normalisation.** After a cut or a fragment the ink box and centre of mass change; the
  warp scales the ink so its box's longer side keeps its original length and puts the new
  centre of mass where the old one was, as the recipe would.
- **Shape.** One random affine map (rotation, zoom, shear, shift) and a smooth elastic field
  (a coarse grid of random displacements, upsampled bicubically), in one bilinear sampling.
- **Stroke width.** Grey erosion or dilation at twice the resolution (half-pixel steps), by a
  random amount up to a pixel per edge.

The last `gentle_final_fraction` of the steps use the affine warp alone, so the final weights fit
the clean, centred digits the recipe produces most of the time (MNIST's test set is such digits).

Everything is a function of (seed, batch index) through stateless random ops, so a run is
reproducible. Applied in the input pipeline, never in the model: the saved graph stays plain
standard layers.
"""

import math

import numpy as np
import tensorflow as tf

from digits.constants import IMAGE_SIZE
from train.config import CnnConfig
from train.ink import centre_of_mass, index_grid, ink_box, per_image

CANVAS_MARGIN = 8  # black pixels added on every side, so a fragment beside the digit is not clipped
MAX_RENORMALISE_ZOOM = 1.3  # bound on the re-normalisation zoom in after a cut
MIN_RENORMALISE_ZOOM = 0.75  # bound on the re-normalisation zoom out after a fragment
RANDOM_STREAMS = 8  # stateless streams split from (batch index, seed); 4 used. Changing it changes them all


def cut_at_frame(canvas: tf.Tensor, seed: tf.Tensor, *, probability: float, max_fraction: float) -> tf.Tensor:
    """Erase a band of up to `max_fraction` of the ink box at one random side, for a `probability` of images.

    canvas: `(b, H, W)` float32. The band width is uniform in (0, max_fraction] of the box's extent
    across that side, so the digit stays readable, as when a tight scan clips its edge.
    """
    count = tf.shape(canvas)[0]
    uniform = tf.random.stateless_uniform([count, 3], seed)
    chosen = uniform[:, 0] < probability
    side = tf.cast(tf.floor(uniform[:, 1] * 4.0), tf.int32)  # 0 left, 1 right, 2 top, 3 bottom
    fraction = uniform[:, 2] * max_fraction
    top, bottom, left, right = ink_box(canvas)
    band_x = fraction * (right - left + 1.0)
    band_y = fraction * (bottom - top + 1.0)
    rows, columns = index_grid(canvas.shape[1])
    side = per_image(side)
    erase = (
        ((side == 0) & (columns < per_image(left + band_x)))
        | ((side == 1) & (columns > per_image(right - band_x)))
        | ((side == 2) & (rows < per_image(top + band_y)))
        | ((side == 3) & (rows > per_image(bottom - band_y)))
    )
    return tf.where(per_image(chosen) & erase, 0.0, canvas)


def add_neighbour_fragment(
    canvas: tf.Tensor, seed: tf.Tensor, *, probability: float, max_columns: float, max_gap: float
) -> tf.Tensor:
    """Put a few columns of another digit beside the ink, left or right, for a `probability` of images.

    canvas: `(b, H, W)` float32 with margin around the digit. The neighbour is the next image of the
    (shuffled) batch; its near edge lands `gap` pixels from the ink box (uniform in
    [-1, max_gap]: −1 touches), it keeps 1 to `max_columns` columns of its ink, and sits up to 3 px
    higher or lower. Combined with a maximum, as ink on the same paper. Only the chosen images
    are computed; the others are returned exactly as they came.
    """
    count = tf.shape(canvas)[0]
    uniform = tf.random.stateless_uniform([count, 5], seed)
    chosen = tf.where(uniform[:, 0] < probability)  # (k, 1) indices
    on_right = tf.gather_nd(uniform[:, 1] < 0.5, chosen)
    gap = tf.round(-1.0 + tf.gather_nd(uniform[:, 2], chosen) * (max_gap + 1.0))
    kept = 1.0 + tf.floor(tf.gather_nd(uniform[:, 3], chosen) * max_columns)
    lift = tf.round((tf.gather_nd(uniform[:, 4], chosen) * 2.0 - 1.0) * 3.0)
    images = tf.gather_nd(canvas, chosen)
    neighbours = tf.gather_nd(tf.roll(canvas, shift=1, axis=0), chosen)
    _, _, left, right = ink_box(images)
    _, _, neighbour_left, neighbour_right = ink_box(neighbours)
    # Output column x shows neighbour column x − shift.
    shift = tf.where(on_right, right + 1.0 + gap - neighbour_left, left - 1.0 - gap - neighbour_right)
    zeros, ones = tf.zeros_like(shift), tf.ones_like(shift)
    moved = tf.raw_ops.ImageProjectiveTransformV3(
        images=neighbours[..., tf.newaxis],
        transforms=tf.stack([ones, zeros, -shift, zeros, ones, -lift, zeros, zeros], axis=1),
        output_shape=tf.shape(canvas)[1:3],
        fill_value=0.0,
        interpolation="NEAREST",
        fill_mode="CONSTANT",
    )[..., 0]
    _, columns = index_grid(canvas.shape[1])
    near_edge = per_image(tf.where(on_right, right + gap + kept, left - gap - kept))
    keep = tf.where(per_image(on_right), columns <= near_edge, columns >= near_edge)
    fragments = tf.where(keep, moved, 0.0)
    return tf.tensor_scatter_nd_update(canvas, chosen, tf.maximum(images, fragments))


def elastic_field(seed: tf.Tensor, count: tf.Tensor, *, grid: int, max_pixels: float) -> tf.Tensor:
    """Smooth random displacements `(b, 28, 28, 2)` (row, column) in pixels.

    A `grid`×`grid` lattice of uniform displacements in ±`max_pixels`, upsampled bicubically to
    28×28: the strokes bend gently, as a different hand would draw them, without tearing.
    """
    coarse = tf.random.stateless_uniform([count, grid, grid, 2], seed, minval=-1.0, maxval=1.0) * max_pixels
    return tf.image.resize(coarse, [IMAGE_SIZE, IMAGE_SIZE], method="bicubic")


def _bilinear_sample(canvas: tf.Tensor, *, source_row: tf.Tensor, source_column: tf.Tensor) -> tf.Tensor:
    """Sample `(b, H, W)` at float positions `(b, 28, 28)` each; outside the canvas reads 0 (black)."""
    height, width = canvas.shape[1], canvas.shape[2]
    flat = tf.reshape(canvas, [tf.shape(canvas)[0], height * width])
    row0, column0 = tf.floor(source_row), tf.floor(source_column)
    row_weight, column_weight = source_row - row0, source_column - column0
    row0, column0 = tf.cast(row0, tf.int32), tf.cast(column0, tf.int32)

    def tap(row: tf.Tensor, column: tf.Tensor) -> tf.Tensor:
        inside = (row >= 0) & (row < height) & (column >= 0) & (column < width)
        index = tf.clip_by_value(row, 0, height - 1) * width + tf.clip_by_value(column, 0, width - 1)
        values = tf.gather(flat, tf.reshape(index, [tf.shape(index)[0], -1]), batch_dims=1)
        return tf.where(inside, tf.reshape(values, tf.shape(row)), 0.0)

    top = (1.0 - column_weight) * tap(row0, column0) + column_weight * tap(row0, column0 + 1)
    bottom = (1.0 - column_weight) * tap(row0 + 1, column0) + column_weight * tap(row0 + 1, column0 + 1)
    return (1.0 - row_weight) * top + row_weight * bottom


def _renormalise_scale(canvas: tf.Tensor, original: tf.Tensor) -> tf.Tensor:
    """Per-image `(b,)` sampling scale that brings the ink box's longer side back to its original length.

    Both `(b, H, W)`. Bounded by the re-normalisation zooms, so a big cut or a wide fragment does not
    blow the digit up or shrink it to a dot.
    """
    top0, bottom0, left0, right0 = ink_box(original)
    top1, bottom1, left1, right1 = ink_box(canvas)
    renormalise = tf.maximum(bottom1 - top1, right1 - left1) / tf.maximum(
        tf.maximum(bottom0 - top0, right0 - left0), 1.0
    )
    return tf.clip_by_value(renormalise, 1.0 / MAX_RENORMALISE_ZOOM, 1.0 / MIN_RENORMALISE_ZOOM)


def warp(
    canvas: tf.Tensor, original: tf.Tensor, *, seed: tf.Tensor, config: CnnConfig, elastic_pixels: float
) -> tf.Tensor:
    """Affine + elastic warp of the canvas `(b, H, W)` into 28×28 `(b, 28, 28)`, with re-normalisation.

    `original` `(b, H, W)` is the canvas before cuts and fragments: the ink's new centre of mass is
    sent where the original one sat, and the ink box's longer side is scaled back to its original
    length (bounded), as the image path's recipe would. For untouched images this is the identity,
    so MNIST's own normalisation is kept. Then, about that centre: rotation, zoom, shear, shift.
    """
    count = tf.shape(canvas)[0]
    seeds = tf.random.experimental.stateless_split(seed, num=2)
    uniform = tf.random.stateless_uniform([count, 5], seeds[0], minval=-1.0, maxval=1.0)
    angle = uniform[:, 0] * (config.rotation_degrees * math.pi / 180.0)
    zoom = 1.0 + uniform[:, 1] * config.zoom_fraction
    shear = uniform[:, 2] * config.shear
    shift_x, shift_y = uniform[:, 3] * config.shift_pixels, uniform[:, 4] * config.shift_pixels
    renormalise = _renormalise_scale(canvas, original)
    target_row, target_column = centre_of_mass(original)
    source_row, source_column = centre_of_mass(canvas)
    target_row, target_column = target_row - CANVAS_MARGIN, target_column - CANVAS_MARGIN
    # Output (x, y) → input: centre_in + s/zoom · R(angle) · Shear · (out − centre_out − shift).
    factor = renormalise / zoom
    cosine, sine = tf.cos(angle) * factor, tf.sin(angle) * factor
    rows, columns = index_grid(IMAGE_SIZE)
    dx = columns - per_image(target_column + shift_x)
    dy = rows - per_image(target_row + shift_y)
    dx = dx + per_image(shear) * dy
    field = elastic_field(seeds[1], count, grid=config.elastic_grid, max_pixels=elastic_pixels)
    sample_column = per_image(source_column) + per_image(cosine) * dx - per_image(sine) * dy + field[..., 1]
    sample_row = per_image(source_row) + per_image(sine) * dx + per_image(cosine) * dy + field[..., 0]
    return _bilinear_sample(canvas, source_row=sample_row, source_column=sample_column)


def _move_edges(images: tf.Tensor, amount: tf.Tensor) -> tf.Tensor:
    """Grey dilation (amount > 0) or erosion (< 0) of `(k, 28, 28)` by `amount` `(k,)` px, at 2× scale."""
    amount = amount[:, tf.newaxis, tf.newaxis, tf.newaxis]
    fine = tf.image.resize(images[..., tf.newaxis], [2 * IMAGE_SIZE, 2 * IMAGE_SIZE], method="bilinear")
    magnitude = tf.abs(amount)
    half, full = tf.minimum(magnitude * 2.0, 1.0), tf.clip_by_value(magnitude * 2.0 - 1.0, 0.0, 1.0)
    sign = tf.where(amount < 0.0, -1.0, 1.0)  # erosion is the maximum of the negated image
    signed = fine * sign
    half_pixel = tf.nn.max_pool2d(signed, ksize=3, strides=1, padding="SAME")  # ±0.5 px at 28×28
    full_pixel = tf.nn.max_pool2d(half_pixel, ksize=3, strides=1, padding="SAME")  # twice: a 5×5 window
    moved = signed + half * (half_pixel - signed) + full * (full_pixel - half_pixel)
    coarse = tf.nn.avg_pool2d(moved * sign, ksize=2, strides=2, padding="VALID")
    peak = tf.reduce_max(coarse, axis=[1, 2, 3], keepdims=True)
    gain = tf.where(amount < 0.0, 1.0 / tf.clip_by_value(peak, 0.5, 1.0), 1.0)
    return (coarse * gain)[..., 0]


def change_stroke_width(
    images: tf.Tensor, seed: tf.Tensor, *, probability: float, max_thinning: float, max_thickening: float
) -> tf.Tensor:
    """Thin or thicken the strokes of a `probability` of images `(b, 28, 28)` by a random amount.

    Grey erosion (minimum) or dilation (maximum) at twice the resolution, so the step is half a
    pixel: the image is upsampled 2× bilinearly, a 3×3 (±0.5 px) or 5×5 (±1 px) window is applied,
    and the result is averaged back to 28×28. The amount is uniform in [−`max_thinning`,
    `max_thickening`] px per edge (negative thins); between the two windows the results are
    blended. Thinned images are brightened back to a peak of 1 (at most 2×), as the image path
    stretches ink to full contrast.
    Only the chosen images are computed; the others are returned exactly as they came.
    """
    count = tf.shape(images)[0]
    uniform = tf.random.stateless_uniform([count, 2], seed)
    amount = uniform[:, 1] * (max_thinning + max_thickening) - max_thinning
    amount = tf.where(uniform[:, 0] < probability, amount, 0.0)
    chosen = tf.where(amount != 0.0)
    changed = _move_edges(tf.gather_nd(images, chosen), tf.gather_nd(amount, chosen))
    return tf.tensor_scatter_nd_update(images, chosen, changed)


def augment_batch(
    batch_index: tf.Tensor,
    batch: tuple[tf.Tensor, tf.Tensor],
    *,
    config: CnnConfig,
    strong_steps: int | None = None,
) -> tuple[tf.Tensor, tf.Tensor]:
    """Augment one batch: images `(b, 28, 28, 1)` float32 in [0, 1], labels `(b, 10)` unchanged.

    Cuts and fragments on a canvas with margin, one warp to 28×28 (re-normalise, affine, elastic),
    then stroke width. Keyed by (batch index, config.seed): the same run gives the same stream.
    From batch `strong_steps` on (None: never) only the affine warp is applied: the last epochs
    fit the clean, centred digits the recipe produces most of the time.
    """
    images, labels = batch
    strength = 1.0
    if strong_steps is not None:
        strength = tf.cast(batch_index < strong_steps, tf.float32)
    seed = tf.stack([tf.cast(batch_index, tf.int32), tf.constant(config.seed, tf.int32)])
    seeds = tf.random.experimental.stateless_split(seed, num=RANDOM_STREAMS)
    margin = [[0, 0], [CANVAS_MARGIN, CANVAS_MARGIN], [CANVAS_MARGIN, CANVAS_MARGIN]]
    original = tf.pad(images[..., 0], margin)
    canvas = cut_at_frame(
        original,
        seeds[0],
        probability=config.cut_probability * strength,
        max_fraction=config.cut_max_fraction,
    )
    canvas = add_neighbour_fragment(
        canvas,
        seeds[1],
        probability=config.fragment_probability * strength,
        max_columns=config.fragment_max_columns,
        max_gap=config.fragment_max_gap,
    )
    warped = warp(
        canvas, original, seed=seeds[2], config=config, elastic_pixels=config.elastic_pixels * strength
    )
    stroked = change_stroke_width(
        warped,
        seeds[3],
        probability=config.stroke_probability * strength,
        max_thinning=config.stroke_max_thinning,
        max_thickening=config.stroke_max_thickening,
    )
    return tf.clip_by_value(stroked, 0.0, 1.0)[..., tf.newaxis], labels


def augmented_examples(images: np.ndarray, *, config: CnnConfig, variants: int = 5) -> np.ndarray:
    """Originals and `variants` augmented copies of uint8 `(n, 28, 28)` → float32 `(1 + variants, n, 28, 28)`.

    Copy k is what batch k of the training stream does to these images (strong augmentation).
    """
    batch = tf.constant(images, tf.float32)[..., tf.newaxis] / 255.0
    labels = tf.zeros([len(images), 1])
    copies = []
    for index in range(variants):
        copies.append(augment_batch(tf.constant(index, tf.int64), (batch, labels), config=config)[0])
    return tf.stack([batch, *copies])[..., 0].numpy()
