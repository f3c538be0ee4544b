"""A real class on JupyterHub on 127.0.0.1: deploy/single-server/ end to end, with real Linux users.

setup_class.py makes the class from a roster (two students, one instructor: new Linux accounts with unique names,
0700 homes, a root-owned 1777 exchange); JupyterHub starts with deploy/single-server/jupyterhub_config.py on free
loopback ports and is driven only through its REST API: tokens, server start, then each student's own JupyterLab
server (nbgrader's assignment list handlers: list, fetch, submit, fetch_feedback; Validate; the contents API to
write the notebook; the Lab page config: instructor panels only for the instructor, whose formgrader answers in
its own tab). The instructor is root with `backprop-grade --exchange <class exchange>` (release, collect,
autograde, feedback, export). Then: full and partial grades, each student fetches their own feedback, and a
student cannot read a classmate's home, list inbound/, overwrite a classmate's submission or rename the course
folder. JupyterLab's kernels (run through the kernel websocket) and Validate's run over IPC sockets in the
student's own 0700 runtime folder, not loopback TCP ports. The hub, every server it started and the accounts are
removed at the end, also on failure.

Needs root, jupyterhub, configurable-http-proxy (npm), bubblewrap, useradd; skipped otherwise, saying which.
"""
import contextlib
import csv
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest

from autograder import mutate
from autograder.paths import COURSE, SOLUTIONS

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy" / "single-server"
A, NB, COURSE_ID = "00_basics", "00_basics.ipynb", "backprop-course"
BIN = Path(sys.executable).parent
SITE = Path(nbformat.__file__).resolve().parents[1]          # this environment's site-packages
SAME_PYTHON = f"python{sys.version_info.major}.{sys.version_info.minor}"


def system_python():
    """The system's Python of this minor version, if every user can run it (not a pyenv build under /root)."""
    found = shutil.which(SAME_PYTHON, path="/usr/local/bin:/usr/bin:/bin")
    return found if found and readable_by_all(Path(found).resolve()) else None

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hub")]


def _missing():
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root: it creates Linux users and starts their servers as them"
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        return "jupyterhub is not installed in this Python (pip install jupyterhub==6.1.1)"
    if not shutil.which("configurable-http-proxy"):
        return "configurable-http-proxy is not on PATH (npm install -g configurable-http-proxy@5.3.0)"
    for tool in ("useradd", "userdel", "groupadd", "bwrap", "setpriv"):
        if not shutil.which(tool):
            return f"{tool} is not installed"
    if not readable_by_all(REPO / "helpers" / "backprop") or not readable_by_all(SITE):
        return f"{REPO} or {SITE} is not readable by other users: students' servers could not import the course"
    if not readable_by_all(Path(sys.executable).resolve()) and not system_python():
        return (f"{Path(sys.executable).resolve()} is not reachable by other users and there is no {SAME_PYTHON} "
                "to run the students' servers with")
    return None


def readable_by_all(path):
    """Every folder above `path` is traversable by other users (and `path` itself readable)."""
    path = Path(path)
    if not path.exists() or not os.stat(path).st_mode & 0o004:
        return False
    return all(os.stat(parent).st_mode & 0o001 for parent in path.parents)


REASON = _missing()
if REASON:
    pytestmark.append(pytest.mark.skip(reason=REASON))


