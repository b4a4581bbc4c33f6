"""The CNN's training augmentation (train/augment.py): each transform does what its name says.

Checked on real MNIST training digits: stroke width moves ink mass the right way, a cut erases
only at one side of the ink box, a neighbour's fragment adds ink beside the digit, the strong
augmentation is reproducible from (batch index, seed) and keeps the digits plausible (values in
[0, 1], ink roughly where the recipe puts it), and the gentle phase is the affine warp alone.
"""

import dataclasses

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from train.augment import (  # noqa: E402
    CANVAS_MARGIN,
    add_neighbour_fragment,
    augment_batch,
    change_stroke_width,
    cut_at_frame,
)
from train.config import CnnConfig, check_config  # noqa: E402

DIGITS = 64  # training digits per check: enough to see every random branch, fast on 2 cores


@pytest.fixture(scope="module")
def images(mnist_data_dir) -> np.ndarray:
    """Float32 `(64, 28, 28)` in [0, 1]: the first training digits."""
    from train.data import load_mnist

    return load_mnist(mnist_data_dir).train_images[:DIGITS].astype(np.float32) / 255.0


def seed(value: int) -> tf.Tensor:
    return tf.constant([value, 1], tf.int32)


def test_thickening_adds_ink_and_thinning_removes_it(images):
    thick = change_stroke_width(
        tf.constant(images), seed(0), probability=1.0, max_thinning=0.0, max_thickening=1.0
    ).numpy()
    thin = change_stroke_width(
        tf.constant(images), seed(0), probability=1.0, max_thinning=1.0, max_thickening=0.0
    ).numpy()
    ink = images.sum(axis=(1, 2))
    assert np.all(thick.sum(axis=(1, 2)) >= ink - 1e-3)
    assert np.mean(thick.sum(axis=(1, 2)) > ink * 1.05) > 0.8  # most moved by a visible amount
    # thinning is brightened back to a peak of 1, so compare the area above half ink, not the mass
    assert np.mean((thin > 0.5).sum(axis=(1, 2)) < (images > 0.5).sum(axis=(1, 2))) > 0.8
    for result in (thick, thin):
        assert result.min() >= 0.0 and result.max() <= 1.0 + 1e-6


def test_stroke_width_leaves_unchosen_images_exactly_as_they_were(images):
    unchanged = change_stroke_width(
        tf.constant(images), seed(3), probability=0.0, max_thinning=1.0, max_thickening=1.0
    ).numpy()
    np.testing.assert_array_equal(unchanged, images)


def test_a_cut_erases_one_side_of_the_ink_box_only(images):
    canvas = tf.pad(tf.constant(images), [[0, 0], [CANVAS_MARGIN] * 2, [CANVAS_MARGIN] * 2])
    cut = cut_at_frame(canvas, seed(5), probability=1.0, max_fraction=0.12).numpy()
    before = canvas.numpy()
    assert np.all(cut <= before + 1e-7)  # only erases
    erased = before - cut
    assert np.mean(erased.sum(axis=(1, 2)) > 0) > 0.5  # a band of up to 12% usually hits ink
    for index in np.flatnonzero(erased.sum(axis=(1, 2)) > 0):
        rows, columns = np.nonzero(erased[index] > 0)
        ink_rows, ink_columns = np.nonzero(before[index] > 0.2)
        along_rows = rows.max() - rows.min() <= 0.5 * (ink_rows.max() - ink_rows.min())
        along_columns = columns.max() - columns.min() <= 0.5 * (ink_columns.max() - ink_columns.min())
        assert along_rows or along_columns, f"digit {index}: erased in the middle, not at one side"


def test_a_neighbours_fragment_adds_ink_beside_the_digit(images):
    canvas = tf.pad(tf.constant(images), [[0, 0], [CANVAS_MARGIN] * 2, [CANVAS_MARGIN] * 2])
    with_fragment = add_neighbour_fragment(
        canvas, seed(7), probability=1.0, max_columns=4.0, max_gap=2.0
    ).numpy()
    added = with_fragment - canvas.numpy()
    assert np.all(added >= -1e-7)
    assert np.mean(added.sum(axis=(1, 2)) > 0.5) > 0.8


def test_strong_augmentation_is_reproducible_bounded_and_keeps_the_digit_centred(images):
    config = CnnConfig()
    batch = (tf.constant(images)[..., tf.newaxis], tf.zeros([DIGITS, 10]))
    first = augment_batch(tf.constant(2, tf.int64), batch, config=config)[0].numpy()
    again = augment_batch(tf.constant(2, tf.int64), batch, config=config)[0].numpy()
    other = augment_batch(tf.constant(3, tf.int64), batch, config=config)[0].numpy()
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert first.shape == (DIGITS, 28, 28, 1) and first.min() >= 0.0 and first.max() <= 1.0
    mass = first[..., 0].sum(axis=(1, 2))
    rows = (first[..., 0].sum(axis=2) * np.arange(28)).sum(axis=1) / mass
    columns = (first[..., 0].sum(axis=1) * np.arange(28)).sum(axis=1) / mass
    assert np.all(np.abs(rows - 13.5) < 5) and np.all(np.abs(columns - 13.5) < 5)


def test_the_gentle_phase_is_the_affine_warp_alone(images):
    config = CnnConfig()
    affine_only = dataclasses.replace(
        config, elastic_pixels=0.0, stroke_probability=0.0, cut_probability=0.0, fragment_probability=0.0
    )
    batch = (tf.constant(images)[..., tf.newaxis], tf.zeros([DIGITS, 10]))
    index = tf.constant(9, tf.int64)
    gentle = augment_batch(index, batch, config=config, strong_steps=5)[0].numpy()
    reference = augment_batch(index, batch, config=affine_only)[0].numpy()
    np.testing.assert_allclose(gentle, reference, atol=1e-6)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"stroke_probability": 1.5}, "stroke_probability must be in [0, 1], got 1.5"),
        ({"cut_max_fraction": 0.9}, "cut_max_fraction must be in [0, 0.5], got 0.9"),
        ({"elastic_grid": 1}, "elastic_grid must be at least 2, got 1"),
        ({"fragment_max_gap": -1.0}, "fragment_max_gap must be non-negative, got -1.0"),
        ({"conv_filters": (32, 0, 64)}, "conv_filters must be three positive counts, got (32, 0, 64)"),
    ],
)
def test_bad_augmentation_settings_name_the_field_and_value(change, message):
    with pytest.raises(ValueError) as raised:
        check_config(dataclasses.replace(CnnConfig(), **change))
    assert str(raised.value) == message
