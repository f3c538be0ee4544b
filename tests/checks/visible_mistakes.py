"""Inject a classic mistake into an instructor notebook and run it as a student would, up to its visible checks.

A mistake is (notebook, solution grade_id, text in that solution cell, replacement, hint). The notebook's cells
run in an IPython shell (the kernel's execution engine, without the messaging) with every hidden region removed,
which is what a student's visible checks see: first the cells before the mutated exercise, with the solution,
once per notebook; then, in a forked copy of that state, the mistaken exercise cell and the cells up to the last
test cell that checks it. The test asserts that one of those visible checks failed and that its message says
something that helps (the hint). The mistakes live in tests/, never in course/.
"""
import dataclasses
import functools
import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

from autograder import mutate
from autograder.paths import SOLUTIONS
from autograder.probes import BEGIN as HIDDEN_BEGIN, split_source

TIMEOUT = 300  # seconds for one notebook's cells before a mistake, or for one mistake's cells


@dataclasses.dataclass(frozen=True)
class Mistake:
    """One wrong answer a student is likely to write, and a phrase the visible check's message must contain."""

    notebook: str      # "01_techniques/04_optimizers.ipynb"
    grade_id: str      # the solution cell the mistake goes into
    old: str           # text of the solution cell that the mistake replaces (must occur exactly once)
    new: str           # the mistaken text
    hint: str          # a phrase the failing check prints (case-insensitive), e.g. "bias correction"
    why: str = ""      # one line: what the mistake is

    @property
    def id(self):
        return f"{Path(self.notebook).stem}:{self.grade_id}:{self.why or self.new[:30]}"


@dataclasses.dataclass
class CheckRun:
    """What the visible checks of the mutated exercise did: {test grade_id: error text, or None if it passed}."""

    results: dict

    @property
    def failed(self):
        return {gid: text for gid, text in self.results.items() if text is not None}


def _grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


@functools.lru_cache(maxsize=None)
def _parsed(path, mtime_ns):
    """The instructor notebook at ``path``, parsed once per version of the file (``mtime_ns`` keys the version).

    Callers only read it; parsing and validating the JSON once per notebook, not 2-3 times per mistake, is what
    the cache saves.
    """
    return mutate.read(path)


def instructor(notebook):
    """The parsed instructor notebook ``notebook`` (under solutions/), from the cache while the file is unchanged."""
    path = SOLUTIONS / notebook
    return _parsed(path, path.stat().st_mtime_ns)


def student_view(notebook):
    """The code cells of an instructor notebook as (grade_id, source), hidden regions removed."""
    cells = []
    for cell in instructor(notebook).cells:
        if cell.cell_type != "code":
            continue
        source = split_source(cell.source)[0] if HIDDEN_BEGIN in cell.source else cell.source
        cells.append((_grade_id(cell), source))
    return cells


def _run_cell(shell, source):
    """Run one cell; (error text or None, printed output)."""
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        result = shell.run_cell(source, store_history=False)
    error = result.error_before_exec or result.error_in_exec
    return (f"{type(error).__name__}: {error}" if error is not None else None), buffer.getvalue()


def _serve(conn, workdir):
    """The notebook's process: run cells for real ("advance"), or in a forked copy of the state ("trial")."""
    import signal

    os.chdir(workdir)
    from IPython.core.interactiveshell import InteractiveShell

    class Shell(InteractiveShell):
        def enable_gui(self, gui=None):  # `%matplotlib inline` asks for an event loop a plain shell does not have
            pass

    shell = Shell.instance()
    while True:
        request, sources = conn.recv()
        if request == "advance":
            conn.send([_run_cell(shell, source) for source in sources])
        elif request == "trial":
            pid = os.fork()
            if pid == 0:  # the mistake runs here; the parent's state stays as it was
                try:
                    signal.alarm(TIMEOUT)
                    conn.send([_run_cell(shell, source) for source in sources])
                finally:
                    os._exit(0)
            os.waitpid(pid, 0)
        else:
            return


class _Notebook:
    """One notebook's serving process and how many of its code cells have run for real."""

    def __init__(self, notebook):
        self.cells = student_view(notebook)
        self.workdir = tempfile.mkdtemp(prefix="visible-mistakes-")
        for extra in (SOLUTIONS / notebook).parent.iterdir():  # data files beside the notebook, if any
            if extra.is_file() and extra.suffix != ".ipynb":
                shutil.copy(extra, Path(self.workdir) / extra.name)
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, self.workdir), daemon=True)
        self.process.start()
        self.position = 0

    def ask(self, request, sources):
        self.conn.send((request, sources))
        if not self.conn.poll(TIMEOUT):
            self.close()
            raise TimeoutError(f"the notebook's cells did not finish in {TIMEOUT} s")
        return self.conn.recv()

    def close(self):
        self.process.kill()
        self.process.join()
        shutil.rmtree(self.workdir, ignore_errors=True)


_OPEN = {}


def _notebook_at(notebook, index):
    """The notebook's process with exactly its first ``index`` code cells run (a new one if it is past that)."""
    runner = _OPEN.get(notebook)
    if runner is None or runner.position > index:
        if runner is not None:
            runner.close()
        runner = _OPEN[notebook] = _Notebook(notebook)
    if runner.position < index:
        outcomes = runner.ask("advance", [source for _, source in runner.cells[runner.position:index]])
        runner.position = index
        broken = [error for error, _ in outcomes if error]
        if broken:
            raise RuntimeError(f"{notebook}: the solution itself fails before the exercise: {broken[0]}")
    return runner


def run(mistake, workdir=None):
    """Run the notebook with ``mistake`` injected, up to its exercise's visible checks (``workdir`` is unused)."""
    cells = student_view(mistake.notebook)
    ids = [gid for gid, _ in cells]
    if mistake.grade_id not in ids:
        raise KeyError(f"{mistake.notebook}: no code cell with grade_id {mistake.grade_id!r}")
    index = ids.index(mistake.grade_id)
    source = cells[index][1]
    if source.count(mistake.old) != 1:
        raise ValueError(f"{mistake.grade_id}: the text to replace occurs {source.count(mistake.old)} times, "
                         f"not once: {mistake.old!r}")
    tests = mutate.graded_by(instructor(mistake.notebook))[mistake.grade_id]
    last = max(i for i, gid in enumerate(ids) if gid in tests)
    sources = [source.replace(mistake.old, mistake.new)] + [s for _, s in cells[index + 1:last + 1]]
    runner = _notebook_at(mistake.notebook, index)
    outcomes = runner.ask("trial", sources)
    return CheckRun({gid: outcomes[i - index][0] for i, gid in enumerate(ids[index:last + 1], start=index)
                     if gid in tests})


def assert_caught(mistake, workdir=None):
    """The mistake makes a visible check of its exercise fail, and the message contains the hint."""
    outcome = run(mistake, workdir)
    failed = outcome.failed
    assert failed, (f"{mistake.id}: every visible check passed with this mistake "
                    f"({mistake.why}); checks: {list(outcome.results)}")
    text = "\n".join(failed.values())
    assert mistake.hint.lower() in text.lower(), (
        f"{mistake.id}: a visible check failed, but its message does not mention {mistake.hint!r}:\n{text[-1500:]}")
    return text
