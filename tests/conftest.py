"""Shared test setup: keep Jupyter, IPython and matplotlib state out of the home directory."""
import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

_state = Path(tempfile.mkdtemp(prefix="backprop-tests-"))
for var, sub in [
    ("JUPYTER_CONFIG_DIR", "jupyter-config"),
    ("JUPYTER_DATA_DIR", "jupyter-data"),
    ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
    ("IPYTHONDIR", "ipython"),
    ("MPLCONFIGDIR", "matplotlib"),
]:
    path = _state / sub
    path.mkdir(parents=True, exist_ok=True)
    os.environ[var] = str(path)
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ["JUPYTER_PLATFORM_DIRS"] = "1"


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    """One BLAS thread for the tests' own numpy work (importing backprop no longer sets it)."""
    import backprop

    backprop.limit_blas_threads(1)
    yield
    backprop.set_blas_threads(None)


@pytest.fixture(scope="session")
def shared_answer_keys(tmp_path_factory):
    """Build each solution's answer key once per test run, whichever test's workspace asks first.

    Many tests release 00_basics into a fresh workspace, and each release runs the solution in the sandbox to
    build its key. Here ``answer_key.build`` keeps what it built in a folder shared by the xdist workers, under
    the source's digest (which includes the grader version), so a changed or broken solution is still built and
    checked; each workspace still writes, reads and checks its own key file.
    """
    import fcntl
    import json

    from autograder import answer_key

    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "answer-keys"
    folder.mkdir(exist_ok=True)
    build = answer_key.build

    def build_once(source_path, assignment_id, limits, sandboxed=True, run_tag=""):
        path = folder / f"{answer_key.digest(source_path)}-{'sandboxed' if sandboxed else 'trusted'}.json"
        with open(path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one worker builds, the other waits and reads
            if path.is_file():
                return json.loads(path.read_text())
            answers = build(source_path, assignment_id, limits, sandboxed, run_tag)
            path.write_text(json.dumps(answers))
            return answers

    answer_key.build = build_once
    yield folder
    answer_key.build = build


@pytest.fixture(scope="session")
def lab():
    """scripts/lab.py loaded as a module (it is a script, not part of a package): its config writers and helpers."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "scripts" / "lab.py"
    spec = importlib.util.spec_from_file_location("lab_launcher", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def short_runtime(monkeypatch):
    """JUPYTER_RUNTIME_DIR in a short /tmp folder: IPC socket paths below pytest's tmp_path can exceed 107 bytes."""
    import shutil

    base = Path(tempfile.mkdtemp(prefix="bpk-", dir="/tmp"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(base / "runtime"))
    yield base / "runtime"
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository root."""
    return REPO


_AREA_SECONDS = {}


def pytest_runtest_logreport(report):
    """Add each test's time (setup, call, teardown) to its area: tests/<area>/..."""
    parts = report.nodeid.split("::")[0].split("/")
    area = parts[1] if len(parts) > 2 else "top level"
    _AREA_SECONDS[area] = _AREA_SECONDS.get(area, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    """A per-area timing summary at the end of the run, so a slow area is visible."""
    if not _AREA_SECONDS:
        return
    terminalreporter.section("time per area (summed over workers)")
    for area, seconds in sorted(_AREA_SECONDS.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"{area:<12} {seconds:8.1f} s")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Under `--dist loadgroup`, a test marked xdist_group must carry its group (pytest-xdist adds it to the node
    id); without it, the group's tests are spread over workers and its module fixtures run once per worker."""
    if not getattr(config.option, "loadgroup", False):
        return
    lost = [item.nodeid for item in items if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
    if lost:
        raise pytest.UsageError(f"xdist_group has no effect with pytest {pytest.__version__} and this pytest-xdist "
                                f"(e.g. {lost[0]}): install the versions in requirements-dev.txt")
