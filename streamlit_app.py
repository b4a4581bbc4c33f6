"""Streamlit app: draw or upload a digit, see what every exported variant predicts, compare them.

    streamlit run streamlit_app.py        (or `make app`)

The app is UI only: preprocessing is `digits.image`, models are loaded from the manifest by
`export.runtimes` (ONNX in `digits.model`); the Compare tab lives in `streamlit_compare.py`.
TensorFlow is imported only when the Keras runtime is chosen, so the ONNX path runs without it.
"""

import dataclasses
import importlib.util
import time

import altair
import numpy as np
import pandas
import streamlit as st

from digits.constants import IMAGE_SIZE
from digits.image import load_image, preprocess_array
from digits.manifest import read_manifest
from digits.model import to_model_input
from export.runtimes import load_predictor
from streamlit_compare import compare_tab

MODELS = {"CNN": "cnn", "MLP": "mlp"}  # sidebar label → model name in the manifest
ONNX_RUNTIMES = {"onnxruntime fp32": "onnx-fp32", "onnxruntime int8": "onnx-int8"}  # label → id suffix
KERAS_RUNTIME = {"Keras (TensorFlow)": "keras"}  # offered only when TensorFlow is installed
CANVAS_SIZE = 10 * IMAGE_SIZE  # drawing pad side in CSS pixels
PREVIEW_SCALE = 6  # the 28×28 model input is shown enlarged this many times (nearest neighbour)


@dataclasses.dataclass(frozen=True)
class Prediction:
    """One image through one variant: the 28×28 input it saw and what it said.

    image: float32 `(28, 28)` in [0, 1]; probabilities: float32 `(10,)`; milliseconds: the
    `predict` call alone (preprocessing excluded).
    """

    image: np.ndarray
    probabilities: np.ndarray
    milliseconds: float

    @property
    def digit(self) -> int:
        """The most probable digit."""
        return int(self.probabilities.argmax())

    @property
    def confidence(self) -> float:
        """Probability of the predicted digit."""
        return float(self.probabilities.max())


@dataclasses.dataclass(frozen=True)
class UploadResult:
    """One uploaded file: a prediction, `None` when the image holds no ink, or an error message."""

    name: str
    prediction: Prediction | None = None
    error: str | None = None


# --- models -------------------------------------------------------------------------------------


@st.cache_resource
def keras_available() -> bool:
    """Whether TensorFlow and Keras are installed (checked without importing them) and released."""
    installed = all(importlib.util.find_spec(name) is not None for name in ("tensorflow", "keras"))
    return installed and bool(read_manifest().get("keras"))


@st.cache_resource(show_spinner="Loading the model…")
def get_predictor(variant: str):
    """Load a manifest id (`"cnn-onnx-int8"`) or `"<model>-keras"` once per process, warmed up.

    The warm-up call (Keras builds its graph, onnxruntime allocates) keeps the first drawing's
    inference time honest.
    """
    predictor = load_predictor(variant)
    predictor.run(
        to_model_input(np.zeros((IMAGE_SIZE, IMAGE_SIZE), np.float32), predictor.entry["input"]["layout"])
    )
    return predictor


def predict(variant: str, image: np.ndarray) -> Prediction:
    """Run one preprocessed float32 `(28, 28)` image through `variant`, timing the runtime call.

    The call is `predictor.run` on input already in the model's layout (an onnxruntime session
    call, or Keras `model(x)`: `model.predict` costs ~100 ms of set-up per call), as in
    `bench.compare`'s one-image latency.
    """
    predictor = get_predictor(variant)
    model_input = to_model_input(image, predictor.entry["input"]["layout"])
    started = time.perf_counter()
    probabilities = np.asarray(predictor.run(model_input), dtype=np.float32)[0]
    milliseconds = (time.perf_counter() - started) * 1000
    return Prediction(image=image, probabilities=probabilities, milliseconds=milliseconds)


def classify_upload(name: str, data: bytes, *, variant: str) -> UploadResult:
    """Decode, preprocess and classify one uploaded file; a bad file gives an error naming it."""
    try:
        gray = load_image(data)
    except ValueError as error:  # digits.image.ImageError: not an image, truncated, too large
        return UploadResult(name=name, error=f"{name}: {error}")
    image = preprocess_array(gray)
    if image is None:
        return UploadResult(name=name)
    return UploadResult(name=name, prediction=predict(variant, image))


def canvas_to_gray(rgba: np.ndarray) -> np.ndarray:
    """Canvas pixels uint8 `(h, w, 4)` (white ink on an opaque black background) → float32 `(h, w)`."""
    return rgba[..., :3].astype(np.float32).mean(axis=2) / 255.0


def count_strokes(json_data: dict | None) -> int:
    """Strokes on the pad (the opaque black background makes every pixel count, so count objects)."""
    return len((json_data or {}).get("objects", []))


# --- sidebar --------------------------------------------------------------------------------------


def model_ui() -> str:
    """Choose the model; returns `"mlp"` or `"cnn"`."""
    return MODELS[st.sidebar.radio("Model", list(MODELS), key="model", horizontal=True)]


def runtime_ui() -> str:
    """Choose the runtime; returns an id suffix: `"onnx-fp32"`, `"onnx-int8"` or `"keras"`."""
    runtimes = ONNX_RUNTIMES | (KERAS_RUNTIME if keras_available() else {})
    label = st.sidebar.radio("Runtime", list(runtimes), key="runtime")
    if not keras_available():
        st.sidebar.caption("Keras is offered when TensorFlow is installed and the manifest lists it.")
    return runtimes[label]


