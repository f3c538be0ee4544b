"""Parallel grading (--jobs 2) gives every student exactly the per-cell scores of a serial run (--jobs 1)."""
import pytest

from autograder import mutate, outcomes
from autograder.cli import main as cli
from autograder.paths import SOLUTIONS
from autograder.simulate import hand_in
from autograder.workspace import Workspace

pytestmark = pytest.mark.slow
A, NB = "00_basics", "00_basics.ipynb"


def per_cell_scores(ws, students):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{ws.gradebook}", ws.course_id) as gb:
        return {s: {g.name: float(g.score) for g in gb.find_submission_notebook(NB[:-6], A, s).grades}
                for s in students}


def test_jobs_2_equals_serial(tmp_path):
    ws = Workspace(tmp_path / "workspace")
    opts = ["--workspace", str(ws.root)]
    assert cli(["release", A] + opts) == 0
    released, instructor = mutate.read(ws.root / "release" / A / NB), mutate.read(SOLUTIONS / A / NB)
    class_ = {"correct": mutate.correct_submission(released, instructor), "blank": released}
    for region in ("forward", "update", "q2", "q5"):
        class_[f"wrong-{region}"] = mutate.mutant_submission(released, instructor, region, "perturbed")
    for student, nb in class_.items():
        hand_in(ws, A, student, nb, tmp_path / "homes")
    assert cli(["collect", A] + opts) == 0
    assert cli(["autograde", A, "--jobs", "1"] + opts) == 0
    serial = per_cell_scores(ws, class_)
    serial_status = {s: r["status"] for s, r in outcomes.load(ws, A).items()}
    assert cli(["autograde", A, "--jobs", "2"] + opts) == 0
    assert per_cell_scores(ws, class_) == serial
    assert {s: r["status"] for s, r in outcomes.load(ws, A).items()} == serial_status
    # and the scores are the expected ones: full, nothing, and exactly the mutated exercise's tests lost
    points = mutate.points(instructor)
    assert sum(serial["correct"].values()) == sum(points.values())
    assert sum(serial["blank"].values()) == 0
    owners = mutate.graded_by(instructor)
    for region in ("forward", "update", "q2", "q5"):
        lost = {cell for cell, score in serial[f"wrong-{region}"].items() if score < points[cell]}
        assert set(owners[region]) <= lost, (region, lost)
