"""Inject a classic mistake into an instructor notebook and run it as a student would, up to its visible checks.

A mistake is (notebook, solution grade_id, text in that solution cell, replacement, hint). The notebook runs in a
real kernel with every hidden region removed (what a student's visible checks see), up to the last test cell
that checks the mutated exercise; the test then asserts that one of those visible checks failed and that its
message says something that helps (the hint). The mistakes live here in tests/, never in course/.
"""
import dataclasses
import shutil
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from autograder import mutate
from autograder.paths import SOLUTIONS
from autograder.probes import BEGIN as HIDDEN_BEGIN, split_source


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


def _student_view(nb, grade_id, mistake_old, mistake_new):
    """The instructor notebook with the mistake in ``grade_id``, hidden regions removed; (nb, checking test ids)."""
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    if grade_id not in cells:
        raise KeyError(f"no cell with grade_id {grade_id!r}")
    target = cells[grade_id]
    count = target.source.count(mistake_old)
    if count != 1:
        raise ValueError(f"{grade_id}: the text to replace occurs {count} times, not once: {mistake_old!r}")
    target.source = target.source.replace(mistake_old, mistake_new)
    tests = mutate.graded_by(nb)[grade_id]
    for cell in nb.cells:
        if cell.cell_type == "code" and HIDDEN_BEGIN in cell.source:
            cell.source = split_source(cell.source)[0]
    last = max(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") in tests)
    nb.cells = nb.cells[: last + 1]
    return nb, tests


def _error_text(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            parts.append(f"{out.get('ename')}: {out.get('evalue')}")
        elif out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
    return "\n".join(parts)


def run(mistake, workdir, timeout=120):
    """Run the notebook with ``mistake`` injected, up to its exercise's visible checks, in a fresh kernel."""
    path = SOLUTIONS / mistake.notebook
    nb, tests = _student_view(mutate.read(path), mistake.grade_id, mistake.old, mistake.new)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    for extra in path.parent.iterdir():  # data files beside the notebook, if any
        if extra.is_file() and extra.suffix != ".ipynb":
            shutil.copy(extra, workdir / extra.name)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(workdir)}})
    client.execute()
    results = {}
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in tests:
            errored = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
            results[gid] = _error_text(cell) if errored else None
    return CheckRun(results)


def assert_caught(mistake, workdir):
    """The mistake makes a visible check of its exercise fail, and the message contains the hint."""
    outcome = run(mistake, workdir)
    failed = outcome.failed
    assert failed, (f"{mistake.id}: every visible check passed with this mistake "
                    f"({mistake.why}); checks: {list(outcome.results)}")
    text = "\n".join(failed.values())
    assert mistake.hint.lower() in text.lower(), (
        f"{mistake.id}: a visible check failed, but its message does not mention {mistake.hint!r}:\n{text[-1500:]}")
    return text
