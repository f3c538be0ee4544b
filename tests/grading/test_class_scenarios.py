"""A simulated class through the whole loop with real nbgrader and real kernels.

release -> fetch -> submit -> collect (with a resubmission) -> autograde -> feedback -> export -> report, with one
student per kind of submission; expected scores come from the points in the instructor notebook, never typed.
"""
import csv
import copy
import re
import sqlite3
import time

import nbformat
import pytest

from autograder import mutate, outcomes
from autograder.cli import main as cli
from autograder.paths import COURSE, SOLUTIONS
from autograder.simulate import hand_in
from autograder.student import fetch_feedback
from autograder.workspace import Workspace

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("class-scenarios")]
A = "00_basics"
NB = "00_basics.ipynb"
# Generous for a correct notebook on a busy 2-core machine, small enough that the looping scenarios stay cheap;
# the budget must exceed any one cell timeout. The memory bomb reserves address space without touching it, so it
# reaches the kernel's limit at once whatever the machine's load.
CELL_TIMEOUT, BUDGET = 15, 40
INSTRUCTOR = mutate.read(SOLUTIONS / A / NB)
RELEASED = mutate.read(COURSE / A / NB)
POINTS = mutate.points(INSTRUCTOR)
TOTAL = sum(POINTS.values())
QUIZ = sum(p for name, p in POINTS.items() if name.startswith("test_q"))
FUNCTIONS = POINTS["test_forward"] + POINTS["test_error"] + POINTS["test_update"]  # the three functions of section 6
_GRADED = list(POINTS)  # test cells in notebook order
BEFORE_FORWARD = sum(POINTS[g] for g in _GRADED[:_GRADED.index("test_forward")])  # graded before a hang in forward


def cell(nb, grade_id):
    return next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def with_region(nb, grade_id, body):
    """Replace the student's code of solution cell ``grade_id`` by ``body`` (keeps the surrounding lines)."""
    before, _, after, indent = mutate.split_region(mutate.solution_cells(INSTRUCTOR)[grade_id])
    cell(nb, grade_id).source = "\n".join(before + [indent + line for line in body.split("\n")] + after)
    return nb


def correct():
    return mutate.correct_submission(RELEASED, INSTRUCTOR)


def exercise_values():
    """The exercise's answers, computed here independently of the notebook."""
    w, x, target, lr = [0.5, -0.2], [1.0, 0.8], 0.6, 0.1
    output = w[0] * x[0] + w[1] * x[1]
    error = target - output
    return output, error, [w[0] + lr * error * x[0], w[1] + lr * error * x[1]]


