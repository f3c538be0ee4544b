"""Mutation check: for every graded exercise of every chapter, a wrong-but-runnable solution loses the points.

Generic: each solution region of each instructor notebook is replaced by the right body with its result nudged
(numbers scaled by 1.1 and shifted by 0.01, answer letters shifted, booleans flipped): wrong but well-typed, so
the visible checks pass and only the hidden tests can catch it. The whole class of mutants is autograded by real
nbgrader; every test cell that checks the mutated region must then score 0. (The blank kind, a body that computes
nothing, is cheap to add to KINDS; the class-scenario tests already grade a blank notebook.)
"""
import pytest

from autograder import mutate, outcomes
from autograder.cli import main as cli
from autograder.paths import SOLUTIONS, assignment_ids
from autograder.simulate import hand_in
from autograder.workspace import Workspace

pytestmark = pytest.mark.slow
KINDS = ("perturbed",)


def mutants():
    for a in assignment_ids():
        for path in sorted((SOLUTIONS / a).glob("*.ipynb")):
            instructor = mutate.read(path)
            for grade_id, tests in mutate.graded_by(instructor).items():
                if tests:
                    for kind in KINDS:
                        yield a, path.name, grade_id, kind


CASES = list(mutants())


def student_id(notebook, grade_id, kind):
    return f"{notebook[:-6]}-{grade_id}-{kind}".replace("_", "-")


@pytest.fixture(scope="module")
def graded_mutants(tmp_path_factory):
    base = tmp_path_factory.mktemp("mutants")
    ws = Workspace(base / "workspace")
    opts = ["--workspace", str(ws.root)]
    results = {}
    for a in sorted({case[0] for case in CASES}):
        assert cli(["release", a] + opts) == 0
        for _, notebook, grade_id, kind in [c for c in CASES if c[0] == a]:
            released = mutate.read(ws.root / "release" / a / notebook)
            nb = mutate.mutant_submission(released, mutate.read(SOLUTIONS / a / notebook), grade_id, kind)
            hand_in(ws, a, student_id(notebook, grade_id, kind), nb, base / "students", notebook)
        assert cli(["collect", a] + opts) == 0
        assert cli(["autograde", a, "--cell-timeout", "20", "--notebook-budget", "120"] + opts) == 0
        results[a] = (ws, outcomes.load(ws, a))
    return results


def cell_scores(ws, assignment_id, student):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{ws.gradebook}", ws.course_id) as gb:
        submission = gb.find_submission(assignment_id, student)
        return {g.name: (float(g.score), float(g.max_score)) for nb in submission.notebooks for g in nb.grades}


def test_every_assignment_has_graded_exercises():
    assert CASES, "no solution regions with tests found"


@pytest.mark.parametrize("case", CASES, ids=["/".join(c[1:]) for c in CASES])
def test_wrong_solution_loses_the_points(graded_mutants, case):
    a, notebook, grade_id, kind = case
    ws, records = graded_mutants[a]
    student = student_id(notebook, grade_id, kind)
    assert records[student]["status"] == "graded", records[student]
    scores = cell_scores(ws, a, student)
    tests = mutate.graded_by(mutate.read(SOLUTIONS / a / notebook))[grade_id]
    for test in tests:
        score, max_score = scores[test]
        assert max_score > 0 and score == 0, f"{test} still gives {score}/{max_score} with a {kind} {grade_id}"
