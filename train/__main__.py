"""Command line: `python -m train --model mlp|cnn|all [--epochs N] [--limit N] [--out artifacts]`.

`--limit N` trains on the first N training images (quick runs and tests); evaluation always uses
the full 10,000-image test set, so the reported accuracy is comparable across runs.
"""

import argparse
import dataclasses
import pathlib
import sys

from train.config import MIN_TRAIN_IMAGES, CnnConfig, MlpConfig
from train.quiet import quiet_tensorflow

MODEL_CHOICES = ("mlp", "cnn", "all")
TRAIN_IMAGES_AVAILABLE = 60000


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse and check the command line; bad values exit with code 2 and a one-line message."""
    parser = argparse.ArgumentParser(prog="python -m train", description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=MODEL_CHOICES, default="all", help="what to train (default: all)")
    parser.add_argument("--epochs", type=_positive_int, help="override the config's epochs")
    parser.add_argument("--batch-size", type=_positive_int, help="override the config's batch size")
    parser.add_argument("--seed", type=_non_negative_int, help="override the config's seed")
    parser.add_argument("--data-dir", type=pathlib.Path, help="folder with the four MNIST .gz files")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("artifacts"), help="output folder")
    parser.add_argument(
        "--limit",
        type=_positive_int,
        help=f"train on the first N training images ({MIN_TRAIN_IMAGES}-{TRAIN_IMAGES_AVAILABLE}); "
        "the test set stays complete",
    )
    arguments = parser.parse_args(argv)
    if arguments.limit is not None and not MIN_TRAIN_IMAGES <= arguments.limit <= TRAIN_IMAGES_AVAILABLE:
        parser.error(
            f"argument --limit: must be between {MIN_TRAIN_IMAGES} and {TRAIN_IMAGES_AVAILABLE}, "
            f"got {arguments.limit}"
        )
    if arguments.data_dir is not None and not arguments.data_dir.is_dir():
        parser.error(f"argument --data-dir: {arguments.data_dir} is not a folder")
    return arguments


def main(argv: list[str] | None = None) -> int:
    """Train the chosen models, write `<out>/<model>/`, print one summary line per model."""
    arguments = parse_arguments(argv)
    quiet_tensorflow()  # TensorFlow loads only once the arguments are known to be good
    from train import fit
    from train.data import MnistError, load_mnist

    overrides = {
        field: value
        for field, value in (
            ("epochs", arguments.epochs),
            ("batch_size", arguments.batch_size),
            ("seed", arguments.seed),
        )
        if value is not None
    }
    configs = {"mlp": MlpConfig(), "cnn": CnnConfig()}
    names = ["mlp", "cnn"] if arguments.model == "all" else [arguments.model]
    try:
        data = load_mnist(arguments.data_dir)
    except MnistError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    summaries = []
    for name in names:
        config = dataclasses.replace(configs[name], **overrides)
        metrics = fit.run(name, data, config=config, out_dir=arguments.out, limit=arguments.limit)
        summaries.append(
            f"{name}: test accuracy {metrics['test_accuracy']:.2%} (loss {metrics['test_loss']:.4f}), "
            f"fit {metrics['fit_seconds']:.1f} s on {metrics['train_images']} images, "
            f"outputs in {arguments.out / name}/"
        )
    print("\n".join(summaries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
