"""From pixels to a number: the image path, then one batched model call for all the digits.

A drawing is read on every stroke (it is small). An uploaded file is decoded and cleaned once per
content and model: its reading is cached by the sha256 of its bytes in a bounded, server-wide cache,
so reruns (a stroke, another file added, another session uploading the same file) never decode it
again, and one file is decoded at a time, whatever the number of sessions, so the memory a big image
takes while it is decoded is not multiplied by the users. After each decode the freed memory is
handed back to the system (`malloc_trim`): glibc otherwise keeps the heap a big image grew (measured:
a 6000×6000 PNG left the server ~250 MB larger; four at once, ~400 MB).
"""

import ctypes
import ctypes.util
import dataclasses
import hashlib
import threading
import time

import numpy as np
import streamlit as st

from app import image_path
from digits.constants import IMAGE_SIZE
from digits.model import to_model_input, to_probabilities
from export.runtimes import load_predictor

UPLOAD_CACHE_ENTRIES = 64  # file readings kept (a few 28×28 crops each, never the decoded image)
CONCURRENT_DECODES = 1  # uploads decoded at the same time per server: the peak memory of one decode
LOW_CONFIDENCE = 0.8  # a digit below this probability is marked as uncertain

_decode_slots = threading.BoundedSemaphore(CONCURRENT_DECODES)


def _find_malloc_trim():
    """Return glibc's `malloc_trim`, or None where the C library has none (musl, macOS, Windows)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None


_malloc_trim = _find_malloc_trim()


@dataclasses.dataclass(frozen=True)
class DigitReading:
    """One digit: the 28×28 input the model saw, where it was found, and what the model said.

    image: float32 `(28, 28)` in [0, 1]; box: `(x0, y0, x1, y1)` in the source's pixels;
    probabilities: float32 `(10,)`.
    """

    image: np.ndarray
    box: tuple[int, int, int, int]
    probabilities: np.ndarray

    @property
    def digit(self) -> int:
        """The most probable digit."""
        return int(self.probabilities.argmax())

    @property
    def confidence(self) -> float:
        """Probability of the predicted digit."""
        return float(self.probabilities.max())

    @property
    def uncertain(self) -> bool:
        """Whether the model is less sure than `LOW_CONFIDENCE`."""
        return self.confidence < LOW_CONFIDENCE


@dataclasses.dataclass(frozen=True)
class Reading:
    """The digits of one image, left to right, and the time of their one model call (ms)."""

    digits: tuple[DigitReading, ...]
    milliseconds: float

    @property
    def number(self) -> str:
        """The digits read, left to right (`"2026"`); `""` when there are none."""
        return "".join(str(digit.digit) for digit in self.digits)

    @property
    def confidence(self) -> float:
        """Probability that the whole number is right: the product of the digits' probabilities."""
        return float(np.prod([digit.confidence for digit in self.digits])) if self.digits else 0.0


@dataclasses.dataclass(frozen=True)
class UploadReading:
    """One uploaded file: its reading (no digits when blank), or the one-line error naming the file."""

    name: str
    reading: Reading | None = None
    error: str | None = None


@st.cache_resource(show_spinner="Loading the model…")
def get_predictor(variant: str):
    """Load a manifest id (`"cnn-onnx-int8"`) or `"<model>-keras"` once per server, warmed up.

    The warm-up call (Keras builds its graph, onnxruntime allocates) keeps the first inference
    time honest. onnxruntime sessions and Keras models may be called from several sessions at once.
    """
    predictor = load_predictor(variant)
    predictor.run(
        to_model_input(np.zeros((1, IMAGE_SIZE, IMAGE_SIZE), np.float32), predictor.entry["input"]["layout"])
    )
    return predictor


def classifier(variant: str):
    """Return the `classify` callable the image path takes: float32 `(n, 28, 28)` → probabilities `(n, 10)`.

    One runtime call (`predictor.run`: Keras `model(x)`, not `model.predict` and its ~50 ms set-up).
    """
    predictor = get_predictor(variant)
    layout = predictor.entry["input"]["layout"]

    def classify(images: np.ndarray) -> np.ndarray:
        return to_probabilities(np.asarray(predictor.run(to_model_input(images, layout))))

    return classify


def classify_digits(digits: list, *, variant: str) -> Reading:
    """Run every digit of one image through `variant` in one batch; times that call alone."""
    if not digits:
        return Reading(digits=(), milliseconds=0.0)
    classify = classifier(variant)
    images = np.stack([digit.image for digit in digits]).astype(np.float32)
    started = time.perf_counter()
    probabilities = classify(images)
    milliseconds = (time.perf_counter() - started) * 1000
    return Reading(
        digits=tuple(
            DigitReading(image=digit.image, box=tuple(digit.box), probabilities=row)
            for digit, row in zip(digits, probabilities, strict=True)
        ),
        milliseconds=milliseconds,
    )


def read_array(gray: np.ndarray, *, variant: str) -> Reading:
    """White-on-black float32 `(h, w)` in [0, 1] (the pad) → its digits, read by `variant`."""
    digits = image_path.digits_from_array(gray, classify=classifier(variant))
    return classify_digits(digits, variant=variant)


def read_upload(name: str, data: bytes, *, variant: str) -> UploadReading:
    """Read an uploaded file's digits; decoded at most once per content and variant (see module)."""
    reading, error = _read_file(hashlib.sha256(data).hexdigest(), variant, data)
    return UploadReading(name=name, reading=reading, error=f"{name}: {error}" if error else None)


@st.cache_data(max_entries=UPLOAD_CACHE_ENTRIES, show_spinner="Reading the image…")
def _read_file(digest: str, variant: str, _data: bytes) -> tuple[Reading | None, str | None]:
    """Decode, clean, segment and classify one file: `(reading, None)` or `(None, one-line error)`.

    Keyed by `digest` (the sha256 of `_data`, whose leading underscore keeps Streamlit from hashing
    the bytes again) and `variant`. Errors are returned, not raised, so a bad file is cached too.
    """
    with _decode_slots:
        try:
            digits = image_path.read_digits(_data, classify=classifier(variant))
        except ValueError as error:  # digits.image.ImageError: not an image, truncated, too large
            return None, str(error)
        finally:
            if _malloc_trim is not None:
                _malloc_trim(0)  # give the decoded image's pages back to the system
    return classify_digits(digits, variant=variant), None
