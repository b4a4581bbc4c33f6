"""The Compare tab: every variant measured, one variant's mistakes up close.

The table comes from `reports/compare.json` (`make compare`), else from the manifest's figures, or is
measured here for the ONNX variants. The confusion matrix and the gallery of misclassified digits
run the chosen ONNX variant on the 10,000 MNIST test images. Both are computed once per server and
shared by every session (`st.cache_data`), never once per user. Without the test set, the tab says
at once what to do and still shows the sizes and the manifest's figures.
"""

import json
from pathlib import Path

import altair
import numpy as np
import pandas
import streamlit as st

from app.test_set import MissingTestSet, find_test_set, load_test_set
from digits.constants import NUM_CLASSES
from digits.manifest import DEFAULT_MODELS_DIR, read_manifest
from export.runtimes import load_predictor

COMPARE_REPORT = Path(__file__).resolve().parent.parent / "reports" / "compare.json"
GALLERY_SIZE = 40  # misclassified test digits shown
GALLERY_SCALE = 3  # each shown 3× (84 px), pixels repeated so they stay sharp
EVALUATION_CHUNK = 250  # test images per model call: the evaluation peaks at +90 MB, not +270 MB
MEASURE_RUNS = 200  # timed one-image calls per variant when measuring here (compare's default: 1,000)


@st.cache_data(max_entries=16, show_spinner="Running the variant on the 10,000 MNIST test images…")
def evaluate_variant(variant: str, folder: str) -> dict:
    """Accuracy, confusion matrix `(10, 10)` (rows: true digit) and the first misclassified images."""
    images, labels = load_test_set(folder)
    predictor = load_predictor(variant)
    probabilities = np.concatenate(
        [
            predictor.predict(images[start : start + EVALUATION_CHUNK].astype(np.float32) / 255.0)
            for start in range(0, len(images), EVALUATION_CHUNK)
        ]
    )
    predictions = probabilities.argmax(axis=1)
    confusion = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    np.add.at(confusion, (labels, predictions), 1)
    wrong = np.flatnonzero(predictions != labels)[:GALLERY_SIZE]
    return {
        "accuracy": float(np.mean(predictions == labels)),
        "confusion": confusion,
        "wrong_count": int(np.sum(predictions != labels)),
        "wrong_images": images[wrong].astype(np.float32) / 255.0,
        "wrong_captions": [
            f"#{index}: {labels[index]} → {predictions[index]} ({probabilities[index].max():.0%})"
            for index in wrong
        ],
    }


@st.cache_data(max_entries=4, show_spinner="Measuring the ONNX variants on the 10,000 test images…")
def measure_onnx_variants(folder: str) -> list[dict]:
    """`bench.compare` rows for the manifest's ONNX variants, measured once per server."""
    from bench.compare import compare_variant

    images, labels = load_test_set(folder)
    images = images.astype(np.float32) / 255.0
    return [
        compare_variant(
            entry, DEFAULT_MODELS_DIR, images=images, labels=labels, references={}, runs=MEASURE_RUNS
        )
        for entry in read_manifest()["models"]
        if entry["format"] == "onnx"
    ]


def manifest_rows() -> list[dict]:
    """Return what the manifest says of every variant (sizes and accuracies), no test set needed."""
    return [
        {
            "variant": entry["id"],
            "model": entry["model"],
            "runtime": entry["metrics"].get("runtime", entry["format"]),
            "bytes": entry["bytes"],
            "test_accuracy": entry["metrics"].get("test_accuracy"),
            "agreement_with_keras": entry["metrics"].get("agreement_with_keras"),
        }
        for entry in read_manifest()["models"]
    ]


def size_chart(rows: list[dict]) -> altair.Chart:
    """Test accuracy against size on disk (log scale), one point per variant."""
    return (
        altair.Chart(pandas.DataFrame(rows))
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


def table_ui(folder: Path | None) -> None:
    """Show the comparison table and chart: measured here if asked, else the report, else the manifest."""
    if folder is not None and st.button("Measure the ONNX variants now", key="measure"):
        st.session_state["measured"] = True
    if folder is not None and st.session_state.get("measured"):
        rows = measure_onnx_variants(str(folder))
        st.caption(
            f"Measured here: the ONNX variants on {folder} ({MEASURE_RUNS} timed one-image calls each)."
        )
    elif COMPARE_REPORT.is_file():
        report = json.loads(COMPARE_REPORT.read_text(encoding="utf-8"))
        rows = report["rows"]
        st.caption(f"From `reports/compare.json` ({report['measured']}, {report['machine']}).")
    else:
        rows = manifest_rows()
        st.caption("From the manifest (`make compare` writes the full table to `reports/compare.json`).")
    st.dataframe(pandas.DataFrame(rows), hide_index=True)
    st.altair_chart(size_chart(rows))


def mistakes_ui(model: str, folder: Path) -> None:
    """Show the chosen ONNX variant's accuracy, confusion matrix and first mistakes on the test set."""
    ids = [entry["id"] for entry in read_manifest()["models"] if entry["format"] == "onnx"]
    variant = st.selectbox("Variant to inspect", ids, index=ids.index(f"{model}-onnx-fp32"), key="inspect")
    evaluation = evaluate_variant(variant, str(folder))
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


@st.fragment
def compare_tab(model: str, *, data_dir: str | None = None) -> None:
    """Show the comparison, then the chosen variant's mistakes (only with the test set)."""
    try:
        folder = find_test_set(data_dir)
    except MissingTestSet as error:
        st.warning(f"No confusion matrix and no measuring without the MNIST test images.\n\n{error}")
        folder = None
    table_ui(folder)
    if folder is not None:
        try:
            mistakes_ui(model, folder)
        except ValueError as error:  # train.data.MnistError: a malformed test file, named
            st.error(f"Cannot read the MNIST test set: {error}")
