"""Build a model's MNIST anchors for the teach feature: `python -m bench.anchors --model cnn`.

Runs the release's fp32 ONNX variant of the model over the 60,000 MNIST training digits, builds
the anchors (`digits.anchors.build_anchors`: whitening from every digit, 50 correctly read anchors
per class) and writes `<models-dir>/<model>/anchors.json` atomically. The export pipeline can call
`compute_anchors` with the same arguments to ship the file with a release; the page and the edge
CLI read it (`web/teach.js`, `digits.predict --examples`).
"""

import argparse
import sys
from pathlib import Path

import numpy as np

from digits.anchors import ANCHORS_PER_CLASS, Anchors, build_anchors, write_anchors
from digits.manifest import DEFAULT_MODELS_DIR, MODELS, find_entry, read_manifest, variant_id
from digits.model import OnnxClassifier

ANCHORS_FILE_NAME = "anchors.json"  # <models-dir>/<model>/anchors.json
SOURCE_VARIANT = "onnx-fp32"  # the anchors come from the unquantized model


def anchors_path(models_dir: Path, model: str) -> Path:
    """Where a model's anchors live in a release: `<models-dir>/<model>/anchors.json`."""
    return Path(models_dir) / model / ANCHORS_FILE_NAME


def compute_anchors(
    models_dir: Path, model: str, train_images: np.ndarray, train_labels: np.ndarray, *, threads: int = 2
) -> Anchors:
    """Anchors of `model` from uint8 training images `(n, 28, 28)` and labels `(n,)`.

    The embeddings come from the release's `<model>-onnx-fp32` file (float32, onnxruntime).
    """
    entry = find_entry(read_manifest(Path(models_dir)), variant_id(model, SOURCE_VARIANT))
    classifier = OnnxClassifier(Path(models_dir) / entry["files"][0], entry=entry, threads=threads)
    outputs = classifier.predict_with_embedding(np.asarray(train_images, dtype=np.float32) / 255.0)
    predictions = outputs["probabilities"].argmax(axis=1)
    return build_anchors(outputs["embedding"], train_labels, predictions, model=model)


def main(argv=None) -> int:
    """Build and write the anchors; prints where, returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bench.anchors", description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=MODELS, default="cnn", help="which model (default: cnn)")
    parser.add_argument("--models-dir", type=Path, default=DEFAULT_MODELS_DIR, help="release dir")
    parser.add_argument("--out", type=Path, default=None, help="default: <models-dir>/<model>/anchors.json")
    parser.add_argument("--data-dir", type=Path, default=None, help="MNIST dir (default: $MNIST_DATA_DIR)")
    arguments = parser.parse_args(argv)
    from train.data import MnistError, load_mnist  # numpy only; here so --help stays cheap

    try:
        data = load_mnist(arguments.data_dir)
        anchors = compute_anchors(arguments.models_dir, arguments.model, data.train_images, data.train_labels)
    except (MnistError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    out = arguments.out or anchors_path(arguments.models_dir, arguments.model)
    write_anchors(out, anchors)
    count, size = len(anchors.digits), anchors.embedding_size
    print(f"wrote {out}: {count} anchors ({ANCHORS_PER_CLASS} per digit), embedding size {size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
