"""MNIST anchors: the fixed reference points the teach feature compares personal examples against.

A taught example may override the model only when an input is closer to it than to every anchor
of the class the model predicted (`digits.examples.adapt`). The anchors are a few correctly read
MNIST training digits per class, and the space they live in is the model's embedding (its
penultimate activations), centred on the MNIST mean and whitened by the within-class covariance
(shrunk towards a multiple of the identity), so that directions in which one class varies a lot
count less than directions that separate classes. `python -m export` builds them once per model
(`export.anchors`, from the fp32 ONNX model on the training set) and ships them with it, listed
in the manifest's top-level `anchors` block (`{"cnn": {"file": "cnn/anchors.json", "sha256": …}}`):

    {"format": "mnist-anywhere-anchors", "version": 1, "model": "cnn", "embedding_size": 128,
     "per_class": 50, "shrinkage": 0.1, "digits": [0, 0, …, 9],
     "mean": B64, "projection": B64, "anchors": B64}

B64 = base64 of little-endian float32, row-major: `mean` (d,), `projection` (d, d) with
`z = (embedding − mean) @ projection`, `anchors` (m, d) already projected and scaled to unit length.
The page (`web/teach.js`) reads the same file and decodes the same float32 values. This module
reads, writes and finds the file (numpy only: the edge wheel ships it); it computes nothing.
"""

import base64
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digits.constants import NUM_CLASSES
from digits.files import sha256_file, write_atomically
from digits.manifest import MANIFEST_NAME, ManifestError, read_manifest

ANCHORS_FORMAT = "mnist-anywhere-anchors"
ANCHORS_VERSION = 1
ANCHORS_FILE_NAME = "anchors.json"  # a release keeps each model's at <models-dir>/<model>/anchors.json
MIN_NORM = 1e-12  # a projected vector shorter than this counts as zero (similarity 0 to everything)


class AnchorsError(ValueError):
    """An anchors file that cannot be used (wrong format, model or sizes); the message is one line."""


@dataclass(frozen=True)
class Anchors:
    """Anchors of one model. Arrays are float64 views of the shipped float32 values."""

    model: str  # the manifest's model name, e.g. "cnn"
    digits: np.ndarray  # int64 (m,): the class of each anchor
    mean: np.ndarray  # float64 (d,): subtracted from every embedding
    projection: np.ndarray  # float64 (d, d): whitening, z = (e − mean) @ projection
    vectors: np.ndarray  # float64 (m, d): projected anchors, unit length
    per_class: int  # anchors per digit
    shrinkage: float  # the covariance shrinkage used to build the projection

    @property
    def embedding_size(self) -> int:
        """d, the width of the model's embedding."""
        return self.mean.shape[0]


def project(embeddings: np.ndarray, anchors: Anchors) -> np.ndarray:
    """Project embeddings `(n, d)` to float64 `(n, d)` unit vectors in the anchors' whitened space.

    A vector that projects to (almost) zero stays zero, so its similarities are all 0.
    """
    return _project(embeddings, anchors.mean, anchors.projection)


def _project(embeddings: np.ndarray, mean: np.ndarray, projection: np.ndarray) -> np.ndarray:
    embeddings = np.asarray(embeddings, dtype=np.float64)
    if embeddings.ndim != 2 or embeddings.shape[1] != mean.shape[0]:
        raise ValueError(f"expected embeddings of shape (n, {mean.shape[0]}), got {embeddings.shape}")
    projected = (embeddings - mean) @ projection
    norms = np.sqrt((projected * projected).sum(axis=1, keepdims=True))
    return np.where(norms > MIN_NORM, projected / np.maximum(norms, MIN_NORM), 0.0)


