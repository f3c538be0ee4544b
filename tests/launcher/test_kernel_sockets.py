"""Kernels of a class over IPC sockets (autograder/kernel_sockets.py, configured by scripts/lab.py): each kernel's
socket paths are its own, in a private 0700 folder, short enough for a Unix socket, never in the student's folder;
8 kernels started at once from separate processes, as a class's servers and Validates start them, all get ready.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder import kernel_sockets

REPO = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("kernel_worker.py")
PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
# Kernels of each kind (JupyterLab-style and Validate-style) started at once: enough to show that names never clash
# and nothing lands in the students' folders; the N=30 hub benchmark is the load test (docs/run-a-class.md).
KERNELS_PER_KIND = 4


def longest_socket(folder: Path) -> int:
    """Bytes of the longest socket path a kernel gets in `folder` (prefix ipc-<16 hex>, then -N)."""
    return len(os.fsencode(str(folder / ("ipc-" + "f" * 16)))) + len("-99")


@pytest.fixture
def short_home():
    """A folder in /tmp with a path as short as a real home's (pytest's tmp_path can be too long for
    socket paths below it)."""
    home = Path(tempfile.mkdtemp(prefix="bpk-", dir="/tmp"))
    yield home
    shutil.rmtree(home, ignore_errors=True)


def test_sockets_go_to_the_private_runtime_folder(short_home, monkeypatch):
    runtime = short_home / "home" / "runtime"
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
    prefix = Path(kernel_sockets.socket_prefix())
    assert prefix.parent == runtime and prefix.name.startswith("ipc-")
    assert runtime.stat().st_mode & 0o777 == 0o700 and runtime.stat().st_uid == os.geteuid()
    prefixes = {kernel_sockets.socket_prefix() for _ in range(500)}
    assert len(prefixes) == 500


def test_a_name_already_in_the_folder_is_never_given_again(short_home, monkeypatch):
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(short_home / "runtime"))
    names = iter(["aa" * 8, "aa" * 8, "bb" * 8])
    monkeypatch.setattr(kernel_sockets.secrets, "token_hex", lambda n: next(names))
    first = kernel_sockets.socket_prefix()
    Path(first + "-1").write_text("")  # a kernel's socket (or a stale one) now uses that name
    assert kernel_sockets.socket_prefix() == str(short_home / "runtime" / ("ipc-" + "bb" * 8))


def test_a_home_too_long_for_socket_paths_falls_back_to_a_private_temp_folder(short_home, monkeypatch):
    # the runtime folder of a 32-character user name under /home fits (a Unix socket path has at most 107 bytes)
    assert longest_socket(Path("/home") / ("u" * 32) / ".local/share/jupyter/runtime") <= 107
    base = short_home / "h"
    room = 107 - longest_socket(base / "x")
    fits, too_long = base / ("x" * (room + 1)), base / ("x" * (room + 2))
    assert longest_socket(fits) == 107 and longest_socket(too_long) == 108
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(fits))
    assert Path(kernel_sockets.socket_prefix()).parent == fits
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(too_long))
    monkeypatch.setattr(kernel_sockets.tempfile, "tempdir", str(short_home / "t"))
    (short_home / "t").mkdir()
    fallback = Path(kernel_sockets.socket_prefix()).parent
    assert fallback == short_home / "t" / f"jupyter-ipc-{os.geteuid()}" and not too_long.exists()
    assert fallback.stat().st_mode & 0o777 == 0o700


def test_a_folder_others_may_enter_is_not_used(short_home, monkeypatch):
    shared = short_home / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(shared))
    monkeypatch.setattr(kernel_sockets.tempfile, "tempdir", str(short_home / "t"))
    (short_home / "t").mkdir()
    squatted = short_home / "t" / f"jupyter-ipc-{os.geteuid()}"
    squatted.symlink_to(shared)  # e.g. planted by someone else in a shared /tmp
    with pytest.raises(RuntimeError, match="no private folder for kernel sockets.*not a 0700 folder"):
        kernel_sockets.socket_prefix()
    squatted.unlink()
    assert Path(kernel_sockets.socket_prefix()).parent == squatted and kernel_sockets.is_private(squatted)


def test_server_kernels_take_their_names_from_the_private_folder(short_home, monkeypatch):
    from traitlets.config import Config

    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(short_home / "runtime"))
    config = Config({"KernelManager": {"transport": "ipc"}})
    connection = str(short_home / "runtime" / ("kernel-" + "0" * 36 + ".json"))
    one, two = (kernel_sockets.IPCKernelManager(config=config, connection_file=connection) for _ in range(2))
    assert one.ip != two.ip and Path(one.ip).parent == short_home / "runtime"
    assert kernel_sockets.IPCKernelManager(connection_file=connection).ip == "127.0.0.1"  # tcp: unchanged


def is_socket(path: str) -> bool:
    try:
        return stat.S_ISSOCK(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


@pytest.mark.slow
def test_8_kernels_started_at_once_get_ready_on_sockets_of_their_own(tmp_path, short_home, lab):
    """4 server kernels and 4 Validate kernels, each from its own process, all started together with the student
    config in one user's runtime folder; every kernel reports its own sockets and waits until all have."""
    config_dir = lab.write_student_config(tmp_path / "config", str(tmp_path / "exchange"))
    report = tmp_path / "report"
    report.mkdir()
    runtime = short_home / ".local" / "share" / "jupyter" / "runtime"
    env = {**os.environ, "JUPYTER_CONFIG_PATH": str(config_dir), "JUPYTER_RUNTIME_DIR": str(runtime),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "jcfg"), "JUPYTER_DATA_DIR": str(tmp_path / "jdata"),
           "IPYTHONDIR": str(tmp_path / "ipython"), "MPLCONFIGDIR": str(tmp_path / "mpl"),
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    kinds = {f"{kind}{k:02d}": kind for k in range(KERNELS_PER_KIND) for kind in ("server", "validate")}
    folders = {name: tmp_path / "students" / name / "00_basics" for name in kinds}
    processes, started = {}, time.monotonic()
    try:
        for name, kind in kinds.items():
            folders[name].mkdir(parents=True)
            processes[name] = subprocess.Popen(
                [sys.executable, str(WORKER), kind, str(config_dir), str(report), name], cwd=folders[name], env=env,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready = {}
        while len(ready) < len(kinds) and time.monotonic() - started < 300:
            for name in kinds:
                if name not in ready and (report / f"{name}.json").exists():
                    ready[name] = time.monotonic() - started
            failed = {n: p for n, p in processes.items() if p.poll() is not None}
            assert not failed, "\n".join(f"{n}: {p.communicate()[1][-3000:]}" for n, p in failed.items())
            time.sleep(0.2)
        assert len(ready) == len(kinds), f"not ready after 300 s: {sorted(set(kinds) - set(ready))}"
        infos = {name: json.loads((report / f"{name}.json").read_text()) for name in kinds}

        # every kernel is alive now, waiting for go: look at its sockets
        paths = [f"{info['ip']}-{info[port]}" for info in infos.values() for port in PORTS]
        assert len(set(paths)) == len(paths) == 5 * len(kinds), "two kernels share a socket path"
        assert len({info["connection_file"] for info in infos.values()}) == len(kinds)
        for name, info in infos.items():
            assert info["transport"] == "ipc", (name, info)
            assert Path(info["ip"]).parent == runtime and Path(info["ip"]).name.startswith("ipc-"), (name, info)
            assert info["cwd"] == str(folders[name]), (name, info)   # the kernel runs in the student's folder...
            assert all(is_socket(f"{info['ip']}-{info[port]}") for port in PORTS), (name, info)
            assert max(len(os.fsencode(f"{info['ip']}-{info[port]}")) for port in PORTS) <= 107
            assert Path(info["connection_file"]).parent == runtime, (name, info)
        assert runtime.stat().st_mode & 0o777 == 0o700 and runtime.stat().st_uid == os.geteuid()
        print(f"\n{len(kinds)} kernels ready {min(ready.values()):.1f}-{max(ready.values()):.1f} s after the "
              "first start")
    finally:
        (report / "go").write_text("")
        for process in processes.values():
            try:
                process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    outputs = {name: process.communicate() for name, process in processes.items()}
    for name, process in processes.items():
        assert process.returncode == 0, (name, outputs[name][1][-2000:])
        expected = "validated" if kinds[name] == "validate" else "go"
        assert outputs[name][0].strip() == expected, (name, outputs[name])
        # ...but nothing of it lands there (only the Validate worker's own notebook)
        assert sorted(p.name for p in folders[name].iterdir()) == (["worker.ipynb"] if kinds[name] == "validate"
                                                                   else []), name
    assert not [p.name for p in runtime.iterdir() if p.name.startswith("ipc-")], "sockets left after shutdown"
