"""Under this suite a skip is a failure that names the fix (tests/conftest.py), never a silent pass."""

import os
import pathlib
import subprocess
import sys

import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
IN_TEST = (
    "import pytest\n\n\ndef test_page():\n"
    "    pytest.skip('/usr/bin/chromium is missing (make setup installs it)')\n"
)
AT_IMPORT = "import pytest\n\npytest.importorskip('no_such_module_for_this_test')\n"
# pytest's exit codes: all passed (or skipped), tests failed, a collection error, nothing collected
PYTEST_OK, PYTEST_FAILED, PYTEST_INTERRUPTED, PYTEST_NO_TESTS = 0, 1, 2, 5


def run_inner_test(tmp_path: pathlib.Path, source: str, *, allow_skips: bool) -> subprocess.CompletedProcess:
    """Run one skipping test file in a fresh pytest with this suite's conftest loaded as a plugin."""
    (tmp_path / "test_inner.py").write_text(source)
    environment = {**os.environ, "MNIST_ALLOW_SKIPS": "1" if allow_skips else "0"}
    command = [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider",
               "-q", "--rootdir", str(tmp_path), str(tmp_path)]  # fmt: skip
    return subprocess.run(
        command, cwd=REPOSITORY, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("source", "reason", "exit_code"),
    [(IN_TEST, "/usr/bin/chromium is missing", PYTEST_FAILED),
     (AT_IMPORT, "no_such_module_for_this_test", PYTEST_INTERRUPTED)],
    ids=["in-a-test", "at-import"],
)  # fmt: skip
def test_a_skip_fails_with_its_reason_and_the_fix(tmp_path, source, reason, exit_code):
    result = run_inner_test(tmp_path, source, allow_skips=False)
    assert result.returncode == exit_code, result.stdout
    assert reason in result.stdout and "make setup" in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("source", "exit_code"),
    [(IN_TEST, PYTEST_OK), (AT_IMPORT, PYTEST_NO_TESTS)],
    ids=["in-a-test", "at-import"],
)
def test_skips_can_be_allowed_explicitly(tmp_path, source, exit_code):
    result = run_inner_test(tmp_path, source, allow_skips=True)
    assert result.returncode == exit_code, result.stdout
    assert "1 skipped" in result.stdout, result.stdout
