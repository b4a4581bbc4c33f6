"""The Streamlit app: every tab runs, model/runtime switch, uploads are classified, bad ones named.

`AppTest` drives the script in-process (the canvas component returns its empty default there);
the `browser` test starts `streamlit run` and draws on the real canvas with Playwright.
"""

import base64
import io
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from bench.browser import launch_chromium

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
APP = str(REPOSITORY / "streamlit_app.py")
APP_TIMEOUT_S = 120  # first runs load models (and TensorFlow for Keras) on a shared 2-core machine


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
    """A 7000×6000 white PNG: 42 megapixels (over the 40 MP decoding limit) in a few kilobytes."""
    buffer = io.BytesIO()
    Image.new("1", (7000, 6000), 1).save(buffer, format="PNG")
    return buffer.getvalue()


def started_app() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=APP_TIMEOUT_S)
    app.run()
    assert not app.exception, app.exception
    return app


def test_every_tab_runs_and_the_empty_pad_gives_a_hint_not_a_guess():
    app = started_app()
    assert [tab.label for tab in app.tabs] == ["Draw", "Upload", "Compare"]
    assert any("Draw a digit" in info.value for info in app.info)
    assert not app.metric  # no "Prediction" without ink
    for tab in ("Upload", "Compare"):
        app.session_state["tab"] = tab
        app.run()
        assert not app.exception, (tab, app.exception)
    subheaders = [subheader.value for subheader in app.subheader]
    assert any(value.startswith("cnn-onnx-fp32: 9") for value in subheaders), subheaders
    assert app.image  # the gallery of mistakes (one st.image element holding the list)


def test_compare_tab_follows_the_chosen_variant():
    app = started_app()
    app.session_state["tab"] = "Compare"
    app.run()
    app.selectbox(key="inspect").set_value("mlp-onnx-int8").run()
    assert not app.exception
    assert any(subheader.value.startswith("mlp-onnx-int8: ") for subheader in app.subheader)


