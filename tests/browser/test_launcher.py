"""scripts/lab.py without a browser: the config it writes, the command it builds, its errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from browser_setup import REPO

LAB = REPO / "scripts" / "lab.py"


def run_lab(*args, env=None):
    return subprocess.run([sys.executable, str(LAB), *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


def test_print_command_serves_the_root_with_the_config_dir_first(tmp_path):
    result = run_lab("--print-command", "--root", str(tmp_path / "work"), "--port", "9123", "--no-browser",
                     "--config-dir", str(tmp_path / "cfg"), env={"JUPYTER_CONFIG_PATH": "/elsewhere"})
    assert result.returncode == 0, result.stderr
    path_line, command = result.stdout.strip().splitlines()[-2:]
    assert path_line == f"JUPYTER_CONFIG_PATH={tmp_path / 'cfg'}{os.pathsep}/elsewhere"
    assert f"--ServerApp.root_dir={tmp_path / 'work'}" in command and "--port=9123" in command
    assert ("--allow-root" in command) == (os.geteuid() == 0)
    assert (tmp_path / "work").is_dir()  # a class work folder is created


def test_student_config_hides_instructor_panels_and_keeps_other_settings(tmp_path):
    (tmp_path / "jupyter_server_config.json").write_text(json.dumps({"ServerApp": {"ip": "0.0.0.0"}}))
    assert run_lab("--write-config", str(tmp_path)).returncode == 0
    server = json.loads((tmp_path / "jupyter_server_config.json").read_text())["ServerApp"]
    assert server["ip"] == "0.0.0.0"
    assert server["jpserver_extensions"] == {"nbgrader.server_extensions.formgrader": False,
                                             "nbgrader.server_extensions.course_list": False}
    disabled = json.loads((tmp_path / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"} <= set(disabled)
    assert "@jupyter/nbgrader:assignment-list" not in disabled
    assert "@jupyter/nbgrader:validate-assignment" not in disabled


def test_nbgrader_reads_course_id_and_exchange_from_the_generated_config(tmp_path):
    assert run_lab("--write-config", str(tmp_path / "cfg")).returncode == 0
    probe = ("from jupyter_core.paths import jupyter_config_path\n"
             "from nbgrader.apps import NbGrader\n"
             "app = NbGrader(); app.config_file_paths.append(jupyter_config_path()); app.load_config_file()\n"
             "print(app.config.CourseDirectory.course_id, app.config.Exchange.root)\n")
    exchange = tmp_path / "exchange"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                            cwd=tmp_path, env={**os.environ, "JUPYTER_CONFIG_PATH": str(tmp_path / "cfg"),
                                               "BACKPROP_EXCHANGE": str(exchange)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["backprop-course", str(exchange)]
    assert exchange.is_dir()  # created on first use, so the Assignment List never reports it missing


def test_bad_arguments_get_a_clear_message(tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    result = run_lab("--root", str(a_file), "--print-command")
    assert result.returncode == 2 and "is a file, not a folder" in result.stderr
    result = run_lab("--port", "70000", "--print-command", "--root", str(tmp_path))
    assert result.returncode == 2 and "not a TCP port" in result.stderr
    assert "Traceback" not in result.stderr
