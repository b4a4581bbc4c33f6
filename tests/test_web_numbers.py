"""Numbers on the page in Chromium: drawn with the mouse, one reading per digit, one model batch.

Numbers are drawn stroke by stroke with a small stroke font (bench/stroke_font.py: several styles
per digit, a 4 and a 5 in two strokes, a crossed 7, a 1 with a foot) across the 2:1 pad. The page
contract for numbers (DESIGN.md, issue 9): `#number[data-value]` holds the digits left to right;
with several digits `#prediction[data-digit]` is "" and shows the number, one 28×28 tile per
digit is shown in a row, `#probabilities` shows the selected digit (by default the least
confident), and a tap on a digit's box or a click on its tile selects it.
"""

import random

import numpy as np
import pytest

from bench import browser as web_page
from bench import digit_images, stroke_font

pytestmark = pytest.mark.browser

pytest.importorskip("playwright.sync_api")

NUMBERS_PER_LENGTH = 7  # numbers of each length 2…6: 35 numbers, so one miss still meets 97%
WHOLE_NUMBER_TARGET = 0.97  # issue 9: numbers drawn on the page with the mouse read whole ≥ 97%
PREDICTION_DEADLINE_MS = 500  # DESIGN.md: the reading is in the DOM within 500 ms of pointerup
SEED = 2026


def _draw_number(page, text: str, *, seed: int) -> float:
    """Clear the pad, draw `text` with the stroke font; return ms from the last pointerup to the DOM."""
    web_page.clear_pad(page)
    strokes = stroke_font.number_strokes(text, rng=random.Random(f"{text}-{seed}"))
    return web_page.draw(page, strokes, steps=1, square=False)


def _tiles(page) -> list[dict]:
    return page.eval_on_selector_all(
        "#digit-tiles > li",
        "items => items.map((i) => ({ ...i.dataset, pressed: i.querySelector('button').ariaPressed }))",
    )


def _top_bar(page) -> str:
    probabilities = web_page.probabilities(page)
    return max(probabilities, key=probabilities.get)


def test_pad_is_wide_on_a_desktop_and_full_width_on_a_phone(browser):
    for viewport, check in [
        ({"width": 1100, "height": 900}, lambda box: box["width"] >= 500),
        ({"width": 390, "height": 800}, lambda box: box["width"] >= 0.9 * 390),
    ]:
        page, _record = web_page.open_page(browser, web_page.page_url("file"), viewport=viewport)
        box = page.locator("#pad").bounding_box()
        assert box["width"] / box["height"] == pytest.approx(2, abs=0.02), viewport
        assert check(box), (viewport, box)
        page.close()


def test_one_digit_keeps_its_meaning(page):
    web_page.clear_pad(page)
    assert web_page.number(page) == "" and web_page.prediction(page) == ""
    web_page.draw(page, web_page.SEVEN)
    assert web_page.number(page) == "7" and web_page.prediction(page) == "7"
    assert _top_bar(page) == "7"
    assert page.is_hidden("#digit-tiles") and page.is_hidden("#selected-digit"), "no row for one digit"
    assert len(_tiles(page)) == 1


def test_reading_is_live_while_drawing(page):
    web_page.clear_pad(page)
    box = page.locator("#pad").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.15)
    page.mouse.down()
    for step in range(1, 15):
        page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * (0.15 + step * 0.05))
    page.wait_for_function("document.querySelector('#number').dataset.value !== ''")  # before pointerup
    page.mouse.up()
    page.wait_for_function("MnistPage.isIdle()")
    assert web_page.number(page) == "1"


