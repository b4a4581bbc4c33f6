"""Edge predictor: classify digit images with an ONNX model (numpy + onnxruntime + Pillow only).

    python -m digits.predict MODEL.onnx IMAGE [IMAGE…] [--json] [--top K]
    digits-predict MODEL.onnx IMAGE [IMAGE…]          (the installed console command)
    python -m export.predict …                        (an alias kept for scripts and docs)
    … --examples my-examples.json [--anchors anchors.json]   (personal examples from the page)

Prints `IMAGE: DIGIT (p=0.997)` per image (`IMAGE: no digit` for a blank one). Each image goes
through `digits.image` (the same MNIST recipe as training, the page and the app); the model runs
in `digits.model.OnnxClassifier` (layout read from the graph, logits go through a softmax). A bad
image is one line on stderr and the others still run (exit 1); a model that cannot be loaded is
one line on stderr (exit 2). `--examples` applies personal examples exported from the page with
the page's method (`digits.examples`); a result they changed ends in `(your example)`, and its
JSON record has `taught` = {digit, similarity}. This file never imports TensorFlow.
"""

import argparse
import json
import sys
from dataclasses import asdict, dataclass

import numpy as np

from digits.constants import NUM_CLASSES
from digits.examples import ExamplesError, Teaching, load_teaching
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
    taught: dict | None = None  # with --examples: {digit, similarity} when an example changed the answer


def _probabilities(classifier: OnnxClassifier, image: np.ndarray, teaching: Teaching | None):
    """One `(28, 28)` image → (probabilities (10,), taught): adapted by the personal examples if any."""
    if teaching is None:
        return classifier.predict(image)[0], None
    outputs = classifier.predict_with_embedding(image[np.newaxis])
    adapted = teaching.apply(outputs["probabilities"], outputs["embedding"])
    if not adapted.changed[0]:
        return adapted.probabilities[0], None
    return adapted.probabilities[0], {
        "digit": int(adapted.example_digit[0]),
        "similarity": round(float(adapted.similarity[0]), 6),
    }


def classify(
    classifier: OnnxClassifier,
    image_path: str,
    *,
    max_pixels: int | None = None,
    teaching: Teaching | None = None,
) -> Prediction:
    """Preprocess and classify one image (with personal examples when `teaching`); errors go in `error`."""
    try:
        options = {} if max_pixels is None else {"max_pixels": max_pixels}
        image = preprocess_image(image_path, **options)
    except ImageError as error:
        return Prediction(image=image_path, error=str(error))
    if image is None:
        return Prediction(image=image_path)
    probabilities, taught = _probabilities(classifier, image, teaching)
    digit = int(np.argmax(probabilities))
    return Prediction(
        image=image_path,
        digit=digit,
        probability=float(probabilities[digit]),
        probabilities=[round(float(p), 6) for p in probabilities],
        taught=taught,
    )


def format_line(prediction: Prediction, *, top: int = 1) -> str:
    """`IMAGE: 7 (p=0.997)`, with `--top K` the K most probable: `IMAGE: 7 (p=0.997), 1 (p=0.002)`."""
    if prediction.digit is None:
        return f"{prediction.image}: no digit"
    order = np.argsort(prediction.probabilities)[::-1][:top]
    ranked = ", ".join(f"{digit} (p={prediction.probabilities[digit]:.3f})" for digit in order)
    return f"{prediction.image}: {ranked}" + (" (your example)" if prediction.taught else "")


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
        records = []
        for prediction in predictions:
            record = asdict(prediction)
            if arguments.examples is None:
                del record["taught"]  # the record is unchanged when no examples are given
            if arguments.top > 1 and prediction.probabilities is not None:
                record["top"] = [int(d) for d in np.argsort(prediction.probabilities)[::-1][: arguments.top]]
            records.append(record)
        print(json.dumps(records, indent=1))
    return EXIT_BAD_IMAGE if any(p.error is not None for p in predictions) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
