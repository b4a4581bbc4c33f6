"""What the app computes once: uploads decoded once per content, the Compare tab's work once per server.

And the Compare tab without MNIST: it says at once what to do, never downloads, and still shows
what it can. Two `AppTest`s in one process are two sessions of one server (caches are per process).
"""

import os

import PIL.Image
import pytest
from test_app import as_photo, pad_state, started_app

from app import compare, reading
from train import data as mnist_data


@pytest.fixture(autouse=True)
def _offline_mnist(monkeypatch, mnist_data_dir):
    """MNIST through MNIST_DATA_DIR, and any download attempt fails the test."""
    monkeypatch.setenv("MNIST_DATA_DIR", str(mnist_data_dir))

    def no_download(url, destination):
        raise AssertionError(f"the app tried to download {url} inside a request")

    monkeypatch.setattr(mnist_data, "_download", no_download)


@pytest.fixture
def digits(mnist_data_dir):
    images = mnist_data.read_idx_images(mnist_data_dir / mnist_data.TEST_IMAGES)[:3]
    labels = mnist_data.read_idx_labels(mnist_data_dir / mnist_data.TEST_LABELS)[:3]
    return images, [str(label) for label in labels]


@pytest.fixture
def decoded(monkeypatch):
    """Every `PIL.Image.open` of an uploaded payload, counted (register payloads in `.payloads`)."""
    record = type("Decodes", (), {"payloads": [], "count": 0})()
    original_open = PIL.Image.open

    def counting_open(file, *args, **kwargs):
        if hasattr(file, "getvalue") and file.getvalue() in record.payloads:
            record.count += 1
        return original_open(file, *args, **kwargs)

    monkeypatch.setattr(PIL.Image, "open", counting_open)
    reading._read_file.clear()
    return record


def test_an_upload_is_decoded_once_per_content_and_drawing_never_decodes_it(digits, decoded):
    images, labels = digits
    decoded.payloads = [as_photo(images[0]), as_photo(images[1])]
    app = started_app()
    app.file_uploader(key="uploads").set_value(
        [("a.png", decoded.payloads[0], "image/png"), ("b.png", decoded.payloads[1], "image/png"),
         ("copy-of-a.png", decoded.payloads[0], "image/png")]
    ).run()  # fmt: skip
    assert decoded.count == 2  # a.png and its copy share one decode
    for pen_width in (10, 12, 14):  # reruns of the whole app
        app.sidebar.slider(key="stroke_width").set_value(pen_width).run()
    app.session_state["pad"] = pad_state(images[2])
    app.run()  # a drawing, with three files in the uploader
    assert not app.exception, app.exception
    assert [metric.value for metric in app.tabs[0].metric] == [labels[2]]
    assert [metric.value for metric in app.tabs[1].metric] == [labels[0], labels[1], labels[0]]
    other_session = started_app()
    other_session.file_uploader(key="uploads").set_value(
        [("same.png", decoded.payloads[1], "image/png")]
    ).run()
    assert [metric.value for metric in other_session.tabs[1].metric] == [labels[1]]
    assert decoded.count == 2, "an upload was decoded again"


def test_a_bad_file_is_reported_on_every_rerun_but_decoded_once(decoded):
    decoded.payloads = [b"\x89PNG\r\n\x1a\n but truncated"]
    app = started_app()
    app.file_uploader(key="uploads").set_value([("broken.png", decoded.payloads[0], "image/png")]).run()
    app.sidebar.slider(key="stroke_width").set_value(30).run()
    assert [error.value.split(": ")[0] for error in app.error] == ["broken.png"]
    assert decoded.count == 1


def test_the_compare_tab_work_is_done_once_per_server_not_once_per_session(monkeypatch):
    from bench import compare as bench_compare

    compare.evaluate_variant.clear()
    compare.measure_onnx_variants.clear()
    evaluated, measured = [], []
    load_predictor, compare_variant = compare.load_predictor, bench_compare.compare_variant
    monkeypatch.setattr(
        compare, "load_predictor", lambda variant: evaluated.append(variant) or load_predictor(variant)
    )
    monkeypatch.setattr(
        bench_compare,
        "compare_variant",
        lambda entry, *a, **k: measured.append(entry["id"]) or compare_variant(entry, *a, **k),
    )
    sessions = [started_app(), started_app()]
    for session in sessions:
        session.button(key="measure").click().run()
        assert not session.exception, session.exception
        assert sorted(session.dataframe[0].value["variant"]) == sorted(set(measured))
    assert evaluated == ["cnn-onnx-fp32"]
    assert sorted(measured) == ["cnn-onnx-fp32", "cnn-onnx-int8", "mlp-onnx-fp32", "mlp-onnx-int8"]


@pytest.mark.parametrize("where", ["MNIST_DATA_DIR", "cache"])
def test_compare_without_the_test_set_says_what_to_do_at_once_and_shows_the_sizes(
    monkeypatch, tmp_path, where
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # an empty cache folder
    if where == "MNIST_DATA_DIR":
        monkeypatch.setenv("MNIST_DATA_DIR", str(tmp_path))
    else:
        monkeypatch.delenv("MNIST_DATA_DIR")
    app = started_app()
    warning = app.tabs[2].warning[0].value
    assert "t10k-images-idx3-ubyte.gz" in warning and "MNIST_DATA_DIR" in warning and "make demo" in warning
    assert str(tmp_path) in warning  # names the folder it looked in
    table = app.tabs[2].dataframe[0].value  # sizes and accuracies from the report or the manifest
    assert {"cnn-onnx-fp32", "mlp-onnx-int8"} <= set(table["variant"]) and (table["bytes"] > 0).all()
    assert not app.tabs[2].subheader  # no confusion matrix
    assert [tab.label for tab in app.tabs] == ["Draw", "Upload", "Compare"] and not app.exception


def test_compare_needs_only_the_two_test_files(monkeypatch, tmp_path, mnist_data_dir):
    for name in (mnist_data.TEST_IMAGES, mnist_data.TEST_LABELS):
        os.symlink(mnist_data_dir / name, tmp_path / name)
    monkeypatch.setenv("MNIST_DATA_DIR", str(tmp_path))
    app = started_app()
    assert not app.tabs[2].warning
    assert any(subheader.value.startswith("cnn-onnx-fp32: 9") for subheader in app.tabs[2].subheader)
    assert app.tabs[2].image  # the gallery of mistakes
