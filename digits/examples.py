"""Personal examples ("teach it your handwriting"): the file format and the method that applies them.

A personal example is a digit someone drew and labelled themselves: its 28×28 input and the
model's embedding of it (the penultimate activations). `adapt` lets the examples correct the model:

1. Every embedding goes into the anchors' whitened space, unit length (`digits.anchors.project`).
2. The input's nearest example (cosine similarity `s`, digit `d`) is found; first on ties.
3. The model predicted `m` (first maximum). If `d ≠ m`, `s ≥ MIN_SIMILARITY` and `s > S_m + margin`,
   where `S_m` is the input's similarity to its nearest MNIST anchor of class `m`, the example
   wins: the input resembles what you taught, and more than anything the model learnt `m` looks
   like. Otherwise nothing changes (the very same probabilities), so ordinary digits keep the
   model's answer; odd inputs far from everything (a faint photo) are not claimed by an example.
4. `margin = MARGIN_BASE + MARGIN_PER_DOUBLING · log2(number of examples)`: each stored example is
   one more chance for somebody else's digit to fall near it, so the guard tightens as they grow.
5. A win blends: `p' = (1 − TEACH_WEIGHT)·p + TEACH_WEIGHT·onehot(d)`.

Arithmetic is float64 throughout on float32 anchors and the examples' numbers as written in the
file; `web/teach.js` does the same steps in the same order (JavaScript numbers are float64), and a
test holds the two within 1e-6. Cost per digit: O(d² + (anchors + examples)·d), about 0.1 M
multiply-adds for the CNN. numpy only.

File (JSON, `exportJson()` on the page):
    {"format": "mnist-anywhere-examples", "version": 1, "model": "cnn", "embedding_size": 128,
     "examples": [{"digit": 7, "pixels": [784 numbers 0..1, 3 decimals], "embedding": [d numbers]}]}
"""

import json
import math
from dataclasses import dataclass

import numpy as np

from digits.anchors import Anchors, AnchorsError, find_anchors, project, read_anchors
from digits.constants import FLAT_SIZE, NUM_CLASSES
from digits.files import write_atomically

EXAMPLES_FORMAT = "mnist-anywhere-examples"
EXAMPLES_VERSION = 1
MAX_EXAMPLES = 500  # per model: ~4 kB each, so a few MB at most in localStorage
PIXEL_DECIMALS = 3  # pixels are written with 3 decimals (the model input is 8-bit anyway)
EMBEDDING_DIGITS = 6  # embeddings keep 6 significant digits (cosines move by ~1e-6): a compact file
MARGIN_BASE = 0.01  # cosine margin with one example (chosen on simulated writers, held-out checked)
MARGIN_PER_DOUBLING = 0.015  # added per doubling of the number of examples
MIN_SIMILARITY = 0.6  # an example never claims an input less similar than this (99.6% of fixes were above)
TEACH_WEIGHT = 0.9  # weight of the example's digit in the blended probabilities when it wins


class ExamplesError(ValueError):
    """An examples file that cannot be used (not JSON, wrong format, model or sizes): one line."""


@dataclass(frozen=True)
class Examples:
    """A model's personal examples; `n` may be 0 (the model's own answers)."""

    model: str  # the manifest's model name the embeddings come from, e.g. "cnn"
    embedding_size: int  # d
    digits: np.ndarray  # int64 (n,)
    pixels: np.ndarray  # float32 (n, 784) in [0, 1], white ink on black
    embeddings: np.ndarray  # float64 (n, d), the numbers as written in the file

    def __len__(self) -> int:
        return len(self.digits)

    def counts(self) -> list[int]:
        """How many examples each digit has: ten numbers."""
        return np.bincount(self.digits, minlength=NUM_CLASSES).tolist()


def empty_examples(model: str, embedding_size: int) -> Examples:
    """No examples: `adapt` returns the model's own answers."""
    return Examples(
        model,
        embedding_size,
        np.zeros(0, np.int64),
        np.zeros((0, FLAT_SIZE), np.float32),
        np.zeros((0, embedding_size)),
    )


