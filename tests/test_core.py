"""The core package `digits/`: it never loads TensorFlow nor imports the rest of the house; the JS
constants are generated from it; its file and statistics helpers behave."""

import ast
import json
import os
import pathlib
import pkgutil
import shutil
import subprocess
import sys

import pytest

import digits
from digits import constants, stats
from digits.files import atomic_path, sha256_file, write_atomically

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
CORE_DIR = REPOSITORY / "digits"
HEAVY_MODULES = ("tensorflow", "keras", "tf2onnx", "tensorflowjs", "jax")
HOUSE_PACKAGES = ("train", "export", "bench", "tests", "streamlit", "streamlit_app", "app")


def core_modules() -> list[str]:
    """Every module of the core package, by dotted name."""
    found = pkgutil.walk_packages(digits.__path__, prefix="digits.")
    return ["digits", *sorted(module.name for module in found)]


def test_the_core_has_the_modules_the_layout_promises():
    names = set(core_modules())
    expected = {"constants", "files", "stats", "manifest", "model", "predict", "image", "image.recipe"}
    assert {f"digits.{name}" for name in expected} <= names


def test_importing_every_core_module_loads_no_heavy_framework():
    script = (
        "import importlib, json, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        f"heavy = {HEAVY_MODULES!r}\n"
        "print(json.dumps(sorted(n for n in sys.modules if n.split('.')[0] in heavy)))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=REPOSITORY, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == []


def imported_packages(path: pathlib.Path) -> set[str]:
    """Top-level names a Python file imports (absolute imports only; the core has no relative ones)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted(CORE_DIR.rglob("*.py")), ids=lambda path: path.name)
def test_no_core_file_imports_the_rest_of_the_house(path):
    forbidden = imported_packages(path) & {*HOUSE_PACKAGES, *HEAVY_MODULES}
    assert not forbidden, f"{path.relative_to(REPOSITORY)} imports {sorted(forbidden)}"


# --- one source for the constants: web/spec.js -------------------------------------------------------


def load_build_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("web_build", REPOSITORY / "web" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_spec_js_parsed_by_node_equals_the_python_constants():
    node = shutil.which("node")
    assert node, "node is needed to read web/spec.js (make setup installs it)"
    completed = subprocess.run(
        [node, "-e", "process.stdout.write(JSON.stringify(require(process.argv[1])))", "./web/spec.js"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == constants.spec()


def test_committed_spec_js_is_what_the_build_writes_now():
    committed = (REPOSITORY / "web" / "spec.js").read_text(encoding="utf-8")
    fresh = load_build_module().spec_script()
    assert committed == fresh, "web/spec.js is stale: run `python web/build.py spec`"


def test_page_loads_spec_js_before_any_script_that_reads_it():
    html = (REPOSITORY / "web" / "index.html").read_text(encoding="utf-8")
    scripts = [line.split('src="')[1].split('"')[0] for line in html.splitlines() if "<script src=" in line]
    assert scripts[0] == "spec.js", scripts
    assert scripts.index("graph_model.js") < scripts.index("runtimes.js")


def test_layouts_are_one_table():
    assert constants.layout_of((784,)) == "flat"
    assert constants.layout_of([28, 28, 1]) == "nhwc"
    assert constants.layout_of((1, 28, 28)) == "nchw"
    with pytest.raises(ValueError, match=r"\(n, 32, 32, 1\)"):
        constants.layout_of((32, 32, 1))


# --- files and statistics ---------------------------------------------------------------------------


def test_write_atomically_writes_text_and_bytes_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "report.json"
    write_atomically(target, "{}\n")
    assert target.read_text() == "{}\n"
    write_atomically(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert sorted(os.listdir(target.parent)) == ["report.json"]


def test_a_failing_writer_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "model.keras"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_path(target, keep_suffix=True) as temporary:
        assert temporary.name == "model.partial.keras"
        temporary.write_bytes(b"half")
        raise RuntimeError("the writer crashed")
    assert target.read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["model.keras"]


def test_sha256_of_a_known_file(tmp_path):
    (tmp_path / "abc").write_bytes(b"abc")
    assert sha256_file(tmp_path / "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_median_and_nearest_rank_p95():
    summary = stats.summarize(range(1, 101))  # 1 … 100
    assert (summary.median, summary.p95, summary.mean, summary.count) == (50.5, 95.0, 50.5, 100)
    assert stats.summarize([3.0]).p95 == 3.0
    assert stats.percentile([5, 1, 4, 2, 3], 0.95) == 5
    with pytest.raises(ValueError, match="no samples"):
        stats.summarize([])
