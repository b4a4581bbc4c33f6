"""The static page in Chromium, from file:// and from http://: drawing, page contract, parity, offline.

Parity: MNIST test images (raw / 255, exactly what the Python runtimes get) go through the page's
own runtimes (`MnistPage.loadVariant(...).predictBatch`) and are compared with Python:
onnxruntime for ONNX files, Keras for TF.js graph models (converted from the Keras model).
"""

import base64
import json
import re

import numpy as np
import pytest

from bench import browser as web_page

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")

PARITY_IMAGES = 300  # MNIST test images per variant; a few hundred keep the module under ~3 minutes
WEBGL_IMAGES = 100  # fewer on WebGL: headless Chromium renders it in software (SwiftShader), slowly
EXACT_TOLERANCE = 1e-5  # max |Δp| for TF.js CPU / wasm and ONNX wasm against Python (fp32 both sides)
# TF.js WebGL: measured ~1.3e-6 on Chromium's SwiftShader (float32 textures); a GPU with only
# half-float textures would be ~1e-3, beyond this bound.
WEBGL_TOLERANCE = 1e-4
PREDICTION_DEADLINE_MS = 500  # DESIGN.md: prediction in the DOM within 500 ms of pointerup


def _manifest() -> dict:
    return json.loads((web_page.WEB_DIR / "models" / "manifest.json").read_text(encoding="utf-8"))


def _variant_id(*, model: str, model_format: str, precision: str = "fp32") -> str:
    for entry in _manifest()["models"]:
        if (entry["model"], entry["format"], entry["precision"]) == (model, model_format, precision):
            return entry["id"]
    pytest.skip(f"the manifest has no {model} {model_format} {precision} variant")


@pytest.fixture(scope="module")
def http_base():
    with web_page.static_server() as base_url:
        yield base_url


@pytest.fixture(scope="module", params=["file", "http"])
def page_session(request, browser):
    """One page per scheme for the drawing tests; requests and errors are checked at the end."""
    base_url = request.getfixturevalue("http_base") if request.param == "http" else None
    page, record = web_page.open_page(browser, web_page.page_url(request.param, base_url))
    yield request.param, page, record, base_url
    page.close()


@pytest.mark.parametrize("model_format", ["tfjs", "onnx"])
@pytest.mark.parametrize("drawing", list(web_page.DIGIT_DRAWINGS))
def test_drawn_digit_is_recognised(page_session, model_format, drawing):
    scheme, page, _record, _base = page_session
    variant_id = _variant_id(model="cnn", model_format=model_format)
    if page.input_value("#variant") != variant_id:
        web_page.select_variant(page, variant_id)
    web_page.clear_pad(page)
    strokes, expected = web_page.DIGIT_DRAWINGS[drawing]
    latency_ms = web_page.draw(page, strokes)
    assert web_page.prediction(page) == expected, f"{scheme} {variant_id}: drew {drawing}"
    assert 0 <= latency_ms <= PREDICTION_DEADLINE_MS
    probabilities = web_page.probabilities(page)
    assert sorted(probabilities) == [str(digit) for digit in range(10)]
    assert all(0 <= p <= 1 for p in probabilities.values())
    assert sum(probabilities.values()) == pytest.approx(1, abs=1e-3)
    assert max(probabilities, key=probabilities.get) == expected


def test_blank_pad_undo_and_clear(page_session):
    _scheme, page, _record, _base = page_session
    web_page.clear_pad(page)
    assert web_page.prediction(page) == ""
    assert "draw a digit" in page.text_content("#prediction")
    assert all(p == 0 for p in web_page.probabilities(page).values())
    web_page.draw(page, web_page.ONE)
    assert web_page.prediction(page) == "1"
    web_page.draw(page, web_page.SEVEN_BAR)
    assert web_page.prediction(page) == "7"
    page.click("#undo")
    page.wait_for_function("MnistPage.isIdle()")
    assert web_page.prediction(page) == "1"
    page.click("#clear")
    page.wait_for_function("MnistPage.isIdle()")
    assert web_page.prediction(page) == ""
    assert page.is_disabled("#undo") and page.is_disabled("#clear")


