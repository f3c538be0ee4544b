"""One bubblewrap sandbox per notebook run: what the student's kernel can see, and the limits it runs under.

The kernel starts as ``prlimit ... -- bwrap ... -- [setpriv --reuid U ...] -- python -m ipykernel_launcher``:
- new pid, network, ipc, uts and cgroup namespaces, and either its own unprivileged uid (as root) or a new user
  namespace (otherwise); it dies with the grader (``--die-with-parent``) and everything it started dies with
  its pid namespace;
- the file system is read-only system folders, the Python installation and the course's helper package, a fresh
  size-capped tmpfs for /tmp (home and working folder live there) and /dev/shm, and one run folder bound in: the
  IPC sockets the grader talks through, the submission's extra files and the probe inputs. Nothing of the
  repository, the workspace (gradebook, source/, other submissions), the exchange or other sandboxes is visible;
- limits on address space, processes, open files, file size and CPU time (``prlimit``); as root the kernel runs
  as a fresh unprivileged uid of its own, so its process limit and any leftover process belong to it alone.
"""
import itertools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError

# Where the run folder appears inside the sandbox; the grader's real path is bound there.
INSIDE_RUN = "/run/grading"
# Top-level system folders: bound when real folders, recreated as symlinks when (merged /usr) symlinks.
TOP_LEVEL = ("/lib", "/lib64", "/lib32", "/bin", "/sbin")
# The uids that root hands to sandboxes (unused by the system; one per run, so limits and clean-up are per run).
UID_BASE = 3_100_000
_counter = itertools.count()


@dataclass(frozen=True)
class Limits:
    """The grading limits, defined once (the CLI, the config and the sandbox read them from here)."""

    cell_timeout: float = 30.0          # seconds per cell (and per probe)
    notebook_budget: float = 180.0      # wall-clock seconds per notebook, all cells together
    memory_mb: int = 3072               # address space of the kernel and each of its processes
    processes: int = 64                 # processes/threads of the sandbox's own uid
    file_mb: int = 256                  # largest file the kernel may write
    tmpfs_mb: int = 512                 # size of /tmp (home, working folder) and of /dev/shm
    output_mb: float = 4.0              # output kept per notebook; the rest is dropped while it streams

    def __post_init__(self):
        for name in ("cell_timeout", "notebook_budget", "memory_mb", "processes", "file_mb", "tmpfs_mb", "output_mb"):
            if not getattr(self, name) > 0:
                raise UserError(f"--{name.replace('_', '-')} must be positive, got {getattr(self, name)!r}",
                                "pass a number greater than 0")


def bwrap_path():
    return shutil.which("bwrap")


def check_available():
    """Raise a UserError saying what to install when bubblewrap cannot run sandboxes here."""
    if bwrap_path() is None:
        raise UserError("bubblewrap (bwrap) is not installed, so student code cannot be sandboxed",
                        "install it (Debian/Ubuntu: apt-get install bubblewrap), or, only for notebooks you "
                        "trust, pass --trusted-no-sandbox")
    probe = subprocess.run([bwrap_path(), "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        raise UserError(f"bubblewrap cannot create a sandbox here: {probe.stderr.strip()[:200]}",
                        "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) or grade "
                        "as root; only for notebooks you trust, pass --trusted-no-sandbox")


def _readable_roots():
    """Folders the kernel needs, read-only: system folders, Python, and the course helpers (editable install)."""
    roots = ["/usr", "/etc"] + [d for d in TOP_LEVEL if not os.path.islink(d)]
    roots += [sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(sys.executable))]
    import backprop
    roots.append(str(Path(backprop.__file__).resolve().parent))
    import numpy
    roots.append(str(Path(numpy.__file__).resolve().parents[1]))  # site-packages, wherever it lives
    keep = []
    for root in sorted({os.path.realpath(r) for r in roots if os.path.exists(r)}, key=len):
        if not any(root == k or root.startswith(k + "/") for k in keep):
            keep.append(root)
    return keep


