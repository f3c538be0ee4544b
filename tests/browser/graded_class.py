"""A tiny graded class of 00_basics (full, partial and blank submissions) in a temp workspace, for the
instructor-side tests (formgrader, feedback). Built as tests/grading/test_class_scenarios.py builds its class."""
from __future__ import annotations

import copy
from pathlib import Path

from autograder import grading, mutate
from autograder.bwrap import Limits
from autograder.paths import COURSE, SOLUTIONS
from autograder.simulate import hand_in_all
from autograder.workspace import Workspace

A = "00_basics"
NB = "00_basics.ipynb"
STUDENTS = ("ada", "alan", "grace")  # full marks, one exercise wrong, blank


def submissions():
    released, instructor = mutate.read(COURSE / A / NB), mutate.read(SOLUTIONS / A / NB)
    return {"ada": mutate.correct_submission(released, instructor),
            "alan": mutate.mutant_submission(released, instructor, "update", "perturbed"),
            "grace": copy.deepcopy(released)}


def build(root: Path, log=lambda *_: None) -> Workspace:
    """Release 00_basics, hand in the three submissions, collect and autograde them (sandboxed when bubblewrap
    runs here, else trusted: these are the test's own notebooks); returns the workspace."""
    ws = Workspace(Path(root) / "workspace", exchange=Path(root) / "exchange")
    ws.limits = Limits(cell_timeout=30, notebook_budget=120)
    from autograder.self_check import sandbox_available

    ws.sandboxed = sandbox_available()
    grading.release(ws, A, log=log)
    hand_in_all(ws, A, submissions(), Path(root) / "homes")
    grading.collect(ws, A, log=log)
    grading.autograde(ws, A, log=log, jobs=2)
    return ws
