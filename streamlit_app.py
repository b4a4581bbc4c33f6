"""Streamlit app: write a digit or a number, or upload a photo of one; compare every exported variant.

    streamlit run streamlit_app.py        (or `make app`; `-- --data-dir FOLDER` for MNIST)

UI only: the image path is `digits.image`, models come from the manifest (`export.runtimes`; ONNX in
`digits.model`), the pieces of the page are in `app/`. TensorFlow is imported only when the Keras
runtime is chosen. Each tab is a fragment: a stroke reruns the Draw tab alone, a file the Upload
tab alone, and switching tabs reruns nothing.
"""

import argparse
import importlib.util
import sys

import streamlit as st

from app.compare import compare_tab
from app.tabs import draw_tab, upload_tab
from digits.manifest import read_manifest

MODELS = {"CNN": "cnn", "MLP": "mlp"}  # sidebar label → model name in the manifest
ONNX_RUNTIMES = {"onnxruntime fp32": "onnx-fp32", "onnxruntime int8": "onnx-int8"}  # label → id suffix
KERAS_RUNTIME = {"Keras (TensorFlow)": "keras"}  # offered only when TensorFlow is installed


@st.cache_resource
def keras_available() -> bool:
    """Whether TensorFlow and Keras are installed (checked without importing them) and released."""
    installed = all(importlib.util.find_spec(name) is not None for name in ("tensorflow", "keras"))
    return installed and bool(read_manifest().get("keras"))


def runtimes() -> dict[str, str]:
    """Runtime label → variant id suffix, Keras included when available."""
    return ONNX_RUNTIMES | (KERAS_RUNTIME if keras_available() else {})


def data_dir_argument() -> str | None:
    """`--data-dir FOLDER` after `streamlit run streamlit_app.py --` (where MNIST's test set is)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data-dir", default=None)
    return parser.parse_known_args(sys.argv[1:])[0].data_dir


# --- sidebar --------------------------------------------------------------------------------------


def model_ui() -> str:
    """Choose the model; returns `"mlp"` or `"cnn"`."""
    return MODELS[st.sidebar.radio("Model", list(MODELS), key="model", horizontal=True)]


def runtime_ui() -> str:
    """Choose the runtime; returns an id suffix: `"onnx-fp32"`, `"onnx-int8"` or `"keras"`."""
    label = st.sidebar.radio("Runtime", list(runtimes()), key="runtime")
    if not keras_available():
        st.sidebar.caption("Keras is offered when TensorFlow is installed and the manifest lists it.")
    return runtimes()[label]


def pen_width_ui() -> int:
    """Pen width on the drawing pad, in pad pixels (the pad is 300 high)."""
    return st.sidebar.slider("Pen width", min_value=8, max_value=40, value=20, step=2, key="stroke_width")


def all_variants_ui() -> list[str] | None:
    """Every variant to run on the same drawing side by side, or None when not asked."""
    if not st.sidebar.toggle("Show all variants", key="all_variants"):
        return None
    return [f"{model}-{runtime}" for model in MODELS.values() for runtime in runtimes().values()]


def main() -> None:
    """Sidebar choices, then the three tabs (each a fragment)."""
    st.set_page_config(page_title="mnist-anywhere", page_icon="✏️", layout="wide")
    st.title("mnist-anywhere")
    model, runtime = model_ui(), runtime_ui()
    pen_width, all_variants = pen_width_ui(), all_variants_ui()
    variant = f"{model}-{runtime}"
    draw, upload, compare = st.tabs(["Draw", "Upload", "Compare"])
    with draw:
        draw_tab(variant, pen_width=pen_width, all_variants=all_variants)
    with upload:
        upload_tab(variant)
    with compare:
        compare_tab(model, data_dir=data_dir_argument())


if __name__ == "__main__":
    main()
