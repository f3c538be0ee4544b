"""scripts/lab.py as a student starts it: the work copy of course/ and the URL line printed at the end."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LAB = REPO / "scripts" / "lab.py"


def test_work_copy_adds_new_notebooks_and_never_overwrites_answers(tmp_path, lab):
    course, work = tmp_path / "course", tmp_path / "work"
    (course / "00_basics" / ".ipynb_checkpoints").mkdir(parents=True)
    (course / "00_basics" / "00_basics.ipynb").write_text("blank v1")
    (course / "00_basics" / ".ipynb_checkpoints" / "x.ipynb").write_text("checkpoint")
    assert lab.seed_work_copy(course, work) == [work / "00_basics" / "00_basics.ipynb"]
    (work / "00_basics" / "00_basics.ipynb").write_text("my answers")
    # the course is regenerated (make course / git pull) and gains a chapter
    (course / "00_basics" / "00_basics.ipynb").write_text("blank v2")
    (course / "01_techniques").mkdir()
    (course / "01_techniques" / "01_chain_rule.ipynb").write_text("new chapter")
    assert lab.seed_work_copy(course, work) == [work / "01_techniques" / "01_chain_rule.ipynb"]
    assert (work / "00_basics" / "00_basics.ipynb").read_text() == "my answers"
    assert (work / "01_techniques" / "01_chain_rule.ipynb").read_text() == "new chapter"
    assert not (work / "00_basics" / ".ipynb_checkpoints").exists()


def test_work_folder_is_git_ignored():
    result = subprocess.run(["git", "check-ignore", "-q", "work/00_basics/00_basics.ipynb"], cwd=REPO, check=False)
    assert result.returncode == 0, "work/ (the students' answers) must be git-ignored"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_no_browser_prints_the_url_with_token_last_and_stops_with_the_launcher(tmp_path):
    port = _free_port()
    env = {**os.environ, "NO_BROWSER": "1", "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    process = subprocess.Popen([sys.executable, str(LAB), "--root", str(tmp_path / "student"), "--port", str(port),
                                "--config-dir", str(tmp_path / "cfg"), "--", "--ServerApp.ip=127.0.0.1",
                                "--ServerApp.port_retries=0"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    lines = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            line = process.stdout.readline()
            lines.append(line.rstrip("\n"))
            if "token=" in line:
                break
        url = lines[-1]
        assert url.startswith("http://") and f":{port}/lab?token=" in url, lines
        token = url.split("token=")[1]
        status = url.split("/lab?")[0].replace("localhost", "127.0.0.1") + f"/api/status?token={token}"
        with urllib.request.urlopen(status, timeout=10) as response:
            assert response.status == 200
        time.sleep(2)
        assert process.poll() is None
    finally:
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=30)
    with pytest.raises(OSError):  # the server went down with the launcher
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=5)
    assert returncode is not None
