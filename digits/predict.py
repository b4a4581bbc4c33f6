"""Edge predictor: classify digit images with an ONNX model (numpy + onnxruntime + Pillow only).

    python -m digits.predict MODEL.onnx IMAGE [IMAGE…] [--json] [--top K]
    digits-predict MODEL.onnx IMAGE [IMAGE…]          (the installed console command)
    python -m export.predict …                        (an alias kept for scripts and docs)

Prints `IMAGE: DIGIT (p=0.997)` per image (`IMAGE: no digit` for a blank one). Each image goes
through `digits.image` (the same MNIST recipe as training, the page and the app); the model runs
in `digits.model.OnnxClassifier` (layout read from the graph, logits go through a softmax). A bad
image is one line on stderr and the others still run (exit 1); a model that cannot be loaded is
one line on stderr (exit 2). This file never imports TensorFlow.
"""

import argparse
import json
import sys
from dataclasses import asdict, dataclass

import numpy as np

from digits.constants import NUM_CLASSES
from digits.image import ImageError, preprocess_image
from digits.model import ModelError, OnnxClassifier

EXIT_OK, EXIT_BAD_IMAGE, EXIT_BAD_MODEL = 0, 1, 2


@dataclass(frozen=True)
class Prediction:
    """One image's result: `digit` is None when the image is blank or failed (`error` says why)."""

    image: str  # the path as given on the command line
    digit: int | None = None  # the most probable class, None for a blank image or an error
    probability: float | None = None  # its probability
    probabilities: list[float] | None = None  # all ten, float, summing to 1
    error: str | None = None  # one-line message when the image could not be read


def classify(classifier: OnnxClassifier, image_path: str, *, max_pixels: int | None = None) -> Prediction:
    """Preprocess and classify one image; a bad image gives a Prediction with `error` set."""
    try:
        options = {} if max_pixels is None else {"max_pixels": max_pixels}
        image = preprocess_image(image_path, **options)
    except ImageError as error:
        return Prediction(image=image_path, error=str(error))
    if image is None:
        return Prediction(image=image_path)
    probabilities = classifier.predict(image)[0]
    digit = int(np.argmax(probabilities))
    return Prediction(
        image=image_path,
        digit=digit,
        probability=float(probabilities[digit]),
        probabilities=[round(float(p), 6) for p in probabilities],
    )


def format_line(prediction: Prediction, *, top: int = 1) -> str:
    """`IMAGE: 7 (p=0.997)`, with `--top K` the K most probable: `IMAGE: 7 (p=0.997), 1 (p=0.002)`."""
    if prediction.digit is None:
        return f"{prediction.image}: no digit"
    order = np.argsort(prediction.probabilities)[::-1][:top]
    ranked = ", ".join(f"{digit} (p={prediction.probabilities[digit]:.3f})" for digit in order)
    return f"{prediction.image}: {ranked}"


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options; see the module docstring."""
    parser = argparse.ArgumentParser(
        prog="digits-predict",
        description="Classify digit images with an ONNX model (no TensorFlow needed).",
    )
    parser.add_argument("model", help="an ONNX model: (n,784), (n,28,28,1) or (n,1,28,28) float32 input")
    parser.add_argument("images", nargs="+", help="image files (PNG, JPEG, …; photos of paper work too)")
    parser.add_argument("--json", action="store_true", help="print a JSON list instead of lines")
    parser.add_argument("--top", type=int, default=1, metavar="K", help="show the K most probable digits")
    parser.add_argument("--max-pixels", type=int, default=None, help="refuse larger images (default 40 M)")
    arguments = parser.parse_args(argv)
    if not 1 <= arguments.top <= NUM_CLASSES:
        parser.error(f"--top must be between 1 and {NUM_CLASSES}, got {arguments.top}")
    if arguments.max_pixels is not None and arguments.max_pixels <= 0:
        parser.error(f"--max-pixels must be positive, got {arguments.max_pixels}")
    return arguments


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 all fine, 1 an image failed, 2 the model failed)."""
    arguments = parse_arguments(argv)
    try:
        classifier = OnnxClassifier(arguments.model)
    except ModelError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_MODEL
    predictions = []
    for image_path in arguments.images:
        try:
            prediction = classify(classifier, image_path, max_pixels=arguments.max_pixels)
        except ModelError as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_BAD_MODEL
        predictions.append(prediction)
        if prediction.error is not None:
            print(f"{image_path}: error: {prediction.error}", file=sys.stderr)
        elif not arguments.json:
            print(format_line(prediction, top=arguments.top), flush=True)
    if arguments.json:
        records = []
        for prediction in predictions:
            record = asdict(prediction)
            if arguments.top > 1 and prediction.probabilities is not None:
                record["top"] = [int(d) for d in np.argsort(prediction.probabilities)[::-1][: arguments.top]]
            records.append(record)
        print(json.dumps(records, indent=1))
    return EXIT_BAD_IMAGE if any(p.error is not None for p in predictions) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