def test_page_contract(page_session):
    _scheme, page, _record, _base = page_session
    manifest = _manifest()
    options = page.eval_on_selector_all("#variant option", "options => options.map(o => [o.value, o.text])")
    assert [value for value, _text in options] == [entry["id"] for entry in manifest["models"]]
    for (_value, text), entry in zip(options, manifest["models"], strict=True):
        assert f"{entry['metrics']['test_accuracy'] * 100:.2f}%" in text  # label: size and accuracy
        assert "kB" in text or "MB" in text
    assert page.eval_on_selector("#pad", "pad => getComputedStyle(pad).touchAction") == "none"
    assert page.evaluate("document.body.dataset.ready") == "true"
    for control in ("#clear", "#undo", "#variant", "#stroke-width", "#compare"):
        assert (
            page.evaluate(
                f"document.querySelector('{control}').labels?.length || "
                f"document.querySelector('{control}').textContent.trim().length"
            )
            > 0
        )


def test_low_confidence_warning_and_model_input(page_session):
    _scheme, page, _record, _base = page_session
    web_page.clear_pad(page)
    web_page.draw(page, web_page.ZERO)
    assert page.is_hidden("#low-confidence")  # a clear 0 is a confident 0
    ink = page.evaluate(
        "() => Array.from(document.querySelector('#model-input').getContext('2d')"
        ".getImageData(0, 0, 28, 28).data).filter((value, index) => index % 4 === 0 && value > 0).length"
    )
    assert 30 < ink < 400, "the 28x28 'what the model sees' view shows the preprocessed digit"
    flat = [0.1] * 10
    page.evaluate("p => MnistUi.showPrediction(Float32Array.from(p), 1, 'test')", flat)
    assert page.is_visible("#low-confidence")
    web_page.clear_pad(page)


def test_compare_marks_every_variant(page_session):
    _scheme, page, _record, _base = page_session
    web_page.clear_pad(page)
    web_page.draw(page, web_page.ZERO)
    page.click("#compare")
    page.wait_for_selector("#compare-table:not([hidden])")
    page.wait_for_function("MnistPage.isIdle()")
    rows = page.eval_on_selector_all(
        "#compare-table tbody tr", "rows => rows.map(r => [r.dataset.variant, r.dataset.digit])"
    )
    assert [variant for variant, _digit in rows] == [entry["id"] for entry in _manifest()["models"]]
    assert sum(digit == "0" for _variant, digit in rows) > len(rows) / 2


def test_no_requests_outside_and_no_console_errors(page_session):
    scheme, page, record, base_url = page_session
    web_page.select_variant(page, _variant_id(model="cnn", model_format="onnx"))  # loads onnxruntime-web
    assert any("vendor/ort-wasm-binary.js" in url for url in record.requests)
    outside = web_page.requests_outside(record, scheme=scheme, base_url=base_url)
    assert not outside, f"requests outside the page's folder: {outside}"
    assert not record.errors, f"console errors: {record.errors}"


def test_onnxruntime_is_loaded_only_when_needed(browser):
    page, record = web_page.open_page(browser, web_page.page_url("file"))
    assert (
        page.evaluate(
            "MnistPage.manifest.models.find(e => e.id === document.querySelector('#variant').value).format"
        )
        == "tfjs"
    )
    assert not [url for url in record.requests if "ort" in url.rsplit("/", 1)[-1]]
    page.close()


@pytest.fixture(scope="module")
def parity_images(mnist_data_dir) -> np.ndarray:
    """The first MNIST test images as the Python runtimes get them: float32 (n, 28, 28), raw / 255."""
    from train.data import load_mnist

    return load_mnist(mnist_data_dir).test_images[:PARITY_IMAGES].astype(np.float32) / 255.0


@pytest.fixture(scope="module")
def parity_page(browser):
    page, record = web_page.open_page(browser, web_page.page_url("file"))
    yield page
    assert not record.errors, f"console errors: {record.errors}"
    page.close()