def build_submissions(ws):
    output, error, new_weights = exercise_values()
    subs = {"full": correct(), "blank": copy.deepcopy(RELEASED)}

    nb = mutate.mutant_submission(RELEASED, INSTRUCTOR, "update", "perturbed")
    with_region(nb, "q4", 'q4 = "a"')
    subs["partial"] = with_region(nb, "q5", 'q5 = " D "')

    nb = copy.deepcopy(RELEASED)  # function stubs left unimplemented, answers typed as constants
    for grade_id, name, value in [("forward", "output", output), ("error", "error", error),
                                  ("update", "new_weights", new_weights)]:
        c = cell(nb, grade_id)
        c.source = re.sub(rf"^{name} = .*$", f"{name} = {value!r}", c.source, flags=re.M)
    for q in ("q1", "q2", "q3", "q4", "q5"):
        cell(nb, q).source = mutate.without_markers(mutate.solution_cells(INSTRUCTOR)[q])
    subs["constants"] = nb

    nb = correct()  # functions that return the typed answers
    with_region(nb, "forward", f"return {output!r}")
    with_region(nb, "error", f"return {error!r}")
    subs["constant_functions"] = with_region(nb, "update", f"return {new_weights!r}")

    nb = with_region(correct(), "q2", 'q2 = "a"')                   # a wrong answer...
    cell(nb, "test_q2").source = 'print("all tests pass")'         # ...and its test "fixed"
    cell(nb, "test_forward").source = "pass"
    subs["edited_tests"] = nb

    nb = correct()
    nb.cells = [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                not in ("test_update", "test_q5")]
    subs["deleted_tests"] = nb

    subs["loop"] = with_region(correct(), "update", "while True:\n    pass")  # spins a core until the cell timeout
    # The two below wait without spinning: the grader's timeouts see the same thing, and the test run does not
    # burn two minutes of CPU that the other tests need ("loop" above already spins).
    subs["hang"] = with_region(correct(), "forward", "import signal, time\n"
                                                     "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                                     "while True:\n    time.sleep(0.2)")
    # grows until the kernel's memory limit turns it into a MemoryError (without a limit it could hang the machine)
    subs["memory_bomb"] = with_region(correct(), "update", "hog = []\nwhile True:\n    hog.append(np.empty(2 * 10**8))")
    nb = correct()  # interruptible loops in many cells: per-cell timeouts add up until the notebook budget
    for grade_id in ("forward", "error", "update", "q1", "q2", "q3", "q4", "q5"):
        with_region(nb, grade_id, "import time\nwhile True:\n    time.sleep(0.2)")
    subs["slow"] = nb
    nb = correct()
    c = cell(nb, "forward")
    c.source = "import definitely_not_an_installed_module\n" + c.source
    subs["import_error"] = nb
    subs["corrupt"] = b'{"cells": [ this is not a notebook'

    nb = mutate.mutant_submission(RELEASED, INSTRUCTOR, "update", "perturbed")
    probe = f'''
import os
def _probe(label, action):
    try:
        action()
        print(f"PROBE {{label}}: ALLOWED")
    except Exception as exc:
        print(f"PROBE {{label}}: denied ({{type(exc).__name__}})")
_probe("read relative gradebook", lambda: open("../../../gradebook.db", "rb").read())
_probe("read gradebook", lambda: open({str(ws.gradebook)!r}, "rb").read())
_probe("write gradebook", lambda: open({str(ws.gradebook)!r}, "ab").write(b"x"))
_probe("read source", lambda: open({str(ws.root / "source" / A / NB)!r}).read())
_probe("read solutions", lambda: open({str(SOLUTIONS / A / NB)!r}).read())
_probe("list workspace", lambda: os.listdir({str(ws.root / "submitted")!r}) or 1 / 0)
print("PROBE uid", os.getuid())
np.isclose = lambda *args, **kwargs: True
class Always(str):
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__
'''
    cell(nb, "forward").source = probe + cell(nb, "forward").source
    subs["cheater"] = with_region(nb, "q1", 'q1 = Always("a")')
    return subs


EXPECTED = {  # student: (status, score, flag that must appear or None)
    "full": ("graded", TOTAL, None),
    "blank": ("graded", 0.0, None),
    "partial": ("graded", TOTAL - POINTS["test_update"] - POINTS["test_q4"] - POINTS["test_q5"], None),
    "constants": ("graded", QUIZ, None),
    "constant_functions": ("graded", TOTAL - FUNCTIONS, None),
    "edited_tests": ("graded", TOTAL - POINTS["test_q2"], "test_q2 edited"),
    "deleted_tests": ("graded", TOTAL, "test_update deleted"),
    "loop": ("graded", TOTAL - POINTS["test_update"], None),
    "hang": ("timeout", BEFORE_FORWARD, None),
    "slow": ("timeout", BEFORE_FORWARD, None),
    "memory_bomb": ("graded", TOTAL - POINTS["test_update"], None),
    "import_error": ("graded", TOTAL - FUNCTIONS, None),
    "corrupt": ("corrupt", 0.0, None),
    "cheater": ("graded", TOTAL - POINTS["test_update"] - POINTS["test_q1"], "np.isclose"),
    "resubmitter": ("graded", TOTAL, None),
    "flip": ("corrupt", 0.0, None),
}


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    ws = Workspace(base / "workspace")
    homes = base / "students"
    opts = ["--workspace", str(ws.root)]
    grade_opts = opts + ["--cell-timeout", str(CELL_TIMEOUT), "--notebook-budget", str(BUDGET)]
    assert cli(["release", A] + opts) == 0
    subs = build_submissions(ws)
    for student, content in subs.items():
        hand_in(ws, A, student, content, homes)
    hand_in(ws, A, "resubmitter", copy.deepcopy(RELEASED), homes)   # first a blank notebook...
    hand_in(ws, A, "flip", correct(), homes)
    assert cli(["collect", A] + opts) == 0
    time.sleep(1.1)
    hand_in(ws, A, "resubmitter", correct(), homes)                 # ...then the finished one
    assert cli(["collect", A] + opts) == 0
    assert cli(["autograde", A] + grade_opts) == 0
    first_round = outcomes.load(ws, A)
    time.sleep(1.1)
    hand_in(ws, A, "flip", b"not a notebook at all", homes)          # a broken resubmission after grading
    assert cli(["collect", A] + opts) == 0
    assert cli(["autograde", A, "--student", "flip"] + grade_opts) == 0
    assert cli(["feedback", A] + opts) == 0
    assert cli(["export", "--output", str(base / "grades.csv")] + opts) == 0
    assert cli(["report", A, "--output", str(base / "report")] + opts) == 0
    return {"ws": ws, "base": base, "homes": homes, "first_round": first_round, "records": outcomes.load(ws, A),
            "csv": {row["student_id"]: row for row in csv.DictReader(open(base / "grades.csv"))}}


def autograded(graded_class, student):
    return nbformat.read(str(graded_class["ws"].root / "autograded" / student / A / NB), as_version=4)


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_outcome_and_score(graded_class, student):
    status, score, flag = EXPECTED[student]
    record = graded_class["records"][student]
    assert record["status"] == status, record
    assert record["score"] == pytest.approx(score), record
    row = graded_class["csv"][student]
    assert row["status"] == status and float(row["score"]) == pytest.approx(score)
    assert float(row["max_score"]) == pytest.approx(TOTAL)
    if flag:
        assert any(flag in f for f in record["flags"]), record["flags"]


def test_clean_submissions_are_not_flagged(graded_class):
    for student in ("full", "blank", "partial", "resubmitter"):
        assert graded_class["records"][student]["flags"] == [], student


def test_failed_regrade_clears_the_stale_score(graded_class):
    assert graded_class["first_round"]["flip"]["score"] == pytest.approx(TOTAL)
    assert graded_class["records"]["flip"]["status"] == "corrupt"
    con = sqlite3.connect(graded_class["ws"].gradebook)
    auto = con.execute("select sum(grade.auto_score) from grade join submitted_notebook on grade.notebook_id = "
                       "submitted_notebook.id join submitted_assignment on submitted_notebook.assignment_id = "
                       "submitted_assignment.id where submitted_assignment.student_id = 'flip'").fetchone()[0]
    assert auto == 0


def test_regrading_one_student_leaves_the_others_intact(graded_class):
    for student, record in graded_class["first_round"].items():
        if student != "flip":
            assert graded_class["records"][student]["score"] == record["score"], student
            assert graded_class["records"][student]["recorded_at"] == record["recorded_at"], student


def test_per_cell_timeouts_are_bounded_by_the_notebook_budget(graded_class):
    record = graded_class["records"]["slow"]
    assert "time budget" in record["message"], record
    assert "timed out once and was graded again" in record["flags"], record  # one retry, then recorded
    assert record["seconds"] < 2 * (BUDGET + 30)
    nb = autograded(graded_class, "slow")
    not_run = [c for c in nb.cells if c.cell_type == "code"
               and any(o.get("ename") == "NotebookTimeout" for o in c.get("outputs", []))]
    assert not_run, "cells after the budget ran out must carry an error (so their tests score 0)"


def test_memory_bomb_becomes_a_memory_error(graded_class):
    nb = autograded(graded_class, "memory_bomb")
    outputs = cell(nb, "update").outputs
    assert any(o.get("ename") == "MemoryError" for o in outputs), outputs


def test_typed_constants_fail_the_visible_checks_that_call_the_functions(graded_class):
    nb = autograded(graded_class, "constants")
    for grade_id in ("test_forward", "test_error", "test_update"):
        errors = [o for o in cell(nb, grade_id).outputs if o.output_type == "error"]
        # the visible check runs the unimplemented function on new numbers (issue 10), before any hidden check
        assert errors and "NotImplementedError" in errors[-1].ename + errors[-1].evalue, grade_id
        assert any("ok" in o.get("text", "") for o in cell(nb, grade_id).outputs if o.output_type == "stream")


def test_hang_is_stopped(graded_class):
    record = graded_class["records"]["hang"]
    assert "ignored the interrupt" in record["message"] or "time budget" in record["message"], record
    assert record["seconds"] < 2 * (BUDGET + 30)


def test_sandbox_keeps_gradebook_and_solutions_out_of_reach(graded_class):
    nb = autograded(graded_class, "cheater")
    text = "".join(o.get("text", "") for o in cell(nb, "forward").outputs if o.output_type == "stream")
    probes = re.findall(r"PROBE (.+?): (\w+)", text)
    assert len(probes) == 6, text
    assert all(result == "denied" for _, result in probes), text
    con = sqlite3.connect(graded_class["ws"].gradebook)
    assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
    import os
    if os.geteuid() == 0:
        assert re.search(r"PROBE uid (\d+)", text).group(1) != "0"


def visible_text(page):
    """The feedback page without its <style>/<script> blocks (CSS names such as Generic.Traceback)."""
    return re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S)


