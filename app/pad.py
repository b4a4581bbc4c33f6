"""The drawing pad: a small Streamlit v2 component (`pad.js`, `pad.css`) and what it sends back.

Why not `streamlit-drawable-canvas`: its fixed-size canvas is wider than a narrow column (at
1300×1100 its column is 269 px for a 280-px canvas, so the right 11 px were clipped), and its
toolbar, invisible until the pointer has hovered the pad for 0.2 s, lies over the canvas's top-right
corner (x 128–269, y −16…+30 px): a stroke that starts there right after the pointer enters is
taken by the toolbar and lost. This pad scales to its column, and its buttons sit under it.
"""

import base64
import binascii
import dataclasses
import io
from pathlib import Path

import numpy as np
import streamlit as st
from PIL import Image, UnidentifiedImageError

PAD_WIDTH, PAD_HEIGHT = 600, 300  # canvas pixels: 2:1, room for a number (shown at its column's width)
HERE = Path(__file__).resolve().parent
HTML = """<div class="pad-root">
  <div class="pad-surface">
    <canvas class="pad-ink" aria-label="Drawing pad" role="img"></canvas>
    <canvas class="pad-overlay" aria-hidden="true"></canvas>
  </div>
  <div class="pad-buttons">
    <button class="pad-undo" type="button">Undo</button>
    <button class="pad-clear" type="button">Clear</button>
  </div>
</div>"""


@dataclasses.dataclass(frozen=True)
class PadDrawing:
    """What is on the pad: its strokes (as the pad sent them) and its pixels.

    gray: float32 `(PAD_HEIGHT, PAD_WIDTH)` in [0, 1], white ink on black; None when the pad is empty.
    """

    strokes: list
    gray: np.ndarray | None

    @property
    def stroke_count(self) -> int:
        """Strokes on the pad (the black background is opaque, so pixels alone cannot say 'empty')."""
        return len(self.strokes)


@st.cache_resource
def _component():
    """Register the component once per server (the JS and CSS are read from beside this file)."""
    return st.components.v2.component(
        "mnist_anywhere.drawing_pad",
        html=HTML,
        css=(HERE / "pad.css").read_text(encoding="utf-8"),
        js=(HERE / "pad.js").read_text(encoding="utf-8"),
    )


def png_to_gray(url: str | None) -> np.ndarray | None:
    """Decode the pad's PNG data URL: float32 `(PAD_HEIGHT, PAD_WIDTH)` white ink on black, or None.

    The size is checked from the header before decoding: the pad always sends its own size, so
    anything else is not from it and is ignored rather than decoded.
    """
    if not url or ";base64," not in url:
        return None
    try:
        image = Image.open(io.BytesIO(base64.b64decode(url.split(";base64,", 1)[1], validate=True)))
        if image.size != (PAD_WIDTH, PAD_HEIGHT):
            return None
        gray = np.asarray(image.convert("L"), dtype=np.float32)  # the ink is white: luma = any channel
    except (binascii.Error, UnidentifiedImageError, OSError, ValueError):
        return None
    return gray / 255.0


def read_state(state) -> PadDrawing:
    """Turn the component's state (`{"drawing": {"strokes", "png", …}}`, or nothing yet) → `PadDrawing`."""
    drawing = (state or {}).get("drawing") or {}
    strokes = drawing.get("strokes") or []
    return PadDrawing(strokes=strokes, gray=png_to_gray(drawing.get("png")) if strokes else None)


def drawing_pad(*, pen_width: int, boxes: list[dict], key: str) -> None:
    """Mount the pad; `boxes` (`[{box, label, uncertain}]`) are drawn over the drawing they belong to.

    Read what is drawn with `read_state(st.session_state.get(key))` before mounting, so the boxes of
    this very drawing can be passed in the same run.
    """
    drawing = read_state(st.session_state.get(key))
    _component()(
        key=key,
        data={
            "width": PAD_WIDTH,
            "height": PAD_HEIGHT,
            "penWidth": pen_width,
            "strokes": drawing.strokes,
            "strokeCount": drawing.stroke_count,
            "boxes": boxes,
        },
        default={"drawing": None},
        on_drawing_change=lambda: None,
        width="stretch",
    )
