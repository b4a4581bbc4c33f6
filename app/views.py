"""How a reading is shown: the number as `st.metric("Prediction", …)`, then each digit's 28×28 crop.

Drawing and uploads show the same thing, so a number read from a photo looks like one drawn.
"""

import numpy as np
import streamlit as st

from app.reading import LOW_CONFIDENCE, Reading, UploadReading

CROP_SCALE = 4  # each digit's 28×28 input shown 4× (112 px), pixels repeated so they stay sharp
BAR_HEIGHT = 120  # px of a probability-1 bar


def enlarge(image: np.ndarray, *, scale: int = CROP_SCALE) -> np.ndarray:
    """Float `(28, 28)` → `(28·scale, 28·scale)` by repeating pixels, so the blockiness stays visible."""
    return np.kron(image, np.ones((scale, scale), dtype=image.dtype))


def digit_caption(digit) -> str:
    """`"7 · 98%"`, with a warning sign when the model is unsure (below `LOW_CONFIDENCE`)."""
    return f"{digit.digit} · {digit.confidence:.0%}" + (" ⚠ unsure" if digit.uncertain else "")


def show_reading(reading: Reading) -> None:
    """Show the number, the confidence of the whole, each digit's crop with its confidence, the time."""
    st.metric(
        "Prediction",
        reading.number,
        delta=f"{reading.confidence:.1%} confident",
        delta_color="off",
        delta_arrow="off",
    )
    st.image(
        [enlarge(digit.image) for digit in reading.digits],
        caption=[digit_caption(digit) for digit in reading.digits],
        clamp=True,
    )
    unsure = sum(digit.uncertain for digit in reading.digits)
    count = len(reading.digits)
    st.caption(
        f"{count} digit{'s' if count > 1 else ''} in one model call: {reading.milliseconds:.2f} ms"
        + (f" · {unsure} below {LOW_CONFIDENCE:.0%} confidence (⚠)" if unsure else "")
    )


def boxes_for_pad(reading: Reading | None) -> list[dict]:
    """Each digit's box and label, as the pad draws them over the drawing."""
    if reading is None:
        return []
    return [
        {
            "box": list(digit.box),
            "label": f"{digit.digit} {digit.confidence:.0%}",
            "uncertain": digit.uncertain,
        }
        for digit in reading.digits
    ]


def probability_bars(probabilities: np.ndarray) -> str:
    """HTML bars of the ten float32 probabilities `(10,)`: one small element, cheap to redraw.

    (A Vega chart was re-embedded by every browser on every stroke: CPU that several sessions on a
    small host cannot spare.)
    """
    bars = "".join(
        f'<div style="flex:1;text-align:center" title="{digit}: {probability:.4f}">'
        f'<div style="height:{BAR_HEIGHT * (1 - probability):.0f}px"></div>'
        f'<div style="height:{BAR_HEIGHT * probability:.0f}px;background:#1f77b4;border-radius:2px"></div>'
        f'<div>{digit}</div><div style="font-size:0.7rem;opacity:0.7">{probability:.0%}</div></div>'
        for digit, probability in enumerate(np.asarray(probabilities, dtype=float))
    )
    return f'<div class="probabilities" style="display:flex;gap:4px;max-width:420px">{bars}</div>'


def show_upload(outcome: UploadReading) -> None:
    """One uploaded file: its error, a 'no digit' warning, or its reading under its name."""
    if outcome.error:
        st.error(outcome.error)
    elif outcome.reading is None or not outcome.reading.digits:
        st.warning(f"{outcome.name}: no digit found (the image is blank).")
    else:
        st.markdown(f"**{outcome.name}**")
        show_reading(outcome.reading)
