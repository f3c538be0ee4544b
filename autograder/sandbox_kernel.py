"""Launch an IPython kernel inside a grading sandbox (run as a script by SandboxedExecute's kernel spec).

Steps: read the connection file; when started as root inside a private mount namespace (``unshare --mount``),
hide the instructor's folders (workspace, exchange, solutions) under empty tmpfs mounts and make the Python
installation reachable for the unprivileged user; copy the connection file into the sandbox; set resource
limits (address space, no core dumps); drop to the unprivileged user; clean the environment (HOME and caches
inside the sandbox); change into the sandbox and exec the kernel. A plain script: imports nothing of the course.
"""
import argparse
import os
import pwd
import resource
import stat
import subprocess
import sys
import tempfile

KEEP_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "JPY_PARENT_PID", "NBGRADER_EXECUTION", "PYTHONHASHSEED")


def sandbox_env(workdir):
    """The kernel's environment: a few harmless variables, every home/cache/config path inside ``workdir``."""
    env = {key: os.environ[key] for key in KEEP_ENV if key in os.environ}
    env.update(
        HOME=workdir,
        TMPDIR=os.path.join(workdir, "tmp"),
        IPYTHONDIR=os.path.join(workdir, ".ipython"),
        MPLCONFIGDIR=os.path.join(workdir, ".config", "matplotlib"),
        JUPYTER_CONFIG_DIR=os.path.join(workdir, ".jupyter"),
        JUPYTER_DATA_DIR=os.path.join(workdir, ".local", "share", "jupyter"),
        JUPYTER_RUNTIME_DIR=os.path.join(workdir, ".local", "share", "jupyter", "runtime"),
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONDONTWRITEBYTECODE="1",
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        SANDBOXED_GRADING="1",
    )
    return env


def _mount(*args):
    subprocess.run(["mount", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def expose(paths, staging_root):
    """Make ``paths`` reachable for every user although an ancestor (e.g. /root, mode 0700) blocks them.

    The blocking ancestor is replaced, in this mount namespace only, by an empty tmpfs that anyone may traverse,
    and the needed subtree is bind-mounted back into it; everything else in that ancestor stays invisible.
    """
    moves = {}
    for path in paths:
        path = os.path.realpath(path)
        parts = path.strip("/").split("/")
        for depth in range(1, len(parts)):
            ancestor = "/" + "/".join(parts[:depth])
            if not os.stat(ancestor).st_mode & stat.S_IXOTH:
                moves.setdefault(ancestor, set()).add(parts[depth])
                break
    for ancestor, children in moves.items():
        staged = []
        for child in sorted(children):
            stage = tempfile.mkdtemp(dir=staging_root)
            _mount("--bind", os.path.join(ancestor, child), stage)
            staged.append((child, stage))
        _mount("-t", "tmpfs", "-o", "mode=0711,size=1m", "tmpfs", ancestor)
        for child, stage in staged:
            os.mkdir(os.path.join(ancestor, child), 0o755)
            _mount("--move", stage, os.path.join(ancestor, child))
            os.rmdir(stage)


def hide(paths):
    """Cover each existing path with an empty, read-only tmpfs (this mount namespace only)."""
    for path in paths:
        if os.path.isdir(path):
            _mount("-t", "tmpfs", "-o", "mode=0755,size=64k,ro", "tmpfs", os.path.realpath(path))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--user", default="")
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--hide", action="append", default=[], help="folder to make invisible (needs --isolate)")
    parser.add_argument("--isolate", action="store_true",
                        help="running in a private mount namespace as root: hide folders, expose Python")
    parser.add_argument("-f", dest="connection_file", required=True)
    args, kernel_args = parser.parse_known_args(argv)

    workdir = os.path.realpath(args.workdir)
    with open(args.connection_file, "rb") as fh:
        connection = fh.read()
    if args.isolate:
        expose({sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable))}, workdir)
        hide(args.hide)
    private_connection = os.path.join(workdir, ".kernel-connection.json")
    fd = os.open(private_connection, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(connection)

    if args.memory_mb > 0:
        limit = args.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    if os.geteuid() == 0 and args.user:
        account = pwd.getpwnam(args.user)
        os.chown(private_connection, account.pw_uid, account.pw_gid)
        os.setgroups([])
        os.setgid(account.pw_gid)
        os.setuid(account.pw_uid)
        if os.geteuid() == 0:  # pragma: no cover - setuid must never silently fail
            sys.exit("sandbox: could not drop root privileges")

    os.chdir(workdir)
    os.umask(0o077)
    # The kernel's own stdout/stderr (start-up warnings, C-level writes) go to a log in the sandbox.
    log_fd = os.open(os.path.join(workdir, "kernel.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    python = sys.executable
    os.execve(python, [python, "-m", "ipykernel_launcher", "-f", private_connection, *kernel_args],
              sandbox_env(workdir))


if __name__ == "__main__":
    main()
