"""ruff (pinned in requirements-dev.txt, configured in pyproject.toml) finds nothing in the Python code."""
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHECKED = ["helpers", "autograder", "tests", "benchmarks", "deploy"]


def _ruff() -> list:
    """The ruff of this venv (next to the Python running the tests), else the one on PATH."""
    beside = Path(sys.executable).with_name("ruff")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("ruff")
    assert found, "ruff is not installed: `pip install -r requirements-dev.txt` (or `make venv-dev`)"
    return [found]


def test_ruff_finds_nothing():
    result = subprocess.run([*_ruff(), "check", "--no-cache", "--output-format", "concise", *CHECKED],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, "ruff check " + " ".join(CHECKED) + " found:\n" + result.stdout + result.stderr