def hub_python(folder):
    """The Python the hub and the students' servers run with: this one when every user can run it; otherwise
    (e.g. a venv whose base interpreter lives in /root) a venv of the system's Python of the same minor version
    that loads this environment's packages (same ABI), with its Jupyter data and config folders."""
    if readable_by_all(Path(sys.executable).resolve()):
        return Path(sys.executable)
    subprocess.run([system_python(), "-m", "venv", "--without-pip", str(folder)], check=True)
    site = next((folder / "lib").glob("python3*/site-packages"))
    (site / "backprop_course_overlay.pth").write_text(f"import site; site.addsitedir({str(SITE)!r})\n")
    for sub in ("share/jupyter", "etc/jupyter"):
        (folder / sub).parent.mkdir(parents=True, exist_ok=True)
        (folder / sub).symlink_to(Path(sys.prefix) / sub)
    python = folder / "bin" / "python"
    for name, module in [("jupyterhub-singleuser", "jupyterhub.singleuser"), ("jupyter", "jupyter_core.command")]:
        script = folder / "bin" / name
        script.write_text(f"#!{python}\nimport sys\nfrom {module} import main\nsys.exit(main())\n")
        script.chmod(0o755)
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o005 if path.is_dir() else path.stat().st_mode | 0o004)
    return python


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, check, deadline_s, interval=0.2):
    """Poll check() until it returns something truthy; fail with `what` after deadline_s seconds."""
    deadline = time.monotonic() + deadline_s
    last = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except (OSError, urllib.error.URLError, ValueError) as error:
            last = error
        time.sleep(interval)
    raise AssertionError(f"timed out after {deadline_s} s waiting for {what} (last error: {last!r})")


