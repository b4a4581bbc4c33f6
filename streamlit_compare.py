"""The Compare tab of the Streamlit app: every variant measured, one variant's mistakes up close.

The table comes from `reports/compare.json` (`make compare`), or is measured here for the ONNX
variants with `bench.compare`. The confusion matrix and the gallery of misclassified test digits
run the chosen ONNX variant in onnxruntime on the 10,000 MNIST test images (`train.data`, numpy
only), cached per variant.
"""

import json
from pathlib import Path

import altair
import numpy as np
import pandas
import streamlit as st

from digits.constants import NUM_CLASSES
from digits.manifest import DEFAULT_MODELS_DIR, read_manifest
from export.runtimes import load_predictor

COMPARE_REPORT = Path(__file__).resolve().parent / "reports" / "compare.json"
GALLERY_SIZE = 40  # misclassified test digits shown
GALLERY_SCALE = 3  # each shown 3× (84 px), pixels repeated so they stay sharp
MEASURE_RUNS = 200  # timed one-image calls per variant when measuring here (compare's default: 1,000)


@st.cache_data(show_spinner="Running the variant on the 10,000 MNIST test images…")
def evaluate_variant(variant: str) -> dict:
    """Accuracy, confusion matrix `(10, 10)` (rows: true digit) and the misclassified test images."""
    from export.evaluate import load_test_set  # train.data: numpy only, finds MNIST as `make` does

    images, labels = load_test_set()
    probabilities = load_predictor(variant).predict(images)
    predictions = probabilities.argmax(axis=1)
    confusion = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    np.add.at(confusion, (labels, predictions), 1)
    wrong = np.flatnonzero(predictions != labels)
    return {
        "accuracy": float(np.mean(predictions == labels)),
        "confusion": confusion,
        "wrong_count": len(wrong),
        "wrong_images": images[wrong[:GALLERY_SIZE]],
        "wrong_captions": [
            f"#{index}: {labels[index]} → {predictions[index]} ({probabilities[index].max():.0%})"
            for index in wrong[:GALLERY_SIZE]
        ],
    }


def measure_onnx_variants(entries: list[dict]) -> list[dict]:
    """`bench.compare` rows for the ONNX variants, measured here, with a progress bar."""
    from bench.compare import compare_variant
    from export.evaluate import load_test_set

    images, labels = load_test_set()
    progress = st.progress(0.0, text="Measuring…")
    rows = []
    for done, entry in enumerate(entries):
        progress.progress(done / len(entries), text=f"Measuring {entry['id']}…")
        rows.append(
            compare_variant(
                entry, DEFAULT_MODELS_DIR, images=images, labels=labels, references={}, runs=MEASURE_RUNS
            )
        )
    progress.progress(1.0, text=f"Measured {len(rows)} variants on {len(images):,} test images.")
    return rows


def size_chart(rows: list[dict]) -> altair.Chart:
    """Test accuracy against size on disk (log scale), one point per variant."""
    data = pandas.DataFrame(rows)
    return (
        altair.Chart(data)
        .mark_point(size=90, filled=True)
        .encode(
            x=altair.X("bytes:Q", scale=altair.Scale(type="log"), title="size on disk (bytes, log)"),
            y=altair.Y("test_accuracy:Q", scale=altair.Scale(zero=False), title="test accuracy"),
            color="model:N",
            tooltip=["variant", "runtime", "bytes", "test_accuracy"],
        )
    )


def confusion_chart(confusion: np.ndarray) -> altair.Chart:
    """Draw the `(10, 10)` confusion matrix as a heat map with counts (log colour, so errors show)."""
    cells = pandas.DataFrame(
        [
            {"true": str(t), "predicted": str(p), "count": int(confusion[t, p])}
            for t in range(10)
            for p in range(10)
        ]
    )
    base = altair.Chart(cells, width=380, height=380).encode(
        x=altair.X("predicted:O", axis=altair.Axis(labelAngle=0)), y="true:O"
    )
    heat = base.mark_rect().encode(color=altair.Color("count:Q", scale=altair.Scale(type="symlog")))
    text = base.mark_text(fontSize=11).encode(
        text="count:Q",
        color=altair.condition(altair.datum.count > 100, altair.value("white"), altair.value("black")),
    )
    return heat + text


def compare_tab(model: str) -> None:
    """Show the comparison table and chart, then the chosen variant's confusion matrix and mistakes."""
    onnx_entries = [entry for entry in read_manifest()["models"] if entry["format"] == "onnx"]
    rows = st.session_state.get("measured_rows")
    if rows is None and COMPARE_REPORT.is_file():
        report = json.loads(COMPARE_REPORT.read_text(encoding="utf-8"))
        rows = report["rows"]
        st.caption(f"From `reports/compare.json` ({report['measured']}, {report['machine']}).")
    elif rows is None:
        st.info("No `reports/compare.json` yet (`make compare` writes it). Measure the ONNX variants here:")
    if st.button("Measure the ONNX variants now", key="measure"):
        try:
            rows = st.session_state["measured_rows"] = measure_onnx_variants(onnx_entries)
        except ValueError as error:  # train.data.MnistError: the test images are missing
            st.error(f"Cannot measure without the MNIST test images.\n\n```\n{error}\n```")
    if rows:
        st.dataframe(pandas.DataFrame(rows), hide_index=True)
        st.altair_chart(size_chart(rows))
    ids = [entry["id"] for entry in onnx_entries]
    variant = st.selectbox("Variant to inspect", ids, index=ids.index(f"{model}-onnx-fp32"), key="inspect")
    if "mnist_error" not in st.session_state:  # look (and maybe download) once per session, not per rerun
        try:
            evaluation = evaluate_variant(variant)
        except ValueError as error:  # train.data.MnistError
            st.session_state["mnist_error"] = str(error)
    if "mnist_error" in st.session_state:
        message = st.session_state["mnist_error"]
        st.warning(f"No confusion matrix without the MNIST test images.\n\n```\n{message}\n```")
        if st.button("Look for MNIST again", key="retry_mnist"):
            del st.session_state["mnist_error"]
            st.rerun()
        return
    st.subheader(
        f"{variant}: {evaluation['accuracy']:.2%} on the test set, {evaluation['wrong_count']} wrong"
    )
    st.altair_chart(confusion_chart(evaluation["confusion"]))
    st.caption(
        f"The first {len(evaluation['wrong_captions'])} mistakes (index: true → predicted, confidence):"
    )
    st.image(
        [np.kron(image, np.ones((GALLERY_SCALE, GALLERY_SCALE))) for image in evaluation["wrong_images"]],
        caption=evaluation["wrong_captions"],
        clamp=True,
    )
