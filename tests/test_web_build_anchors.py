"""web/build.py models: each model's teach anchors become `<model>-anchors.js`, checked and parsed.

The page loads `models/embedded/<model>-anchors.js` (it registers the anchors file in
`globalThis.MNIST_ANCHORS[model]`) for the models the manifest's `anchors` block lists.
"""

import hashlib
import json
from pathlib import Path

import pytest
from golden_files import load_script

REPO_DIR = Path(__file__).resolve().parents[1]
MODELS_DIR = REPO_DIR / "web" / "models"
SCRIPT_GLOBAL = "globalThis.MNIST_ANCHORS[{model}] = "


build = load_script(REPO_DIR / "web" / "build.py", "web_build")


def registered(script_path: Path, model: str) -> dict:
    """The anchors object a `<model>-anchors.js` script registers."""
    text = script_path.read_text(encoding="utf-8")
    return json.loads(text.split(SCRIPT_GLOBAL.format(model=json.dumps(model)), 1)[1].rstrip().rstrip(";"))


def _release(models_dir: Path, *, sha256: str | None = None, model: str = "cnn") -> dict:
    """A release with one (fake) variant and the real CNN anchors listed for `model`."""
    (models_dir / "mlp" / "onnx-fp32").mkdir(parents=True)
    payload = b"not really onnx"
    (models_dir / "mlp" / "onnx-fp32" / "model.onnx").write_bytes(payload)
    (models_dir / "cnn").mkdir()
    anchors = (MODELS_DIR / "cnn" / "anchors.json").read_bytes()
    (models_dir / "cnn" / "anchors.json").write_bytes(anchors)
    manifest = {
        "models": [
            {
                "id": "mlp-onnx-fp32",
                "model": "mlp",
                "files": ["mlp/onnx-fp32/model.onnx"],
                "sha256": {"mlp/onnx-fp32/model.onnx": hashlib.sha256(payload).hexdigest()},
            }
        ],
        "anchors": {
            model: {"file": "cnn/anchors.json", "sha256": sha256 or hashlib.sha256(anchors).hexdigest()}
        },
    }
    (models_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return manifest


def test_committed_anchor_scripts_hold_the_release_anchors():
    manifest = json.loads((MODELS_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert manifest.get("anchors"), "the release lists no anchors: re-export (python -m export)"
    for model, block in manifest["anchors"].items():
        shipped = json.loads((MODELS_DIR / block["file"]).read_text(encoding="utf-8"))
        script = MODELS_DIR / "embedded" / f"{model}-anchors.js"
        assert registered(script, model) == shipped, f"{script.name} is stale: run python web/build.py models"


def test_models_step_writes_anchor_scripts_and_removes_stale_ones(tmp_path):
    _release(tmp_path)
    embedded = tmp_path / "embedded"
    embedded.mkdir()
    (embedded / "mlp-anchors.js").write_text("// stale: the manifest lists no mlp anchors", encoding="utf-8")
    build.embed_models(build.BuildConfig(models_dir=tmp_path, embedded_dir=embedded))
    assert sorted(path.name for path in embedded.iterdir()) == [
        "cnn-anchors.js",
        "manifest.js",
        "mlp-onnx-fp32.js",
    ]
    expected = json.loads((tmp_path / "cnn" / "anchors.json").read_text(encoding="utf-8"))
    assert registered(embedded / "cnn-anchors.js", "cnn") == expected


@pytest.mark.parametrize(
    "change, says",
    [({"sha256": "0" * 64}, "broken or stale"), ({"model": "mlp"}, "another model")],
)
def test_models_step_refuses_anchors_that_differ_or_belong_to_another_model(tmp_path, change, says):
    _release(tmp_path, **change)
    with pytest.raises(ValueError, match=says):
        build.embed_models(build.BuildConfig(models_dir=tmp_path, embedded_dir=tmp_path / "embedded"))
