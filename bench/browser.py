"""Helpers to drive the static page (web/index.html) in Chromium: server, launch, strokes, requests.

Shared by `bench/bench_web.py` and the browser tests (they import it: `from bench import browser`).
Strokes are lists of (x, y) points in fractions (0 = left/top, 1 = right/bottom) of the pad's
middle square (one digit) or of the whole 2:1 pad (a number), drawn with mouse events (Chromium
turns them into pointer events).
"""

import base64
import contextlib
import math
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
# MNIST_WEB_DIR lets a developer point the tests at another build of the page.
WEB_DIR = Path(os.environ.get("MNIST_WEB_DIR", REPO_DIR / "web")).resolve()
CHROMIUM = "/usr/bin/chromium"
# The network is closed and nothing may phone home; the sandbox needs privileges CI lacks.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
READY_TIMEOUT_MS = 30_000  # a cold page on a busy 2-core machine; typically under 1 s
# Built by `make setup` (web/build.py vendor models): without them the page cannot start.
PAGE_BUILD_FILES = ("vendor/tf.min.js", "vendor/ort-wasm-binary.js", "models/embedded/manifest.js")


def _ellipse(center_x: float, center_y: float, radius_x: float, radius_y: float, *, points: int = 28) -> list:
    """Return a closed ellipse, drawn from the top counter-clockwise, as one stroke."""
    return [
        (
            center_x - radius_x * math.sin(2 * math.pi * step / points),
            center_y - radius_y * math.cos(2 * math.pi * step / points),
        )
        for step in range(points + 1)
    ]


def _scaled(strokes: list, *, scale: float, offset_x: float, offset_y: float) -> list:
    """Shrink strokes towards the top-left corner and shift them."""
    return [[(offset_x + x * scale, offset_y + y * scale) for x, y in stroke] for stroke in strokes]


ONE = [[(0.52, 0.15), (0.5, 0.5), (0.48, 0.85)]]
SEVEN = [[(0.25, 0.2), (0.75, 0.2), (0.6, 0.45), (0.42, 0.85)]]
ZERO = [_ellipse(0.5, 0.5, 0.22, 0.33)]
SEVEN_BAR = [[(0.18, 0.17), (0.54, 0.15)]]  # turns ONE (drawn first) into a 7
# Small (a third of the size) and off-centre: the preprocessing must crop, scale and centre them.
SMALL_SEVEN_TOP_LEFT = _scaled(SEVEN, scale=0.35, offset_x=0.02, offset_y=0.02)
SMALL_ZERO_BOTTOM_RIGHT = _scaled(ZERO, scale=0.33, offset_x=0.6, offset_y=0.62)
DIGIT_DRAWINGS = {
    "one": (ONE, "1"),
    "seven": (SEVEN, "7"),
    "zero": (ZERO, "0"),
    "small-seven-top-left": (SMALL_SEVEN_TOP_LEFT, "7"),
    "small-zero-bottom-right": (SMALL_ZERO_BOTTOM_RIGHT, "0"),
}


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def static_server(directory: Path = WEB_DIR):
    """`python -m http.server` on a free 127.0.0.1 port serving `directory`; yields the base URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            str(port),
            "--bind",
            "127.0.0.1",
            "--directory",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(base_url + "index.html", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"http.server on port {port} did not start") from None
                time.sleep(0.05)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def launch_chromium(playwright, *, extra_args: tuple = ()):
    """Chromium from Debian, headless, offline-friendly; `extra_args` adds flags (a fake camera)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])


def missing_page_parts() -> str | None:
    """Return what the page needs to run in Chromium and lacks, with the fix; None when nothing."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (make setup installs it)"
    for needed in PAGE_BUILD_FILES:
        if not (WEB_DIR / needed).exists():
            return f"web/{needed} is missing: run make setup (python web/build.py vendor models)"
    return None


@contextlib.contextmanager
def chromium(*, extra_args: tuple = ()):
    """Start Playwright and Chromium (see `launch_chromium`); yield the browser, close both after."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, extra_args=extra_args)
        try:
            yield browser
        finally:
            browser.close()


def requests_outside(record, *, scheme: str, base_url: str | None) -> list[str]:
    """Return the requested URLs outside the page's folder (blob: and data: URLs are the page's own)."""
    page_folder = WEB_DIR.as_uri() + "/" if scheme == "file" else base_url
    return [url for url in record.requests if not url.startswith((page_folder, "blob:", "data:"))]


@dataclass
class PageRecord:
    """Every request URL and every console error / uncaught exception of one page."""

    requests: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def open_page(browser, url: str, *, viewport=None):
    """Open `url` in a new page, recording requests and errors; wait until the page says ready.

    Returns `(page, record)`.
    """
    page = browser.new_page(viewport=viewport or {"width": 1100, "height": 900})
    record = PageRecord()
    page.on("request", lambda request: record.requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and record.errors.append(message.text))
    page.on("pageerror", lambda error: record.errors.append(str(error)))
    page.goto(url)
    wait_until_ready(page)
    return page, record


