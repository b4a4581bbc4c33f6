"""The page's camera in Chromium: a fake camera showing a digit on paper, a refused camera, none.

Chromium's fake capture device plays a `.y4m` video (4:2:0, header `C420`) built here from an
MNIST test digit; `--use-fake-ui-for-media-stream` answers the permission prompt (`=deny`
refuses it). `file://` is a secure context in Chromium, so the camera works there once allowed.
"""

import numpy as np
import pytest

from bench import browser as web_page
from bench import digit_images

pytestmark = pytest.mark.browser

pytest.importorskip("playwright.sync_api")

FAKE_CAMERA = ("--use-fake-device-for-media-stream",)
# Keeps every stream the page opens, to check that the camera is stopped (its tracks ended).
STREAM_PROBE = """() => {
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  window.__streams = [];
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await original(constraints);
    window.__streams.push(stream);
    return stream;
  };
}"""
ALL_STOPPED = (
    "window.__streams.length > 0"
    " && window.__streams.every((s) => s.getTracks().every((t) => t.readyState === 'ended'))"
)


@pytest.fixture(scope="module")
def camera_digit(mnist_data_dir) -> tuple[str, np.ndarray]:
    """An MNIST test digit (the second test image, a 2) for the fake camera: (label, uint8 (28, 28))."""
    from train.data import load_mnist

    data = load_mnist(mnist_data_dir)
    return str(data.test_labels[1]), data.test_images[1]


@pytest.fixture(scope="module")
def playwright():
    """One Playwright for the module: each test launches the Chromium its camera case needs."""
    missing = web_page.missing_page_parts()
    if missing:
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def camera_browser(playwright, tmp_path_factory, camera_digit):
    """Chromium whose camera films the digit on paper, 640 × 480, and which allows the camera."""
    video = tmp_path_factory.mktemp("camera") / "digit.y4m"
    video.write_bytes(digit_images.camera_y4m(camera_digit[1]))
    flags = (*FAKE_CAMERA, "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={video}")
    browser = web_page.launch_chromium(playwright, extra_args=flags)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def http_base():
    with web_page.static_server() as base_url:
        yield base_url


def _open(browser, url: str):
    page, record = web_page.open_page(browser, url)
    page.evaluate(STREAM_PROBE)
    return page, record


def _finish(page, record, *, scheme: str = "file", base_url: str | None = None) -> None:
    assert not record.errors, f"console errors: {record.errors}"
    assert not web_page.requests_outside(record, scheme=scheme, base_url=base_url)
    page.close()


@pytest.mark.parametrize("scheme", ["file", "http"])
def test_snapshot_of_the_fake_camera_reads_the_digit(camera_browser, camera_digit, scheme, request):
    base_url = request.getfixturevalue("http_base") if scheme == "http" else None
    page, record = _open(camera_browser, web_page.page_url(scheme, base_url))
    web_page.handle_input(page, lambda: page.click("#camera"))
    assert web_page.message(page) == ""
    assert page.evaluate("MnistUi.currentView()") == "camera"
    assert page.is_visible("#camera-view") and page.is_visible("#camera-guide")
    assert page.evaluate("[MnistUi.cameraVideo().videoWidth, MnistUi.cameraVideo().videoHeight]") == [
        640,
        480,
    ]
    web_page.handle_input(page, lambda: page.click("#snap"))
    label, _image = camera_digit
    assert web_page.message(page) == ""
    assert web_page.number(page) == label and web_page.prediction(page) == label
    assert page.evaluate("MnistUi.currentView()") == "photo", "the snapshot is shown with its box"
    assert page.evaluate(ALL_STOPPED), "the camera stops after the snapshot"
    size = page.evaluate("MnistPage.lastReading().size")
    assert size == {"width": 512, "height": 288}, "the snapshot is the guide box: 80% × 60% of 640 × 480"
    _finish(page, record, scheme=scheme, base_url=base_url)


def test_leaving_the_camera_stops_it_and_drawing_works(camera_browser):
    page, record = _open(camera_browser, web_page.page_url("file"))
    web_page.handle_input(page, lambda: page.click("#camera"))
    assert page.is_enabled("#snap")
    page.click("#mode-draw")
    assert page.evaluate(ALL_STOPPED), "the camera stops when leaving camera mode"
    assert page.is_hidden("#snap")
    web_page.draw(page, web_page.SEVEN)
    assert web_page.prediction(page) == "7"
    _finish(page, record)


def test_a_refused_camera_says_so_and_drawing_still_works(playwright):
    browser = web_page.launch_chromium(
        playwright, extra_args=(*FAKE_CAMERA, "--use-fake-ui-for-media-stream=deny")
    )
    page, record = _open(browser, web_page.page_url("file"))
    web_page.handle_input(page, lambda: page.click("#camera"))
    assert "camera was not allowed" in web_page.message(page)
    assert page.evaluate("MnistUi.currentView()") == "pad"
    web_page.draw(page, web_page.ONE)
    assert web_page.prediction(page) == "1"
    _finish(page, record)
    browser.close()


NO_CAMERA = {
    "no camera": (
        "() => { navigator.mediaDevices.getUserMedia ="
        " () => Promise.reject(new DOMException('none', 'NotFoundError')); }",
        "No camera was found",
    ),
    "insecure page": (
        "() => { Object.defineProperty(navigator, 'mediaDevices', { value: undefined }); }",
        "offers no camera to this page",
    ),
}


@pytest.mark.parametrize("case", list(NO_CAMERA))
def test_without_a_camera_the_page_says_so(camera_browser, case):
    script, expected = NO_CAMERA[case]
    page, record = web_page.open_page(camera_browser, web_page.page_url("file"))
    page.evaluate(script)
    web_page.handle_input(page, lambda: page.click("#camera"))
    assert expected in web_page.message(page)
    assert "\n" not in web_page.message(page)
    web_page.draw(page, web_page.ZERO)
    assert web_page.prediction(page) == "0"
    _finish(page, record)
