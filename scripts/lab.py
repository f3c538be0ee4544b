#!/usr/bin/env python3
"""Open the course in JupyterLab, set up for a student: nbgrader's Assignment List and Validate button work.

Usage (from the repository root, with the course's Python, e.g. `.venv/bin/python`):

    python scripts/lab.py                      # JupyterLab on work/ (your copy of course/), port 8888
    python scripts/lab.py --port 9000 --no-browser
    python scripts/lab.py --root ~/backprop --exchange /srv/nbgrader/exchange   # in a class
    python scripts/lab.py --write-config DIR   # only write the student config into DIR (Binder's postBuild)

What it does: writes a small Jupyter config directory (inside the Python environment, never inside course/,
which is generated) holding an `nbgrader_config.py` (course id and exchange directory, created if missing) and
JupyterLab page config that hides the instructor-only nbgrader panels (Formgrader, Courses, Create Assignment)
and the online news prompt; and runs every kernel (JupyterLab's and Validate's) over IPC sockets in the user's
private runtime folder instead of loopback TCP ports, which kernels starting at once in a class can collide on;
then starts `jupyter lab` with that directory on JUPYTER_CONFIG_PATH, adding `--allow-root` when run as root,
and prints the URL with its token as the last line once the server answers.

Students work in a copy: by default the folder served is work/ (git-ignored), seeded from course/ on every start
without ever overwriting a file already there (new notebooks are added). `make course` and `git pull` change
course/ only, so they never touch a student's answers.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COURSE = REPO / "course"
WORK = REPO / "work"  # the student's own copy of course/ (git-ignored): answers live here
COPY_IGNORED = (".ipynb_checkpoints", "__pycache__", ".DS_Store")
SERVER_START_TIMEOUT_S = 120
COURSE_ID = "backprop-course"
EXCHANGE_ENV = "BACKPROP_EXCHANGE"
DEFAULT_EXCHANGE = "~/.local/share/backprop-course/exchange"

# nbgrader 0.9 JupyterLab plugins and server extensions that only an instructor needs.
INSTRUCTOR_LAB_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:create-assignment",
)
# The "get notified about Jupyter news?" prompt would fetch from the internet; the course runs offline.
OFFLINE_LAB_PLUGINS = ("@jupyterlab/apputils-extension:announcements",)
INSTRUCTOR_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.course_list",
)
# Every kernel of a student's server and of Validate runs over IPC sockets in the user's private runtime folder, not
# loopback TCP ports: jupyter_client picks free ports and releases them before the kernel binds them, which races
# when a class starts many kernels at once (autograder/kernel_sockets.py names each kernel's sockets).
KERNEL_TRANSPORT = "ipc"
SERVER_KERNEL_MANAGER = "autograder.kernel_sockets.IPCKernelManager"
VALIDATE_STARTUP_TIMEOUT_S = 30

NBGRADER_CONFIG_TEMPLATE = '''\
"""Student-side nbgrader config written by scripts/lab.py: course id, exchange directory, Validate's kernel."""
import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)
c.CourseDirectory.course_id = {course_id!r}
# The exchange is where an instructor releases assignments and students submit them.
# The environment variable {env} overrides it (a class on one server shares one exchange).
_exchange = os.path.expanduser(os.environ.get({env!r}) or {exchange!r})
os.makedirs(_exchange, exist_ok=True)
c.Exchange.root = _exchange
# Validate runs the notebook through a kernel client that cannot sleep through a reply that has already arrived
# (backprop/steady_client.py: a lost wake-up otherwise costs a whole cell timeout).
c.AsyncKernelManager.client_class = "backprop.steady_client.SteadyKernelClient"
# Validate's kernel talks over IPC sockets, not loopback TCP ports (kernels starting at once in a class can collide
# on a port), named afresh for every Validate (nbgrader reads this file each time) in this user's private runtime
# folder: never in the assignment folder (autograder/kernel_sockets.py).
from autograder.kernel_sockets import socket_prefix as _socket_prefix

