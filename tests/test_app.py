"""The Streamlit app in AppTest: tabs, drawing and uploads read by every model/runtime, bad files named.

`AppTest` runs the script in-process; the pad "draws" by setting the state the pad component sends
(its PNG and strokes). `test_app_cache.py` covers what is computed once; `test_app_browser.py`
drives the real app in Chromium.
"""

import base64
import io
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
APP = str(REPOSITORY / "streamlit_app.py")
APP_TIMEOUT_S = 120  # first runs load models (and TensorFlow for Keras) on a shared 2-core machine
PAD_SIZE = (600, 300)  # app.pad.PAD_WIDTH, PAD_HEIGHT


@pytest.fixture(autouse=True)
def _offline_mnist(monkeypatch, mnist_data_dir):
    """The app finds MNIST through MNIST_DATA_DIR (never a download), as `make app` sets it."""
    monkeypatch.setenv("MNIST_DATA_DIR", str(mnist_data_dir))
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="module")
def test_digits(mnist_data_dir):
    """The first 5 MNIST test images (uint8 (5, 28, 28), white on black) and their labels."""
    from train.data import load_mnist

    data = load_mnist(mnist_data_dir)
    return data.test_images[:5], data.test_labels[:5].astype(int)


def as_photo(digit: np.ndarray, *, format: str = "PNG", mode: str = "L") -> bytes:
    """A digit as a 'photo of paper': black ink on white, 4× larger, encoded as `format`."""
    paper = Image.fromarray(255 - digit).resize((112, 112), Image.Resampling.BILINEAR).convert(mode)
    buffer = io.BytesIO()
    paper.save(buffer, format=format)
    return buffer.getvalue()


