"""Teach it your handwriting on the page (issue 11), in Chromium from file://, drawn with the mouse.

A simulated writer (`bench/writers.py`: a stroke font with the odd styles the model misreads, a
flagged 1, a closed 4, an open 9, …, bent the writer's own way, fresh jitter per rendition) draws
one rendition of every odd style and presses "That's a …" with its digit. After a reload of the
page, the same writer's other renditions of those styles are read right, the model's own answer
(`modelDigit`) showing what they were before; plain digits keep the model's answers; the
examples export to a JSON file that a fresh browser (and the edge CLI, `--examples`) reads to the
same answers; a bad file is refused with one line and nothing stored is lost; `button#forget`
gives back the model's own probabilities. The full figure over 24 writers is
`python -m bench.teach_page` (reports/teach_page.md).

The tests of this module share one page and run in file order: the module's `taught` fixture
teaches once; the forget test comes last.
"""

import base64
import json
import subprocess
import sys

import pytest

from bench import browser as web_page
from bench import teach_page
from bench import writers as simulated

pytestmark = pytest.mark.browser

pytest.importorskip("playwright.sync_api")

# A writer held out when the method's constants were chosen (bench/teach.py) whose renditions drawn
# here are each read as one digit by today's segmentation (writer 12's flagged and European 1s and
# open 9s are sometimes cut in two, "17", "61": reports/teach_page.md counts those cuts).
WRITER = 13
TEST_RENDITIONS = 3  # other renditions of each odd style drawn with the mouse (the bench draws 20)
ODD_FLOOR = 0.9  # of those 18, at least this share right (the 96% is the bench's figure)
MODEL_VARIANT = "cnn-onnx-fp32"  # the edge CLI's model, for the page that imports the examples
tol = 1e-4  # max |Δp| between the TF.js page and the ONNX page on the same drawing


def shown_counts(page) -> list[int]:
    """The ten buttons' `data-count`, digit 0…9."""
    return [int(page.get_attribute(f'button[data-teach="{digit}"]', "data-count")) for digit in range(10)]


def visible_text(page, element_id: str) -> str:
    """The text of the element with this id, "" when it is hidden."""
    return page.evaluate(
        "(id) => { const e = document.getElementById(id); return e.hidden ? '' : e.textContent; }", element_id
    )


def teach_message(page) -> str:
    """The teach panel's one-line message, "" when hidden."""
    return visible_text(page, "teach-message")


def stored(page) -> str | None:
    """The CNN's examples as kept in localStorage (the examples file's text), or None."""
    return page.evaluate("localStorage.getItem('mnist-anywhere:examples:cnn')")


def expected_note(result: dict) -> str:
    """`#taught` for a reading: "7 → 1 by your example", "digit 2: 7 → 1, … by your examples", or ""."""
    model, number = result["model"], result["number"]
    changed = [index for index in range(len(number)) if model[index] != number[index]]
    if not changed:
        return ""
    if len(number) == 1:
        return f"{model} → {number} by your example"
    plural = "s" if len(changed) > 1 else ""
    return (
        ", ".join(f"digit {i + 1}: {model[i]} → {number[i]}" for i in changed) + f" by your example{plural}"
    )


@pytest.fixture(scope="module")
def taught(page):
    """The writer teaches one rendition of every odd style; the page is reloaded. What it saw, by style."""
    page.evaluate("localStorage.clear()")
    page.reload()
    web_page.wait_until_ready(page)
    assert page.get_attribute("#teach", "data-available") == "true", page.text_content("#teach")
    assert shown_counts(page) == [0] * 10
    first = {}
    for style, (truth, _) in simulated.ODD_STYLES.items():
        strokes, pen = teach_page.renditions(WRITER, style, 1, seed=teach_page.TEACH_SEED)[0]
        first[style] = teach_page.draw_with_mouse(page, strokes, pen)
        assert first[style]["digits"] == 1, f"{style} was cut into {first[style]['number']}: nothing to teach"
        teach_page.teach(page, truth)
        assert f"your example of {truth}" in teach_message(page)
    page.reload()
    web_page.wait_until_ready(page)
    return first


def test_the_counts_survive_a_reload(page, taught):
    expected = [0] * 10
    for truth, _ in simulated.ODD_STYLES.values():
        expected[truth] += 1
    assert shown_counts(page) == expected
    assert len(json.loads(stored(page))["examples"]) == len(simulated.ODD_STYLES)