def wait_until_ready(page) -> None:
    """Wait for `body[data-ready="true"]`: the selected variant is loaded and warm."""
    page.wait_for_function("document.body.dataset.ready === 'true'", timeout=READY_TIMEOUT_MS)


def select_variant(page, variant_id: str) -> None:
    """Choose a variant in `select#variant` and wait until it is ready."""
    page.select_option("#variant", variant_id)
    wait_until_ready(page)


def draw(page, strokes: list, *, steps: int = 4, square: bool = True) -> float:
    """Draw strokes on `canvas#pad`; wait for the prediction; return ms from the last pointerup to it.

    `square=True` (one digit): the points are fractions of the square in the middle of the 2:1
    pad (its height × its height); `square=False` (a number): fractions of the whole pad.
    The time is measured inside the page: from the `pointerup` event to the last DOM update of
    `#prediction` it caused.
    """
    box = page.locator("#pad").bounding_box()
    if square:
        side = box["height"]
        box = {"x": box["x"] + (box["width"] - side) / 2, "y": box["y"], "width": side, "height": side}
    page.evaluate(
        """() => {
          const probe = (window.__pointerupProbe = { up: null, updates: [] });
          document.addEventListener('pointerup', () => { probe.up = performance.now(); probe.updates = []; },
                                    { capture: true });
          new MutationObserver(() => probe.updates.push(performance.now()))
            .observe(document.getElementById('prediction'), { attributes: true, childList: true });
        }"""
    )
    for stroke in strokes:
        first_x, first_y = stroke[0]
        page.mouse.move(box["x"] + first_x * box["width"], box["y"] + first_y * box["height"])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=steps)
        page.mouse.up()
    page.wait_for_function("MnistPage.isIdle()")
    return page.evaluate(
        "() => { const probe = window.__pointerupProbe;"
        " return probe.updates.length ? Math.max(...probe.updates) - probe.up : -1; }"
    )


def clear_pad(page) -> None:
    """Click `button#clear` (disabled, so skipped, when the pad is already empty); wait for the DOM."""
    if page.is_enabled("#clear"):
        page.click("#clear")
    page.wait_for_function("MnistPage.isIdle()")


def number(page) -> str:
    """`#number`'s `data-value`: the digits read left to right, "" when there is none."""
    return page.get_attribute("#number", "data-value")


def message(page) -> str:
    """Return the one-line message about the input (`#input-message`), "" when hidden."""
    return page.evaluate(
        "document.querySelector('#input-message').hidden ? '' : "
        "document.querySelector('#input-message').textContent"
    )


def handle_input(page, action) -> None:
    """Run `action()` (an upload, a drop, a paste, a camera click) and wait until the page handled it."""
    before = page.evaluate("MnistPage.inputs")
    action()
    page.wait_for_function(f"MnistPage.inputs > {before} && MnistPage.isIdle()", timeout=READY_TIMEOUT_MS)


def upload(page, data: bytes, *, name: str, mime_type: str) -> None:
    """Choose a file in `input#photo`, as a person would; wait until it is read or refused."""
    files = [{"name": name, "mimeType": mime_type, "buffer": data}]
    handle_input(page, lambda: page.set_input_files("#photo", files=files))


TRANSFER_SCRIPT = """([kind, encoded, name, type]) => {
  const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type }));
  if (kind === 'paste') {
    document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true }));
    return;
  }
  const frame = document.getElementById('input-frame');
  frame.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  frame.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
}"""


def transfer(page, data: bytes, *, kind: str, name: str, mime_type: str) -> None:
    """Drop a file onto the input frame (`kind="drop"`) or paste it (`"paste"`); wait until handled."""
    if kind not in ("drop", "paste"):
        raise ValueError(f"kind must be 'drop' or 'paste', got {kind!r}")
    encoded = base64.b64encode(data).decode("ascii")
    handle_input(page, lambda: page.evaluate(TRANSFER_SCRIPT, [kind, encoded, name, mime_type]))


def prediction(page) -> str:
    """`#prediction`'s `data-digit`: "0"…"9", or "" for an empty pad."""
    return page.get_attribute("#prediction", "data-digit")


def probabilities(page) -> dict:
    """`#probabilities` children as {data-digit: float(data-p)}."""
    return page.eval_on_selector_all(
        "#probabilities > *",
        "items => Object.fromEntries(items.map(i => [i.dataset.digit, Number(i.dataset.p)]))",
    )


def page_url(scheme: str, http_base: str | None = None, *, query: str = "") -> str:
    """Return the page's URL from `file://` or from the static server."""
    if scheme == "file":
        return (WEB_DIR / "index.html").as_uri() + query
    return f"{http_base}index.html{query}"
