"""The export run: every model × variant built into a staging dir, measured, then swapped in.

Atomicity: everything is built in `<out>/../.export-staging-*` first; only when every variant has
been exported and measured are the variant dirs swapped in (one `os.rename` each) and the manifest
written last with `os.replace`. A missing or broken `.keras` fails before anything is written.
"""

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from digits.constants import NUM_CLASSES
from digits.manifest import (
    KERAS_FILE_NAME,
    MODELS,
    OUTPUT_SPEC,
    VARIANTS,
    describe_files,
    input_spec,
    read_manifest,
    split_variant,
    variant_id,
)
from digits.model import to_model_input
from export.evaluate import load_calibration_images, load_test_set, measure
from export.manifest import merge_manifest, write_manifest
from export.runtimes import load_predictor

# Size bounds relative to the fp32 file of the same format, and the accuracy bound (fraction).
SIZE_BOUNDS = {"int8": 0.30, "uint8": 0.30, "fp16": 0.55}
ACCURACY_BOUND = 0.001


class ExportError(ValueError):
    """A source model is missing or broken, or an export step failed."""


@dataclass(frozen=True)
class ExportConfig:
    """What to export and where."""

    artifacts_dir: Path = Path("artifacts")  # holds <model>/model.keras from `python -m train`
    out_dir: Path = Path("web/models")  # release dir: <model>/<variant>/… + manifest.json
    models: tuple[str, ...] = MODELS  # which models to (re-)export; the others' entries are kept
    variants: tuple[str, ...] = VARIANTS  # which variants per model
    calibration_count: int = 1000  # training images used to calibrate the int8 ONNX model
    data_dir: Path | None = None  # MNIST dir (None: MNIST_DATA_DIR, cache, download)
    log: Callable[[str], None] = field(default=print, compare=False)  # progress lines


def load_source_models(config: ExportConfig) -> dict:
    """Load every requested `.keras` (one clear ExportError if any is missing or broken)."""
    import keras

    models = {}
    for name in config.models:
        if name not in MODELS:
            raise ExportError(f"unknown model {name!r}; expected one of {', '.join(MODELS)}")
        path = Path(config.artifacts_dir) / name / KERAS_FILE_NAME
        if not path.is_file():
            raise ExportError(f"{path} not found; train it first: python -m train --model {name}")
        try:
            model = keras.saving.load_model(path, compile=False)
        except Exception as error:  # Keras raises many types for a corrupt zip / config
            raise ExportError(
                f"{path} is not a loadable Keras model: {type(error).__name__}: {error}"
            ) from None
        if tuple(model.outputs[0].shape[1:]) != (NUM_CLASSES,):
            raise ExportError(f"{path}: expected a (n, {NUM_CLASSES}) output, got {model.outputs[0].shape}")
        models[name] = (model, path)
    return models


