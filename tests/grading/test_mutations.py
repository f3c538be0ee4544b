"""Mutation check: for every graded exercise of every chapter, a wrong-but-runnable solution loses the points.

Generic: each solution region of each instructor notebook is replaced by the right body with its result nudged
(numbers scaled by 1.1 and shifted by 0.01, answer letters shifted, booleans flipped): wrong but well-typed, so
type and shape checks pass and the grader's probes must catch it. The whole class of mutants is autograded by real
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
# Every exercise of every chapter is checked on its own: each notebook run is wrong in exactly one solution region,
# so each test cell must catch its own exercise (not an error passed on from an earlier one). The one exception
# (mutate.mutant_units): regions that only assign literals, such as quiz letters, share a mutant when no test cell
# of one mentions another's names, so each test cell still sees only its own wrong answer. Notebooks run in
# separate kernels, so one simulated student carries one such mutant of several notebooks of the assignment:
# student k holds the k-th region's mutant of each notebook that has a k-th region (and leaves the others out, so
# no notebook is graded twice with the same mutant): an assignment costs one notebook run per region, in
# (most regions in one notebook) submissions.
# Each assignment's mutants are graded together in one autograde run (--jobs), so the tests of one assignment
# share an xdist group (`make test` runs pytest with --dist loadgroup): up to three assignments are graded at once.


def regions_of(path):
    """The solution regions of an instructor notebook that some test cell checks, in notebook order."""
    return [gid for gid, tests in mutate.graded_by(mutate.read(path)).items() if tests]


def mutants():
    for a in assignment_ids():
        for path in sorted((SOLUTIONS / a).glob("*.ipynb")):
            for grade_id in regions_of(path):
                for kind in KINDS:
                    yield a, path.name, grade_id, kind


CASES = list(mutants())


def plan(a):
    """{student id: {notebook: (grade_ids, kind)}}: which mutant of which notebook each simulated student hands in."""
    per_notebook = {path.name: [(tuple(unit), kind) for unit in mutate.mutant_units(mutate.read(path))
                                for kind in KINDS]
                    for path in sorted((SOLUTIONS / a).glob("*.ipynb"))}
    per_notebook = {nb: m for nb, m in per_notebook.items() if m}
    count = max(len(m) for m in per_notebook.values())
    return {student_id(a, k): {nb: m[k] for nb, m in per_notebook.items() if k < len(m)} for k in range(count)}


def student_id(a, k):
    return f"{a}-mutant{k}".replace("_", "-").lower()


def student_of(case):
    """The simulated student whose submission holds this case's mutant."""
    a, notebook, grade_id, kind = case
    return next(s for s, notebooks in plan(a).items()
                if notebook in notebooks and grade_id in notebooks[notebook][0] and notebooks[notebook][1] == kind)


def grade_mutants(a, base):
    """Release assignment ``a`` into a fresh workspace, hand in its mutants, autograde; {student: {nb: scores}}."""
    ws = Workspace(base / "workspace")
    opts = ["--workspace", str(ws.root)]
    assert cli(["release", a] + opts) == 0
    submissions = {}
    for student, notebooks in plan(a).items():
        for notebook, (grade_ids, kind) in notebooks.items():
            released = mutate.read(ws.root / "release" / a / notebook)
            instructor = mutate.read(SOLUTIONS / a / notebook)
            submissions.setdefault(student, {})[notebook] = mutate.mutant_submission(released, instructor,
                                                                                   list(grade_ids), kind)
    for student, notebooks in submissions.items():
        hand_in(ws, a, student, notebooks, base / "students")
    assert cli(["collect", a] + opts) == 0
    # Mutants never loop: limits far above any cell's time (the slowest takes ~20 s quiet), so a busy machine cannot
    # turn a verdict into a timeout.
    assert cli(["autograde", a, "--cell-timeout", "120", "--notebook-budget", "1800"] + opts) == 0
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
    result = graded_mutants(a)[student_of(case)]
    assert result["status"] == "graded", result
    scores = result["scores"][notebook]
    instructor = mutate.read(SOLUTIONS / a / notebook)
    tests = mutate.graded_by(instructor)[grade_id]
    for test in tests:
        score, max_score = scores[test]
        assert max_score > 0 and score == 0, f"{test} still gives {score}/{max_score} with a {kind} {grade_id}"
