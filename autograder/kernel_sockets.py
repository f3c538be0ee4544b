"""A class's kernels over IPC sockets, not loopback TCP ports: a fresh socket name per kernel in a private folder.

Why: jupyter_client picks a kernel's "free" TCP ports by binding port 0 and closing the socket, and the kernel binds
them a moment later; many servers starting kernels at once (a class on one hub) collide in that window, and the
kernel dies or hangs with ``ZMQError: Address already in use``. Unix sockets have no such window when every kernel
gets a name no other kernel uses, in a 0700 folder only its owner can enter.

jupyter_client's own IPC naming will not do: it names the sockets after the connection file (for a server's kernel
``<runtime>/kernel-<uuid>-ipc-N``, past the 107 bytes a socket path may have under a long home folder) or, with no
connection file yet (nbclient, hence nbgrader's Validate), ``kernel-ipc-N`` in the current folder: the student's
assignment folder, shared by two Validates of the same notebook.

The student config that scripts/lab.py writes (also the hub's, through deploy/single-server/setup_class.py) uses
this module twice: :class:`IPCKernelManager` for JupyterLab's kernels, and :func:`socket_prefix` in
``nbgrader_config.py``, which nbgrader reads anew for every Validate, so that each Validate kernel gets its own name.
"""
from __future__ import annotations

import os
import secrets
import stat
import tempfile
from pathlib import Path

from jupyter_core.paths import jupyter_runtime_dir
from jupyter_server.services.kernels.kernelmanager import ServerKernelManager

MAX_SOCKET_PATH = 107  # bytes: sockaddr_un.sun_path holds 108 with the closing NUL
PORT_ROOM = len("-99")  # ipykernel names a kernel's five sockets <prefix>-1 ... <prefix>-5
NAME = "ipc-{}"  # a kernel's prefix inside the folder; {} is NAME_BYTES random bytes in hex
NAME_BYTES = 8


def _fits(folder: Path) -> bool:
    """Whether a kernel's longest socket path in `folder` fits a Unix socket address."""
    longest = folder / NAME.format("0" * 2 * NAME_BYTES)
    return len(os.fsencode(str(longest))) + PORT_ROOM <= MAX_SOCKET_PATH


def is_private(folder: Path) -> bool:
    """A real folder (not a symlink) owned by this user that nobody else may enter, list or write (mode 0700)."""
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & 0o077


def candidate_folders() -> list[Path]:
    """Where kernel sockets may go, best first: Jupyter's runtime folder (in the home, 0700 as Jupyter makes it),
    then a folder of this user's own in the temporary directory."""
    own_temp = Path(tempfile.gettempdir()).absolute() / f"jupyter-ipc-{os.geteuid()}"
    return [Path(jupyter_runtime_dir()).absolute(), own_temp]


def socket_folder() -> Path:
    """The first candidate folder that is private (made 0700 when missing) and short enough for socket paths."""
    tried = []
    for folder in candidate_folders():
        if not _fits(folder):
            tried.append(f"{folder} (too long for a socket path)")
            continue
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            tried.append(f"{folder} ({error.strerror})")
            continue
        if is_private(folder):
            return folder
        tried.append(f"{folder} (not a 0700 folder of user {os.geteuid()})")
    raise RuntimeError("no private folder for kernel sockets: " + "; ".join(tried) +
                       ". Set JUPYTER_RUNTIME_DIR to a short folder only you can enter (mode 0700).")


def socket_prefix(folder: Path | None = None) -> str:
    """A kernel's IPC ``ip``: a name no socket or connection file in the private folder has (sockets <prefix>-N)."""
    folder = socket_folder() if folder is None else Path(folder)
    while True:
        prefix = folder / NAME.format(secrets.token_hex(NAME_BYTES))
        if not any(folder.glob(prefix.name + "*")):
            return str(prefix)


class IPCKernelManager(ServerKernelManager):
    """JupyterLab's kernel manager; with ``transport = "ipc"`` its sockets are named by :func:`socket_prefix`."""

    def _ip_default(self) -> str:
        return socket_prefix() if self.transport == "ipc" else super()._ip_default()
