"""nbgrader's formgrader on the grading workspace: manual grading, score overrides, the "needs manual grading" queue.

``backprop-grade formgrader`` writes an ``nbgrader_config.py`` into the workspace (the workspace's own grading
configuration: course root, gradebook URL, exchange, sandboxed autograde) and starts a Jupyter server there with
only the formgrader extension, on 127.0.0.1 with a fresh token, and prints its URL as the last line. Submissions
that a failed regrade zeroed are marked "needs manual grade" and appear first in its lists. Grading itself stays
with ``backprop-grade autograde`` (it records outcomes and flags the formgrader's own button does not).
"""
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from .errors import UserError

CONFIG_NAME = "nbgrader_config.py"
START_TIMEOUT_S = 120
CONFIG_TEMPLATE = '''\
"""Written by `backprop-grade formgrader`: formgrader works on this grading workspace."""
from autograder.workspace import Workspace

_ws = Workspace({root!r}, exchange={exchange!r}, course_id={course_id!r}, db_url={db_url!r},
                solutions={solutions!r}, course={course!r})
c = get_config()  # noqa: F821 (provided by traitlets)
c.merge(_ws.config())
'''


def write_config(workspace):
    """Write the formgrader's nbgrader_config.py into the workspace (owner-only, it may hold the DB URL)."""
    path = workspace.root / CONFIG_NAME
    path.write_text(CONFIG_TEMPLATE.format(root=str(workspace.root), exchange=str(workspace.exchange),
                                           course_id=workspace.course_id, db_url=workspace.db_url,
                                           solutions=str(workspace.solutions), course=str(workspace.course)))
    os.chmod(path, 0o600)
    return path


def command(workspace, port, token, ip="127.0.0.1", open_browser=False):
    """The `jupyter server` command serving the formgrader (and nothing of the student side) for ``workspace``."""
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or shutil.which("jupyter")
    if jupyter is None:
        raise UserError("`jupyter` was not found next to this Python or on PATH",
                        "install the grader with its extra: pip install 'backprop-course[instructor]'")
    # formgrader only: no JupyterLab, no notebook UI, no terminals (the server runs as the grader, often root)
    off = ["jupyterlab", "notebook", "jupyter_lsp", "jupyter_server_terminals"]
    off += [f"nbgrader.server_extensions.{name}" for name in ("assignment_list", "course_list", "validate_assignment")]
    extensions = repr({"nbgrader.server_extensions.formgrader": True, **dict.fromkeys(off, False)})
    cmd = [jupyter, "server", f"--ServerApp.root_dir={workspace.root}", f"--ServerApp.ip={ip}",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.jpserver_extensions={extensions}", "--ServerApp.terminals_enabled=False",
           "--ServerApp.log_level=WARN",
           "--ServerApp.default_url=/formgrader"]
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


def url(port, token, ip="127.0.0.1"):
    return f"http://{ip}:{port}/formgrader?token={token}"


def serve(workspace, port=8890, ip="127.0.0.1", open_browser=False, token=None, log=print):
    """Run the formgrader on ``workspace`` until Ctrl-C; print its URL (with token) as the last line once it is up."""
    import urllib.request

    workspace.require()
    write_config(workspace)
    token = token or secrets.token_hex(24)
    env = {**os.environ, "JUPYTER_CONFIG_PATH": ""}  # none of a student's lab config (it hides the formgrader)
    process = subprocess.Popen(command(workspace, port, token, ip, open_browser), cwd=workspace.root, env=env)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while process.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://{ip}:{port}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        if process.poll() is not None:
            raise UserError(f"the formgrader's server stopped at once (exit code {process.returncode})",
                            "see its messages above; is the port taken? try --port")
        log(f"formgrader on {workspace.root} (Ctrl-C to stop); open:\n{url(port, token, ip)}")
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        return process.wait(timeout=30)