def huge_png() -> bytes:
    """A white 1-bit PNG just over the image path's pixel cap (`MAX_PIXELS`), in a few kilobytes."""
    from digits.image.decode import MAX_PIXELS

    width = 8000
    buffer = io.BytesIO()
    Image.new("1", (width, MAX_PIXELS // width + 1), 1).save(buffer, format="PNG")
    return buffer.getvalue()


def pad_state(*digits: np.ndarray, size: int = 240) -> dict:
    """The pad's state with `digits` (uint8 (28, 28) each) drawn side by side, white on its black pad.

    The shape the pad component (app/pad.js) sends: its PNG as a data URL and its strokes. Setting it
    in session state is how AppTest "draws"; the browser tests draw for real.
    """
    pad = Image.new("RGBA", PAD_SIZE, (0, 0, 0, 255))
    for index, digit in enumerate(digits):
        left = (PAD_SIZE[0] - len(digits) * size) // 2 + index * size
        pad.paste(Image.fromarray(digit).resize((size, size), Image.Resampling.BILINEAR), (left, 30))
    buffer = io.BytesIO()
    pad.save(buffer, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    strokes = [{"width": 20, "points": [[100 + 240 * index, 60]]} for index in range(len(digits))]
    return {"drawing": {"strokes": strokes, "png": url, "width": PAD_SIZE[0], "height": PAD_SIZE[1]}}


EMPTY_PAD = {"drawing": {"strokes": [], "png": None, "width": PAD_SIZE[0], "height": PAD_SIZE[1]}}


def started_app() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=APP_TIMEOUT_S)
    app.run()
    assert not app.exception, app.exception
    return app


def predictions(container) -> list[str]:
    return [metric.value for metric in container.metric if metric.label == "Prediction"]


def test_every_tab_runs_and_the_empty_pad_gives_a_hint_not_a_guess():
    app = started_app()
    assert [tab.label for tab in app.tabs] == ["Draw", "Upload", "Compare"]
    assert any("Draw a digit" in info.value for info in app.tabs[0].info)
    assert not app.metric  # no "Prediction" without ink
    subheaders = [subheader.value for subheader in app.tabs[2].subheader]
    assert any(value.startswith("cnn-onnx-fp32: 9") for value in subheaders), subheaders
    assert app.tabs[2].image  # the gallery of mistakes (one st.image element holding the list)


def test_compare_tab_follows_the_chosen_variant():
    app = started_app()
    app.selectbox(key="inspect").set_value("mlp-onnx-int8").run()
    assert not app.exception
    assert any(subheader.value.startswith("mlp-onnx-int8: ") for subheader in app.subheader)


def test_a_drawing_is_read_by_every_model_and_runtime_and_all_variants_side_by_side(test_digits):
    images, labels = test_digits
    app = started_app()
    app.session_state["pad"] = pad_state(images[0])
    app.run()
    draw = app.tabs[0]
    assert predictions(draw) == [str(labels[0])]
    assert draw.image and draw.image[0].value  # the digit's 28×28 crop, with its confidence
    assert any('class="probabilities"' in element.value for element in draw.html)  # the ten bars
    for model in ("MLP", "CNN"):
        for runtime in app.sidebar.radio(key="runtime").options:
            app.sidebar.radio(key="model").set_value(model)
            app.sidebar.radio(key="runtime").set_value(runtime).run()
            assert not app.exception, (model, runtime, app.exception)
            assert predictions(app.tabs[0]) == [str(labels[0])], (model, runtime)
            assert any(" in one model call: " in caption.value for caption in app.tabs[0].caption)
    app.sidebar.toggle(key="all_variants").set_value(True).run()
    table = app.dataframe[0].value
    assert set(table["variant"]) >= {"mlp-onnx-fp32", "mlp-onnx-int8", "cnn-onnx-fp32", "cnn-onnx-int8"}
    assert (table["prediction"] == str(labels[0])).all()
    app.session_state["pad"] = EMPTY_PAD
    app.run()  # cleared: a hint again, never a guess
    assert not app.metric and any("Draw a digit" in info.value for info in app.info)


def test_a_state_that_is_not_the_pads_own_image_is_ignored_not_decoded():
    app = started_app()
    state = pad_state(np.full((28, 28), 255, np.uint8))
    big = io.BytesIO()
    Image.new("RGBA", (4000, 3000), (255, 255, 255, 255)).save(big, format="PNG")
    state["drawing"]["png"] = "data:image/png;base64," + base64.b64encode(big.getvalue()).decode("ascii")
    app.session_state["pad"] = state
    app.run()
    assert not app.exception and not app.metric
    state["drawing"]["png"] = "data:image/png;base64,not-base64!"
    app.session_state["pad"] = state
    app.run()
    assert not app.exception and not app.metric


def test_measuring_the_onnx_variants_in_the_app_fills_the_table():
    app = started_app()
    app.button(key="measure").click().run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value
    assert sorted(table["variant"]) == ["cnn-onnx-fp32", "cnn-onnx-int8", "mlp-onnx-fp32", "mlp-onnx-int8"]
    assert (table["test_accuracy"] > 0.9).all()


@pytest.mark.parametrize(
    ("model", "runtime"),
    [("CNN", "onnxruntime fp32"), ("CNN", "onnxruntime int8"), ("MLP", "onnxruntime fp32"),
     ("MLP", "onnxruntime int8"), ("CNN", "Keras (TensorFlow)")],
)  # fmt: skip
def test_uploaded_photos_get_the_right_digit_with_each_model_and_runtime(test_digits, model, runtime):
    images, labels = test_digits
    app = started_app()
    app.sidebar.radio(key="model").set_value(model)
    app.sidebar.radio(key="runtime").set_value(runtime)
    app.file_uploader(key="uploads").set_value(
        [(f"digit{index}.png", as_photo(image), "image/png") for index, image in enumerate(images)]
    ).run()
    assert not app.exception, app.exception
    assert not app.error
    upload = app.tabs[1]
    assert [markdown.value for markdown in upload.markdown] == [f"**digit{index}.png**" for index in range(5)]
    assert predictions(upload) == [str(label) for label in labels]


def test_a_bad_upload_is_named_and_the_others_still_processed(test_digits):
    images, labels = test_digits
    app = started_app()
    app.file_uploader(key="uploads").set_value(
        [
            ("notes.txt", b"not an image at all", "text/plain"),
            ("truncated.png", as_photo(images[0])[:60], "image/png"),
            ("photo.jpg", as_photo(images[1], format="JPEG", mode="RGB"), "image/jpeg"),
            ("blank.png", as_photo(np.zeros((28, 28), np.uint8)), "image/png"),
            ("huge.png", huge_png(), "image/png"),
        ]
    ).run()
    assert not app.exception, app.exception
    errors = [error.value for error in app.error]
    assert [error.split(": ")[0] for error in errors] == ["notes.txt", "truncated.png", "huge.png"]
    assert "too large" in errors[2]
    assert any(warning.value.startswith("blank.png: no digit") for warning in app.warning)
    assert predictions(app.tabs[1]) == [str(labels[1])]
    assert [markdown.value for markdown in app.tabs[1].markdown] == ["**photo.jpg**"]


def test_the_app_module_and_its_onnx_path_never_import_tensorflow():
    script = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "import streamlit_app\n"
        f"app = AppTest.from_file({APP!r}, default_timeout={APP_TIMEOUT_S}); app.run()\n"
        "assert not app.exception, app.exception\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=REPOSITORY, capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.strip().splitlines()[-1] == "False False"


def test_streamlit_config_is_offline_friendly_and_caps_uploads():
    import tomllib

    config = tomllib.loads((REPOSITORY / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["headless"] is True
    assert 1 <= config["server"]["maxUploadSize"] <= 50  # MB


def test_the_pad_state_is_read_as_white_ink_and_anything_else_is_ignored():
    from app.pad import PAD_HEIGHT, PAD_WIDTH, png_to_gray, read_state

    assert read_state(None).stroke_count == 0 and read_state(None).gray is None
    assert read_state(EMPTY_PAD).gray is None
    drawing = read_state(pad_state(np.full((28, 28), 255, np.uint8)))
    assert drawing.stroke_count == 1
    assert drawing.gray.dtype == np.float32 and drawing.gray.shape == (PAD_HEIGHT, PAD_WIDTH)
    assert drawing.gray.max() == 1.0 and drawing.gray[0, 0] == 0.0
    assert png_to_gray("data:image/png;base64,AAAA") is None
    assert png_to_gray("not a data url") is None
