"""The README's picture of the image path: real photos, their cleaned 28×28 inputs, what the CNN reads.

    python -m bench.image_figure [--count 8] [--out docs/image-path.png]

Takes the first `--count` photos of `../shared/realdigits` (by file name; `SOURCES.tsv` says which
are photos), reads each through the same code as the edge CLI (`digits.image.read_digits`, then
one batch through `cnn-onnx-fp32`) and draws, per photo: the photo as given (reduced), the 28×28
input of each digit found, and the digit read with its probability, green when it is the label.
The photos are read from the shared folder every time, never stored in the repository; only this
derived figure is.
"""

import argparse
import csv
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from digits.files import atomic_path
from digits.image import ImageError, read_digits
from digits.manifest import DEFAULT_MODELS_DIR, find_entry, read_manifest
from digits.model import OnnxClassifier

REPOSITORY = Path(__file__).resolve().parents[1]
REAL_DIGITS_DIR = REPOSITORY.parent / "shared" / "realdigits"
DEFAULT_OUT = REPOSITORY / "docs" / "image-path.png"
VARIANT = "cnn-onnx-fp32"
RIGHT_COLOUR, WRONG_COLOUR = "#1a7f37", "#cf222e"
THUMBNAIL_SIDE = 256  # the photo is shown reduced to at most this many pixels per side


def photos(directory: Path, count: int) -> list[tuple[Path, int]]:
    """Return the first `count` photos `(path, label)` listed in `SOURCES.tsv`, by file name."""
    with open(directory / "SOURCES.tsv", newline="") as file:
        rows = [row for row in csv.DictReader(file, delimiter="\t") if row["kind"] == "photo"]
    rows.sort(key=lambda row: row["file"])
    return [(directory / row["file"], int(row["digit"])) for row in rows[:count]]


def read_photo(classifier: OnnxClassifier, path: Path) -> tuple[np.ndarray, list[np.ndarray], str, float]:
    """Return the reduced photo (uint8 RGB), the digits' 28×28 inputs, the number read and its p."""
    with Image.open(path) as image:
        shown = ImageOps.exif_transpose(image).convert("RGB")
        shown.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    try:
        found = read_digits(path)
    except ImageError:
        found = []
    if not found:
        return np.asarray(shown), [], "", 0.0
    inputs = [digit.image for digit in found]
    probabilities = classifier.predict(np.stack(inputs))
    number = "".join(str(int(row.argmax())) for row in probabilities)
    return np.asarray(shown), inputs, number, float(np.prod(probabilities.max(axis=1)))


def draw(readings: list, out: Path) -> None:
    """Two rows per photo column: the photo, then its inputs side by side with the reading as title."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, len(readings), figsize=(1.9 * len(readings), 4.2))
    figure.suptitle(f"Real photos → the image path's 28×28 input → {VARIANT}")
    for column, (photo, inputs, number, probability, label) in enumerate(readings):
        top, bottom = axes[0, column], axes[1, column]
        top.imshow(photo)
        top.set_title(f"label {label}", fontsize=9)
        strip = np.hstack(inputs) if inputs else np.zeros((28, 28), dtype=np.float32)
        bottom.imshow(strip, cmap="gray", vmin=0.0, vmax=1.0)
        colour = RIGHT_COLOUR if number == str(label) else WRONG_COLOUR
        bottom.set_title(f"read {number or '∅'} (p={probability:.2f})", fontsize=9, color=colour)
        for axis in (top, bottom):
            axis.set_xticks([])
            axis.set_yticks([])
    figure.tight_layout()
    with atomic_path(out) as temporary:
        figure.savefig(temporary, format="png", dpi=100)
    plt.close(figure)


def main(argv=None) -> int:
    """Draw the figure; prints where, returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bench.image_figure", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=8, help="photos shown (default 8)")
    parser.add_argument("--real-digits", type=Path, default=REAL_DIGITS_DIR, help="folder with SOURCES.tsv")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT}")
    arguments = parser.parse_args(argv)
    if arguments.count < 1:
        parser.error(f"--count must be at least 1, got {arguments.count}")
    if not (arguments.real_digits / "SOURCES.tsv").is_file():
        print(f"error: no SOURCES.tsv in {arguments.real_digits}", file=sys.stderr)
        return 1
    entry = find_entry(read_manifest(DEFAULT_MODELS_DIR), VARIANT)
    classifier = OnnxClassifier(DEFAULT_MODELS_DIR / entry["files"][0], entry=entry)
    chosen = photos(arguments.real_digits, arguments.count)
    readings = [(*read_photo(classifier, path), label) for path, label in chosen]
    draw(readings, arguments.out)
    right = sum(number == str(label) for _, _, number, _, label in readings)
    print(f"wrote {arguments.out}: {right} of {len(readings)} photos read right")
    return 0


if __name__ == "__main__":
    sys.exit(main())