def test_boxes_are_drawn_over_the_pad_and_a_low_confidence_digit_is_marked(page):
    web_page.clear_pad(page)
    web_page.draw(page, web_page.ZERO)
    x0, y0, _x1, y1 = page.evaluate("MnistPage.lastReading().digits[0].box")
    edge = page.evaluate(
        "([x, y]) => Array.from(document.querySelector('#pad-overlay').getContext('2d')"
        ".getImageData(x - 3, y, 7, 1).data)",
        [x0, (y0 + y1) // 2],
    )
    assert max(edge[3::4]) > 0, "the box's left edge is painted on the overlay"
    flat = [0.1] * 10
    sure = [0.0] * 10
    sure[3] = 1.0
    page.evaluate(
        """([sure, flat]) => {
          const digit = (probabilities, box) => {
            const p = Float32Array.from(probabilities);
            const best = p.indexOf(Math.max(...p));
            return { digit: best, probability: p[best], probabilities: p, pixels: new Float32Array(784),
                     box, low: p[best] < MnistReading.LOW_CONFIDENCE };
          };
          const digits = [digit(sure, [20, 40, 120, 200]), digit(flat, [200, 40, 300, 200])];
          MnistUi.showReading({ number: '30', digits, probability: 0.1, leastConfident: 1 },
                              { selected: 1, ms: 1, runtimeLabel: 'test' });
        }""",
        [sure, flat],
    )
    assert [tile["low"] for tile in _tiles(page)] == ["false", "true"]
    assert page.is_visible("#low-confidence") and "digit 2" in page.text_content("#low-confidence")
    red, green, blue, _alpha = page.evaluate(
        "Array.from(document.querySelector('#pad-overlay').getContext('2d')"
        ".getImageData(200, 120, 1, 1).data)"
    )
    assert red > 200 and 120 < green < 200 and blue < 100, "the unsure digit's box is orange"
    web_page.clear_pad(page)


def test_a_number_is_in_the_dom_within_500_ms_of_pointerup(page):
    latency_ms = _draw_number(page, "90210", seed=SEED)
    assert 0 <= latency_ms <= PREDICTION_DEADLINE_MS


def test_number_contract_tiles_and_selection(page):
    _draw_number(page, "47", seed=SEED)
    assert web_page.number(page) == "47"
    assert web_page.prediction(page) == "", "several digits: #prediction is not one digit"
    assert page.text_content("#prediction") == "47"
    tiles = _tiles(page)
    assert [tile["digit"] for tile in tiles] == ["4", "7"] and page.is_visible("#digit-tiles")
    least = page.evaluate("MnistPage.lastReading().leastConfident")
    assert float(tiles[least]["p"]) <= min(float(tile["p"]) for tile in tiles) + 1e-6
    assert [tile["pressed"] for tile in tiles] == ["true" if i == least else "false" for i in range(2)]
    assert "least confident" in page.text_content("#selected-digit")
    assert _top_bar(page) == tiles[least]["digit"], "the bars show the selected digit"
    other = 1 - least
    page.click(f"#digit-tiles > li[data-index='{other}'] button")
    assert _top_bar(page) == tiles[other]["digit"] and _tiles(page)[other]["pressed"] == "true"
    x0, y0, x1, y1 = map(float, tiles[least]["box"].split(","))
    pad = page.locator("#pad").bounding_box()
    scale = pad["width"] / page.evaluate("document.querySelector('#pad').width")
    page.mouse.click(pad["x"] + (x0 + x1) / 2 * scale, pad["y"] + (y0 + y1) / 2 * scale)  # a tap on its box
    page.wait_for_function("MnistPage.isIdle()")
    assert _top_bar(page) == tiles[least]["digit"] and _tiles(page)[least]["pressed"] == "true"
    assert web_page.number(page) == "47", "a tap selects, it draws nothing"


def test_digits_of_a_number_go_through_the_model_in_one_batch(page):
    _draw_number(page, "407", seed=SEED)
    page.evaluate(
        """async () => {
          const backend = document.querySelector('#backend').value;
          const variant = await MnistPage.loadVariant(document.querySelector('#variant').value, { backend });
          if (!variant.original) variant.original = variant.predictBatch;
          window.__batches = [];
          variant.predictBatch = (pixels) => {
            window.__batches.push(pixels.length / 784);
            return variant.original(pixels);
          };
          document.querySelector('#mode-draw').click();  // "Draw" on the pad: the page reads it again
        }"""
    )
    page.wait_for_function("window.__batches.length > 0 && MnistPage.isIdle()")
    batches = page.evaluate("window.__batches")
    assert web_page.number(page) == "407"
    assert batches[-1] == 3, f"the three digits go through the model together: batches {batches}"


def test_a_photo_of_a_written_number_is_read(page, mnist_data_dir):
    from train.data import load_mnist

    data = load_mnist(mnist_data_dir)
    picks = [int(np.argmax(data.test_labels == digit)) for digit in (2, 0, 2, 6)]
    photo = digit_images.paper_number_png([data.test_images[index] for index in picks])
    web_page.upload(page, photo, name="2026.png", mime_type="image/png")
    assert web_page.message(page) == ""
    assert web_page.number(page) == "2026"


def test_numbers_drawn_with_the_mouse_are_read_whole(page):
    rng = random.Random(SEED)
    wrong = []
    total = 0
    for length in range(2, 7):
        for _ in range(NUMBERS_PER_LENGTH):
            text = stroke_font.random_number(rng, digits=length)
            _draw_number(page, text, seed=SEED)
            total += 1
            if web_page.number(page) != text:
                wrong.append(f"{text}→{web_page.number(page) or '∅'}")
    rate = 1 - len(wrong) / total
    assert rate >= WHOLE_NUMBER_TARGET, f"{rate:.1%} of {total} numbers read whole; wrong: {', '.join(wrong)}"