def canvas_state(digit: np.ndarray) -> dict:
    """What the canvas component reports for `digit` (uint8 (28, 28)) drawn white on its black pad.

    The shape of streamlit-drawable-canvas 0.13's widget value: Fabric.js JSON plus the PNG as a
    data URL. Setting it in session state is how AppTest "draws"; the browser test draws for real.
    """
    pad = Image.fromarray(digit).resize((280, 280), Image.Resampling.BILINEAR).convert("RGBA")
    buffer = io.BytesIO()
    pad.save(buffer, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": url}, "backgroundFit": None}


def test_a_drawing_is_predicted_by_every_model_and_runtime_and_all_variants_side_by_side(test_digits):
    images, labels = test_digits
    app = started_app()
    app.session_state["pad"] = canvas_state(images[0])
    app.run()
    assert {metric.label: metric.value for metric in app.metric} == {"Prediction": str(labels[0])}
    for model in ("MLP", "CNN"):
        for runtime in app.sidebar.radio(key="runtime").options:
            app.sidebar.radio(key="model").set_value(model)
            app.sidebar.radio(key="runtime").set_value(runtime).run()
            assert not app.exception, (model, runtime, app.exception)
            assert app.metric[0].value == str(labels[0]), (model, runtime)
            assert any(caption.value.startswith("Inference: ") for caption in app.caption)
    app.sidebar.toggle(key="all_variants").set_value(True).run()
    table = app.dataframe[0].value
    assert set(table["variant"]) >= {"mlp-onnx-fp32", "mlp-onnx-int8", "cnn-onnx-fp32", "cnn-onnx-int8"}
    assert (table["prediction"] == labels[0]).all()
    app.session_state["pad"] = {"drawing": {"raw": {"objects": []}, "data": None}, "backgroundFit": None}
    app.run()  # cleared: a hint again, never a guess
    assert not app.metric and any("Draw a digit" in info.value for info in app.info)


def test_measuring_the_onnx_variants_in_the_app_fills_the_table():
    app = started_app()
    app.session_state["tab"] = "Compare"
    app.run()
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
    shown = {metric.label: metric.value for metric in app.metric}
    assert shown == {f"digit{index}.png": str(label) for index, label in enumerate(labels)}


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
    assert {metric.label: metric.value for metric in app.metric} == {"photo.jpg": str(labels[1])}


def test_the_app_module_and_its_onnx_path_never_import_tensorflow(tmp_path):
    script = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "import streamlit_app\n"
        f"app = AppTest.from_file({APP!r}, default_timeout={APP_TIMEOUT_S}); app.run()\n"
        "app.session_state['tab'] = 'Compare'; app.run()\n"
        "assert not app.exception, app.exception\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=REPOSITORY, capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.strip().splitlines()[-1] == "False False"


def test_compare_tab_without_mnist_says_where_to_put_the_files(tmp_path):
    script = (
        f"from streamlit.testing.v1 import AppTest\n"
        f"app = AppTest.from_file({APP!r}, default_timeout={APP_TIMEOUT_S}); app.run()\n"
        "app.session_state['tab'] = 'Compare'; app.run()\n"
        "assert not app.exception, app.exception\n"
        "print(app.warning[0].value)\n"
    )
    environment = dict(os.environ, MNIST_DATA_DIR=str(tmp_path))  # a named folder: no download
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "t10k-images-idx3-ubyte.gz" in completed.stdout and "MNIST_DATA_DIR" in completed.stdout


def test_streamlit_config_is_offline_friendly_and_caps_uploads():
    import tomllib

    config = tomllib.loads((REPOSITORY / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["headless"] is True
    assert 1 <= config["server"]["maxUploadSize"] <= 50  # MB


def test_canvas_helpers_count_strokes_and_read_white_ink():
    import streamlit_app

    assert streamlit_app.count_strokes(None) == 0
    assert streamlit_app.count_strokes({"objects": [{"type": "path"}, {"type": "path"}]}) == 2
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., 3] = 255  # the black background is opaque everywhere
    rgba[100:180, 130:150, :3] = 255
    gray = streamlit_app.canvas_to_gray(rgba)
    assert gray.dtype == np.float32 and gray.shape == (280, 280)
    assert gray.max() == 1.0 and gray[0, 0] == 0.0


# --- real browser ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served_app(tmp_path):
    """`streamlit run streamlit_app.py` on a free port; yields its URL; always stopped."""
    port = free_port()
    log = (tmp_path / "streamlit.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=REPOSITORY, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ),
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start:\n{(tmp_path / 'streamlit.log').read_text()}")
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def draw_stroke(page, box: dict, points: list[tuple[float, float]]) -> None:
    """Press, move through `points` (fractions of the pad) and release, like a hand would."""
    page.mouse.move(box["x"] + points[0][0] * box["width"], box["y"] + points[0][1] * box["height"])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=10)
    page.mouse.up()


def prediction_text(page) -> str:
    """The digit shown by st.metric("Prediction", …), once it appears."""
    metric = page.locator('[data-testid="stMetric"]', has_text="Prediction")
    return metric.locator('[data-testid="stMetricValue"]').inner_text(timeout=30_000).strip()


@pytest.mark.browser
def test_drawing_in_chromium_predicts_the_digit_and_undo_and_clear_work(served_app):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(served_app)
            pad = page.locator("canvas.upper-canvas").first  # fabric.js draws on the upper canvas
            pad.wait_for(timeout=60_000)
            expect(page.get_by_text("Draw a digit on the pad")).to_be_visible(timeout=60_000)
            box = pad.bounding_box()
            draw_stroke(page, box, [(0.62, 0.15), (0.42, 0.88)])  # a slanted 1
            expect(page.get_by_test_id("stMetricValue")).to_have_text("1", timeout=30_000)
            page.get_by_role("slider").focus()  # a wider pen keeps what is drawn
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(1500)
            expect(page.get_by_test_id("stMetricValue")).to_have_text("1", timeout=30_000)
            draw_stroke(page, box, [(0.22, 0.17), (0.62, 0.15)])  # the bar that makes it a 7
            expect(page.get_by_test_id("stMetricValue")).to_have_text("7", timeout=30_000)
            assert prediction_text(page) == "7"
            if os.environ.get("APP_SCREENSHOT"):  # regenerate docs/app.png: APP_SCREENSHOT=docs/app.png
                page.wait_for_timeout(1000)
                page.screenshot(path=os.environ["APP_SCREENSHOT"])
            pad.hover()
            page.get_by_role("button", name="Undo").click()
            expect(page.get_by_test_id("stMetricValue")).to_have_text("1", timeout=30_000)
            pad.hover()
            page.get_by_role("button", name="Reset canvas & history").click()
            expect(page.get_by_text("Draw a digit on the pad")).to_be_visible(timeout=30_000)
            expect(page.get_by_test_id("stMetric")).to_have_count(0)
        finally:
            browser.close()
