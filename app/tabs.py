"""The Draw and Upload tabs, each a fragment: a stroke reruns the Draw tab only, a file the Upload tab.

So a drawing never pays for the files in the uploader (nor for the Compare tab), and switching
tabs runs nothing on the server: tabs that rerun the app on a switch raced the uploader, whose
request for an upload URL was answered while the switch's rerun was starting, and Streamlit drops
the unsent answers when a run starts (`AppSession._clear_queue`); the file then vanished.
"""

import pandas
import streamlit as st

from app.pad import drawing_pad, read_state
from app.reading import classify_digits, read_array, read_upload
from app.views import boxes_for_pad, probability_bars, show_reading, show_upload

PAD_KEY = "pad"
UPLOADS_KEY = "uploads"


def all_variants_table(reading, *, variants: list[str]) -> None:
    """Show the same digits read by every variant, side by side: number, confidence, model call time."""
    rows = []
    for variant in variants:
        other = classify_digits(list(reading.digits), variant=variant)
        rows.append(
            {
                "variant": variant,
                "prediction": other.number,
                "confidence": 100 * other.confidence,
                "ms": other.milliseconds,
            }
        )
    st.dataframe(
        pandas.DataFrame(rows),
        hide_index=True,
        column_config={
            "confidence": st.column_config.NumberColumn(format="%.2f %%"),
            "ms": st.column_config.NumberColumn("inference ms", format="%.2f"),
        },
    )
    st.caption("The TF.js variants need a JavaScript runtime: the static page `web/index.html` runs them.")


@st.fragment
def draw_tab(variant: str, *, pen_width: int, all_variants: list[str] | None) -> None:
    """Draw a digit or a number; see it read by `variant` (and by every variant, if asked)."""
    drawing = read_state(st.session_state.get(PAD_KEY))
    reading = read_array(drawing.gray, variant=variant) if drawing.gray is not None else None
    drawing_pad(pen_width=pen_width, boxes=boxes_for_pad(reading), key=PAD_KEY)
    if reading is None or not reading.digits:
        st.info("Draw a digit or a number on the pad to see the prediction.")
        return
    result_column, chart_column = st.columns([3, 2])
    with result_column:
        show_reading(reading)
    if len(reading.digits) == 1:
        with chart_column:
            st.caption("The ten probabilities")
            st.html(probability_bars(reading.digits[0].probabilities))
    if all_variants:
        all_variants_table(reading, variants=all_variants)


@st.fragment
def upload_tab(variant: str) -> None:
    """Read uploaded images (photos of digits on paper too); each file decoded once per content."""
    files = st.file_uploader(
        "Images of digits or numbers",
        accept_multiple_files=True,
        key=UPLOADS_KEY,
        help="PNG, JPEG or anything Pillow reads: a photo, a scan or a drawing of a digit or a number.",
    )
    for uploaded in files or []:
        show_upload(read_upload(uploaded.name, uploaded.getvalue(), variant=variant))
