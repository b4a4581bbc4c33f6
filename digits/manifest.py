"""The manifest (`web/models/manifest.json`): the single description of what was exported.

Reading, verifying and describing (no TensorFlow: the edge predictor, the app and the runtimes
read the manifest); `export.manifest` merges and writes it. Layout of an entry (see DESIGN.md):

    {"id": "cnn-onnx-int8", "model": "cnn", "format": "onnx", "precision": "int8",
     "files": ["cnn/onnx-int8/model.onnx"], "bytes": 123, "sha256": {"cnn/onnx-int8/model.onnx": "…"},
     "input": {"name": "image", "shape": [null, 28, 28, 1], "layout": "nhwc", "dtype": "float32",
               "range": [0, 1]},
     "output": {"name": "probabilities", "kind": "probabilities"},
     "outputs": {"probabilities": {"name": "probabilities", "kind": "probabilities", "size": 10},
                 "embedding": {"name": "embedding", "kind": "embedding", "size": 128}},
     "metrics": {"test_accuracy": …, "agreement_with_keras": …, "max_abs_diff": …,
                 "embedding_max_abs_diff": …, "runtime": "…"}}

`output` (the contract) names the probabilities; `outputs` lists every output by kind, with its
width. Runtimes select outputs by these names, never by position.

plus a top-level `"keras"` list with the source models (`file`, `bytes`, `sha256`, `input`, `metrics`).
"""

import json
from pathlib import Path

from digits.constants import layout_of
from digits.files import sha256_file

# The release in a checkout (`web/models/`); an installed wheel has none, so pass a folder there.
DEFAULT_MODELS_DIR = Path(__file__).resolve().parent.parent / "web" / "models"

MODELS = ("mlp", "cnn")
VARIANTS = ("onnx-fp32", "onnx-int8", "tfjs-fp32", "tfjs-fp16", "tfjs-uint8")
MANIFEST_NAME = "manifest.json"
KERAS_FILE_NAME = "model.keras"
PROBABILITIES_OUTPUT = "probabilities"  # output name in ONNX and key of the TF.js signature
EMBEDDING_OUTPUT = "embedding"  # the penultimate activations, the second output of every export
OUTPUT_SPEC = {"name": PROBABILITIES_OUTPUT, "kind": "probabilities"}


class ManifestError(ValueError):
    """The manifest or a file it lists is missing, malformed or does not match its sha256."""


def variant_id(model: str, variant: str) -> str:
    """`("cnn", "onnx-int8")` → `"cnn-onnx-int8"`."""
    return f"{model}-{variant}"


def split_variant(variant: str) -> tuple[str, str]:
    """`"onnx-int8"` → `("onnx", "int8")`; raises ValueError for an unknown variant."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; expected one of {', '.join(VARIANTS)}")
    file_format, precision = variant.split("-")
    return file_format, precision


def input_spec(input_name: str, shape: tuple) -> dict:
    """Return the manifest `input` block for a model input of `shape` (batch first, `None` or any int)."""
    dims = [None, *(int(size) for size in shape[1:])]
    return {
        "name": input_name,
        "shape": dims,
        "layout": layout_of(dims[1:]),
        "dtype": "float32",
        "range": [0, 1],
    }


def describe_files(models_dir: Path, relative_paths: list[str]) -> tuple[int, dict[str, str]]:
    """Total bytes and per-file sha256 of files given relative to `models_dir`."""
    total = 0
    digests = {}
    for relative in relative_paths:
        path = Path(models_dir) / relative
        total += path.stat().st_size
        digests[relative] = sha256_file(path)
    return total, digests


def verify_files(models_dir: Path, relative_paths: list[str], *, sha256: dict[str, str], label: str) -> None:
    """Raise ManifestError unless every file exists and has the sha256 the manifest records."""
    for relative in relative_paths:
        path = Path(models_dir) / relative
        if not path.is_file():
            raise ManifestError(f"{label}: model file {path} is missing")
        expected = sha256.get(relative)
        actual = sha256_file(path)
        if expected != actual:
            raise ManifestError(
                f"{label}: {path} is broken or stale (sha256 {actual[:12]}…, manifest says "
                f"{str(expected)[:12]}…); re-run `python -m export`"
            )


def read_manifest(models_dir: Path = DEFAULT_MODELS_DIR, *, missing_ok: bool = False) -> dict:
    """Read `<models_dir>/manifest.json`; `{"models": [], "keras": []}` if absent and `missing_ok`."""
    path = Path(models_dir) / MANIFEST_NAME
    if not path.is_file():
        if missing_ok:
            return {"models": [], "keras": []}
        raise ManifestError(f"no manifest at {path}; run `python -m export` first")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ManifestError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("models"), list):
        raise ManifestError(f"{path} has no 'models' list")
    manifest.setdefault("keras", [])
    return manifest


def find_entry(manifest: dict, variant: str) -> dict:
    """Return the `models[]` entry with id `variant`; ValueError listing the ids otherwise."""
    for entry in manifest["models"]:
        if entry["id"] == variant:
            return entry
    known = ", ".join(entry["id"] for entry in manifest["models"])
    raise ValueError(f"no variant {variant!r} in the manifest; known: {known}")


def find_keras_entry(manifest: dict, model: str) -> dict:
    """Return the top-level `keras[]` entry for `model`; ValueError otherwise."""
    for entry in manifest.get("keras", []):
        if entry["model"] == model:
            return entry
    raise ValueError(f"no Keras model {model!r} in the manifest")
