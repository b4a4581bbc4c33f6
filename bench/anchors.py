"""Rebuild a release model's MNIST anchors for the teach feature: `python -m bench.anchors --model cnn`.

`python -m export` writes `<models-dir>/<model>/anchors.json` with every model and lists it in the
manifest (`export.anchors`). This command rebuilds the same file from a release's fp32 ONNX
variant (the same computation, `export.anchors.compute_anchors`), for a release exported before
the export wrote anchors, or to write them elsewhere with `--out`. numpy + onnxruntime only.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

from digits.anchors import ANCHORS_FILE_NAME, Anchors, write_anchors
from digits.manifest import DEFAULT_MODELS_DIR, MODELS, find_entry, read_manifest, variant_id
from export.anchors import ANCHORS_PER_CLASS, SOURCE_VARIANT, compute_anchors


def anchors_path(models_dir: Path, model: str) -> Path:
    """Where a model's anchors live in a release: `<models-dir>/<model>/anchors.json`."""
    return Path(models_dir) / model / ANCHORS_FILE_NAME


def release_anchors(
    models_dir: Path, model: str, train_images: np.ndarray, train_labels: np.ndarray
) -> Anchors:
    """Anchors of `model` from uint8 training images `(n, 28, 28)` and labels `(n,)`.

    The embeddings come from the release's `<model>-onnx-fp32` file, as in `python -m export`.
    """
    entry = find_entry(read_manifest(Path(models_dir)), variant_id(model, SOURCE_VARIANT))
    images = np.asarray(train_images, dtype=np.float32) / 255.0
    return compute_anchors(Path(models_dir) / entry["files"][0], images, train_labels, model=model)


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
        anchors = release_anchors(arguments.models_dir, arguments.model, data.train_images, data.train_labels)
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
