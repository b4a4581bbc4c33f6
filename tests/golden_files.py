"""Helpers shared by the tests that read `tests/golden/`: load a script, run a JS check, decode an array."""

import base64
import importlib.util
import json
import pathlib
import shutil
import subprocess
import zlib

import numpy as np

TESTS_DIR = pathlib.Path(__file__).resolve().parent
GOLDEN_DIR = TESTS_DIR / "golden"


def load_script(path: pathlib.Path, name: str):
    """Import the Python file at `path` (a script, not a package module) as `name` and return it."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_golden_module(name: str):
    """Import `tests/golden/<name>.py` and return it."""
    return load_script(GOLDEN_DIR / f"{name}.py", name)


def run_js_check(script: str) -> tuple[subprocess.CompletedProcess, dict]:
    """Run `tests/js/<script>` in node; return the process and its JSON report (stdout)."""
    node = shutil.which("node")
    assert node, f"node is needed to run tests/js/{script} (make setup installs it)"
    result = subprocess.run(
        [node, str(TESTS_DIR / "js" / script)], capture_output=True, text=True, timeout=120
    )
    return result, json.loads(result.stdout)


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
