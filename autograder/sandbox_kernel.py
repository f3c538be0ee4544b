"""Launch an IPython kernel inside a grading sandbox (run as a script by SandboxedExecute's kernel spec).

Steps: copy the connection file into the sandbox, set resource limits (address space, no core dumps), drop
to an unprivileged user when started as root, clean the environment (HOME and caches inside the sandbox),
change into the sandbox and exec the kernel. Runs as a plain script so it imports nothing from the course.
"""
import argparse
import os
import pwd
import resource
import sys

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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--user", default="")
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("-f", dest="connection_file", required=True)
    args = parser.parse_args(argv)

    workdir = os.path.realpath(args.workdir)
    with open(args.connection_file, "rb") as fh:
        connection = fh.read()
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
    python = sys.executable
    os.execve(python, [python, "-m", "ipykernel_launcher", "-f", private_connection,
                       "--HistoryManager.hist_file=:memory:"], sandbox_env(workdir))


if __name__ == "__main__":
    main()
