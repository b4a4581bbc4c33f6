"""Ink measurements on batches of white-on-black images, in TensorFlow (for the augmentation).

All take `(b, H, W)` float32 in [0, 1] and return per-image `(b,)` float32 values in pixel-index
coordinates (row down, column across).
"""

import tensorflow as tf

INK_BOX_THRESHOLD = 0.2  # grey level (0..1) above which a pixel counts for the ink box: not the soft edges


def ink_box(canvas: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]:
    """Inclusive ink box of each image, `(b, H, W)` float32 → four `(b,)` float32 (top, bottom, left, right).

    An image without ink gets the whole canvas as its box.
    """
    ink = canvas > INK_BOX_THRESHOLD
    rows = tf.reduce_any(ink, axis=2)
    columns = tf.reduce_any(ink, axis=1)
    height, width = canvas.shape[1], canvas.shape[2]
    row_index = tf.range(height, dtype=tf.float32)[tf.newaxis, :]
    column_index = tf.range(width, dtype=tf.float32)[tf.newaxis, :]
    big = float(max(height, width) * 4)
    top = tf.reduce_min(tf.where(rows, row_index, big), axis=1)
    bottom = tf.reduce_max(tf.where(rows, row_index, -big), axis=1)
    left = tf.reduce_min(tf.where(columns, column_index, big), axis=1)
    right = tf.reduce_max(tf.where(columns, column_index, -big), axis=1)
    has_ink = tf.reduce_any(rows, axis=1)
    top = tf.where(has_ink, top, 0.0)
    bottom = tf.where(has_ink, bottom, height - 1.0)
    left = tf.where(has_ink, left, 0.0)
    right = tf.where(has_ink, right, width - 1.0)
    return top, bottom, left, right


def centre_of_mass(canvas: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Grey-level centre of mass `(b, H, W)` → `(b,)` row and `(b,)` column (the canvas centre when blank)."""
    height, width = canvas.shape[1], canvas.shape[2]
    mass = tf.reduce_sum(canvas, axis=[1, 2])
    safe_mass = tf.maximum(mass, 1e-6)
    row_index = tf.range(height, dtype=tf.float32)[tf.newaxis, :, tf.newaxis]
    column_index = tf.range(width, dtype=tf.float32)[tf.newaxis, tf.newaxis, :]
    row = tf.reduce_sum(canvas * row_index, axis=[1, 2]) / safe_mass
    column = tf.reduce_sum(canvas * column_index, axis=[1, 2]) / safe_mass
    blank = mass <= 1e-6
    return tf.where(blank, (height - 1) / 2.0, row), tf.where(blank, (width - 1) / 2.0, column)


def index_grid(size: int) -> tuple[tf.Tensor, tf.Tensor]:
    """Row and column index planes `(1, size, size)` float32 (row varies down, column across)."""
    index = tf.range(size, dtype=tf.float32)
    ones = tf.ones([1, size, size])
    return index[tf.newaxis, :, tf.newaxis] * ones, index[tf.newaxis, tf.newaxis, :] * ones


def per_image(value: tf.Tensor) -> tf.Tensor:
    """Per-image values `(b,)` → `(b, 1, 1)`, to broadcast against `(b, H, W)` images."""
    return value[:, tf.newaxis, tf.newaxis]
