"""Helpers shared by the tests that read `tests/golden/`: load a generator script, decode an array."""

import base64
import importlib.util
import pathlib
import zlib

import numpy as np

GOLDEN_DIR = pathlib.Path(__file__).resolve().parent / "golden"


def load_golden_module(name: str):
    """Import `tests/golden/<name>.py` (a script, not a package module) and return it."""
    spec = importlib.util.spec_from_file_location(name, GOLDEN_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def decode(text: str, dtype: str) -> np.ndarray:
    """A golden array: zlib-compressed bytes in base64 → flat numpy array of `dtype`."""
    return np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype=dtype)


def assert_expected_equal(stored: dict, computed: dict, *, tolerance: float = 1e-6) -> None:
    """The committed case and a fresh one agree: same blank decision, 28×28 within `tolerance`."""
    assert (stored["expected_float32"] is None) == (computed["expected_float32"] is None), stored["name"]
    if stored["expected_float32"] is not None:
        difference = np.abs(
            decode(stored["expected_float32"], "<f4") - decode(computed["expected_float32"], "<f4")
        )
        assert difference.max() <= tolerance, f"{stored['name']}: rerun tests/golden/make_golden.py"