class Http:
    """A tiny JSON client for the hub's and the servers' REST APIs (stdlib only)."""

    def __init__(self, base):
        self.base = base.rstrip("/")

    def call(self, method, path, token, body=None, form=None, expect=(200, 201, 202, 204)):
        headers = {"Authorization": f"token {token}"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        where, _, query = path.partition("?")
        url = self.base + urllib.parse.quote(where, safe="/") + (f"?{query}" if query else "")
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        if status not in expect:
            raise AssertionError(f"{method} {path}: HTTP {status}: {text[:500]}")
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except ValueError:
            return text          # an HTML page (e.g. Jupyter's 404 page)


def as_user(name, code, timeout=60):
    """Run Python `code` as Linux user `name` (own uid, gid and groups, no capabilities); returns stdout."""
    entry = pwd.getpwnam(name)
    env = {"PATH": "/usr/bin:/bin", "HOME": entry.pw_dir, "LANG": "C.UTF-8"}
    result = subprocess.run(["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups",
                             "--inh-caps=-all", "--bounding-set=-all", sys.executable, "-I", "-c", code],
                            env=env, cwd="/", capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr
    return result.stdout


ATTEMPT = '''
import os, sys
def attempt(label, action):
    try:
        action()
        print(label, "ALLOWED")
    except OSError as error:
        print(label, "denied", type(error).__name__)
'''


def grade(cli_args, timeout=300):
    """backprop-grade as root (the instructor)."""
    result = subprocess.run([str(BIN / "backprop-grade"), *cli_args], capture_output=True, text=True,
                            timeout=timeout, env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"})
    assert result.returncode == 0, f"backprop-grade {' '.join(cli_args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def stop_recorded_proxy(pid_file):
    """Stop the configurable-http-proxy whose pid the hub wrote into pid_file, if it still runs."""
    try:
        pid = int(pid_file.read_text().strip())
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return
    if b"configurable-http-proxy" in command:
        os.kill(pid, signal.SIGTERM)
        try:
            wait_for("the proxy to stop", lambda: not Path(f"/proc/{pid}").exists(), 10)
        except AssertionError:
            os.kill(pid, signal.SIGKILL)


def processes_of(uids):
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid in uids:
                    pids.append(int(entry))
            except OSError:
                pass
    return pids


@pytest.fixture(scope="module")
def hub_class():
    """The class and a running hub; yields a dict of everything the tests need; cleans up whatever happens."""
    tag = secrets.token_hex(3)
    with class_on_hub([f"bps{tag}a", f"bps{tag}b"], f"bpi{tag}") as ctx:
        yield ctx


@contextlib.contextmanager
def class_on_hub(students, instructor):
    """A class of new Linux accounts (setup_class.py) and a running hub on free loopback ports; yields a dict of
    everything the tests need; stops the hub and every server, and removes the accounts, whatever happens.
    Also used by benchmarks/hub_class.py."""
    course_id = COURSE_ID
    base = Path(tempfile.mkdtemp(prefix="bp-hub-", dir="/tmp"))
    os.chmod(base, 0o755)
    paths = {name: base / name for name in ("exchange", "workspace", "etc", "home", "hub")}
    paths["home"].mkdir()
    os.chmod(paths["home"], 0o755)
    roster = base / "roster.csv"
    roster.write_text("username,role,first_name\n" + "".join(f"{s},student,S\n" for s in students) +
                      f"{instructor},instructor,I\n")
    os.chmod(roster, 0o600)
    setup_args = [str(roster), "--course-id", course_id, "--exchange", str(paths["exchange"]),
                  "--workspace", str(paths["workspace"]), "--etc", str(paths["etc"]),
                  "--home-base", str(paths["home"])]
    hub = None
    uids = set()
    log_file = base / "hub.log"
    try:
        started = time.monotonic()
        subprocess.run([sys.executable, str(DEPLOY / "setup_class.py"), *setup_args, "--no-install"],
                       check=True, capture_output=True, text=True, timeout=120)
        uids = {pwd.getpwnam(n).pw_uid for n in students + [instructor]}
        setup_seconds = time.monotonic() - started

        admin_token = secrets.token_hex(32)
        ports = {"proxy": free_port(), "hub": free_port(), "api": free_port()}
        node_bin = str(Path(shutil.which("configurable-http-proxy")).parent)
        env = {
            "PATH": os.pathsep.join([str(BIN), node_bin, "/usr/sbin", "/usr/bin", "/sbin", "/bin"]),
            "LANG": "C.UTF-8",
            "HOME": str(paths["hub"]),
            "BACKPROP_CLASS_ETC": str(paths["etc"]),
            "BACKPROP_HUB_STATE": str(paths["hub"]),
            "BACKPROP_HUB_BIND_URL": f"http://127.0.0.1:{ports['proxy']}",
            "BACKPROP_HUB_API_URL": f"http://127.0.0.1:{ports['hub']}",
            "BACKPROP_PROXY_API_URL": f"http://127.0.0.1:{ports['api']}",
            "BACKPROP_HUB_ADMIN_TOKEN": admin_token,
        }
        paths["hub"].mkdir(mode=0o700)
        python = hub_python(base / "hub-python")
        env["PATH"] = os.pathsep.join([str(python.parent), env["PATH"]])
        with open(log_file, "wb") as log:
            hub = subprocess.Popen([str(python), "-m", "jupyterhub", "-f", str(DEPLOY / "jupyterhub_config.py")],
                                   cwd=paths["hub"], env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        http = Http(f"http://127.0.0.1:{ports['proxy']}")

        def hub_up():
            if hub.poll() is not None:
                raise AssertionError(f"the hub exited with {hub.returncode}:\n{log_file.read_text()[-3000:]}")
            answer = http.call("GET", "/hub/api/", admin_token, expect=(200, 404, 502, 503))  # 404: no route yet
            return answer if isinstance(answer, dict) and "version" in answer else None
        wait_for("the hub's API", hub_up, 60)
        yield {"students": students, "instructor": instructor, "paths": paths, "http": http, "hub": hub,
               "admin": admin_token, "course_id": course_id, "log": log_file, "setup_seconds": setup_seconds,
               "base": base}
    finally:
        if hub is not None and hub.poll() is None:
            hub.send_signal(signal.SIGTERM)      # the hub stops every server it started, then the proxy
            try:
                hub.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(hub.pid, signal.SIGKILL)
                hub.wait(timeout=10)
        # a hub stopped while still starting may leave its proxy behind: stop it by the pid the hub recorded
        stop_recorded_proxy(paths["hub"] / "jupyterhub-proxy.pid")
        # anything the students' or instructor's accounts still run was started by this test: stop it by pid
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in processes_of(uids):
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            try:
                wait_for("the test users' processes to end", lambda: not processes_of(uids), 10)
                break
            except AssertionError:
                continue
        if uids:
            subprocess.run([sys.executable, str(DEPLOY / "setup_class.py"), *setup_args, "--remove"],
                           capture_output=True, text=True, timeout=120)
        for name in students + [instructor]:   # in case --remove refused: never leave the accounts behind
            try:
                pwd.getpwnam(name)
                subprocess.run(["userdel", "--remove", name], capture_output=True)
            except KeyError:
                pass
        if os.environ.get("BACKPROP_KEEP_HUB_LOG"):
            shutil.copy(log_file, os.environ["BACKPROP_KEEP_HUB_LOG"]) if log_file.exists() else None
        shutil.rmtree(base, ignore_errors=True)


def start_servers(ctx, names):
    """A token for each user (issued by the admin service) and their servers, started together and polled until
    ready; returns {name: token}."""
    http, admin = ctx["http"], ctx["admin"]
    tokens = {}
    for name in names:
        tokens[name] = http.call("POST", f"/hub/api/users/{name}/tokens", admin,
                                 body={"expires_in": 900, "note": "loopback test"})["token"]
        http.call("POST", f"/hub/api/users/{name}/server", admin)

    def ready(name):
        server = http.call("GET", f"/hub/api/users/{name}", admin).get("servers", {}).get("")
        return server if server and server.get("ready") else None
    for name in names:
        wait_for(f"{name}'s server", lambda: ready(name), 90)
    return tokens


def lab_disabled(http, name, token):
    """The JupyterLab plugins disabled on `name`'s Lab page (its page config, as the browser gets it)."""
    page = http.call("GET", f"/user/{name}/lab", token)
    data = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S)
    assert data, page[:500]
    return set(json.loads(data.group(1)).get("disabledExtensions", []))


def nbgrader(ctx, name, token, action=None, method="POST"):
    http, course = ctx["http"], ctx["course_id"]
    if action is None:
        return http.call("GET", f"/user/{name}/assignments?course_id={course}", token)
    return http.call(method, f"/user/{name}/assignments/{action}", token,
                     form={"assignment_id": A, "course_id": course})


def listed(assignments, status=None):
    value = assignments.get("value", assignments) if isinstance(assignments, dict) else assignments
    return [a for a in value if a.get("assignment_id") == A and (status is None or a.get("status") == status)]


PROBE = """
import ipykernel, json, os
info = ipykernel.get_connection_info(unpack=True)
info = {k: v for k, v in info.items() if k != "key"}
info["connection_file"] = ipykernel.get_connection_file()
info["cwd"] = os.getcwd()
print(json.dumps(info))
"""
PORT_NAMES = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")


def run_in_lab_kernel(ctx, name, token, code, timeout=120):
    """Start a kernel in `name`'s JupyterLab and run `code` through the kernel websocket, as the browser does;
    returns (kernel id, what it printed)."""
    import asyncio
    import uuid
    from datetime import datetime, timezone

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    http = ctx["http"]
    kernel = http.call("POST", f"/user/{name}/api/kernels", token, body={"name": "python3"})
    url = http.base.replace("http://", "ws://", 1) + f"/user/{name}/api/kernels/{kernel['id']}/channels"

    async def talk():
        connection = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {token}"}))
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "msg_type": "execute_request", "username": name, "session": uuid.uuid4().hex,
                  "version": "5.3", "date": datetime.now(timezone.utc).isoformat()}
        await connection.write_message(json.dumps({
            "header": header, "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        printed, replied, idle = [], None, False
        while replied is None or not idle:           # the reply (shell) and every output before idle (iopub)
            message = await asyncio.wait_for(connection.read_message(), timeout)
            assert message is not None, "the kernel websocket closed"
            message = json.loads(message)
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["msg_type"]
            if kind == "stream":
                printed.append(message["content"]["text"])
            elif kind == "execute_reply":
                replied = message["content"]
            elif kind == "status" and message["content"]["execution_state"] == "idle":
                idle = True
        connection.close()
        assert replied["status"] == "ok", replied
        return "".join(printed)
    return kernel["id"], asyncio.run(talk())


def check_private_sockets(name, info, alive):
    """The kernel `info` (its connection info, as it printed it) ran over IPC sockets in `name`'s own 0700 runtime
    folder; they exist as sockets owned by `name` while the kernel runs (alive) and are gone after (not alive)."""
    user = pwd.getpwnam(name)
    runtime = Path(user.pw_dir) / ".local" / "share" / "jupyter" / "runtime"
    assert info["transport"] == "ipc", info
    assert Path(info["ip"]).parent == runtime and Path(info["connection_file"]).parent == runtime, info
    assert Path(info["ip"]).name.startswith("ipc-"), info      # named by autograder/kernel_sockets.py
    assert runtime.stat().st_uid == user.pw_uid and runtime.stat().st_mode & 0o777 == 0o700
    for port in PORT_NAMES:
        path = Path(f"{info['ip']}-{info[port]}")
        assert len(bytes(path)) <= 107, path
        if alive:
            assert stat.S_ISSOCK(path.lstat().st_mode) and path.lstat().st_uid == user.pw_uid, path
        else:
            assert not path.exists(), f"{path} left behind"


def test_a_class_on_jupyterhub(hub_class):
    ctx = hub_class
    t0 = time.monotonic()
    paths, http = ctx["paths"], ctx["http"]
    alice, bob = ctx["students"]
    exchange, workspace = paths["exchange"], paths["workspace"]
    common = ["--workspace", str(workspace), "--exchange", str(exchange), "--course-id", ctx["course_id"]]

    # --- the class as set up: private homes with course/, no solutions anywhere a student can read -------------
    for name in ctx["students"] + [ctx["instructor"]]:
        home = Path(pwd.getpwnam(name).pw_dir)
        assert oct(home.stat().st_mode & 0o777) == "0o700", name
        assert (home / "course" / A / NB).is_file() and not (home / "solutions").exists()
        for notebook in (home / "course").rglob("*.ipynb"):
            text = notebook.read_text()
            assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, notebook
        assert home.stat().st_uid == pwd.getpwnam(name).pw_uid
    assert oct(exchange.stat().st_mode & 0o7777) == "0o1777" and exchange.stat().st_uid == 0

    # --- servers start as the users, through the hub -----------------------------------------------------------
    started = time.monotonic()
    tokens = start_servers(ctx, [alice, bob, ctx["instructor"]])
    start_seconds = time.monotonic() - started
    for name in (alice, bob):
        model = http.call("GET", f"/hub/api/users/{name}", ctx["admin"])
        assert model["servers"][""]["ready"]
    # the student's Lab runs with the student config: instructor server extensions are off
    config = json.loads((paths["etc"] / "student" / "jupyter_server_config.json").read_text())
    assert config["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is False
    http.call("GET", f"/user/{alice}/formgrader", tokens[alice], expect=(404,))   # no formgrader for students
    teacher = ctx["instructor"]
    page = http.call("GET", f"/user/{teacher}/formgrader", tokens[teacher])    # formgrader in its own tab
    assert "formgrade" in page.lower(), page[:300]
    disabled = {name: lab_disabled(http, name, tokens[name]) for name in (alice, teacher)}
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list",
            "@jupyter/nbgrader:create-assignment"} <= disabled[alice]
    assert "@jupyter/nbgrader:formgrader" in disabled[teacher]          # blank inside Lab under JupyterHub >= 4.1
    assert not {"@jupyter/nbgrader:course-list", "@jupyter/nbgrader:create-assignment"} & disabled[teacher]

    # --- kernels run over IPC sockets in the student's own runtime folder, not loopback TCP ports ----------------
    kernel_id, printed = run_in_lab_kernel(ctx, alice, tokens[alice], PROBE)      # JupyterLab's kernel
    info = json.loads(printed)
    check_private_sockets(alice, info, alive=True)
    http.call("DELETE", f"/user/{alice}/api/kernels/{kernel_id}", tokens[alice], expect=(204,))
    check_private_sockets(alice, info, alive=False)
    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        PROBE + "open('sockets_probe.json', 'w').write(json.dumps(info))")])
    http.call("PUT", f"/user/{bob}/api/contents/sockets_probe.ipynb", tokens[bob],
              body={"type": "notebook", "format": "json", "content": json.loads(nbformat.writes(probe))})
    checked = http.call("POST", f"/user/{bob}/assignments/validate", tokens[bob], form={"path": "sockets_probe.ipynb"})
    assert checked["success"], checked                                            # Validate's kernel
    bob_home = Path(pwd.getpwnam(bob).pw_dir)
    info = json.loads((bob_home / "sockets_probe.json").read_text())
    assert info["cwd"] == str(bob_home), info
    check_private_sockets(bob, info, alive=False)
    assert not [p for p in bob_home.iterdir() if p.name.startswith(("kernel-", "ipc-"))], list(bob_home.iterdir())

    # --- instructor (root) releases to the class exchange ------------------------------------------------------
    grade(["release", A, *common])
    assert listed(nbgrader(ctx, alice, tokens[alice]), "released"), nbgrader(ctx, alice, tokens[alice])

    # --- students fetch, write their notebook through the contents API, submit ------------------------------------
    released = mutate.read(COURSE / A / NB)
    instructor_nb = mutate.read(SOLUTIONS / A / NB)
    points = mutate.points(instructor_nb)
    total = sum(points.values())
    lost = sum(points[g] for g in mutate.graded_by(instructor_nb)["update"])
    work = {alice: mutate.correct_submission(released, instructor_nb),
            bob: mutate.mutant_submission(released, instructor_nb, "update", "perturbed")}
    for name, nb in work.items():
        assert listed(nbgrader(ctx, name, tokens[name], "fetch"), "fetched")
        fetched = Path(pwd.getpwnam(name).pw_dir) / A / NB
        assert fetched.stat().st_uid == pwd.getpwnam(name).pw_uid   # fetched as the student, into the home
        http.call("PUT", f"/user/{name}/api/contents/{A}/{NB}", tokens[name],
                  body={"type": "notebook", "format": "json", "content": json.loads(nbformat.writes(nb))})
        checked = http.call("POST", f"/user/{name}/assignments/validate", tokens[name],
                            form={"path": f"{A}/{NB}"})                  # the Validate button
        assert checked["success"], checked
        if name == alice:
            assert not checked["value"].get("failed") and not checked["value"].get("changed"), checked
        answer = nbgrader(ctx, name, tokens[name], "submit")
        assert listed(answer, "submitted") or answer.get("success", True), answer

    inbound = exchange / ctx["course_id"] / "inbound"
    entries = {name: sorted(p for p in inbound.iterdir() if p.name.startswith(f"{name}+{A}+"))
               for name in (alice, bob)}
    assert all(len(v) == 1 for v in entries.values()), entries
    assert entries[alice][0].stat().st_uid == pwd.getpwnam(alice).pw_uid

    # --- what a student cannot do (as bob's own Linux user) ----------------------------------------------------
    alice_home = pwd.getpwnam(alice).pw_dir
    alice_nb = entries[alice][0] / NB
    course_folder = exchange / ctx["course_id"]
    out = as_user(bob, ATTEMPT + f'''
attempt("read-home", lambda: os.listdir({alice_home!r}))
attempt("read-home-file", lambda: open({alice_home!r} + "/{A}/{NB}").read())
attempt("list-inbound", lambda: os.listdir({str(inbound)!r}))
attempt("overwrite-submission", lambda: open({str(alice_nb)!r}, "w").write("{{}}"))
attempt("rename-submission", lambda: os.rename({str(entries[alice][0])!r}, {str(inbound / "x")!r}))
attempt("rename-course", lambda: os.rename({str(course_folder)!r}, {str(exchange / "stolen")!r}))
attempt("replace-outbound", lambda: os.rename({str(course_folder / "outbound")!r}, {str(course_folder / "o2")!r}))
attempt("write-helpers", lambda: open({str(REPO / "helpers" / "backprop" / "__init__.py")!r}, "a").write(""))
attempt("read-workspace", lambda: os.listdir({str(workspace)!r}))
attempt("list-feedback", lambda: os.listdir({str(course_folder / "feedback")!r}))
''')
    verdicts = dict(line.split(" ", 1) for line in out.strip().splitlines())
    for label, verdict in verdicts.items():
        assert verdict.startswith("denied"), (label, verdict, out)
    assert len(verdicts) == 10
    # a forged entry under alice's name (inbound/ is writable, so bob can make one) is never collected as hers
    as_user(bob, f'''
import os, json
entry = {str(inbound)!r} + "/{alice}+{A}+2030-01-01 00:00:00.000000 UTC+forged"
os.mkdir(entry)
open(entry + "/{NB}", "w").write(json.dumps({json.loads(nbformat.writes(released))!r}))
open(entry + "/timestamp.txt", "w").write("2030-01-01 00:00:00.000000 UTC")
''')

    # --- instructor: collect, autograde (sandboxed, as root), feedback, export -----------------------------------
    collected = grade(["collect", A, *common])
    assert f"claims to be from {alice!r} but is owned by {bob!r}" in collected, collected
    grade(["autograde", A, *common, "--jobs", "2", "--cell-timeout", "30", "--notebook-budget", "120"])
    grade(["feedback", A, *common])
    csv_path = ctx["base"] / "grades.csv"
    grade(["export", A, *common, "--output", str(csv_path)])
    rows = {row["student_id"]: row for row in csv.DictReader(open(csv_path))}
    assert float(rows[alice]["score"]) == pytest.approx(total), rows[alice]
    assert float(rows[bob]["score"]) == pytest.approx(total - lost), rows[bob]
    assert 0 < total - lost < total
    assert float(rows[alice]["max_score"]) == pytest.approx(total)

    # --- each student fetches their own feedback through their server ----------------------------------------------
    for name in (alice, bob):
        nbgrader(ctx, name, tokens[name], "fetch_feedback")
        folder = http.call("GET", f"/user/{name}/api/contents/{A}/feedback", tokens[name])
        stamps = [item["path"] for item in folder["content"] if item["type"] == "directory"]
        assert len(stamps) == 1, folder
        files = http.call("GET", f"/user/{name}/api/contents/{stamps[0]}", tokens[name])["content"]
        html = [f for f in files if f["name"].endswith(".html")]
        assert [f["name"] for f in html] == [NB.replace(".ipynb", ".html")]
        page = http.call("GET", f"/user/{name}/api/contents/{html[0]['path']}?content=1&format=text&type=file",
                         tokens[name])["content"]
        assert "BEGIN HIDDEN TESTS" not in page
        assert ("HiddenChecksFailed" in page) == (name == bob), name       # bob's feedback says what he lost
        on_disk = Path(pwd.getpwnam(name).pw_dir) / html[0]["path"]
        assert on_disk.stat().st_uid == pwd.getpwnam(name).pw_uid
    # --- servers stopped through the API leave no process of the class's accounts behind -------------------------
    everyone = ctx["students"] + [ctx["instructor"]]
    for name in everyone:
        http.call("DELETE", f"/hub/api/users/{name}/server", ctx["admin"], expect=(202, 204))

        def stopped(name=name):
            return not http.call("GET", f"/hub/api/users/{name}", ctx["admin"]).get("servers")
        wait_for(f"{name}'s server to stop", stopped, 30)
    uids = {pwd.getpwnam(n).pw_uid for n in everyone}
    wait_for("no process of the class's accounts", lambda: not processes_of(uids), 15)
    print(f"\nclass set up in {ctx['setup_seconds']:.1f} s; three servers ready in {start_seconds:.1f} s; "
          f"loop {time.monotonic() - t0:.1f} s; grades: full {total}, partial {total - lost}")