def _encode(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode("ascii")


def _decode(text, shape: tuple, name: str) -> np.ndarray:
    """base64 little-endian float32 → float64 array of `shape`; `AnchorsError` if it is not that."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (TypeError, ValueError):
        raise AnchorsError(f"anchors field {name!r} is not base64") from None
    if len(raw) != 4 * int(np.prod(shape)):
        raise AnchorsError(f"anchors field {name!r} holds {len(raw) // 4} numbers, expected shape {shape}")
    values = np.frombuffer(raw, dtype="<f4").astype(np.float64).reshape(shape)
    if not np.all(np.isfinite(values)):
        raise AnchorsError(f"anchors field {name!r} holds NaN or infinity")
    return values


def anchors_to_json(anchors: Anchors) -> str:
    """Return the anchors file's text (see the module docstring)."""
    record = {
        "format": ANCHORS_FORMAT,
        "version": ANCHORS_VERSION,
        "model": anchors.model,
        "embedding_size": anchors.embedding_size,
        "per_class": anchors.per_class,
        "shrinkage": anchors.shrinkage,
        "digits": [int(digit) for digit in anchors.digits],
        "mean": _encode(anchors.mean),
        "projection": _encode(anchors.projection),
        "anchors": _encode(anchors.vectors),
    }
    return json.dumps(record, separators=(",", ":")) + "\n"


def parse_anchors(text: str) -> Anchors:
    """Parse an anchors file's text; `AnchorsError` (one line) when anything is off."""
    try:
        record = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise AnchorsError(
            f"anchors file is not JSON: {error.msg if hasattr(error, 'msg') else error}"
        ) from None
    if not isinstance(record, dict) or record.get("format") != ANCHORS_FORMAT:
        raise AnchorsError(f"not an anchors file: format is not {ANCHORS_FORMAT!r}")
    if record.get("version") != ANCHORS_VERSION:
        raise AnchorsError(f"anchors version {record.get('version')!r} is not {ANCHORS_VERSION}")
    size, digits = record.get("embedding_size"), record.get("digits")
    if not isinstance(size, int) or size <= 0 or not isinstance(record.get("model"), str):
        raise AnchorsError(f"anchors file has no valid model / embedding_size ({size!r})")
    if not isinstance(digits, list) or not all(isinstance(d, int) and 0 <= d < NUM_CLASSES for d in digits):
        raise AnchorsError("anchors field 'digits' must be a list of digits 0-9")
    if len(set(digits)) != NUM_CLASSES:
        raise AnchorsError(f"anchors cover digits {sorted(set(digits))}; every digit 0-9 needs some")
    return Anchors(
        model=record["model"],
        digits=np.asarray(digits, dtype=np.int64),
        mean=_decode(record.get("mean"), (size,), "mean"),
        projection=_decode(record.get("projection"), (size, size), "projection"),
        vectors=_decode(record.get("anchors"), (len(digits), size), "anchors"),
        per_class=int(record.get("per_class", 0)),
        shrinkage=float(record.get("shrinkage", 0.0)),
    )


def read_anchors(path) -> Anchors:
    """Read an anchors file; `AnchorsError` naming the file when it cannot be read or used."""
    try:
        with open(path, encoding="utf-8") as file:
            return parse_anchors(file.read())
    except OSError as error:
        raise AnchorsError(f"cannot read anchors {path}: {error.strerror}") from None
    except AnchorsError as error:
        raise AnchorsError(f"{path}: {error}") from None


def write_anchors(path, anchors: Anchors) -> None:
    """Write the anchors file atomically (temp file, then rename)."""
    write_atomically(path, anchors_to_json(anchors))


def release_anchors(models_dir, model: str, *, manifest: dict | None = None) -> Path:
    """Return the path of `model`'s anchors in a release, checked against the manifest's sha256.

    `AnchorsError` (one line, with the fix) when the manifest lists none or the file differs.
    """
    manifest = read_manifest(Path(models_dir)) if manifest is None else manifest
    block = manifest.get("anchors", {}).get(model)
    if not isinstance(block, dict) or not isinstance(block.get("file"), str):
        raise AnchorsError(
            f"the manifest in {models_dir} lists no anchors for model {model!r}: re-export it "
            f"(python -m export --artifacts {models_dir} --model {model}) or pass --anchors FILE"
        )
    path = Path(models_dir) / block["file"]
    if not path.is_file() or sha256_file(path) != block.get("sha256"):
        state = "is missing" if not path.is_file() else "differs from the manifest's sha256"
        raise AnchorsError(f"anchors {path} {state}: re-export the model (python -m export)")
    return path


def _release_of(model_path: Path) -> tuple[Path, dict, str] | None:
    """`(models_dir, manifest, model)` when `model_path` is a file a nearby manifest lists, else None.

    A release keeps `<models-dir>/<model>/<variant>/model.onnx`: the manifest is looked for two
    and three folders up (and beside), and must list the file under its relative path.
    """
    for folder in model_path.parents[:3]:
        if not (folder / MANIFEST_NAME).is_file():
            continue
        try:
            manifest = read_manifest(folder)
        except ManifestError:
            continue
        relative = model_path.relative_to(folder).as_posix()
        for entry in manifest["models"]:
            if isinstance(entry, dict) and relative in entry.get("files", []):
                return folder, manifest, str(entry.get("model"))
    return None


def find_anchors(model_path) -> Path:
    """Find the anchors of a model file: through the manifest, else beside it; `AnchorsError` if none.

    A release file (`web/models/cnn/onnx-int8/model.onnx`) gets the anchors its manifest lists
    (`web/models/cnn/anchors.json`, sha256 checked); any other file the `anchors.json` in its folder,
    else in the parent folder (a copied `<model>/<variant>/model.onnx` with `<model>/anchors.json`).
    """
    path = Path(model_path).resolve()
    release = _release_of(path)
    if release is not None and release[2] in release[1].get("anchors", {}):
        return release_anchors(release[0], release[2], manifest=release[1])
    for candidate in (path.parent / ANCHORS_FILE_NAME, path.parent.parent / ANCHORS_FILE_NAME):
        if candidate.is_file():
            return candidate
    where = f"its manifest ({release[0] / MANIFEST_NAME}) lists none, and " if release else ""
    raise AnchorsError(
        f"no anchors for {model_path}: {where}no {ANCHORS_FILE_NAME} beside it or in its parent "
        "folder; pass --anchors FILE (python -m export writes <model>/anchors.json with each model)"
    )
