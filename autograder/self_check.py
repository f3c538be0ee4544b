"""Self-check: a learner grades their own saved notebook with the hidden tests, on their own machine.

The grading is the grader's, minus the gradebook: the probe plan and the answer key come from
:mod:`autograder.answer_key` (the key is built once from solutions/ and cached in CACHE, outside course/ and
git-ignored), the notebook runs in :class:`autograder.execute.ProbeExecute` (in the bubblewrap sandbox when it
can run here, otherwise trusted: it is the learner's own code on their own machine) and
:class:`autograder.verdicts.DecideVerdicts` judges the answers. The messages are the grader's: names and
reasons, never an expected value. A class deployment ships students course/ only, without solutions/: there the
instructor grades (``backprop-grade autograde``) and the learner gets the feedback.
"""
import copy
import datetime
import filecmp
import os
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader import utils

from . import answer_key, mutate
from .bwrap import Limits, check_available
from .errors import UserError
from .execute import ProbeExecute
from .generate import copy_assignment
from .paths import REPO, SOLUTIONS
from .verdicts import DecideVerdicts

CACHE = Path(os.environ.get("BACKPROP_SELF_CHECK_CACHE") or REPO / ".cache" / "self-check")
# Set in this process (and so in a trusted kernel it starts): backprop.self_check() then does not start a second
# self-check from inside the notebook being checked.
RUNNING = "BACKPROP_SELF_CHECK_RUNNING"
NO_SOLUTIONS_HINT = ("the self-check needs the course repository with its solutions/ folder (studying on your own: "
                     "clone the whole repository). In a class, solutions/ is not shipped: press Validate to run "
                     "the visible checks, submit, and your instructor's grading returns the feedback")


@dataclass
class CacheWorkspace:
    """What answer_key.ensure needs of a workspace: ``root`` (source/ and answer_keys/ live there), a run tag."""

    root: Path
    run_tag: str = "self-check"


def locate(notebook, solutions=SOLUTIONS):
    """(notebook path, assignment id, solution notebook path) of a student notebook; UserError saying what to do."""
    path = Path(notebook).expanduser().resolve()
    if not path.is_file() or path.suffix != ".ipynb":
        raise UserError(f"no notebook at {path}", "pass the path of a saved .ipynb file, e.g. "
                        "course/00_basics/00_basics.ipynb")
    solutions = Path(solutions)
    if not solutions.is_dir() or not any(solutions.glob("*/*.ipynb")):
        raise UserError(f"no solutions/ folder at {solutions}: nothing to grade against", NO_SOLUTIONS_HINT)
    candidates = [solutions / path.parent.name / path.name]  # course/<assignment>/<name>.ipynb, or a fetched copy
    candidates += sorted(p for p in solutions.glob(f"*/{path.name}") if p not in candidates)
    found = [p for p in candidates if p.is_file()]
    if not found:
        graded = ", ".join(sorted(f"{p.parent.name}/{p.name}" for p in solutions.glob("*/*.ipynb")))
        raise UserError(f"{path.name} is not one of the course's notebooks (no solutions/*/{path.name})",
                        f"self-check a notebook under its own name (a renamed copy cannot be matched); "
                        f"the course's notebooks: {graded}")
    return path, found[0].parent.name, found[0]


def sandbox_available():
    """True when bubblewrap can start a sandbox here."""
    try:
        check_available()
    except UserError:
        return False
    return True


def cached_answer_key(assignment_id, source, limits, sandboxed, cache=CACHE, log=print):
    """The answer key of one solution notebook, from the cache (rebuilt when the solution or the grader changed)."""
    workspace = CacheWorkspace(Path(cache))
    copied = workspace.root / "source" / assignment_id
    if not (copied / source.name).is_file() or not filecmp.cmp(source, copied / source.name, shallow=False):
        copy_assignment(source.parent, copied)
    return answer_key.ensure(workspace, assignment_id, source.name, limits, sandboxed, log)


