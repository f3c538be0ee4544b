"""Fixtures for the browser tests: a JupyterLab server on a temp copy of course/, and headless Chromium.

The server is started the way students start it (scripts/lab.py), on a free localhost port with a random
token, with a temp nbgrader exchange; it is always stopped at the end. Chromium is Debian's (`make
browser-deps` installs it); Playwright drives it, and the tests skip with the reason when either is missing.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser_setup import ARTIFACTS, CHROMIUM_ARGS, COURSE, COURSE_ID, REPO, chromium_path

SERVER_START_TIMEOUT_S = 90
NO_CHROMIUM = ("chromium is not installed: run `make browser-deps` as root, or `sudo apt-get install chromium` "
               "(or set BACKPROP_CHROMIUM)")


@dataclass
class LabServer:
    """A running JupyterLab: where it is, how to log in, and the folders it serves."""

    base_url: str
    token: str
    root: Path  # the folder JupyterLab serves (the student's work folder: Fetch puts assignments here)
    course: Path  # the copy of course/ inside it, served as course/
    exchange: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_server(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"JupyterLab did not answer {url} within {SERVER_START_TIMEOUT_S} s:\n"
                       f"{log.read_text()[-3000:]}")


def _stop_server(process: subprocess.Popen, base_url: str, token: str) -> None:
    """Ask the server to shut down (it stops its kernels), then make sure its process group is gone."""
    try:
        request = urllib.request.Request(f"{base_url}/api/shutdown?token={token}", method="POST", data=b"")
        urllib.request.urlopen(request, timeout=5).close()
    except (urllib.error.URLError, OSError):
        pass
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            break
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            continue


def release_into_exchange(chapter_dir: Path, exchange: Path, course_id: str = COURSE_ID) -> Path:
    """Put a released chapter where nbgrader's exchange keeps it (<exchange>/<course>/outbound/<assignment>).

    The same layout `nbgrader release_assignment` makes from its release folder (which course/ is), with the
    inbound/ and feedback/ folders it creates; the instructor command itself (slow: it regenerates the
    assignment) is exercised by tests/grading.
    """
    course = exchange / course_id
    outbound = course / "outbound" / chapter_dir.name
    shutil.copytree(chapter_dir, outbound, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for folder, mode in (("inbound", 0o733 | 0o1000), ("feedback", 0o711)):
        (course / folder).mkdir(exist_ok=True)
        (course / folder).chmod(mode)
    return outbound


@pytest.fixture(autouse=True, scope="session")
def _answer_keys_built_once(shared_answer_keys):
    """The graded class shares answer keys with the grading tests (see tests/conftest.py)."""
    yield


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory) -> LabServer:
    """JupyterLab started by scripts/lab.py on a temp student folder holding a copy of course/, with a temp
    exchange into which every chapter is released; always stopped."""
    if chromium_path() is None:
        pytest.skip(NO_CHROMIUM)  # before starting a server nobody can look at
    course = COURSE
    if not any(course.glob("*/*.ipynb")):
        pytest.fail("course/ has no chapter notebooks; generate them with `make course`")
    work = tmp_path_factory.mktemp("lab")
    root = work / "student"
    shutil.copytree(course, root / "course", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    exchange = work / "exchange"
    for chapter in sorted(p for p in course.iterdir() if p.is_dir() and any(p.glob("*.ipynb"))):
        release_into_exchange(chapter, exchange)
    port, token = _free_port(), secrets.token_hex(16)
    log = work / "jupyterlab.log"
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # the tests' Agg backend would hide the notebooks' inline plots
    command = [
        sys.executable, str(REPO / "scripts" / "lab.py"),
        "--root", str(root), "--port", str(port), "--no-browser", "--token", token,
        "--exchange", str(exchange), "--config-dir", str(work / "jupyter-config"),
        "--", "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0",
    ]
    with open(log, "wb") as log_file:
        process = subprocess.Popen(command, cwd=work, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(f"{base_url}/api/status?token={token}", process, log)
        yield LabServer(base_url=base_url, token=token, root=root, course=root / "course", exchange=exchange,
                        log=log)
    finally:
        _stop_server(process, base_url, token)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(log, ARTIFACTS / f"jupyterlab-{port}.log")


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright (skips, saying what to install, when unavailable)."""
    executable = chromium_path()
    if executable is None:
        pytest.skip(NO_CHROMIUM)
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed: pip install -r requirements-dev.txt")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS,
                                              timeout=60_000)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report on the test item, so the page fixture knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request):
    """A fresh browser page, 1400x900, with bounded default waits; screenshotted if the test fails."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
            try:
                page.screenshot(path=ARTIFACTS / f"FAILED-{name}.png", timeout=10_000)
            except Exception as error:  # a screenshot must not hide the test's own failure
                print(f"could not screenshot the failed page: {error}")
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/browser/ (gitignored): screenshots and server logs to look at after a run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
