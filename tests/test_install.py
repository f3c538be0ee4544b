"""`pip install <repo>` into a fresh venv gives a working backprop-grade that finds solutions/ only where it is
told (--solutions DIR or the current directory) and says so otherwise.

The venv borrows the already installed dependencies (a .pth file naming this interpreter's site-packages) and
builds the project itself from a copy of the repository, non-editable and without build isolation: what is
checked is the package, its console script and its data, in seconds rather than the minutes a full download of
JupyterLab and nbgrader takes. That the `instructor` extra names the same pins as requirements.txt is checked
statically (test_instructor_extra_pins_what_requirements_pin)."""
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pip-install")]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A venv holding the course installed from a copy of the repository (not editable); its bin folder."""
    tmp = tmp_path_factory.mktemp("install")
    source = tmp / "src"  # a copy, so the build leaves nothing in the checkout
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".venv", ".git", "work", "test-artifacts", ".cache",
                                                                  "workspace", "build", "*.egg-info", "__pycache__"))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp / "venv")], check=True, timeout=300)
    python = tmp / "venv" / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # the dependencies come from this interpreter's environment, after the venv's own packages
    (Path(site) / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                          "--no-build-isolation", "--no-index", str(source)],
                         capture_output=True, text=True, timeout=600, check=False)
    assert pip.returncode == 0, pip.stderr[-3000:]
    return tmp / "venv" / "bin"


def _grade(bin_dir, *args, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    # the venv's own scripts first; the borrowed packages' scripts (nbgrader runs `alembic`) after them
    env["PATH"] = os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), env.get("PATH", "")])
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")  # the borrowed packages' data (templates)
    return subprocess.run([str(bin_dir / "backprop-grade"), *args], capture_output=True, text=True, cwd=cwd,
                          check=False, env=env, timeout=600)


def test_installed_grader_helps_and_releases_with_explicit_solutions(installed, tmp_path):
    done = _grade(installed, "--help", cwd=tmp_path)
    assert done.returncode == 0 and "release" in done.stdout and "formgrader" in done.stdout, done.stderr
    code = "import autograder, backprop; print(autograder.__file__); print(backprop.__file__)"
    located = subprocess.run([str(installed / "python"), "-c", code],
                             capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False)
    assert str(REPO) not in located.stdout and "site-packages" in located.stdout, located.stdout

    lost = _grade(installed, "release", "00_basics", "--workspace", str(tmp_path / "ws"), cwd=tmp_path)
    assert lost.returncode == 2 and "cannot find the instructor notebooks" in lost.stderr
    assert "--solutions DIR" in lost.stderr and "Traceback" not in lost.stderr

    done = _grade(installed, "release", "00_basics", "--solutions", str(REPO / "solutions"),
                  "--workspace", str(tmp_path / "ws"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    released = tmp_path / "ws" / "exchange" / "backprop-course" / "outbound" / "00_basics" / "00_basics.ipynb"
    assert released.is_file()
    assert "BEGIN SOLUTION" not in released.read_text() and "BEGIN HIDDEN TESTS" not in released.read_text()


def _pins(lines):
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            name, spec = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", line).groups()
            pins[re.sub(r"[-_.]+", "-", name).lower()] = spec.replace(" ", "")
    return pins


def test_instructor_extra_pins_what_requirements_pin():
    """Every package of the `instructor` extra is in requirements.txt with the same version range."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extra = _pins(project["optional-dependencies"]["instructor"])
    runtime = _pins((REPO / "requirements.txt").read_text().splitlines())
    assert {"nbgrader", "nbconvert", "nbclient"} <= set(extra)
    assert {name: spec for name, spec in extra.items() if runtime.get(name) != spec} == {}
