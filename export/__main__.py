"""`python -m export`: export the trained Keras models to ONNX and TF.js (+ quantized) with a manifest.

python -m export                              # every model, every variant
python -m export --model cnn --variants onnx-fp32,onnx-int8
python -m export --artifacts artifacts --out web/models
"""

import argparse
import sys
from pathlib import Path

from digits.manifest import MODELS, VARIANTS, ManifestError
from train.quiet import absl_info_filtered, quiet_tensorflow


def parse_arguments(argv=None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m export", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", choices=[*MODELS, "all"], default="all", help="model to export (default: all)"
    )
    parser.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        help=f"comma-separated subset of {','.join(VARIANTS)} (default: all)",
    )
    parser.add_argument(
        "--artifacts", type=Path, default=Path("artifacts"), help="dir with <model>/model.keras"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("web/models"), help="release dir (gets manifest.json)"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="MNIST dir (default: $MNIST_DATA_DIR, cache)"
    )
    parser.add_argument(
        "--calibration-count", type=int, default=1000, help="training images for int8 calibration"
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Run the export; prints progress lines, returns the exit status."""
    arguments = parse_arguments(argv)
    variants = tuple(variant.strip() for variant in arguments.variants.split(",") if variant.strip())
    unknown = [variant for variant in variants if variant not in VARIANTS]
    if unknown or not variants:
        print(
            f"error: unknown variant(s) {unknown or variants}; expected {', '.join(VARIANTS)}",
            file=sys.stderr,
        )
        return 1
    quiet_tensorflow()  # TensorFlow's start-up chatter hidden; only then the pipeline (it imports TF)
    from export.pipeline import ExportConfig, ExportError, run_export

    config = ExportConfig(
        artifacts_dir=arguments.artifacts,
        out_dir=arguments.out,
        models=MODELS if arguments.model == "all" else (arguments.model,),
        variants=variants,
        calibration_count=arguments.calibration_count,
        data_dir=arguments.data_dir,
        log=lambda line: print(line, flush=True),
    )
    try:
        with absl_info_filtered():  # the converters' optimiser logs "Starting new session" through absl
            run_export(config)
    except (ExportError, ManifestError, RuntimeError) as error:  # RuntimeError: node / a converter failed
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
