"""Atomic file writes for the export stage: readers never see half a manifest or report."""

import os
from pathlib import Path


def write_text_atomically(path: Path, text: str) -> None:
    """Write UTF-8 `text` to `path.tmp` beside `path`, then `os.replace` it over `path`."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
