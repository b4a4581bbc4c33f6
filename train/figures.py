"""Training figures as PNG (matplotlib Agg): samples, history, predictions, confusion, mistakes.

Every writer takes the output folder and plain arrays; files are written atomically.
"""

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402

from digits.files import atomic_path  # noqa: E402
from train.data import MnistData  # noqa: E402

GRID_SIDE = 5  # samples and predictions: a 5x5 grid, as the tutorial
MISCLASSIFIED_SIDE = 6  # misclassified gallery: up to 6x6 of the most confident mistakes
CORRECT_COLOUR = "green"
WRONG_COLOUR = "red"


def _save(figure: plt.Figure, path: pathlib.Path) -> None:
    with atomic_path(path) as partial:
        figure.savefig(partial, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)


def _digit_grid(side: int, *, title: str):
    figure, axes = plt.subplots(side, side, figsize=(1.6 * side, 1.8 * side))
    figure.suptitle(title)
    for axis in axes.flat:
        axis.axis("off")
    return figure, axes.flat


def plot_samples(images: np.ndarray, labels: np.ndarray, *, path: pathlib.Path) -> None:
    """Draw the tutorial's grid: the first 25 training images `(n, 28, 28)` uint8 with their labels."""
    figure, axes = _digit_grid(GRID_SIDE, title="MNIST training samples")
    for axis, image, label in zip(axes, images, labels, strict=False):
        axis.imshow(image, cmap="gray")
        axis.set_title(f"label {label}")
    _save(figure, path)


def plot_history(history: dict, path: pathlib.Path, *, title: str) -> None:
    """Accuracy and loss per epoch, training vs the held-out validation slice."""
    figure, (accuracy_axis, loss_axis) = plt.subplots(1, 2, figsize=(11, 4))
    figure.suptitle(title)
    epochs = np.arange(1, len(history["loss"]) + 1)
    for axis, key in ((accuracy_axis, "accuracy"), (loss_axis, "loss")):
        axis.plot(epochs, history[key], marker="o", label="training")
        axis.plot(epochs, history[f"val_{key}"], marker="o", label="validation")
        axis.set_xlabel("epoch")
        axis.set_ylabel(key)
        axis.grid(alpha=0.3)
        axis.legend()
    _save(figure, path)


def plot_predictions(images: np.ndarray, labels: np.ndarray, *, probabilities: np.ndarray, path) -> None:
    """Draw the first 25 test images, titled with the prediction: green when right, red when wrong."""
    figure, axes = _digit_grid(GRID_SIDE, title="Test predictions (green: right, red: wrong)")
    for axis, image, label, row in zip(axes, images, labels, probabilities, strict=False):
        predicted = int(row.argmax())
        axis.imshow(image, cmap="gray")
        colour = CORRECT_COLOUR if predicted == label else WRONG_COLOUR
        axis.set_title(f"pred {predicted} ({row[predicted]:.2f})", color=colour)
    _save(figure, path)


def plot_confusion_matrix(confusion: np.ndarray, path: pathlib.Path, *, title: str) -> None:
    """10x10 counts, rows true digit, columns predicted digit, log-ish colour so errors show."""
    figure, axis = plt.subplots(figsize=(7, 6))
    axis.imshow(np.log1p(confusion), cmap="Blues")
    for true_digit in range(confusion.shape[0]):
        for predicted_digit in range(confusion.shape[1]):
            count = int(confusion[true_digit, predicted_digit])
            if count:
                colour = "white" if true_digit == predicted_digit else "black"
                axis.text(
                    predicted_digit, true_digit, count, ha="center", va="center", color=colour, fontsize=8
                )
    axis.set_xticks(range(confusion.shape[1]))
    axis.set_yticks(range(confusion.shape[0]))
    axis.set_xlabel("predicted digit")
    axis.set_ylabel("true digit")
    axis.set_title(title)
    _save(figure, path)


def plot_misclassified(images: np.ndarray, labels: np.ndarray, *, probabilities: np.ndarray, path) -> None:
    """Gallery of wrong test digits, most confident mistakes first: true / predicted / confidence."""
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    confidence = probabilities[wrong, predicted[wrong]]
    shown = wrong[np.argsort(-confidence)][: MISCLASSIFIED_SIDE**2]
    figure, axes = _digit_grid(
        MISCLASSIFIED_SIDE, title=f"{len(wrong)} misclassified test digits (most confident first)"
    )
    for axis, index in zip(axes, shown, strict=False):
        axis.imshow(images[index], cmap="gray")
        axis.set_title(
            f"true {labels[index]} pred {predicted[index]}\n{probabilities[index, predicted[index]]:.2f}",
            color=WRONG_COLOUR,
            fontsize=9,
        )
    _save(figure, path)


def plot_augmented(rows: np.ndarray, path: pathlib.Path) -> None:
    """Originals (top row, red frames) above augmented copies: `rows` float `(1 + k, n, 28, 28)` in [0, 1].

    The training augmentation must keep plausible digits; this grid is where a person checks it.
    """
    row_count, column_count = rows.shape[:2]
    figure, axes = plt.subplots(row_count, column_count, figsize=(0.9 * column_count, 0.9 * row_count))
    figure.suptitle("CNN training augmentation: originals (red), then augmented batches")
    for row_index, column_index in np.ndindex(row_count, column_count):
        axis = axes[row_index, column_index]
        axis.imshow(rows[row_index, column_index], cmap="gray", vmin=0.0, vmax=1.0)
        axis.set_xticks([])
        axis.set_yticks([])
        if row_index == 0:
            for spine in axis.spines.values():
                spine.set_color(WRONG_COLOUR)
    figure.subplots_adjust(wspace=0.05, hspace=0.05)
    _save(figure, path)


def write_all(
    folder: pathlib.Path,
    *,
    data: MnistData,
    history: dict,
    probabilities: np.ndarray,
    confusion_matrix: np.ndarray,
    title: str,
) -> None:
    """Write samples, history, predictions, confusion_matrix and misclassified PNGs into `folder`.

    probabilities: `(10000, 10)` float32 for the test images, in order.
    """
    folder = pathlib.Path(folder)
    plot_samples(
        data.train_images[: GRID_SIDE**2], data.train_labels[: GRID_SIDE**2], path=folder / "samples.png"
    )
    plot_history(history, folder / "history.png", title=title)
    plot_predictions(
        data.test_images, data.test_labels, probabilities=probabilities, path=folder / "predictions.png"
    )
    plot_confusion_matrix(confusion_matrix, folder / "confusion_matrix.png", title=title)
    plot_misclassified(
        data.test_images, data.test_labels, probabilities=probabilities, path=folder / "misclassified.png"
    )
