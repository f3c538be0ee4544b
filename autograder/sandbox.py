"""SandboxedExecute: nbgrader's Execute, but student code runs where it cannot reach the gradebook or solutions.

Each notebook runs in a fresh private temp dir outside the course tree, with HOME and caches inside it, as an
unprivileged user when grading runs as root (the workspace is mode 0700, so the gradebook, source/ and other
submissions are out of reach), under an address-space limit (a memory bomb becomes a MemoryError), a per-cell
timeout (nbgrader's) and a per-notebook wall budget: when the budget runs out the kernel's process group is
killed and every cell that did not run gets an error output, so its test cell scores 0 instead of passing.
"""
import glob
import os
import pwd
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from jupyter_client.kernelspec import KernelSpec
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Float, Integer, List, Unicode

LAUNCHER = Path(__file__).with_name("sandbox_kernel.py")

# What happened to each executed notebook, keyed by (assignment, student, notebook); read by the grading loop.
EXECUTION_RECORDS = {}


def sandbox_account(user):
    """(uid, gid) of the sandbox user when grading runs as root, else None (kernels run as the current user)."""
    if os.geteuid() != 0 or not user:
        return None
    try:
        account = pwd.getpwnam(user)
    except KeyError:
        raise RuntimeError(f"sandbox user {user!r} does not exist; create it or pass --sandbox-user") from None
    return account.pw_uid, account.pw_gid


def _matplotlib_font_cache():
    """Matplotlib's font list built by the grader (copied into each sandbox so kernels start fast)."""
    try:
        import matplotlib.font_manager  # noqa: F401  (builds the cache if missing)
        import matplotlib
        return glob.glob(os.path.join(matplotlib.get_cachedir(), "fontlist-*.json"))
    except Exception:
        return []


def make_sandbox(files_from=None, account=None):
    """A fresh private directory for one notebook run, holding copies of the assignment's non-notebook files."""
    workdir = Path(tempfile.mkdtemp(prefix="grading-sandbox-"))
    for sub in ("tmp", ".ipython", ".config/matplotlib", ".jupyter", ".local/share/jupyter/runtime"):
        (workdir / sub).mkdir(parents=True, exist_ok=True)
    for cache in _matplotlib_font_cache():
        shutil.copy(cache, workdir / ".config" / "matplotlib")
    if files_from and Path(files_from).is_dir():
        for path in Path(files_from).rglob("*"):
            rel = path.relative_to(files_from)
            if path.suffix == ".ipynb" or rel.parts[0] in (".ipynb_checkpoints",) or path.is_symlink():
                continue
            target = workdir / "work" / rel
            if path.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target)
    (workdir / "work").mkdir(exist_ok=True)
    if account is not None:
        for path in [workdir, *workdir.rglob("*")]:
            os.chown(path, *account, follow_symlinks=False)
    os.chmod(workdir, 0o700)
    return workdir


class SandboxedExecute(Execute):
    """nbgrader's Execute preprocessor running the kernel in a sandbox with a per-notebook wall budget."""

    notebook_budget = Float(180.0, help="Wall-clock seconds one notebook may take in total.").tag(config=True)
    memory_limit_mb = Integer(3072, help="Address-space limit of the kernel (0 = none).").tag(config=True)
    sandbox_user = Unicode("nobody", help="Unprivileged user the kernel runs as when grading as root.").tag(config=True)
    hidden_paths = List(Unicode(), help="Folders the kernel must not see (workspace, exchange, solutions); "
                        "hidden with a private mount namespace when grading as root.").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        """Execute ``nb`` in a fresh sandbox; record what happened in EXECUTION_RECORDS."""
        resources = resources if resources is not None else {}
        info = resources.get("nbgrader", {})
        key = (info.get("assignment"), info.get("student"), info.get("notebook"))
        account = sandbox_account(self.sandbox_user)
        source_dir = resources.get("metadata", {}).get("path")
        self._workdir = make_sandbox(source_dir, account)
        self._account = account
        self._stop_reason = None
        self._started = time.monotonic()
        resources.setdefault("metadata", {})["path"] = str(self._workdir / "work")
        watchdog = threading.Timer(self.notebook_budget, self._budget_expired)
        watchdog.daemon = True
        watchdog.start()
        record = {"status": "ok", "message": "", "seconds": None}
        try:
            nb, resources = super().preprocess(nb, resources, km)
            if self._stop_reason:
                record.update(status=self._stop_reason[0], message=self._stop_reason[1])
            return nb, resources
        except Exception as exc:
            record.update(status="error", message=f"{type(exc).__name__}: {exc}")
            raise
        finally:
            watchdog.cancel()
            self._kill_kernel_group()
            record["seconds"] = round(time.monotonic() - self._started, 2)
            EXECUTION_RECORDS[key] = record
            shutil.rmtree(self._workdir, ignore_errors=True)

    def create_kernel_manager(self):
        """The usual kernel manager, with a kernel spec that starts the kernel through the sandbox launcher."""
        km = super().create_kernel_manager()
        argv = [sys.executable, str(LAUNCHER), "--workdir", str(self._workdir),
                "--memory-mb", str(self.memory_limit_mb), "-f", "{connection_file}"]
        if self._account is not None:
            hide = [arg for path in self.hidden_paths for arg in ("--hide", str(path))]
            argv = (["unshare", "--mount", "--propagation", "private", "--"] + argv[:2]
                    + ["--isolate", "--user", self.sandbox_user] + hide + argv[2:])
        km._kernel_spec = KernelSpec(argv=argv, display_name="Python 3 (grading sandbox)", language="python",
                                     interrupt_mode="signal", env={}, metadata={})
        return km

    def preprocess_cell(self, cell, resources, index):
        """Run one cell; after the budget ran out or the kernel died, mark the cell as not run instead."""
        if cell.cell_type != "code":
            return cell, resources
        if self._stop_reason is None:
            try:
                return super().preprocess_cell(cell, resources, index)
            except DeadKernelError:
                if self._stop_reason is None:
                    self._stop_reason = ("crashed", f"the kernel died while running cell {index}")
            except CellTimeoutError:
                # The kernel ignored the interrupt after a cell timeout: it is stuck, stop it for good.
                if self._stop_reason is None:
                    self._stop_reason = ("timeout", f"cell {index} ran past the {self.timeout} s cell timeout and "
                                                    "ignored the interrupt, so the kernel was stopped")
                self._kill_kernel_group()
        cell.outputs = list(cell.get("outputs", [])) + [self._not_run_error()]
        return cell, resources

    def _not_run_error(self):
        status, message = self._stop_reason
        ename = "NotebookTimeout" if status == "timeout" else "KernelDied"
        return NotebookNode(output_type="error", ename=ename, evalue=message,
                            traceback=[f"\x1b[0;31m{ename}\x1b[0m: {message}; this cell was not run"])

    def _budget_expired(self):
        if self._stop_reason is None:
            self._stop_reason = ("timeout", f"the notebook used up its time budget of {self.notebook_budget:g} s")
        self._kill_kernel_group()

    def _kill_kernel_group(self):
        """SIGKILL the kernel's whole process group (the kernel and anything it started)."""
        km = getattr(self, "km", None)
        provisioner = getattr(km, "provisioner", None) if km is not None else None
        process = getattr(provisioner, "process", None)
        pgid = getattr(provisioner, "pgid", None) or (process.pid if process is not None else None)
        if pgid:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