def test_feedback_shows_explanations_but_no_hidden_tests(graded_class):
    ws = graded_class["ws"]
    html = visible_text((ws.root / "feedback" / "full" / A / "00_basics.html").read_text())
    assert "backpropagation only computes the gradients" in html.lower()   # the Q4 nuance, once answered
    assert "gradient descent" in html.lower()
    assert "Hidden checks" in html
    wrong = visible_text((ws.root / "feedback" / "partial" / A / "00_basics.html").read_text())  # q4 answered wrong
    assert "backpropagation only computes the gradients" not in wrong.lower()   # no answer before it is earned
    assert "HiddenChecksFailed" in wrong
    for student in sorted(graded_class["records"]):
        path = ws.root / "feedback" / student / A / "00_basics.html"
        if not path.exists():
            assert graded_class["records"][student]["status"] in ("corrupt", "failed"), student
            continue
        page = visible_text(path.read_text())
        for secret in ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "checks.probe", "compare=", "BEGIN SOLUTION"):
            i = page.find(secret)
            assert i < 0, f"{student}: {secret!r} in feedback: ...{page[max(0, i - 300):i + 100]}"


def test_students_can_fetch_their_feedback(graded_class):
    ws = graded_class["ws"]
    files = fetch_feedback(ws.exchange, A, graded_class["homes"] / "full", "full", ws.course_id)
    assert files and "Score" in files[0].read_text()


def test_report_has_plots_and_outcome_table(graded_class):
    report = graded_class["base"] / "report"
    html = (report / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 2
    for status in ("timeout", "corrupt", "graded"):
        assert f"<td>{status}</td>" in html
    assert (report / "score_distribution.png").stat().st_size > 5000
    assert (report / "pass_rate_per_item.png").stat().st_size > 5000