def stroke_width_ui() -> int:
    """Pen width on the drawing pad, in CSS pixels."""
    return st.sidebar.slider("Pen width", min_value=8, max_value=40, value=20, step=2, key="stroke_width")


def all_variants_ui() -> bool:
    """Whether to show every variant's prediction for the same drawing."""
    return st.sidebar.toggle("Show all variants", key="all_variants")


# --- tabs ---------------------------------------------------------------------------------------


def show_prediction(prediction: Prediction, *, chart_column) -> None:
    """Show the metric, the 28×28 input enlarged, the time; the ten probabilities in `chart_column`."""
    st.metric(
        "Prediction",
        prediction.digit,
        delta=f"{prediction.confidence:.2%} confident",
        delta_color="off",
        delta_arrow="off",
    )
    st.image(enlarge(prediction.image), caption="the 28×28 input the model saw", clamp=True)
    st.caption(f"Inference: {prediction.milliseconds:.2f} ms")
    chart_column.altair_chart(probability_chart(prediction.probabilities))


def probability_chart(probabilities: np.ndarray) -> altair.Chart:
    """Bars of the ten float32 probabilities `(10,)`, digits upright on the x axis."""
    data = pandas.DataFrame({"digit": [str(digit) for digit in range(10)], "probability": probabilities})
    return (
        altair.Chart(data, height=300)
        .mark_bar()
        .encode(
            x=altair.X("digit:O", axis=altair.Axis(labelAngle=0)),
            y=altair.Y("probability:Q", scale=altair.Scale(domain=[0, 1])),
            tooltip=["digit", altair.Tooltip("probability:Q", format=".4f")],
        )
    )


def enlarge(image: np.ndarray) -> np.ndarray:
    """Float `(28, 28)` → `(168, 168)` by repeating pixels, so the blockiness stays visible."""
    return np.kron(image, np.ones((PREVIEW_SCALE, PREVIEW_SCALE), dtype=image.dtype))


def all_variants_table(image: np.ndarray) -> None:
    """Every ONNX (and Keras) variant of both models on the same input, side by side."""
    runtimes = list(ONNX_RUNTIMES.values()) + (["keras"] if keras_available() else [])
    rows = []
    for model in MODELS.values():
        for runtime in runtimes:
            prediction = predict(f"{model}-{runtime}", image)
            rows.append(
                {
                    "variant": f"{model}-{runtime}",
                    "prediction": prediction.digit,
                    "confidence": 100 * prediction.confidence,
                    "ms": prediction.milliseconds,
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


def draw_tab(variant: str, *, stroke_width: int, show_all: bool) -> None:
    """Draw a digit; see the chosen variant's prediction (and every variant's, if asked)."""
    from streamlit_drawable_canvas import st_canvas  # registers a component: needs a running app

    pad_column, prediction_column, chart_column = st.columns([3, 2, 4])
    with pad_column:
        result = st_canvas(
            stroke_width=stroke_width,
            stroke_color="#FFFFFF",
            background_color="#000000",
            height=CANVAS_SIZE,
            width=CANVAS_SIZE,
            return_image_data=True,
            key="pad",
        )
        st.caption("Draw one digit. Undo and clear: the pad's toolbar (hover the pad).")
    image = None
    if count_strokes(result.json_data) and result.image_data is not None:
        image = preprocess_array(canvas_to_gray(np.asarray(result.image_data)))
    with prediction_column:
        if image is None:
            st.info("Draw a digit on the pad to see the prediction.")
            return
        show_prediction(predict(variant, image), chart_column=chart_column)
    if show_all:
        all_variants_table(image)


def upload_tab(variant: str) -> None:
    """Classify uploaded images (photos of digits on paper work too: light backgrounds are inverted)."""
    files = st.file_uploader(
        "Images of digits",
        accept_multiple_files=True,
        key="uploads",
        help="PNG, JPEG or anything Pillow reads; one digit per image.",
    )
    for uploaded in files or []:
        outcome = classify_upload(uploaded.name, uploaded.getvalue(), variant=variant)
        if outcome.error:
            st.error(outcome.error)
        elif outcome.prediction is None:
            st.warning(f"{outcome.name}: no digit found (the image is blank).")
        else:
            prediction = outcome.prediction
            image_column, text_column = st.columns([1, 4])
            image_column.image(enlarge(prediction.image), width=112, clamp=True)
            text_column.metric(
                outcome.name,
                prediction.digit,
                delta=f"{prediction.confidence:.2%} confident",
                delta_color="off",
                delta_arrow="off",
            )


def main() -> None:
    """Sidebar choices, then the three tabs (Compare runs only while open: it reads MNIST)."""
    st.set_page_config(page_title="mnist-anywhere", page_icon="✏️", layout="wide")
    st.title("mnist-anywhere")
    model, runtime = model_ui(), runtime_ui()
    stroke_width, show_all = stroke_width_ui(), all_variants_ui()
    variant = f"{model}-{runtime}"
    draw, upload, compare = st.tabs(["Draw", "Upload", "Compare"], key="tab", on_change="rerun")
    with draw:
        draw_tab(variant, stroke_width=stroke_width, show_all=show_all)
    with upload:
        upload_tab(variant)
    with compare:
        if compare.open:
            compare_tab(model)


if __name__ == "__main__":
    main()