class Run:
    """The host side of one sandboxed kernel run: the run folder, the uid, the command, and the clean-up."""

    def __init__(self, limits, files_from=None, tag=""):
        self.limits = limits
        self.root = Path(tempfile.mkdtemp(prefix=run_prefix(tag), dir="/tmp"))
        os.chmod(self.root, 0o711)
        self.uid = (UID_BASE + (os.getpid() % 100_000) * 16 + next(_counter) % 16) if os.geteuid() == 0 else None
        for sub in ("ipc", "files", "probe"):
            (self.root / sub).mkdir()
        if files_from:
            _copy_regular_files(Path(files_from), self.root / "files")
        _font_cache_into(self.root / "files" / ".config" / "matplotlib")
        owner = self.uid if self.uid is not None else os.getuid()
        for path in [self.root / "ipc", self.root / "probe", self.root / "files", *(self.root / "files").rglob("*")]:
            os.chown(path, owner, owner, follow_symlinks=False)
        os.chmod(self.root / "ipc", 0o700)
        os.chmod(self.root / "probe", 0o700)

    @property
    def ipc_prefix(self):
        """The ``ip`` of an IPC-transport kernel: socket files are named ``<prefix>-<port>``."""
        return str(self.root / "ipc" / "k")

    @property
    def connection_file(self):
        return str(self.root / "ipc" / "kernel.json")

    def inside(self, host_path):
        """Where a path under the run folder appears inside the sandbox."""
        return INSIDE_RUN + "/" + str(Path(host_path).relative_to(self.root))

    def kernel_argv(self):
        """The command that starts the sandboxed kernel (``{connection_file}`` is filled in by jupyter_client).

        As root, bwrap sets the sandbox up with its privileges (mounts of folders that an unprivileged user
        could not even reach, e.g. a Python under /root) and ``setpriv`` then drops to the run's own uid with
        no capabilities. Otherwise bwrap runs unprivileged in a new user namespace.
        """
        lim = self.limits
        mb = 1024 * 1024
        cpu = int(lim.notebook_budget * 2) + 30
        argv = ["prlimit", f"--as={lim.memory_mb * mb}", f"--fsize={lim.file_mb * mb}", f"--cpu={cpu}",
                "--core=0", "--nofile=512"]
        if self.uid is not None:
            argv += [f"--nproc={lim.processes}"]
        tmp_bytes = str(lim.tmpfs_mb * mb)
        argv += ["--", bwrap_path(), "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                 "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", "sandbox"]
        if self.uid is None:
            argv += ["--unshare-user", "--uid", "65534", "--gid", "65534"]
        argv += ["--perms", "1777", "--size", tmp_bytes, "--tmpfs", "/tmp"]
        for link in TOP_LEVEL:
            if os.path.islink(link):
                argv += ["--symlink", os.readlink(link), link]
        made = set()
        binds = [(root, root) for root in _readable_roots()]
        binds += [(str(self.root / "files"), INSIDE_RUN + "/files"), (str(self.root / "probe"), INSIDE_RUN + "/probe")]
        for source, target in binds:
            argv += _parents(target, made, [t for _, t in binds if t != target])
            argv += ["--ro-bind", source, target]
        argv += _parents(str(self.root / "ipc"), made, ["/tmp"])
        argv += ["--bind", str(self.root / "ipc"), str(self.root / "ipc"),
                 "--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", tmp_bytes, "--tmpfs", "/dev/shm",
                 "--clearenv", "--chdir", "/tmp"]
        for key, value in sandbox_env().items():
            argv += ["--setenv", key, value]
        start = ("import os, shutil, sys\n"
                 "null = os.open('/dev/null', os.O_WRONLY); os.dup2(null, 1); os.dup2(null, 2)\n"
                 f"shutil.copytree({INSIDE_RUN + '/files'!r}, '/tmp/home', dirs_exist_ok=True, symlinks=True)\n"
                 "os.makedirs('/tmp/home/work', exist_ok=True); os.chdir('/tmp/home/work'); os.umask(0o077)\n"
                 "os.execv(sys.executable, [sys.executable, '-m', 'ipykernel_launcher', '-f', *sys.argv[1:]])\n")
        argv += ["--"]
        if self.uid is not None:
            argv += ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups", "--inh-caps=-all",
                     "--"]
        argv += [sys.executable, "-I", "-c", start, "{connection_file}"]
        return argv

    def hand_over(self, path):
        """Give a file in the run folder to the sandbox's uid (e.g. the connection file)."""
        owner = self.uid if self.uid is not None else os.getuid()
        os.chown(path, owner, owner)

    def write_probe_data(self, name, payload):
        """Put probe input bytes where the kernel can read them; returns the path inside the sandbox."""
        path = self.root / "probe" / name
        path.write_bytes(payload)
        os.chown(path, self.uid if self.uid is not None else os.getuid(), -1)
        return self.inside(path)

    def cpu_seconds_before_kill(self):
        """CPU seconds the run's processes have used so far (as root, where the run has its own uid; else None)."""
        return uid_cpu_seconds(self.uid) if self.uid is not None else None

    def cleanup(self):
        """Kill whatever still runs under this run's uid and remove the run folder."""
        if self.uid is not None:
            kill_uid(self.uid)
        shutil.rmtree(self.root, ignore_errors=True)


