"""The edge package: the wheel installs the core alone (numpy, onnxruntime, Pillow) and reads digits.

The wheel is built from a copy of the sources (so the checkout gets no `build/`), installed into a
fresh virtual environment from the package registry (pip's cache makes it quick), and run from a
folder outside the checkout, so nothing here can come from the repository by accident.
"""

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.slow

REPOSITORY = Path(__file__).resolve().parents[1]
RELEASE_MODEL = REPOSITORY / "web" / "models" / "cnn" / "onnx-fp32" / "model.onnx"
EDGE_PACKAGES = {"numpy", "onnxruntime", "pillow"}  # what `pip install .` may bring, with their deps
HEAVY = {"tensorflow", "tensorflow-cpu", "keras", "tf2onnx", "tensorflowjs", "jax", "streamlit", "onnx"}
INSTALLER_PACKAGES = {"pip", "setuptools", "wheel"}  # a fresh venv's own
DIGITS_READ = 5  # MNIST test digits written as files and read by the installed command
PIP_TIMEOUT_S = 600  # a cold pip cache downloads ~40 MB

# Run inside the fresh venv: the installed distributions, and the closure of the project's own
# requirements (extras excluded) through every installed distribution's metadata.
CLOSURE_SCRIPT = """
import importlib.metadata as metadata, json, re

def normal(name):
    return re.sub(r"[-_.]+", "-", name).lower()

installed = {normal(d.metadata["Name"]): d for d in metadata.distributions()}
needed, queue = set(), ["mnist-anywhere"]
while queue:
    name = queue.pop()
    if name in needed or name not in installed:
        continue
    needed.add(name)
    for requirement in installed[name].requires or []:
        if "extra ==" not in requirement:
            queue.append(normal(re.match(r"[A-Za-z0-9._-]+", requirement).group(0)))
print(json.dumps({"installed": sorted(installed), "closure": sorted(needed)}))
"""


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def run(command: list, *, cwd: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert completed.returncode == 0, f"{' '.join(map(str, command))}\n{completed.stderr[-3000:]}"
    return completed


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The project's wheel, built without build isolation from a copy of pyproject, README and digits/."""
    workspace = tmp_path_factory.mktemp("wheel")
    source = workspace / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPOSITORY / name, source / name)
    shutil.copytree(REPOSITORY / "digits", source / "digits", ignore=shutil.ignore_patterns("__pycache__"))
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(workspace / "dist"), "./source"], cwd=workspace)  # fmt: skip
    [built] = (workspace / "dist").glob("*.whl")
    return built


@pytest.fixture(scope="module")
def edge_venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment holding only the installed wheel and what it pulls in."""
    venv = tmp_path_factory.mktemp("edge") / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=venv.parent)
    run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", str(wheel)], cwd=venv.parent,
        timeout=PIP_TIMEOUT_S)  # fmt: skip
    return venv


@pytest.fixture(scope="module")
def digit_files(tmp_path_factory, mnist_data_dir) -> list[tuple[Path, int]]:
    """The first MNIST test digits as dark-on-light PNG files (like a scan), with their labels."""
    from train.data import load_mnist

    data = load_mnist(mnist_data_dir)
    folder = tmp_path_factory.mktemp("digits")
    files = []
    for index in range(DIGITS_READ):
        path = folder / f"digit{index}.png"
        large = Image.fromarray(255 - data.test_images[index]).resize((112, 112), Image.Resampling.BILINEAR)
        large.save(path)
        files.append((path, int(data.test_labels[index])))
    return files


def test_the_wheel_holds_the_core_and_the_command_only(wheel):
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    packages = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert packages == {"digits"}
    assert any(name.startswith("digits/image/") for name in names)
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    assert "digits-predict = digits.predict:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_venv_holds_the_three_packages_and_their_dependencies_only(edge_venv):
    report = json.loads(run([edge_venv / "bin" / "python", "-c", CLOSURE_SCRIPT], cwd=edge_venv).stdout)
    installed = set(report["installed"]) - INSTALLER_PACKAGES
    assert EDGE_PACKAGES <= installed
    assert installed == set(report["closure"]), (
        f"not needed by the wheel: {installed - set(report['closure'])}"
    )
    assert not installed & HEAVY, f"heavy packages installed: {installed & HEAVY}"


@pytest.mark.parametrize("command", [["bin/digits-predict"], ["bin/python", "-m", "digits.predict"]])
def test_the_installed_command_reads_digits(edge_venv, digit_files, command):
    executable = [str(edge_venv / command[0]), *command[1:]]
    images = [str(path) for path, _label in digit_files]
    completed = run([*executable, str(RELEASE_MODEL), *images], cwd=edge_venv.parent)
    lines = completed.stdout.splitlines()
    assert len(lines) == len(digit_files), completed.stdout
    for line, (path, label) in zip(lines, digit_files, strict=True):
        match = re.fullmatch(rf"{re.escape(str(path))}: (\d) \(p=(0\.\d{{3}}|1\.000)\)", line)
        assert match, line
        assert int(match.group(1)) == label, line


def test_pyproject_pins_are_requirements_in_exactly():
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *(pin for extra in project["optional-dependencies"].values()
                                            for pin in extra)]  # fmt: skip
    lines = (REPOSITORY / "requirements.in").read_text(encoding="utf-8").splitlines()
    wanted = [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]
    assert sorted(map(normal, declared)) == sorted(map(normal, wanted))
    assert all("==" in pin for pin in wanted), "pin every direct dependency exactly"
    assert {normal(pin.split("==")[0]) for pin in project["dependencies"]} == EDGE_PACKAGES
    locked = {}
    for line in (REPOSITORY / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.strip().split("==")
            locked[normal(name)] = version
    for pin in wanted:
        name, version = pin.split("==")
        assert locked.get(normal(name)) == version, (
            f"{pin} differs from requirements.lock ({locked.get(normal(name))})"
        )


def test_the_predicted_probabilities_are_probabilities(edge_venv, digit_files):
    completed = run(
        [edge_venv / "bin" / "digits-predict", RELEASE_MODEL, digit_files[0][0], "--json"],
        cwd=edge_venv.parent,
    )
    [record] = json.loads(completed.stdout)
    assert record["digit"] == digit_files[0][1]
    assert np.isclose(sum(record["probabilities"]), 1.0, atol=1e-4)