def _page_probabilities(page, variant_id: str, images: np.ndarray, *, backend: str = "cpu") -> np.ndarray:
    encoded = base64.b64encode(np.ascontiguousarray(images, dtype="<f4").tobytes()).decode("ascii")
    values = page.evaluate(
        """async ([id, backend, encoded]) => {
          const bytes = Uint8Array.from(atob(encoded), c => c.charCodeAt(0));
          const variant = await MnistPage.loadVariant(id, { backend });
          const result = await variant.predictBatch(new Float32Array(bytes.buffer));
          return Array.from(result.probabilities);
        }""",
        [variant_id, backend, encoded],
    )
    return np.asarray(values, dtype=np.float32).reshape(len(images), 10)


@pytest.mark.parametrize("model", ["mlp", "cnn"])
@pytest.mark.parametrize("model_format, backend", [("tfjs", "cpu"), ("tfjs", "wasm"), ("onnx", "wasm")])
def test_fp32_parity_with_python(parity_page, parity_images, model, model_format, backend):
    from export.runtimes import load_predictor

    variant_id = _variant_id(model=model, model_format=model_format)
    images = parity_images
    reference_variant = f"{model}-keras" if model_format == "tfjs" else variant_id
    expected = load_predictor(reference_variant, models_dir=web_page.WEB_DIR / "models").predict(images)
    actual = _page_probabilities(parity_page, variant_id, images, backend=backend)
    assert (actual.argmax(axis=1) == expected.argmax(axis=1)).all()
    max_difference = float(np.abs(actual - expected).max())
    assert max_difference <= EXACT_TOLERANCE, (
        f"{variant_id} vs {reference_variant}: max |Δp| {max_difference:.2e}"
    )


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_tfjs_webgl_tolerance(parity_page, parity_images, model):
    if not parity_page.evaluate("MnistRuntimes.hasTfjsBackend('webgl')"):
        pytest.skip("no WebGL in this Chromium")
    from export.runtimes import load_predictor

    variant_id = _variant_id(model=model, model_format="tfjs")
    images = parity_images[:WEBGL_IMAGES]
    expected = load_predictor(f"{model}-keras", models_dir=web_page.WEB_DIR / "models").predict(images)
    actual = _page_probabilities(parity_page, variant_id, images, backend="webgl")
    max_difference = float(np.abs(actual - expected).max())
    print(f"{variant_id} on WebGL: max |Δp| {max_difference:.2e} over {len(images)} images")
    assert (actual.argmax(axis=1) == expected.argmax(axis=1)).mean() >= 0.99
    assert max_difference <= WEBGL_TOLERANCE


def test_touch_drawing_on_a_phone_does_not_scroll(browser):
    context = browser.new_context(viewport={"width": 390, "height": 700}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(web_page.page_url("file"))
    web_page.wait_until_ready(page)
    page.evaluate("window.scrollTo(0, 40)")
    scroll_before = page.evaluate("window.scrollY")
    box = page.locator("#pad").bounding_box()
    touch = context.new_cdp_session(page)
    stroke = [(0.5, 0.15), (0.5, 0.3), (0.49, 0.5), (0.48, 0.7), (0.48, 0.85)]
    for index, (x, y) in enumerate(stroke):
        kind = "touchStart" if index == 0 else "touchMove"
        point = {"x": box["x"] + x * box["width"], "y": box["y"] + y * box["height"]}
        touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [point]})
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_function("MnistPage.isIdle() && document.querySelector('#prediction').dataset.digit !== ''")
    assert web_page.prediction(page) == "1"
    assert page.evaluate("window.scrollY") == scroll_before
    context.close()


def test_only_ui_js_touches_the_dom():
    """tfjs-examples style: ui.js (results) and ui_input.js (input) are the page's only DOM files."""
    scripts = sorted(web_page.WEB_DIR.glob("*.js"))
    names = {script.name for script in scripts}
    expected = {"ui.js", "ui_input.js", "index.js", "reading.js", "teach.js", "teaching.js", "photo.js"}
    assert expected | {"camera.js", "paint.js"} <= names
    for script in scripts:
        if script.name not in ("ui.js", "ui_input.js"):
            source = script.read_text(encoding="utf-8")
            assert not re.search(r"\b(document|window)\.", source), f"web/{script.name} touches the DOM"
