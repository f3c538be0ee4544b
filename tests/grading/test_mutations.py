"""Mutation check: for every graded exercise of every chapter, a wrong-but-runnable solution loses the points.

Generic: each solution region of each instructor notebook is replaced by the right body with its result nudged
(numbers scaled by 1.1 and shifted by 0.01, answer letters shifted, booleans flipped): wrong but well-typed, so
the visible checks pass and only the hidden tests can catch it. The whole class of mutants is autograded by real
nbgrader; every test cell that checks the mutated region must then score 0. (The blank kind, a body that computes
nothing, is cheap to add to KINDS; the class-scenario tests already grade a blank notebook.)
"""
import fcntl
import json
import os

import pytest

from autograder import mutate, outcomes
from autograder.cli import main as cli
from autograder.paths import SOLUTIONS, assignment_ids
from autograder.simulate import hand_in
from autograder.workspace import Workspace

pytestmark = pytest.mark.slow
KINDS = ("perturbed",)
# Every exercise of every chapter is checked on its own: one submission per solution region, wrong only there, so
# each test cell must catch its own exercise (not an error passed on from an earlier one). That is one notebook
# run per exercise, about ten minutes on 2 cores; for a quick local look, BACKPROP_MUTATIONS=all-at-once grades
# one submission per notebook with every region wrong at once (chapter 00 stays per exercise).
# Each assignment's mutants are graded together, so the tests of one assignment share an xdist group
# (`make test` runs pytest with --dist loadgroup): two assignments are graded at once on 2 cores.
PER_REGION = {"00_basics"}
ALL_AT_ONCE = "ALL"


def mutants():
    per_region_everywhere = os.environ.get("BACKPROP_MUTATIONS", "per-region") != "all-at-once"
    for a in assignment_ids():
        for path in sorted((SOLUTIONS / a).glob("*.ipynb")):
            owners = {gid: tests for gid, tests in mutate.graded_by(mutate.read(path)).items() if tests}
            if not owners:
                continue
            for kind in KINDS:
                if per_region_everywhere or a in PER_REGION:
                    for grade_id in owners:
                        yield a, path.name, grade_id, kind
                else:
                    yield a, path.name, ALL_AT_ONCE, kind


CASES = list(mutants())


def regions(instructor, grade_id):
    owners = {gid: tests for gid, tests in mutate.graded_by(instructor).items() if tests}
    return list(owners) if grade_id == ALL_AT_ONCE else [grade_id]


def student_id(a, notebook, grade_id, kind):
    """One student per exercise mutant; one student per assignment holds every all-at-once mutant."""
    name = f"{a}-all" if grade_id == ALL_AT_ONCE else f"{notebook[:-6]}-{grade_id}"
    return f"{name}-{kind}".replace("_", "-").lower()


def grade_mutants(a, base):
    """Release assignment ``a`` into a fresh workspace, hand in its mutants, autograde; {student: {nb: scores}}."""
    ws = Workspace(base / "workspace")
    opts = ["--workspace", str(ws.root)]
    assert cli(["release", a] + opts) == 0
    submissions = {}
    for _, notebook, grade_id, kind in [c for c in CASES if c[0] == a]:
        released = mutate.read(ws.root / "release" / a / notebook)
        instructor = mutate.read(SOLUTIONS / a / notebook)
        nb = mutate.mutant_submission(released, instructor, regions(instructor, grade_id), kind)
        submissions.setdefault(student_id(a, notebook, grade_id, kind), {})[notebook] = nb
    for student, notebooks in submissions.items():
        hand_in(ws, a, student, notebooks, base / "students")
    assert cli(["collect", a] + opts) == 0
    assert cli(["autograde", a, "--cell-timeout", "60", "--notebook-budget", "300"] + opts) == 0
    records = outcomes.load(ws, a)
    return {student: {"status": records[student]["status"],
                      "scores": {nb: cell_scores(ws, a, student, nb) for nb in notebooks}}
            for student, notebooks in submissions.items()}


@pytest.fixture(scope="session")
def graded_mutants(tmp_path_factory):
    """Grade each assignment's mutants once per test run, shared between xdist workers through a locked cache."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # one folder per test run
    cache = {}

    def results(a):
        if a not in cache:
            lock_path = shared / f"mutants-{a}.lock"
            with open(lock_path, "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                done = shared / f"mutants-{a}.json"
                if not done.exists():
                    done.write_text(json.dumps(grade_mutants(a, tmp_path_factory.mktemp(f"mutants-{a}"))))
                cache[a] = json.loads(done.read_text())
        return cache[a]

    return results


def cell_scores(ws, assignment_id, student, notebook):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{ws.gradebook}", ws.course_id) as gb:
        submission = gb.find_submission_notebook(notebook[:-6], assignment_id, student)
        return {g.name: (float(g.score), float(g.max_score)) for g in submission.grades}


def test_every_graded_assignment_has_mutants():
    """Each chapter with test cells is in the mutation check (the widget gallery is the only ungraded one)."""
    graded = {a for a in assignment_ids() for path in (SOLUTIONS / a).glob("*.ipynb")
              if any(mutate.graded_by(mutate.read(path)).values())}
    assert graded and graded == {case[0] for case in CASES}
    assert set(assignment_ids()) - graded <= {"widget_gallery"}


@pytest.mark.parametrize("case", [pytest.param(c, marks=pytest.mark.xdist_group(c[0]), id="/".join(c[1:]))
                                  for c in CASES])
def test_wrong_solution_loses_the_points(graded_mutants, case):
    a, notebook, grade_id, kind = case
    result = graded_mutants(a)[student_id(a, notebook, grade_id, kind)]
    assert result["status"] == "graded", result
    scores = result["scores"][notebook]
    instructor = mutate.read(SOLUTIONS / a / notebook)
    owners = mutate.graded_by(instructor)
    tests = [test for region in regions(instructor, grade_id) for test in owners[region]]
    for test in tests:
        score, max_score = scores[test]
        assert max_score > 0 and score == 0, f"{test} still gives {score}/{max_score} with a {kind} {grade_id}"