def make_examples(model: str, digits, pixels, embeddings) -> Examples:
    """Examples from arrays: digits `(n,)`, pixels `(n, 784)` or `(n, 28, 28)`, embeddings `(n, d)`.

    Pixels are rounded to 3 decimals and embeddings to 6 significant digits, as the file holds
    them, so an exported and re-read set gives exactly the same answers (the page rounds the same
    way when it stores an example). `ValueError` for bad shapes or values.
    """
    digits = np.asarray(digits)
    pixels = np.asarray(pixels, dtype=np.float64).reshape(len(digits), -1)
    embeddings = np.asarray(embeddings, dtype=np.float64)
    rounded_embeddings = [[float(f"{value:.{EMBEDDING_DIGITS}g}") for value in row] for row in embeddings]
    if embeddings.ndim != 2 or len(embeddings) != len(digits) or pixels.shape[1] != FLAT_SIZE:
        raise ValueError(
            f"expected (n,) digits, (n, 784) pixels and (n, d) embeddings, got {embeddings.shape}"
        )
    if digits.size and (digits.min() < 0 or digits.max() >= NUM_CLASSES):
        raise ValueError(f"digits must be 0-9, got {sorted(set(digits.tolist()))}")
    rounded = np.round(np.clip(pixels, 0.0, 1.0), PIXEL_DECIMALS).astype(np.float32)
    embeddings = np.asarray(rounded_embeddings, dtype=np.float64).reshape(embeddings.shape)
    return Examples(model, embeddings.shape[1], digits.astype(np.int64), rounded, embeddings)


def examples_to_json(examples: Examples) -> str:
    """Return the examples file's text (see the module docstring)."""
    records = [
        {
            "digit": int(digit),
            "pixels": [round(float(value), PIXEL_DECIMALS) for value in pixels],
            "embedding": [float(value) for value in embedding],
        }
        for digit, pixels, embedding in zip(
            examples.digits, examples.pixels, examples.embeddings, strict=True
        )
    ]
    record = {
        "format": EXAMPLES_FORMAT,
        "version": EXAMPLES_VERSION,
        "model": examples.model,
        "embedding_size": examples.embedding_size,
        "examples": records,
    }
    return json.dumps(record, separators=(",", ":")) + "\n"


def _numbers(values, size: int, *, what: str, low: float = -math.inf, high: float = math.inf) -> list:
    """Check a list of `size` finite numbers within [low, high]; `ExamplesError` naming `what`."""
    if not isinstance(values, list) or len(values) != size:
        raise ExamplesError(f"{what} must be a list of {size} numbers")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise ExamplesError(f"{what} holds {value!r}; expected numbers in [{low}, {high}]")
    return values


