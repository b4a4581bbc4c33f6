"""Drive the Streamlit app in Chromium: start it on loopback, draw on its pad, upload, read the result.

Shared by `bench/load.py` (`make load`) and `tests/test_app_browser.py`. Async Playwright, so one
Python process drives several sessions at once. Strokes are lists of (x, y) points in fractions of
a square in the middle of the 2:1 pad (one digit), or of the whole pad (`whole=True`, a number).
Latencies are measured inside the page: from the `pointerup` of the last stroke to the DOM update
that shows the expected value in the Draw tab's `Prediction` metric.
"""

import contextlib
import io
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from PIL import Image, ImageDraw

from bench.browser import CHROMIUM, CHROMIUM_ARGS, free_port

REPO_DIR = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 90  # a cold `streamlit run` on a busy 2-core machine
PAD = "canvas.pad-ink"  # the pad's drawing canvas (app/pad.js; Playwright's CSS pierces its shadow root)

ONE = [[(0.55, 0.12), (0.52, 0.5), (0.48, 0.88)]]
SEVEN = [[(0.25, 0.15), (0.75, 0.15), (0.6, 0.45), (0.42, 0.88)]]
SEVEN_BAR = [[(0.2, 0.14), (0.56, 0.12)]]  # turns ONE (drawn first) into a 7
DRAWINGS = {"1": ONE, "7": SEVEN}  # what is drawn → what the app must read

# The Draw tab's Prediction metric value, and a probe that timestamps pointerup and the first DOM
# change after it that shows the expected value (all in the page's own clock).
PROBE_SCRIPT = """(expected) => {
  const valueNow = () => {
    const panel = document.querySelector('[role="tabpanel"]');
    const metric = panel && [...panel.querySelectorAll('[data-testid="stMetric"]')]
      .find((element) => element.innerText.startsWith('Prediction'));
    return metric ? metric.querySelector('[data-testid="stMetricValue"]').innerText.trim() : '';
  };
  const probe = (window.__appProbe = { expected, up: null, seen: null, valueNow });
  if (!window.__appProbeInstalled) {
    window.__appProbeInstalled = true;
    document.addEventListener('pointerup', () => {
      window.__appProbe.up = performance.now();
      window.__appProbe.seen = null;
    }, true);
    new MutationObserver(() => {
      const current = window.__appProbe;
      if (current.up !== null && current.seen === null && current.valueNow() === current.expected) {
        current.seen = performance.now();
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  }
  return probe.expected;
}"""


@contextlib.contextmanager
def serve_app(*, log_path: Path, environment: dict | None = None):
    """`streamlit run streamlit_app.py` headless on a free loopback port; yields (url, process).

    The server is always stopped (terminate, then kill after 10 s).
    """
    port = free_port()
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1"],
            cwd=REPO_DIR, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, **(environment or {})),
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_healthy(url, server, log_path=log_path)
            yield url, server
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def wait_until_healthy(url: str, server: subprocess.Popen, *, log_path: Path) -> None:
    """Poll `/_stcore/health` until it answers "ok"; `RuntimeError` with the log if it never does."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"streamlit did not start:\n{Path(log_path).read_text()[-3000:]}")
        time.sleep(0.3)


async def launch(playwright):
    """Debian's Chromium, headless, offline-friendly (the same flags as the page's tests)."""
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


async def open_app(browser, url: str, *, viewport: dict | None = None, errors: list | None = None):
    """Open a new session (its own browser context); returns (page, seconds until the pad is ready)."""
    context = await browser.new_context(viewport=viewport or {"width": 1300, "height": 1100})
    page = await context.new_page()
    if errors is not None:
        page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
        page.on(
            "console", lambda message: message.type == "error" and errors.append(f"console: {message.text}")
        )
    started = time.monotonic()
    await page.goto(url)
    await page.locator(PAD).wait_for(timeout=60_000)
    await page.get_by_text("Draw a digit or a number").wait_for(timeout=60_000)
    return page, time.monotonic() - started


async def pad_box(page, *, whole: bool = False) -> dict:
    """Return the pad's box on the page, or the square in its middle (one digit) when `whole` is False."""
    box = await page.locator(PAD).bounding_box()
    if whole:
        return box
    side = box["height"]
    return {"x": box["x"] + (box["width"] - side) / 2, "y": box["y"], "width": side, "height": side}


async def draw(page, strokes: list, *, expected: str, whole: bool = False, timeout_ms: int = 30_000) -> float:
    """Draw `strokes`; wait until the Draw tab shows `expected`; return ms from the last pointerup to it.

    Raises Playwright's `TimeoutError` when `expected` is not shown within `timeout_ms`.
    """
    box = await pad_box(page, whole=whole)
    await prepare_probe(page, expected=expected)
    for stroke in strokes:
        await page.mouse.move(box["x"] + stroke[0][0] * box["width"], box["y"] + stroke[0][1] * box["height"])
        await page.mouse.down()
        for x, y in stroke[1:]:
            await page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=6)
        await page.mouse.up()
    await page.wait_for_function("() => window.__appProbe.seen !== null", timeout=timeout_ms)
    return await page.evaluate("() => window.__appProbe.seen - window.__appProbe.up")


async def prepare_probe(page, *, expected: str) -> None:
    """Install (once) and arm the in-page probe: the next pointerup starts a wait for `expected`."""
    await page.evaluate(PROBE_SCRIPT, expected)


async def shown_prediction(page) -> str:
    """Return the Draw tab's Prediction value now ('' when there is none)."""
    await prepare_probe(page, expected="")
    return await page.evaluate("() => window.__appProbe.valueNow()")


async def clear_pad(page) -> None:
    """Press the pad's Clear button and wait for the empty-pad hint."""
    await page.get_by_role("button", name="Clear").click()
    await page.get_by_text("Draw a digit or a number").wait_for(timeout=30_000)


def photo_png(*, seed: int, size: int = 200) -> bytes:
    """Make a 'photo' of a 1: a dark slanted bar on light paper, placed by `seed` (new bytes)."""
    image = Image.new("L", (size, size), 235)
    shift = seed % 40 - 20
    ImageDraw.Draw(image).line(
        [(size // 2 + shift + 8, size // 6), (size // 2 + shift - 8, 5 * size // 6)],
        fill=20,
        width=size // 12,
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


async def upload(page, name: str, data: bytes, *, timeout_ms: int = 30_000) -> float | None:
    """Click the Upload tab and choose a file at once; seconds until the app shows it, None if lost.

    Shown means: its name in bold over its reading, or a warning or an error that names it.
    """
    await page.get_by_role("tab", name="Upload").click()
    chooser = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    started = time.monotonic()
    await chooser.set_input_files([{"name": name, "mimeType": "image/png", "buffer": data}])
    panel = page.locator('[role="tabpanel"]')  # only the open tab's panel carries the role
    shown = panel.locator('[data-testid="stMarkdownContainer"] strong', has_text=name).or_(
        panel.locator('[data-testid="stAlert"]', has_text=name)
    )
    try:
        await shown.first.wait_for(timeout=timeout_ms)
    except Exception:  # Playwright's TimeoutError: the file was neither read nor reported
        return None
    return time.monotonic() - started