def run_prefix(tag=""):
    """The name prefix of run folders (/tmp/<prefix>...); ``tag`` (e.g. a workspace digest) groups one grader's runs."""
    return f"bpg-{tag}-" if tag else "bpg-"


def _parents(target, made, bound):
    """``--dir`` options creating the missing parents of a mount point with mode 0755 (not the host's modes)."""
    out = []
    parts = target.strip("/").split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        folder = "/" + "/".join(parts[:depth])
        inside_bind = any(folder == b or folder.startswith(b + "/") for b in bound if b != "/tmp") or folder == "/tmp"
        if folder not in made and not inside_bind:
            made.add(folder)
            out += ["--perms", "0755", "--dir", folder]
    return out


def sandbox_env():
    """The kernel's whole environment: home and every cache inside the sandbox's /tmp, one BLAS thread.

    PYTHONPATH names the folder of the grader's own helper package, so the kernel imports the same engine.
    """
    import backprop

    home = "/tmp/home"
    return {
        "PYTHONPATH": str(Path(backprop.__file__).resolve().parents[1]),
        "PATH": os.path.dirname(sys.executable) + ":/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8", "HOME": home, "TMPDIR": "/tmp", "USER": "student",
        "IPYTHONDIR": home + "/.ipython", "MPLCONFIGDIR": home + "/.config/matplotlib",
        "JUPYTER_CONFIG_DIR": home + "/.jupyter", "JUPYTER_DATA_DIR": home + "/.local/share/jupyter",
        "JUPYTER_RUNTIME_DIR": home + "/.local/share/jupyter/runtime", "JUPYTER_PLATFORM_DIRS": "1",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "NBGRADER_EXECUTION": "autograde", "SANDBOXED_GRADING": "1",
    }


def _uid_pids(uid):
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    pids.append(int(entry))
            except OSError:
                continue
    return pids


def uid_cpu_seconds(uid):
    """User + system CPU seconds of the processes of ``uid`` that still run (with their reaped children)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in _uid_pids(uid):
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks


def kill_uid(uid):
    """SIGKILL every process owned by ``uid`` (a sandbox's own uid; nothing else runs under it)."""
    for _ in range(3):
        pids = _uid_pids(uid)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def _copy_regular_files(source, target, max_files=200, max_bytes=50 * 1024 * 1024):
    """Copy the submission's extra files (no notebooks, no symlinks, nothing but regular files) into ``target``."""
    count = total = 0
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if path.is_symlink() or rel.parts[0] in (".ipynb_checkpoints",) or path.suffix == ".ipynb":
            continue
        if path.is_dir():
            (target / "work" / rel).mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            count += 1
            total += path.stat().st_size
            if count > max_files or total > max_bytes:
                break
            (target / "work" / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / "work" / rel, follow_symlinks=False)


def _font_cache_into(folder):
    """Matplotlib's font list built by the grader, so kernels do not rebuild it on every start."""
    try:
        import glob

        import matplotlib
        import matplotlib.font_manager  # noqa: F401  (builds the cache if missing)
        caches = glob.glob(os.path.join(matplotlib.get_cachedir(), "fontlist-*.json"))
    except Exception:
        caches = []
    if caches:
        folder.mkdir(parents=True, exist_ok=True)
        for cache in caches:
            shutil.copyfile(cache, folder / os.path.basename(cache))