def parse_examples(text: str, *, model: str | None = None, embedding_size: int | None = None) -> Examples:
    """Parse an examples file's text, checking it against `model` / `embedding_size` when given.

    Raises `ExamplesError` with one line saying what is wrong; nothing is half-read.
    """
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        raise ExamplesError(f"not JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(record, dict) or record.get("format") != EXAMPLES_FORMAT:
        raise ExamplesError(f"not an examples file: format is not {EXAMPLES_FORMAT!r}")
    if record.get("version") != EXAMPLES_VERSION:
        raise ExamplesError(f"examples version {record.get('version')!r} is not {EXAMPLES_VERSION}")
    if model is not None and record.get("model") != model:
        raise ExamplesError(f"examples are for model {record.get('model')!r}, not {model!r}")
    size = record.get("embedding_size")
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise ExamplesError(f"embedding_size must be a positive integer, got {size!r}")
    if embedding_size is not None and size != embedding_size:
        raise ExamplesError(f"examples have {size}-wide embeddings, the model has {embedding_size}")
    items = record.get("examples")
    if not isinstance(items, list) or len(items) > MAX_EXAMPLES:
        raise ExamplesError(f"'examples' must be a list of at most {MAX_EXAMPLES} examples")
    digits, pixels, embeddings = [], [], []
    for index, item in enumerate(items):
        digit = item.get("digit") if isinstance(item, dict) else None
        if not isinstance(digit, int) or isinstance(digit, bool) or not 0 <= digit < NUM_CLASSES:
            raise ExamplesError(f"example {index}: digit must be 0-9, got {digit!r}")
        digits.append(digit)
        pixels.append(
            _numbers(item.get("pixels"), FLAT_SIZE, what=f"example {index} pixels", low=0.0, high=1.0)
        )
        embeddings.append(_numbers(item.get("embedding"), size, what=f"example {index} embedding"))
    return Examples(
        str(record.get("model")),
        size,
        np.asarray(digits, dtype=np.int64),
        np.asarray(pixels, dtype=np.float32).reshape(-1, FLAT_SIZE),
        np.asarray(embeddings, dtype=np.float64).reshape(-1, size),
    )


def read_examples(path, *, model: str | None = None, embedding_size: int | None = None) -> Examples:
    """Read an examples file; `ExamplesError` naming the file when it cannot be read or used."""
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as error:
        raise ExamplesError(
            f"cannot read examples {path}: {getattr(error, 'strerror', None) or error}"
        ) from None
    try:
        return parse_examples(text, model=model, embedding_size=embedding_size)
    except ExamplesError as error:
        raise ExamplesError(f"{path}: {error}") from None


def write_examples(path, examples: Examples) -> None:
    """Write the examples file atomically (temp file, then rename)."""
    write_atomically(path, examples_to_json(examples))


@dataclass(frozen=True)
class Adapted:
    """What `adapt` did to each of n inputs."""

    probabilities: np.ndarray  # float32 (n, 10): blended where changed, else the model's own
    changed: np.ndarray  # bool (n,): an example overrode the model
    example_digit: np.ndarray  # int64 (n,): the winning example's digit, −1 where unchanged
    similarity: np.ndarray  # float64 (n,): its cosine similarity in the anchors' space, 0 where unchanged


def margin_for(count: int) -> float:
    """Return the cosine margin an example must beat the anchors by, with `count` examples stored."""
    return MARGIN_BASE + MARGIN_PER_DOUBLING * math.log2(max(count, 1))


def adapt(probabilities: np.ndarray, embeddings: np.ndarray, examples: Examples, anchors: Anchors) -> Adapted:
    """Apply the examples to model outputs: probabilities `(n, 10)` and embeddings `(n, d)`.

    See the module docstring for the rule. With no examples, the probabilities come back unchanged.
    """
    probabilities = np.asarray(probabilities, dtype=np.float32).reshape(-1, NUM_CLASSES)
    count = len(probabilities)
    unchanged = Adapted(probabilities.copy(), np.zeros(count, bool), np.full(count, -1), np.zeros(count))
    if examples.embedding_size != anchors.embedding_size:
        raise ValueError(
            f"examples have {examples.embedding_size}-wide embeddings, anchors {anchors.embedding_size}"
        )
    if len(examples) == 0 or count == 0:
        return unchanged
    inputs = project(np.asarray(embeddings).reshape(count, -1), anchors)
    similarities = inputs @ project(examples.embeddings, anchors).T
    nearest = similarities.argmax(axis=1)
    similarity = similarities[np.arange(count), nearest]
    digit = examples.digits[nearest]
    predicted = probabilities.argmax(axis=1)
    to_anchors = inputs @ anchors.vectors.T
    of_predicted = anchors.digits[np.newaxis, :] == predicted[:, np.newaxis]
    best_anchor = np.where(of_predicted, to_anchors, -np.inf).max(axis=1)
    changed = (
        (digit != predicted)
        & (similarity >= MIN_SIMILARITY)
        & (similarity > best_anchor + margin_for(len(examples)))
    )
    blended = (1.0 - TEACH_WEIGHT) * probabilities.astype(np.float64)
    blended[np.arange(count), digit] += TEACH_WEIGHT
    return Adapted(
        probabilities=np.where(changed[:, None], blended, probabilities).astype(np.float32),
        changed=changed,
        example_digit=np.where(changed, digit, -1),
        similarity=np.where(changed, similarity, 0.0),
    )


@dataclass(frozen=True)
class Teaching:
    """Examples with the anchors of their model: what the edge CLI applies to every digit."""

    examples: Examples
    anchors: Anchors

    def apply(self, probabilities: np.ndarray, embeddings: np.ndarray) -> Adapted:
        """`adapt` on model outputs `(n, 10)` and `(n, d)`; `ExamplesError` if d is another model's."""
        width = np.asarray(embeddings).reshape(len(probabilities), -1).shape[1]
        if width != self.anchors.embedding_size:
            raise ExamplesError(
                f"the model's embedding is {width} wide, the examples' {self.anchors.embedding_size}: "
                "they were taught on another model"
            )
        return adapt(probabilities, embeddings, self.examples, self.anchors)


def load_teaching(model_path, examples_path, anchors_path=None) -> Teaching:
    """Read the anchors and the examples taught for their model.

    The anchors are `anchors_path` if given, else the release's or those beside the model
    (`digits.anchors.find_anchors`). `ExamplesError` (one line) when either file cannot be used
    or they do not belong together.
    """
    try:
        anchors = read_anchors(anchors_path if anchors_path is not None else find_anchors(model_path))
    except AnchorsError as error:
        raise ExamplesError(str(error)) from None
    examples = read_examples(examples_path, model=anchors.model, embedding_size=anchors.embedding_size)
    return Teaching(examples, anchors)
