"""The export run: every model × variant built into a staging dir, measured, then swapped in.

Per model, the run also writes the teach feature's anchors (`<model>/anchors.json`, built from the
fp32 ONNX export: `export.anchors`), lists them in the manifest's top-level `anchors` block and
adds each variant's fit to them to its metrics.

Atomicity: everything is built in `<out>/../.export-staging-*` first; only when every variant has
been exported and measured are the variant dirs and anchors files swapped in (one `os.rename`
each) and the manifest written last with `os.replace`. A missing or broken `.keras` fails before
anything is written.
"""

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from digits.anchors import ANCHORS_FILE_NAME, Anchors, write_anchors
from digits.constants import NUM_CLASSES
from digits.manifest import (
    EMBEDDING_OUTPUT,
    KERAS_FILE_NAME,
    MODELS,
    PROBABILITIES_OUTPUT,
    VARIANTS,
    describe_files,
    input_spec,
    read_manifest,
    split_variant,
    variant_id,
)
from digits.model import to_model_input
from export.anchors import TooFewReadError, anchor_fit, anchors_entry, compute_anchors
from export.evaluate import load_calibration_images, load_test_set, load_training_set, measure
from export.manifest import merge_manifest, outputs_block, variant_entry, write_manifest
from export.runtimes import load_predictor
from export.variants import build_variant, fp32_onnx, remove_intermediates

# Size bounds relative to the fp32 file of the same format, and the accuracy bound (fraction).
SIZE_BOUNDS = {"int8": 0.30, "uint8": 0.30, "fp16": 0.55}
ACCURACY_BOUND = 0.001
KERAS_DIR = "keras"  # the release keeps each source model in <model>/keras/model.keras


class ExportError(ValueError):
    """A source model is missing or broken, or an export step failed."""


@dataclass(frozen=True)
class ExportConfig:
    """What to export and where."""

    # <model>/model.keras from `python -m train`, or a release's <model>/keras/model.keras (re-export)
    artifacts_dir: Path = Path("artifacts")
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
        released = Path(config.artifacts_dir) / name / KERAS_DIR / KERAS_FILE_NAME
        if not path.is_file() and released.is_file():
            path = released  # `--artifacts web/models`: re-export a release from its own Keras files
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


@dataclass(frozen=True)
class ExportRun:
    """What every step of one run shares: the request, the staging folder, the data and the log."""

    config: ExportConfig
    staging: Path  # `<out>/../.export-staging-*`: everything is built here before it is published
    test_images: np.ndarray  # float32 (10000, 28, 28) in [0, 1]: every metric is measured on these
    test_labels: np.ndarray  # int64 (10000,)
    calibration: np.ndarray  # float32 (calibration_count, 28, 28) TRAINING images for the int8 ONNX
    training: tuple  # float32 (60000, 28, 28) in [0, 1] and int64 (60000,): what the anchors come from
    log: Callable[[str], None]  # progress lines, prefixed with the elapsed time


