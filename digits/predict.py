"""Edge predictor: read the digits and numbers of images with an ONNX model (numpy + onnxruntime + Pillow).

    python -m digits.predict MODEL.onnx IMAGE [IMAGE…] [--json] [--top K]
    digits-predict MODEL.onnx IMAGE [IMAGE…]          (the installed console command)
    python -m export.predict …                        (an alias kept for scripts and docs)
    … --examples my-examples.json [--anchors anchors.json]   (personal examples from the page)

Prints `IMAGE: DIGIT (p=0.997)` per image, `IMAGE: 90210 (p=0.970)` for a number (p: the product
of its digits' probabilities), `IMAGE: no digit` for a blank one. Each image goes through
`digits.image` (cleaned, segmented into digits left to right, each through the same MNIST recipe
as training, the page and the app), its digits through the model in one batch; the model runs
in `digits.model.OnnxClassifier` (layout read from the graph, logits go through a softmax). A bad
image is one line on stderr and the others still run (exit 1); a model that cannot be loaded is
one line on stderr (exit 2). `--examples` applies personal examples exported from the page with
the page's method (`digits.examples`) to every digit; a result they changed ends in
`(your example)`, and the digit's JSON entry (and a one-digit record) has `taught` =
{digit, similarity}. This file never imports TensorFlow.
"""

import argparse
import json
import math
import sys
from dataclasses import asdict, dataclass, field

import numpy as np

from digits.constants import NUM_CLASSES
from digits.examples import ExamplesError, Teaching, load_teaching
from digits.image import ImageError, read_digits
from digits.model import ModelError, OnnxClassifier

EXIT_OK, EXIT_BAD_IMAGE, EXIT_BAD_MODEL = 0, 1, 2


@dataclass(frozen=True)
class DigitReading:
    """One digit of an image: what the model read and where it is."""

    digit: int  # the most probable class
    probability: float  # its probability
    box: list[int]  # [x0, y0, x1, y1] in the working image's pixels, x1/y1 exclusive
    probabilities: list[float]  # all ten, rounded to 6 places
    taught: dict | None = None  # with --examples: {digit, similarity} when an example changed the answer


@dataclass(frozen=True)
class Prediction:
    """One image's result: its digits left to right; `number` is "" when blank, None on an error."""

    image: str  # the path as given on the command line
    number: str | None = None  # the digits read, left to right ("" for a blank image)
    probability: float | None = None  # the product of the digits' probabilities (None without digits)
    digits: list[DigitReading] = field(default_factory=list)
    error: str | None = None  # one-line message when the image could not be read

    @property
    def digit(self) -> int | None:
        """The digit when the image holds exactly one, else None."""
        return self.digits[0].digit if len(self.digits) == 1 else None


def _probabilities(classifier: OnnxClassifier, images: np.ndarray, teaching: Teaching | None):
    """Images float32 `(n, 28, 28)` → (probabilities `(n, 10)`, taught per image): one batch."""
    if teaching is None:
        return classifier.predict(images), [None] * len(images)
    outputs = classifier.predict_with_embedding(images)
    adapted = teaching.apply(outputs["probabilities"], outputs["embedding"])
    taught = [
        {"digit": int(adapted.example_digit[k]), "similarity": round(float(adapted.similarity[k]), 6)}
        if adapted.changed[k]
        else None
        for k in range(len(images))
    ]
    return adapted.probabilities, taught


def classify(
    classifier: OnnxClassifier,
    image_path: str,
    *,
    max_pixels: int | None = None,
    teaching: Teaching | None = None,
) -> Prediction:
    """Read one image's digits (segmented, left to right) in one model batch; errors go in `error`.

    The model also scores the candidate cuts between touching digits (`digits.image.segment`).
    """
    try:
        found = read_digits(image_path, classify=classifier.predict, max_pixels=max_pixels)
    except ImageError as error:
        return Prediction(image=image_path, error=str(error))
    if not found:
        return Prediction(image=image_path, number="")
    probabilities, taught = _probabilities(classifier, np.stack([d.image for d in found]), teaching)
    readings = [
        DigitReading(
            digit=int(np.argmax(row)),
            probability=float(row.max()),
            box=[int(value) for value in digit.box],
            probabilities=[round(float(p), 6) for p in row],
            taught=taught_digit,
        )
        for digit, row, taught_digit in zip(found, probabilities, taught, strict=True)
    ]
    return Prediction(
        image=image_path,
        number="".join(str(reading.digit) for reading in readings),
        probability=math.prod(reading.probability for reading in readings),
        digits=readings,
    )


def format_line(prediction: Prediction, *, top: int = 1) -> str:
    """`IMAGE: 7 (p=0.997)` (`--top K`: `IMAGE: 7 (p=0.997), 1 (p=0.002)`), `IMAGE: 90210 (p=0.970)`.

    A number's p is the product of its digits' probabilities; a blank image is `IMAGE: no digit`.
    """
    if not prediction.digits:
        return f"{prediction.image}: no digit"
    taught = " (your example)" if any(reading.taught for reading in prediction.digits) else ""
    if len(prediction.digits) > 1:
        return f"{prediction.image}: {prediction.number} (p={prediction.probability:.3f}){taught}"
    probabilities = prediction.digits[0].probabilities
    order = np.argsort(probabilities)[::-1][:top]
    ranked = ", ".join(f"{digit} (p={probabilities[digit]:.3f})" for digit in order)
    return f"{prediction.image}: {ranked}{taught}"


def to_record(prediction: Prediction, *, top: int = 1, examples: bool = False) -> dict:
    """Return the `--json` object of one image.

    Keys: image, number, probability (the product), digits [{digit, probability, box,
    probabilities}], error, and `digit` / `probabilities` (/ `taught`) of the digit when there is
    exactly one, else None.
    """
    digits = []
    for reading in prediction.digits:
        entry = asdict(reading)
        if not examples:
            del entry["taught"]
        if top > 1:
            entry["top"] = [int(d) for d in np.argsort(reading.probabilities)[::-1][:top]]
        digits.append(entry)
    single = prediction.digits[0] if len(prediction.digits) == 1 else None
    record = {
        "image": prediction.image,
        "number": prediction.number,
        "probability": prediction.probability,
        "digits": digits,
        "digit": None if single is None else single.digit,
        "probabilities": None if single is None else single.probabilities,
        "error": prediction.error,
    }
    if examples:
        record["taught"] = None if single is None else single.taught
    if top > 1 and single is not None:
        record["top"] = digits[0]["top"]
    return record


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
    parser.add_argument("--examples", default=None, help="personal examples exported from the page (JSON)")
    parser.add_argument(
        "--anchors", default=None, help="the model's anchors.json (default: found beside the model)"
    )
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
        teaching = (
            None
            if arguments.examples is None
            else load_teaching(arguments.model, arguments.examples, arguments.anchors)
        )
    except (ModelError, ExamplesError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_MODEL
    predictions = []
    for image_path in arguments.images:
        try:
            prediction = classify(classifier, image_path, max_pixels=arguments.max_pixels, teaching=teaching)
        except (ModelError, ExamplesError) as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_BAD_MODEL
        predictions.append(prediction)
        if prediction.error is not None:
            print(f"{image_path}: error: {prediction.error}", file=sys.stderr)
        elif not arguments.json:
            print(format_line(prediction, top=arguments.top), flush=True)
    if arguments.json:
        options = {"top": arguments.top, "examples": arguments.examples is not None}
        print(json.dumps([to_record(prediction, **options) for prediction in predictions], indent=1))
    return EXIT_BAD_IMAGE if any(p.error is not None for p in predictions) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