def test_one_example_per_odd_style_reads_the_other_renditions_right(page, taught):
    rows = []
    for style, (truth, _) in simulated.ODD_STYLES.items():
        for strokes, pen in teach_page.renditions(WRITER, style, TEST_RENDITIONS, seed=teach_page.TEST_SEED):
            result = teach_page.draw_with_mouse(page, strokes, pen)
            rows.append((style, str(truth), result))
            note = visible_text(page, "taught")
            assert note == expected_note(result)  # the page says which answers an example changed
    before = sum(result["model"] == truth for _, truth, result in rows) / len(rows)
    after = sum(result["number"] == truth for _, truth, result in rows) / len(rows)
    misses = [(style, result["number"]) for style, truth, result in rows if result["number"] != truth]
    assert after >= ODD_FLOOR, f"{after:.0%} right (model alone {before:.0%}); misses: {misses}"
    assert after > before + 0.3, f"the examples fixed too little: {before:.0%} → {after:.0%}"


def test_plain_digits_keep_the_models_answers(page, taught):
    changed, lost = [], []
    for digit in range(10):
        strokes, pen = teach_page.renditions(WRITER, digit, 1, seed=teach_page.TEST_SEED)[0]
        result = teach_page.draw_with_mouse(page, strokes, pen)
        if result["number"] != result["model"]:
            changed.append((digit, result["model"], result["number"]))
        if result["model"] == str(digit) and result["number"] != str(digit):
            lost.append(digit)
    assert lost == [], f"plain digits an example took from the model: {changed}"
    for strokes, expected in (web_page.DIGIT_DRAWINGS["zero"], web_page.DIGIT_DRAWINGS["seven"]):
        web_page.clear_pad(page)
        web_page.draw(page, strokes)
        assert teach_page.read(page)["number"] == expected
        assert not teach_page.read(page)["taught"]


def _pad_png(page) -> bytes:
    """The drawing as the page reads it (560 × 280 RGBA), as PNG bytes, for the edge CLI."""
    encoded = page.evaluate(
        """async () => {
          const image = MnistInputUi.readPadImage();
          const canvas = new OffscreenCanvas(image.width, image.height);
          canvas.getContext('2d').putImageData(image, 0, 0);
          const blob = await canvas.convertToBlob({ type: 'image/png' });
          const bytes = new Uint8Array(await blob.arrayBuffer());
          let binary = '';
          for (const byte of bytes) binary += String.fromCharCode(byte);
          return btoa(binary);
        }"""
    )
    return base64.b64decode(encoded)


def _cli(tmp_path, png: bytes, *extra: str) -> str:
    """`python -m digits.predict` on the ONNX fp32 CNN: the number it reads."""
    image = tmp_path / "pad.png"
    image.write_bytes(png)
    model = web_page.WEB_DIR / "models" / "cnn" / "onnx-fp32" / "model.onnx"
    command = [sys.executable, "-m", "digits.predict", str(model), str(image), "--json", *extra]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    record = json.loads(result.stdout)[0]
    return record["number"] if "number" in record else str(record["digit"])  # a number, or one digit


def test_exported_examples_give_the_same_answers_in_a_fresh_browser_and_the_edge_cli(
    page, browser, taught, tmp_path
):
    with page.expect_download() as download:
        page.click("#export-examples")
    exported = tmp_path / "my-examples.json"
    download.value.save_as(exported)
    record = json.loads(exported.read_text(encoding="utf-8"))
    assert (record["format"], record["model"], len(record["examples"])) == (
        "mnist-anywhere-examples",
        "cnn",
        len(simulated.ODD_STYLES),
    )
    anchors = tmp_path / "anchors.json"  # the page's anchors, for the CLI (the release's own file)
    anchors.write_text(page.evaluate("JSON.stringify(MNIST_ANCHORS.cnn)"), encoding="utf-8")
    fresh, fresh_record = web_page.open_page(
        browser, web_page.page_url("file", query=f"?variant={MODEL_VARIANT}")
    )
    try:
        assert shown_counts(fresh) == [0] * 10  # a new context: its own, empty localStorage
        fresh.set_input_files("#import-examples", str(exported))
        fresh.wait_for_function("MnistPage.isIdle() && !document.getElementById('teach-message').hidden")
        assert teach_message(fresh) == f"Imported {len(simulated.ODD_STYLES)} examples from my-examples.json."
        assert shown_counts(fresh) == shown_counts(page)
        checked = 0
        for style in ("flagged-1", "closed-4", "open-9"):
            strokes, pen = teach_page.renditions(WRITER, style, 1, seed=teach_page.TEST_SEED)[0]
            here, there = (teach_page.draw_with_mouse(each, strokes, pen) for each in (page, fresh))
            assert there["number"] == here["number"] and there["taught"] == here["taught"], style
            assert (
                max(abs(a - b) for a, b in zip(here["probabilities"], there["probabilities"], strict=True))
                <= tol
            )
            if there["taught"]:  # the CLI reads the same pad with and without the examples
                png = _pad_png(fresh)
                assert (
                    _cli(tmp_path, png, "--examples", str(exported), "--anchors", str(anchors))
                    == there["number"]
                )
                assert _cli(tmp_path, png) == there["model"]
                checked += 1
        assert checked, "no drawing was changed by the examples: the CLI comparison proves nothing"
        assert not fresh_record.errors, fresh_record.errors
    finally:
        fresh.context.close()