def run_export(config: ExportConfig) -> dict:
    """Export, measure and publish; returns the manifest written to `config.out_dir`."""
    for variant in config.variants:
        split_variant(variant)
    started = time.perf_counter()

    def log(message: str) -> None:
        config.log(f"[{time.perf_counter() - started:6.1f}s] {message}")

    sources = load_source_models(config)
    log(f"loaded {', '.join(f'{name} ({path})' for name, (_, path) in sources.items())}")
    try:
        test_images, test_labels = load_test_set(config.data_dir)
        calibration = load_calibration_images(config.calibration_count, data_dir=config.data_dir)
    except (OSError, RuntimeError, ValueError) as error:
        raise ExportError(f"cannot load MNIST: {error}") from None
    out_dir = Path(config.out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-staging-", dir=out_dir.parent))
    try:
        entries, keras_entries = [], []
        for name, (model, path) in sources.items():
            keras_entry, reference = _export_keras(
                name, path, model=model, staging=staging, test_images=test_images, test_labels=test_labels
            )
            keras_entries.append(keras_entry)
            log(f"{name} keras: test accuracy {keras_entry['metrics']['test_accuracy']:.4f}")
            entries += _export_variants(
                name,
                model,
                config=config,
                staging=staging,
                log=log,
                calibration=calibration,
                test_images=test_images,
                test_labels=test_labels,
                reference=reference,
            )
        _check_bounds(entries, read_manifest(out_dir, missing_ok=True), log=log)
        manifest = merge_manifest(
            read_manifest(out_dir, missing_ok=True), entries=entries, keras_entries=keras_entries
        )
        published = [f"{name}/{variant}" for name in sources for variant in config.variants]
        _publish(staging, out_dir, relative_dirs=published + [f"{name}/keras" for name in sources])
        write_manifest(out_dir, manifest)
        log(f"wrote {out_dir / 'manifest.json'} ({len(manifest['models'])} variants)")
        return manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _export_keras(name, path, *, model, staging, test_images, test_labels):
    """Copy the `.keras` into the release and measure it; returns (keras entry, reference probs)."""
    relative = f"{name}/keras/{KERAS_FILE_NAME}"
    (staging / relative).parent.mkdir(parents=True)
    shutil.copyfile(path, staging / relative)
    size, digests = describe_files(staging, [relative])
    spec = input_spec(model.inputs[0].name, tuple(model.inputs[0].shape))
    entry = {"model": name, "file": relative, "bytes": size, "sha256": digests[relative], "input": spec}
    predictor = load_predictor(entry, models_dir=staging)
    reference = predictor.predict(test_images)
    accuracy = round(float(np.mean(reference.argmax(1) == test_labels)), 6)
    entry["metrics"] = {"test_accuracy": accuracy, "runtime": predictor.runtime}
    return entry, reference


def _export_variants(name, model, *, config, staging, log, calibration, test_images, test_labels, reference):
    """Build and measure every requested variant of one model in `staging`; returns the entries."""
    from export.onnx import export_onnx
    from export.quantize import quantize_onnx_int8
    from export.tfjs import convert_saved_model, export_saved_model

    spec = input_spec(model.inputs[0].name, tuple(model.inputs[0].shape))
    fp32_onnx = staging / name / "onnx-fp32" / "model.onnx"
    saved_model = staging / name / ".saved_model"
    entries = []
    for variant in config.variants:
        step_started = time.perf_counter()
        file_format, precision = split_variant(variant)
        directory = staging / name / variant
        directory.mkdir(parents=True, exist_ok=True)
        if file_format == "onnx" and not fp32_onnx.exists():
            fp32_onnx.parent.mkdir(parents=True, exist_ok=True)
            export_onnx(model, fp32_onnx)
        if variant == "onnx-int8":
            quantize_onnx_int8(
                fp32_onnx,
                directory / "model.onnx",
                calibration_images=to_model_input(calibration, spec["layout"]),
            )
            files = [directory / "model.onnx"]
        elif file_format == "onnx":
            files = [fp32_onnx]
        else:
            if not saved_model.exists():
                export_saved_model(model, saved_model)
            files = convert_saved_model(saved_model, directory, precision=precision)
        relative = [path.relative_to(staging).as_posix() for path in files]
        size, digests = describe_files(staging, relative)
        entry = {
            "id": variant_id(name, variant),
            "model": name,
            "format": file_format,
            "precision": precision,
            "files": relative,
            "bytes": size,
            "sha256": digests,
            "input": spec,
            "output": dict(OUTPUT_SPEC),
        }
        predictor = load_predictor(entry, models_dir=staging)
        probabilities = predictor.predict(test_images)
        entry["metrics"] = measure(probabilities, test_labels, reference=reference, runtime=predictor.runtime)
        entries.append(entry)
        metrics = entry["metrics"]
        log(
            f"{entry['id']}: {size / 1024:.1f} KiB, accuracy {metrics['test_accuracy']:.4f}, "
            f"agreement {metrics['agreement_with_keras']:.4f}, max |Δp| {metrics['max_abs_diff']:.2g} "
            f"({metrics['runtime']}; {time.perf_counter() - step_started:.1f}s)"
        )
    for directory in (staging / name).iterdir():
        if directory.name not in config.variants and directory.name != "keras":
            shutil.rmtree(directory)
    return entries


def _check_bounds(entries: list[dict], old_manifest: dict, *, log) -> None:
    """Warn (loudly, not fatally) when a quantized variant breaks the size or accuracy bound."""
    by_id = {entry["id"]: entry for entry in old_manifest.get("models", [])}
    by_id.update({entry["id"]: entry for entry in entries})
    for entry in entries:
        bound = SIZE_BOUNDS.get(entry["precision"])
        base = by_id.get(variant_id(entry["model"], f"{entry['format']}-fp32"))
        if bound is None or base is None:
            continue
        ratio = entry["bytes"] / base["bytes"]
        drop = base["metrics"]["test_accuracy"] - entry["metrics"]["test_accuracy"]
        if ratio > bound:
            log(f"WARNING {entry['id']}: {ratio:.1%} of the fp32 bytes (bound {bound:.0%})")
        if drop > ACCURACY_BOUND:
            log(f"WARNING {entry['id']}: accuracy {drop * 100:.2f} pp below fp32 (bound 0.1 pp)")


def _publish(staging: Path, out_dir: Path, *, relative_dirs: list[str]) -> None:
    """Swap each staged dir into `out_dir` (old one renamed aside, then removed)."""
    for relative in dict.fromkeys(relative_dirs):
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        retired = None
        if target.exists():
            retired = staging / ".retired" / relative
            retired.parent.mkdir(parents=True, exist_ok=True)
            target.rename(retired)
        (staging / relative).rename(target)