def restore_locked(nb, source_nb):
    """The instructor's version of every read-only cell, and deleted test cells added back at the end, as
    nbgrader's autograde does before it runs a submission (OverwriteCells with add_missing_cells)."""
    locked = {cell.metadata.nbgrader["grade_id"]: cell for cell in source_nb.cells
              if utils.is_locked(cell) and "grade_id" in cell.metadata.get("nbgrader", {})}
    present = set()
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in locked:
            present.add(grade_id)
            if not utils.is_grade(locked[grade_id]):  # a test cell's source comes from the probe plan
                cell.source = locked[grade_id].source
    nb.cells += [copy.deepcopy(cell) for grade_id, cell in locked.items()
                 if grade_id not in present and utils.is_grade(cell)]
    return nb


def run_notebook(path, source, plan, limits, sandboxed):
    """Run the learner's notebook asking the probes: (answers, execution record), as the grader does."""
    executor = ProbeExecute(timeout=int(limits.cell_timeout), notebook_budget=limits.notebook_budget,
                            memory_limit_mb=limits.memory_mb, output_limit_mb=limits.output_mb,
                            sandboxed=sandboxed, plan=plan, run_tag="self-check")
    nb = restore_locked(nbformat.read(str(path), as_version=4), mutate.read(source))
    _, resources = executor.preprocess(nb, {"metadata": {"path": str(path.parent)}})
    return resources["probe_answers"], resources["execution"]


def self_check(notebook, sandboxed=None, limits=None, solutions=SOLUTIONS, cache=CACHE, log=print):
    """Grade one saved student notebook; a report dict (see :func:`format_text`), whatever the score."""
    started = time.monotonic()
    path, assignment_id, source = locate(notebook, solutions)
    limits = limits or Limits()
    if sandboxed is None:
        sandboxed = sandbox_available()
        mode = "bubblewrap sandbox" if sandboxed else "trusted, no sandbox (bubblewrap cannot run here)"
    else:
        mode = "bubblewrap sandbox" if sandboxed else "trusted, no sandbox (as asked)"
    plan = answer_key.plan_for(source, assignment_id)
    previous = os.environ.get(RUNNING)
    os.environ[RUNNING] = "1"
    try:
        key = cached_answer_key(assignment_id, source, limits, sandboxed, cache, log)
        answers, execution = run_notebook(path, source, plan, limits, sandboxed)
    finally:
        if previous is None:
            os.environ.pop(RUNNING, None)
        else:
            os.environ[RUNNING] = previous
    resources = {"probe_plan": plan, "probe_answers": answers, "answer_key": key}
    DecideVerdicts().preprocess(nbformat.v4.new_notebook(), resources)
    points = mutate.points(mutate.read(source))
    cells = []
    for grade_id, verdict in resources["verdicts"].items():
        earned = points[grade_id] if verdict["passed"] else 0.0
        cells.append({"grade_id": grade_id, "points": earned, "max_points": points[grade_id],
                      "passed": verdict["passed"], "checks": verdict["total"], "failed": verdict["failed"],
                      "messages": verdict["messages"], "explain": verdict["explain"] if verdict["passed"] else []})
    saved = datetime.datetime.fromtimestamp(path.stat().st_mtime).isoformat(timespec="seconds")
    return {"notebook": str(path), "assignment": assignment_id, "saved_at": saved, "sandboxed": sandboxed, "mode": mode,
            "status": execution["status"], "message": execution.get("message", ""), "cells": cells,
            "score": sum(c["points"] for c in cells), "max_score": sum(c["max_points"] for c in cells),
            "seconds": round(time.monotonic() - started, 1)}


def format_text(report):
    """The report as plain text: one line per graded cell (points, failing checks' messages), then the total."""
    lines = [f"Self-check of {report['notebook']} (saved {report['saved_at'].replace('T', ' ')})",
             f"ran in: {report['mode']}"]
    if report["status"] != "ok":
        lines.append(f"the run stopped early ({report['status']}): {report['message']}")
    width = max([len(c["grade_id"]) for c in report["cells"]] + [4])
    for cell in report["cells"]:
        lines.append(f"  {cell['grade_id']:<{width}}  {cell['points']:g}/{cell['max_points']:g}  "
                     + ("passed" if cell["passed"] else f"{cell['failed']} of {cell['checks']} checks failed"))
        lines += [f"  {'':<{width}}    - {message}" for message in cell["messages"]]
    lines.append(f"  {'total':<{width}}  {report['score']:g}/{report['max_score']:g}")
    return "\n".join(lines)