@dataclass(frozen=True)
class SourceModel:
    """One trained Keras model and what its exports are measured against."""

    name: str  # "mlp" | "cnn"
    model: object  # the loaded keras.Model
    path: Path  # its `.keras` file
    blocks: dict  # the manifest's `input` and `outputs` blocks of its exports
    reference: dict  # Keras outputs on the test images: probabilities (10000, 10), embedding (10000, d)


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
        training = load_training_set(config.data_dir)
    except (OSError, RuntimeError, ValueError) as error:
        raise ExportError(f"cannot load MNIST: {error}") from None
    out_dir = Path(config.out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-staging-", dir=out_dir.parent))
    run = ExportRun(config, staging, test_images, test_labels, calibration, training, log)
    try:
        entries, keras_entries, anchors = [], [], {}
        for name, (model, path) in sources.items():
            keras_entry, source = _export_keras(run, name, model=model, path=path)
            keras_entries.append(keras_entry)
            model_entries, model_anchors = _export_variants(run, source)
            entries += model_entries
            if model_anchors is not None:
                anchors[name] = anchors_entry(run.staging, model_anchors, training_digits=len(training[1]))
        return _publish_release(run, out_dir, entries=entries, keras_entries=keras_entries, anchors=anchors)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _export_keras(run: ExportRun, name: str, *, model, path: Path) -> tuple[dict, SourceModel]:
    """Copy the `.keras` into the release and measure it; returns its entry and the source."""
    relative = f"{name}/{KERAS_DIR}/{KERAS_FILE_NAME}"
    (run.staging / relative).parent.mkdir(parents=True)
    shutil.copyfile(path, run.staging / relative)
    size, digests = describe_files(run.staging, [relative])
    spec = input_spec(model.inputs[0].name, tuple(model.inputs[0].shape))
    entry = {"model": name, "file": relative, "bytes": size, "sha256": digests[relative], "input": spec}
    predictor = load_predictor(entry, models_dir=run.staging)
    reference = predictor.predict_with_embedding(run.test_images)
    accuracy = round(float(np.mean(reference[PROBABILITIES_OUTPUT].argmax(1) == run.test_labels)), 6)
    entry["metrics"] = {"test_accuracy": accuracy, "runtime": predictor.runtime}
    run.log(f"{name} keras: test accuracy {accuracy:.4f}")
    blocks = {"input": spec, "outputs": outputs_block(reference[EMBEDDING_OUTPUT].shape[1])}
    return entry, SourceModel(name, model, Path(path), blocks, reference)


def _export_variants(run: ExportRun, source: SourceModel) -> tuple[list[dict], Anchors | None]:
    """Build and measure every requested variant of one model in the staging folder.

    Returns their entries and the model's anchors (written to the staging folder; None if none).
    """
    calibration_input = to_model_input(run.calibration, source.blocks["input"]["layout"])
    anchors = _build_anchors(run, source)
    entries = []
    for variant in run.config.variants:
        step_started = time.perf_counter()
        files = build_variant(
            source.model, variant, model_dir=run.staging / source.name, calibration_input=calibration_input
        )
        entry = variant_entry(source.name, variant, models_dir=run.staging, files=files, blocks=source.blocks)
        predictor = load_predictor(entry, models_dir=run.staging)
        outputs = predictor.predict_with_embedding(run.test_images)
        entry["metrics"] = measure(
            outputs, run.test_labels, reference=source.reference, runtime=predictor.runtime
        )
        if anchors is not None:
            reference = source.reference[EMBEDDING_OUTPUT]
            entry["metrics"].update(anchor_fit(outputs[EMBEDDING_OUTPUT], reference, anchors))
        entries.append(entry)
        _log_variant(run, entry, seconds=time.perf_counter() - step_started)
    remove_intermediates(run.staging / source.name, keep=(*run.config.variants, KERAS_DIR, ANCHORS_FILE_NAME))
    return entries, anchors


def _build_anchors(run: ExportRun, source: SourceModel) -> Anchors | None:
    """Write `<staging>/<model>/anchors.json` from the fp32 ONNX export; None (logged) if it cannot be."""
    started = time.perf_counter()
    onnx_path = fp32_onnx(source.model, run.staging / source.name)
    try:
        anchors = compute_anchors(onnx_path, *run.training, model=source.name)
    except TooFewReadError as error:
        run.log(f"WARNING {source.name}: no anchors ({error}), so no teaching with this model")
        return None
    write_anchors(run.staging / source.name / ANCHORS_FILE_NAME, anchors)
    seconds, digits = time.perf_counter() - started, len(run.training[1])
    run.log(f"{source.name} anchors: {len(anchors.digits)} from {digits} training digits ({seconds:.1f}s)")
    return anchors


def _log_variant(run: ExportRun, entry: dict, *, seconds: float) -> None:
    """One progress line: size, accuracy, agreement and max |Δp| of a measured variant."""
    metrics = entry["metrics"]
    run.log(
        f"{entry['id']}: {entry['bytes'] / 1024:.1f} KiB, accuracy {metrics['test_accuracy']:.4f}, "
        f"agreement {metrics['agreement_with_keras']:.4f}, max |Δp| {metrics['max_abs_diff']:.2g}, "
        f"max |Δembedding| {metrics['embedding_max_abs_diff']:.2g}{_anchor_note(metrics)} "
        f"({metrics['runtime']}; {seconds:.1f}s)"
    )


def _anchor_note(metrics: dict) -> str:
    """`, anchors: max |Δs| 0.024, agreement 0.9998` when the model has anchors, else nothing."""
    if "anchor_agreement" not in metrics:
        return ""
    return (
        f", anchors: max |Δs| {metrics['anchor_similarity_max_abs_diff']:.2g}, "
        f"agreement {metrics['anchor_agreement']:.4f}"
    )


def _publish_release(
    run: ExportRun, out_dir: Path, *, entries: list[dict], keras_entries: list[dict], anchors: dict
) -> dict:
    """Check the bounds, swap the staged folders and files into `out_dir`, write the manifest last.

    `anchors`: the manifest block of each model that has anchors. Returns the manifest.
    """
    old_manifest = read_manifest(out_dir, missing_ok=True)
    _check_bounds(entries, old_manifest, log=run.log)
    manifest = merge_manifest(old_manifest, entries=entries, keras_entries=keras_entries, anchors=anchors)
    names = [entry["model"] for entry in keras_entries]
    published = [f"{name}/{variant}" for name in names for variant in run.config.variants]
    published += [f"{name}/{KERAS_DIR}" for name in names] + [block["file"] for block in anchors.values()]
    _publish(run.staging, out_dir, relative_dirs=published)
    write_manifest(out_dir, manifest)
    for name in set(names) - set(anchors):  # a model re-exported without anchors: its old ones are stale
        (out_dir / name / ANCHORS_FILE_NAME).unlink(missing_ok=True)
    run.log(f"wrote {out_dir / 'manifest.json'} ({len(manifest['models'])} variants)")
    return manifest


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
    """Swap each staged dir or file into `out_dir` (old one renamed aside, then removed)."""
    for relative in dict.fromkeys(relative_dirs):
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        retired = None
        if target.exists():
            retired = staging / ".retired" / relative
            retired.parent.mkdir(parents=True, exist_ok=True)
            target.rename(retired)
        (staging / relative).rename(target)