@pytest.mark.parametrize(
    "content, says",
    [
        (b"this is not JSON", "not JSON"),
        (b'{"format": "something-else", "version": 1}', "not an examples file"),
        (
            json.dumps(
                {
                    "format": "mnist-anywhere-examples",
                    "version": 1,
                    "model": "mlp",
                    "embedding_size": 128,
                    "examples": [],
                }
            ).encode(),
            'for model "mlp"',
        ),
    ],
)
def test_a_bad_import_gives_one_line_and_keeps_the_examples(page, taught, content, says):
    before, counts = stored(page), shown_counts(page)
    page.set_input_files(
        "#import-examples", files=[{"name": "bad.json", "mimeType": "application/json", "buffer": content}]
    )
    page.wait_for_function(
        "MnistPage.isIdle() && document.getElementById('teach-message').textContent.includes('bad.json')"
    )
    message = teach_message(page)
    assert message.startswith("Could not import bad.json: ") and says in message and "\n" not in message
    assert page.evaluate("document.getElementById('teach-message').classList.contains('error')")
    assert stored(page) == before and shown_counts(page) == counts


def test_each_digit_of_a_number_uses_the_examples_and_a_selected_digit_is_taught(page, taught):
    styles = ["flagged-1", "closed-4", "open-9"]
    strokes, pen = teach_page.number_rendition(WRITER, styles, seed=teach_page.TEST_SEED)
    result = teach_page.draw_with_mouse(page, strokes, pen)
    assert result["digits"] == 3 and result["number"] == "149", result
    changed = [
        index for index, (a, b) in enumerate(zip(result["model"], result["number"], strict=True)) if a != b
    ]
    assert changed, f"the model alone read {result['model']}: nothing for the examples to fix"
    tiles = page.eval_on_selector_all(
        "#digit-tiles li", "items => items.map(i => i.dataset.taught === 'true')"
    )
    assert [index for index, taught in enumerate(tiles) if taught] == changed
    assert visible_text(page, "taught") == expected_note(result)
    page.click('#digit-tiles li[data-index="1"] button')  # the 4: the buttons now teach that digit
    page.wait_for_function("MnistPage.isIdle()")
    assert "digit 2 of 3" in page.text_content("#teach-title")
    teach_page.teach(page, 4)
    assert teach_message(page).startswith("Digit 2 of 3 is now your example of 4")
    kept = json.loads(stored(page))["examples"][-1]
    tile = page.evaluate("Array.from(MnistPage.lastReading().digits[1].pixels)")
    assert kept["digit"] == 4 and max(abs(a - b) for a, b in zip(kept["pixels"], tile, strict=True)) <= 5e-4


def test_forget_gives_back_the_models_own_answers(page, taught):
    strokes, pen = teach_page.renditions(WRITER, "flagged-1", 1, seed=teach_page.TEACH_SEED)[0]
    with_examples = teach_page.draw_with_mouse(page, strokes, pen)
    assert with_examples["taught"] and with_examples["number"] == "1"  # the taught drawing itself
    page.click("#forget")
    page.wait_for_function("MnistPage.isIdle()")
    assert shown_counts(page) == [0] * 10 and stored(page) is None
    assert page.is_disabled("#forget") and page.is_disabled("#export-examples")
    again = teach_page.read(page)  # the same drawing, read again at once
    assert again["number"] == again["model"] == taught["flagged-1"]["model"]
    assert again["probabilities"] == taught["flagged-1"]["probabilities"]  # the model's own, bit for bit
    shown = {str(digit): p for digit, p in enumerate(taught["flagged-1"]["probabilities"])}
    assert web_page.probabilities(page) == pytest.approx(shown, abs=1e-6)  # the bars: data-p, 6 decimals
