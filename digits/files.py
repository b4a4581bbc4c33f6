"""Atomic file writes and sha256: readers never see half a file, and every digest is computed once way.

`write_atomically` writes bytes or text; `atomic_path` is for libraries that insist on writing the
file themselves (Keras, onnx, matplotlib, Playwright): they write to the temporary path it yields,
and it is renamed over the target only when they succeeded.
"""

import contextlib
import hashlib
import os
from pathlib import Path

TEMPORARY_SUFFIX = ".tmp"  # `name.tmp` beside the target (git-ignored)
PARTIAL_MARK = ".partial"  # `stem.partial.ext` when the writer needs the real extension


@contextlib.contextmanager
def atomic_path(path, *, keep_suffix: bool = False):
    """Yield a temporary path beside `path`; `os.replace` it over `path` when the block succeeds.

    `keep_suffix=True` names it `stem.partial.ext` for writers that choose the format by the
    extension (Keras wants `.keras`, Playwright `.png`); otherwise `name.tmp`. On an exception the
    temporary file is removed and the target is left as it was.
    """
    path = Path(path)
    if keep_suffix:
        temporary = path.with_name(f"{path.stem}{PARTIAL_MARK}{path.suffix}")
    else:
        temporary = path.with_name(path.name + TEMPORARY_SUFFIX)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_atomically(path, data: bytes | str) -> None:
    """Write `data` (text is UTF-8 encoded) to `path` through a temporary file and `os.replace`.

    Creates the parent folder when it is missing.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)


def sha256_file(path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
