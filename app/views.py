"""How a reading is shown: the number as `st.metric("Prediction", …)`, then each digit's 28×28 crop.

Drawing and uploads show the same thing, so a number read from a photo looks like one drawn.
"""

import altair
import numpy as np
import pandas
import streamlit as st

from app.reading import LOW_CONFIDENCE, Reading, UploadReading

CROP_SCALE = 4  # each digit's 28×28 input shown 4× (112 px), pixels repeated so they stay sharp


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


def probability_chart(probabilities: np.ndarray) -> altair.Chart:
    """Bars of the ten float32 probabilities `(10,)`, digits upright on the x axis."""
    data = pandas.DataFrame({"digit": [str(digit) for digit in range(10)], "probability": probabilities})
    return (
        altair.Chart(data, height=260)
        .mark_bar()
        .encode(
            x=altair.X("digit:O", axis=altair.Axis(labelAngle=0)),
            y=altair.Y("probability:Q", scale=altair.Scale(domain=[0, 1])),
            tooltip=["digit", altair.Tooltip("probability:Q", format=".4f")],
        )
    )


def show_upload(outcome: UploadReading) -> None:
    """One uploaded file: its error, a 'no digit' warning, or its reading under its name."""
    if outcome.error:
        st.error(outcome.error)
    elif outcome.reading is None or not outcome.reading.digits:
        st.warning(f"{outcome.name}: no digit found (the image is blank).")
    else:
        st.markdown(f"**{outcome.name}**")
        show_reading(outcome.reading)
