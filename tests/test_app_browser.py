"""The app in Chromium (`streamlit run` on loopback): the pad fits, every stroke counts, no upload is lost.

The defects these guard against, found in Chromium at 1300×1100 on the earlier app: the canvas was
11 px wider than its column (clipped); an invisible toolbar lay over the pad's top-right corner and
swallowed strokes that started there; and with 4 sessions, a file chosen right after clicking the
Upload tab vanished in 4 of 12 tries (the tab switch's rerun dropped the uploader's URL answer).
"""

import asyncio
import os

import pytest

from bench import app_driver

pytestmark = pytest.mark.browser

SESSIONS = 4  # concurrent sessions choosing files right after a tab switch
ROUNDS = 3  # uploads per session
CORNER_STROKE = [[(0.95, 0.04), (0.945, 0.5), (0.94, 0.92)]]  # a 1 at the pad's right edge, from the top


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, mnist_data_dir):
    log_path = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    with app_driver.serve_app(
        log_path=log_path, environment={"MNIST_DATA_DIR": str(mnist_data_dir)}
    ) as served:
        yield served[0]


def run(coroutine_function, *args):
    """Run an async scenario with its own Playwright and Chromium, always closed."""
    from playwright.async_api import async_playwright

    async def scenario():
        async with async_playwright() as playwright:
            browser = await app_driver.launch(playwright)
            try:
                return await coroutine_function(browser, *args)
            finally:
                await browser.close()

    return asyncio.run(scenario())


PAD_GEOMETRY = """() => {
  const host = [...document.querySelectorAll('*')]
    .find((e) => e.shadowRoot && e.shadowRoot.querySelector('canvas.pad-ink'));
  const pad = host.shadowRoot.querySelector('canvas.pad-ink').getBoundingClientRect();
  const panel = document.querySelector('[role="tabpanel"]').getBoundingClientRect();
  const corner = host.shadowRoot.elementFromPoint(pad.right - 4, pad.top + 4);
  return { padLeft: pad.left, padRight: pad.right, padWidth: pad.width, panelRight: panel.right,
           panelWidth: panel.width, overflow: host.scrollWidth - host.clientWidth,
           cornerIsPad: corner !== null && corner.classList.contains('pad-ink') };
}"""


async def pad_fits_and_takes_corner_strokes(browser, url, viewport):
    page, _ = await app_driver.open_app(browser, url, viewport=viewport)
    geometry = await page.evaluate(PAD_GEOMETRY)
    await page.mouse.move(2, 2)  # enter the pad from outside and press at once, as a hand does
    latency_ms = await app_driver.draw(page, CORNER_STROKE, expected="1", whole=True)
    return geometry, latency_ms


@pytest.mark.parametrize("viewport", [{"width": 1300, "height": 1100}, {"width": 420, "height": 860}])
def test_the_pad_fits_its_column_and_a_stroke_from_its_top_right_corner_is_drawn(app_url, viewport):
    geometry, latency_ms = run(pad_fits_and_takes_corner_strokes, app_url, viewport)
    assert geometry["padRight"] <= geometry["panelRight"] + 0.5, geometry  # nothing clipped
    assert geometry["overflow"] <= 0, geometry  # no horizontal scrolling inside the pad's element
    assert geometry["padWidth"] >= min(560, geometry["panelWidth"] - 1), geometry  # a wide pad
    assert geometry["cornerIsPad"], "something lies over the pad's top-right corner"
    assert latency_ms > 0


async def draw_undo_clear(browser, url):
    page, _ = await app_driver.open_app(browser, url)
    await app_driver.draw(page, app_driver.ONE, expected="1")
    shown = [await app_driver.shown_prediction(page)]
    await app_driver.draw(page, app_driver.SEVEN_BAR, expected="7")
    shown.append(await app_driver.shown_prediction(page))
    if os.environ.get("APP_SCREENSHOT"):  # regenerate docs/app.png: APP_SCREENSHOT=docs/app.png
        await page.wait_for_timeout(1000)
        await page.screenshot(path=os.environ["APP_SCREENSHOT"])
    await app_driver.prepare_probe(page, expected="1")
    await page.get_by_role("button", name="Undo").click()
    await page.wait_for_function("() => window.__appProbe.valueNow() === '1'", timeout=30_000)
    shown.append(await app_driver.shown_prediction(page))
    await app_driver.clear_pad(page)
    shown.append(await app_driver.shown_prediction(page))
    return shown


def test_drawing_in_chromium_reads_the_digit_and_undo_and_clear_work(app_url):
    assert run(draw_undo_clear, app_url) == ["1", "7", "1", ""]


async def upload_right_after_tab_switches(browser, url):
    async def session(index):
        page, _ = await app_driver.open_app(browser, url)
        outcomes = []
        for round_index in range(ROUNDS):
            await page.get_by_role("tab", name="Draw").click()
            await page.wait_for_timeout(1500)
            name = f"session{index}-round{round_index}.png"
            seconds = await app_driver.upload(page, name, app_driver.photo_png(seed=10 * index + round_index))
            outcomes.append((name, seconds))
        return outcomes

    results = await asyncio.gather(*(session(index) for index in range(SESSIONS)))
    return [outcome for outcomes in results for outcome in outcomes]


def test_no_upload_is_lost_when_sessions_choose_files_right_after_a_tab_switch(app_url):
    outcomes = run(upload_right_after_tab_switches, app_url)
    lost = [name for name, seconds in outcomes if seconds is None]
    assert len(outcomes) == SESSIONS * ROUNDS
    assert not lost, f"{len(lost)} of {len(outcomes)} uploads were neither read nor reported: {lost}"
