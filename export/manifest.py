"""Writing the manifest: merge a run's entries into the old manifest and write it atomically.

Reading, verifying and describing live in `digits.manifest` (TensorFlow-free, used at run time).
"""

import json
from pathlib import Path

from digits.constants import NUM_CLASSES
from digits.files import write_atomically
from digits.manifest import (
    EMBEDDING_OUTPUT,
    MANIFEST_NAME,
    MODELS,
    OUTPUT_SPEC,
    PROBABILITIES_OUTPUT,
    VARIANTS,
    describe_files,
    split_variant,
    variant_id,
)


def write_manifest(models_dir: Path, manifest: dict) -> Path:
    """Write the manifest atomically (`manifest.json.tmp` then `os.replace`)."""
    path = Path(models_dir) / MANIFEST_NAME
    write_atomically(path, json.dumps(manifest, indent=2) + "\n")
    return path


def merge_manifest(
    old: dict, *, entries: list[dict], keras_entries: list[dict], anchors: dict | None = None
) -> dict:
    """Replace the old entries that have a new version (same id / model); keep the rest, in order.

    `anchors`: `{model: block}` of this run's models that have anchors; a model re-exported
    (it has a Keras entry) without them loses its old block, the other models keep theirs.
    """
    new_ids = {entry["id"] for entry in entries}
    new_keras = {entry["model"] for entry in keras_entries}
    models = [entry for entry in old.get("models", []) if entry.get("id") not in new_ids] + entries
    keras = [entry for entry in old.get("keras", []) if entry.get("model") not in new_keras] + keras_entries
    kept = {model: block for model, block in old.get("anchors", {}).items() if model not in new_keras}
    merged_anchors = {**kept, **(anchors or {})}

    def model_order(entry: dict) -> tuple:
        model = entry.get("model", "")
        variant = entry.get("id", "")[len(model) + 1 :]
        return (*_model_rank(model), VARIANTS.index(variant) if variant in VARIANTS else len(VARIANTS))

    return {
        "models": sorted(models, key=model_order),
        "keras": sorted(keras, key=model_order),
        "anchors": {model: merged_anchors[model] for model in sorted(merged_anchors, key=_model_rank)},
    }


def _model_rank(model: str) -> tuple:
    """Sort key of a model name: the order of `MODELS`, then others by name."""
    return (MODELS.index(model) if model in MODELS else len(MODELS), model)


def outputs_block(embedding_size: int) -> dict:
    """Return the manifest `outputs` block: every output of an export by kind, with its name and width."""
    return {
        PROBABILITIES_OUTPUT: {**OUTPUT_SPEC, "size": NUM_CLASSES},
        EMBEDDING_OUTPUT: {"name": EMBEDDING_OUTPUT, "kind": "embedding", "size": int(embedding_size)},
    }


def variant_entry(model: str, variant: str, *, models_dir: Path, files: list[Path], blocks: dict) -> dict:
    """Return the manifest entry of a built variant, without its metrics (measured afterwards).

    `files` are absolute paths under `models_dir`; the entry lists them relative to it, with their
    total bytes and sha256. `blocks`: the model's `input` and `outputs` blocks.
    """
    file_format, precision = split_variant(variant)
    relative = [Path(path).relative_to(models_dir).as_posix() for path in files]
    size, digests = describe_files(models_dir, relative)
    return {
        "id": variant_id(model, variant),
        "model": model,
        "format": file_format,
        "precision": precision,
        "files": relative,
        "bytes": size,
        "sha256": digests,
        "input": blocks["input"],
        "output": dict(OUTPUT_SPEC),
        "outputs": blocks["outputs"],
    }