c.KernelManager.transport = {transport!r}
c.KernelManager.ip = _socket_prefix()
c.KernelManager.connection_file = c.KernelManager.ip + ".json"
# A kernel not ready within this many seconds (e.g. one that hangs at start) ends Validate with nbclient's
# "Kernel didn't respond" error instead of its default 60 s wait.
c.Execute.startup_timeout = {startup_timeout!r}
'''


def default_config_dir() -> Path:
    """Where the launcher keeps its generated Jupyter config: inside the running Python environment."""
    return Path(sys.prefix) / "etc" / "backprop-course-lab"


def write_student_config(config_dir: Path, exchange: str, course_id: str = COURSE_ID) -> Path:
    """Write nbgrader_config.py and JupyterLab page config for students into config_dir; return it."""
    config_dir = Path(config_dir)
    (config_dir / "labconfig").mkdir(parents=True, exist_ok=True)
    (config_dir / "nbgrader_config.py").write_text(
        NBGRADER_CONFIG_TEMPLATE.format(course_id=course_id, env=EXCHANGE_ENV, exchange=exchange,
                                        transport=KERNEL_TRANSPORT, startup_timeout=VALIDATE_STARTUP_TIMEOUT_S)
    )
    page_config = {"disabledExtensions": {name: True for name in INSTRUCTOR_LAB_PLUGINS + OFFLINE_LAB_PLUGINS}}
    _merge_json(config_dir / "labconfig" / "page_config.json", page_config)
    server_config = {
        "ServerApp": {"jpserver_extensions": {name: False for name in INSTRUCTOR_SERVER_EXTENSIONS}},
        "MappingKernelManager": {"kernel_manager_class": SERVER_KERNEL_MANAGER},
        "KernelManager": {"transport": KERNEL_TRANSPORT},
    }
    _merge_json(config_dir / "jupyter_server_config.json", server_config)
    return config_dir


def _merge_json(path: Path, update: dict) -> None:
    """Write `update` into the JSON file at path, keeping whatever else it already holds (e.g. on Binder)."""
    try:
        current = json.loads(path.read_text()) if path.exists() else {}
    except (OSError, json.JSONDecodeError):
        current = {}

    def merge(into: dict, new: dict) -> dict:
        for key, value in new.items():
            into[key] = merge(into.get(key, {}), value) if isinstance(value, dict) else value
        return into

    path.write_text(json.dumps(merge(current if isinstance(current, dict) else {}, update), indent=2) + "\n")


def seed_work_copy(course: Path, work: Path) -> list[Path]:
    """Copy every file of course/ that work/ lacks into work/; never overwrite one. Returns the files added."""
    added = []
    for source in sorted(Path(course).rglob("*")):
        rel = source.relative_to(course)
        if source.is_dir() or set(rel.parts) & set(COPY_IGNORED):
            continue
        target = Path(work) / rel
        if target.exists() or target.is_symlink():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        added.append(target)
    return added


def lab_command(root: Path, port: int, open_browser: bool, token: str | None, extra: list[str]) -> list[str]:
    """The `jupyter lab` command line for the course root (adds --allow-root for root)."""
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or shutil.which("jupyter")
    if jupyter is None:
        raise SystemExit(
            "error: `jupyter` was not found next to this Python or on PATH.\n"
            "       Run `make lab` (it installs JupyterLab into .venv) or `pip install -r requirements.txt`."
        )
    command = [jupyter, "lab", f"--ServerApp.root_dir={root}", f"--port={port}"]
    if not open_browser:
        command.append("--no-browser")
    if token is not None:
        command.append(f"--IdentityProvider.token={token}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command + extra


def lab_environment(config_dir: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """A copy of the environment with config_dir first on JUPYTER_CONFIG_PATH."""
    env = dict(os.environ if base is None else base)
    existing = env.get("JUPYTER_CONFIG_PATH")
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(config_dir)] + ([existing] if existing else []))
    return env


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options; anything after `--` goes to `jupyter lab` unchanged."""
    parser = argparse.ArgumentParser(
        prog="scripts/lab.py",
        description="Open the course in JupyterLab with nbgrader's Assignment List and Validate button.",
        epilog="Arguments after `--` are passed to `jupyter lab` unchanged.",
    )
    parser.add_argument("--root", type=Path, default=None,
                        help="folder to open (default: work/ of this repository, your copy of course/, made and "
                             "topped up with new notebooks on every start, never overwritten); in a class, a "
                             "personal work folder such as ~/backprop (created if missing), where Fetch puts "
                             "assignments")
    parser.add_argument("--port", type=int, default=8888, help="port to serve on (default: 8888)")
    parser.add_argument("--no-browser", action="store_true", default=bool(os.environ.get("NO_BROWSER")),
                        help="do not open a web browser (also NO_BROWSER=1, e.g. `make lab NO_BROWSER=1`)")
    parser.add_argument("--token", default=None, help="access token (default: JupyterLab makes one)")
    parser.add_argument("--exchange", default=None,
                        help=f"nbgrader exchange directory (default: ${EXCHANGE_ENV} or {DEFAULT_EXCHANGE})")
    parser.add_argument("--course-id", default=COURSE_ID, help=f"nbgrader course id (default: {COURSE_ID})")
    parser.add_argument("--config-dir", type=Path, default=None,
                        help="where to write the generated Jupyter config (default: inside the Python env)")
    parser.add_argument("--write-config", type=Path, metavar="DIR", default=None,
                        help="only write the student config into DIR and exit (e.g. for Binder's postBuild)")
    parser.add_argument("--print-command", action="store_true",
                        help="write the config, print the command and JUPYTER_CONFIG_PATH, do not start")
    own, _, extra = _split_passthrough(argv if argv is not None else sys.argv[1:])
    args = parser.parse_args(own)
    args.extra = extra
    return args


def _split_passthrough(argv: list[str]) -> tuple[list[str], str, list[str]]:
    """Split argv at the first `--` into (ours, separator, jupyter's)."""
    if "--" in argv:
        index = argv.index("--")
        return argv[:index], "--", argv[index + 1:]
    return argv, "", []


def main(argv: list[str] | None = None) -> int:
    """Write the student config and start JupyterLab (or just write/print, see --help)."""
    args = parse_args(argv)
    exchange = args.exchange or DEFAULT_EXCHANGE
    if args.exchange:
        os.environ[EXCHANGE_ENV] = args.exchange  # the generated config reads it first
    if args.write_config is not None:
        path = write_student_config(args.write_config, exchange, args.course_id)
        print(f"wrote the student Jupyter/nbgrader config into {path}")
        return 0
    if args.root is None:
        if not any(COURSE.glob("*/*.ipynb")):
            print(f"error: {COURSE} has no notebooks: run `make course` to generate the student notebooks.",
                  file=sys.stderr)
            return 2
        added = seed_work_copy(COURSE, WORK)
        if added:
            print(f"copied {len(added)} new file(s) from course/ into {WORK} (your answers there are never "
                  "overwritten)")
        args.root = WORK
    root = args.root.resolve()
    if root.exists() and not root.is_dir():
        print(f"error: --root {root} is a file, not a folder.", file=sys.stderr)
        return 2
    if not root.exists():
        root.mkdir(parents=True)
        print(f"created {root}: the Assignment List fetches assignments into it")
    if not 0 < args.port < 65536:
        print(f"error: --port {args.port} is not a TCP port (1-65535).", file=sys.stderr)
        return 2
    config_dir = write_student_config(args.config_dir or default_config_dir(), exchange, args.course_id)
    token = args.token if args.token is not None else secrets.token_hex(24)
    quiet = [] if any("log_level" in arg for arg in args.extra) else ["--ServerApp.log_level=WARN"]
    command = lab_command(root, args.port, not args.no_browser, token, quiet + args.extra)
    env = lab_environment(config_dir)
    if args.print_command:
        print(f"JUPYTER_CONFIG_PATH={env['JUPYTER_CONFIG_PATH']}")
        print(" ".join(command))
        return 0
    # nbgrader's Assignment List fetches into the server's working directory: make it the folder served.
    return serve(command, env, root, token)


def server_url(pid: int, token: str) -> str | None:
    """The URL (with token) of the Jupyter server of process ``pid`` from its runtime file, or None yet."""
    from jupyter_server.serverapp import list_running_servers

    for info in list_running_servers():
        if info.get("pid") == pid:
            return f"{info['url'].rstrip('/')}/lab?token={token}"
    return None


def serve(command: list[str], env: dict[str, str], root: Path, token: str) -> int:
    """Run JupyterLab in ``root`` until it stops; print its URL with the token as the last line once it is up.

    JupyterLab logs warnings only (unless `-- --ServerApp.log_level=INFO`), so the URL stays the last line.
    Ctrl-C reaches both processes (same terminal); this one waits for the server to stop.
    """
    process = subprocess.Popen(command, env=env, cwd=root)
    if hasattr(signal, "SIGTERM"):  # `kill` of this launcher stops the server too (no orphaned server)
        signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    try:
        deadline, url = time.monotonic() + SERVER_START_TIMEOUT_S, None
        while url is None and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
            url = server_url(process.pid, token)
        if url:
            time.sleep(0.5)  # let the server's start-up lines go out first
            print(f"\nJupyterLab is serving {root}; open (Ctrl-C twice to stop):\n{url}", flush=True)
        elif process.poll() is None:
            print(f"warning: the server has not answered within {SERVER_START_TIMEOUT_S} s; its log above says "
                  f"where it listens (token {token})", file=sys.stderr, flush=True)
        return process.wait()
    except KeyboardInterrupt:
        try:
            return process.wait(timeout=30)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            process.terminate()
            return 130


if __name__ == "__main__":
    sys.exit(main())
