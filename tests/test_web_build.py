"""web/build.py: the committed embedded scripts match the manifest; the build checks and cleans up."""

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
from golden_files import load_script

REPO_DIR = Path(__file__).resolve().parent.parent
MODELS_DIR = REPO_DIR / "web" / "models"


build = load_script(REPO_DIR / "web" / "build.py", "web_build")


def _embedded_files(script_path: Path) -> tuple[str, dict]:
    """Parse one generated `<id>.js`: its variant id and {path: base64}."""
    match = re.search(
        r'\["([a-z0-9-]+)"\] = (\{.*\});\s*$', script_path.read_text(encoding="utf-8"), re.DOTALL
    )
    assert match, f"{script_path} does not look like a script written by web/build.py"
    return match.group(1), json.loads(match.group(2))


def test_committed_embedded_scripts_match_the_manifest():
    manifest = json.loads((MODELS_DIR / "manifest.json").read_text(encoding="utf-8"))
    manifest_script = (MODELS_DIR / "embedded" / "manifest.js").read_text(encoding="utf-8")
    embedded_manifest = json.loads(
        manifest_script.split("globalThis.MNIST_MANIFEST = ", 1)[1].rstrip().rstrip(";")
    )
    assert embedded_manifest == manifest, "web/models/embedded is stale: run `python web/build.py models`"
    scripts = sorted(path.name for path in (MODELS_DIR / "embedded").glob("*.js"))
    expected = ["manifest.js", *(f"{entry['id']}.js" for entry in manifest["models"])]
    expected += [f"{model}-anchors.js" for model in manifest.get("anchors", {})]  # teaching's anchors
    assert scripts == sorted(expected)
    for entry in manifest["models"]:
        variant_id, files = _embedded_files(MODELS_DIR / "embedded" / f"{entry['id']}.js")
        assert variant_id == entry["id"]
        assert sorted(files) == sorted(entry["files"])
        for path, encoded in files.items():
            assert hashlib.sha256(base64.b64decode(encoded)).hexdigest() == entry["sha256"][path], path


def _fake_release(models_dir: Path) -> dict:
    (models_dir / "mlp" / "onnx-fp32").mkdir(parents=True)
    payload = b"\x08\x07not really onnx"
    (models_dir / "mlp" / "onnx-fp32" / "model.onnx").write_bytes(payload)
    entry = {
        "id": "mlp-onnx-fp32",
        "model": "mlp",
        "format": "onnx",
        "precision": "fp32",
        "files": ["mlp/onnx-fp32/model.onnx"],
        "bytes": len(payload),
        "sha256": {"mlp/onnx-fp32/model.onnx": hashlib.sha256(payload).hexdigest()},
    }
    manifest = {"models": [entry]}
    (models_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return manifest


def test_models_step_writes_scripts_and_removes_stale_ones(tmp_path):
    _fake_release(tmp_path)
    (tmp_path / "embedded").mkdir()
    (tmp_path / "embedded" / "cnn-gone-fp32.js").write_text("// stale", encoding="utf-8")
    assert build.main(["models", "--models-dir", str(tmp_path)]) == 0
    assert sorted(path.name for path in (tmp_path / "embedded").iterdir()) == [
        "manifest.js",
        "mlp-onnx-fp32.js",
    ]
    variant_id, files = _embedded_files(tmp_path / "embedded" / "mlp-onnx-fp32.js")
    assert variant_id == "mlp-onnx-fp32"
    assert base64.b64decode(files["mlp/onnx-fp32/model.onnx"]) == b"\x08\x07not really onnx"


def test_models_step_refuses_a_file_that_differs_from_its_sha256(tmp_path):
    _fake_release(tmp_path)
    (tmp_path / "mlp" / "onnx-fp32" / "model.onnx").write_bytes(b"tampered")
    with pytest.raises(ValueError, match="sha256"):
        build.embed_models(build.BuildConfig(models_dir=tmp_path, embedded_dir=tmp_path / "embedded"))
    assert build.main(["models", "--models-dir", str(tmp_path)]) == 1


def test_missing_manifest_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="no manifest"):
        build.load_manifest(tmp_path)


def test_vendor_step_names_the_missing_package(tmp_path):
    config = build.BuildConfig(node_modules_dir=tmp_path / "node_modules", vendor_dir=tmp_path / "vendor")
    with pytest.raises(ValueError, match="npm ci"):
        build.vendor(config)
