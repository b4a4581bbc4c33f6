"""Quiet command lines: TensorFlow imported without its start-up chatter, warnings as one plain line.

On a machine without a GPU, `import tensorflow` writes a screen of CUDA "factory already
registered", absl and cuInit lines to stderr; a newcomer reads them as failures. They come from C++
before TensorFlow's logging is set up, so `TF_CPP_MIN_LOG_LEVEL` alone cannot hide them: the import
runs with stderr (file descriptor 2) pointed at /dev/null, and `TF_CPP_MIN_LOG_LEVEL=3` keeps the
C++ side quiet afterwards. A failing import still raises its Python exception, shown after stderr is
back. The converters' graph optimiser logs through absl directly ("Starting new session", "Number
of eligible GPUs"); `absl_info_filtered` drops those info and warning lines and passes every other
line through. oneDNN stays on (`TF_ENABLE_ONEDNN_OPTS` is left alone: it changes the numbers).

    python -m train.quiet MODULE [ARGS…]     # run `python -m MODULE ARGS…` the quiet way
"""

import contextlib
import os
import re
import runpy
import sys
import threading
import warnings
from pathlib import Path

TF_LOG_LEVEL = "3"  # TensorFlow's C++ log: errors too (a real failure raises in Python anyway)
# absl's info and warning lines ("I0000 00:00:1795577917.776390    1112 devices.cc:67] …") and its
# notice that it was not initialised; error lines ("E…") are never dropped.
ABSL_CHATTER = re.compile(
    rb"^([IW]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [\w./-]+:\d+\] "
    rb"|WARNING: All log messages before absl::InitializeLog)"
)
REPOSITORY = Path(__file__).resolve().parent.parent
OWN_PACKAGES = {"digits", "train", "export", "bench"}  # warnings raised here are ours: one plain line
PYTHON_FORMAT = warnings.formatwarning  # Python's own, for everyone else's warnings
# Known-harmless Python warnings of pinned dependencies, by message.
HARMLESS_WARNINGS = ("In the future `np.object` will be defined",)  # keras' tf2onnx shim, on numpy 2


@contextlib.contextmanager
def stderr_silenced():
    """Point file descriptor 2 at /dev/null for the block (C++ writes there directly), then restore it."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _copy_lines(source: int, target: int) -> None:
    """Copy lines from file descriptor `source` to `target`, dropping `ABSL_CHATTER`, until EOF."""
    with os.fdopen(source, "rb") as lines:
        for line in lines:
            if not ABSL_CHATTER.match(line):
                os.write(target, line)


@contextlib.contextmanager
def absl_info_filtered():
    """Route file descriptor 2 through a filter that drops absl info/warning lines for the block."""
    sys.stderr.flush()
    saved = os.dup(2)
    read_end, write_end = os.pipe()
    copier = threading.Thread(target=_copy_lines, args=(read_end, saved), daemon=True)
    copier.start()
    os.dup2(write_end, 2)
    os.close(write_end)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)  # closes the pipe's last write end: the copier reaches EOF
        copier.join(timeout=5)
        os.close(saved)


def plain_warning(message, category, filename, lineno, line=None) -> str:
    """Format this project's warnings as `warning: MESSAGE`; anyone else's as Python does (with its place)."""
    path = Path(filename).resolve()
    if path.is_relative_to(REPOSITORY) and path.relative_to(REPOSITORY).parts[0] in OWN_PACKAGES:
        return f"warning: {message}\n"
    return PYTHON_FORMAT(message, category, filename, lineno, line)


def quiet_tensorflow() -> None:
    """Import TensorFlow (and Keras) once, silently; show later warnings as one plain line each."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", TF_LOG_LEVEL)
    warnings.formatwarning = plain_warning
    for message in HARMLESS_WARNINGS:
        warnings.filterwarnings("ignore", message=re.escape(message))
    if "tensorflow" in sys.modules:
        return
    with stderr_silenced():
        import keras  # noqa: F401  (imports TensorFlow, its backend)
        import tensorflow  # noqa: F401


def main(argv: list[str] | None = None) -> None:
    """Run `python -m MODULE ARGS…` after the quiet import (for modules that import TF themselves)."""
    arguments = sys.argv[1:] if argv is None else argv
    if not arguments:
        raise SystemExit("usage: python -m train.quiet MODULE [ARGS…]")
    quiet_tensorflow()
    sys.argv = arguments
    with absl_info_filtered():
        runpy.run_module(arguments[0], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
