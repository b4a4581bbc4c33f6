"""CNN training augmentation: a random affine warp (rotation, zoom, shift) per image, reproducibly.

Applied in the `tf.data` input pipeline, never in the model, so the saved graph stays plain
standard layers. The random stream is stateless, keyed by (seed, batch index).
"""

import math

import tensorflow as tf

from digits.constants import IMAGE_SIZE
from train.config import CnnConfig


def random_affine_transforms(batch_index: tf.Tensor, count: tf.Tensor, *, config: CnnConfig) -> tf.Tensor:
    """Float32 `(count, 8)` projective transforms: a random rotation, zoom and shift per image.

    The parameters come from a stateless generator keyed by (seed, batch index), so the stream
    is reproducible. Each row maps an output pixel back to the input (what
    `ImageProjectiveTransformV3` wants): input = R(angle) / scale · (output − centre) + centre + shift.
    """
    seed = tf.stack([tf.cast(batch_index, tf.int32), tf.constant(config.seed, tf.int32)])
    uniform = tf.random.stateless_uniform([count, 4], seed, minval=-1.0, maxval=1.0)
    angle = uniform[:, 0] * (config.rotation_degrees * math.pi / 180.0)
    scale = 1.0 + uniform[:, 1] * config.zoom_fraction
    shift_x = uniform[:, 2] * config.shift_pixels
    shift_y = uniform[:, 3] * config.shift_pixels
    centre = (IMAGE_SIZE - 1) / 2.0
    a0, a1 = tf.cos(angle) / scale, -tf.sin(angle) / scale
    b0, b1 = tf.sin(angle) / scale, tf.cos(angle) / scale
    a2 = centre - a0 * centre - a1 * centre + shift_x
    b2 = centre - b0 * centre - b1 * centre + shift_y
    zeros = tf.zeros_like(a0)
    return tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


def augment_batch(
    batch_index: tf.Tensor, batch: tuple[tf.Tensor, tf.Tensor], *, config: CnnConfig
) -> tuple[tf.Tensor, tf.Tensor]:
    """Warp a batch `(b, 28, 28, 1)` with one random affine transform per image; labels unchanged.

    Bilinear sampling; what falls outside the image is black (the MNIST background).
    """
    images, labels = batch
    warped = tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=random_affine_transforms(batch_index, tf.shape(images)[0], config=config),
        output_shape=[IMAGE_SIZE, IMAGE_SIZE],
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
    )
    return warped, labels
