"""The learner's self-check: the generated cells, the helper's rendering, and real self-checks of chapter 00.

Fast: what the generator adds to a student notebook (raises-exception tags, the self-check section), how the
helper shows a report or a problem. Slow: a blank, a partly right and a fully right 00_basics notebook are graded
by `backprop-grade self-check` (the grader's path) and score what the instructor notebook's points say.
"""
import copy
import subprocess
import sys

import nbformat
import pytest
from nbgrader import utils

from autograder import mutate, self_check as grader_side, student_cells
from autograder.errors import UserError
from autograder.paths import COURSE, SOLUTIONS, assignment_ids
from backprop import self_check as helper

A, NB = "00_basics", "00_basics.ipynb"
INSTRUCTOR = mutate.read(SOLUTIONS / A / NB)
RELEASED = mutate.read(COURSE / A / NB)
POINTS = mutate.points(INSTRUCTOR)
COURSE_NOTEBOOKS = [p for a in assignment_ids() for p in sorted((COURSE / a).glob("*.ipynb"))]


# ---- what the generator adds -------------------------------------------------------------------------------------
def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("path", COURSE_NOTEBOOKS, ids=[f"{p.parent.name}/{p.name}" for p in COURSE_NOTEBOOKS])
def test_blank_failures_are_tagged_and_graded_notebooks_end_with_the_self_check(path):
    nb = mutate.read(path)
    graded = [c for c in nb.cells if c.cell_type == "code" and utils.is_grade(c)]
    stubs = [c for c in nb.cells if c.cell_type == "code" and utils.is_solution(c) and student_cells.STUB in c.source]
    for cell in graded + stubs:
        assert student_cells.RAISES in _tags(cell), f"{cell.id} fails on purpose when blank but is not tagged"
    untagged = [c.id for c in nb.cells if student_cells.RAISES in _tags(c) and c not in graded + stubs]
    assert untagged == [], f"cells tagged raises-exception that do not fail on purpose: {untagged}"
    self_checks = [c for c in nb.cells if student_cells.is_self_check(c)]
    if graded:
        assert self_checks == [nb.cells[-1]], "a graded notebook ends with exactly one self-check cell"
        assert student_cells.SKIP in _tags(nb.cells[-1]) and "Save the notebook first" in nb.cells[-2].source
    else:
        assert self_checks == []


def test_student_cells_adds_exactly_what_course_holds_once():
    raw = copy.deepcopy(RELEASED)
    raw.cells = [c for c in raw.cells if c.get("id") not in ("self-check", "self-check-md")]
    for cell in raw.cells:
        cell.metadata.pop("tags", None)
    once = student_cells.student_cells(raw)
    assert once == RELEASED
    assert student_cells.student_cells(copy.deepcopy(once)) == once
    ungraded = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0", id="plain")])
    assert student_cells.student_cells(copy.deepcopy(ungraded)) == ungraded


# ---- the helper's side: rendering and problems ---------------------------------------------------------------------
def _report(**changes):
    """A report shaped like the one `self-check --json` prints (the slow test below checks the real one's keys)."""
    report = {"notebook": "/x/course/00_basics/00_basics.ipynb", "assignment": A, "saved_at": "2026-01-02T03:04:05",
              "sandboxed": True, "mode": "bubblewrap sandbox", "status": "ok", "message": "", "seconds": 1.0,
              "cells": [{"grade_id": "test_forward", "points": 2.0, "max_points": 2.0, "passed": True, "checks": 3,
                         "failed": 0, "messages": [], "explain": ["the forward pass is a <weighted> sum"]},
                        {"grade_id": "test_update", "points": 0.0, "max_points": 3.0, "passed": False, "checks": 4,
                         "failed": 1, "messages": ["update_weights(...): got <None> & nothing"], "explain": []}],
              "score": 2.0, "max_score": 5.0}
    report.update(changes)
    return report


def test_render_html_lists_points_messages_and_total_escaped():
    page = helper.SelfCheckResult(report=_report())._repr_html_()
    assert "<code>test_forward</code>" in page and "2/2" in page
    assert "<code>test_update</code>" in page and "0/3" in page and "1 of 4 checks failed" in page
    assert "got &lt;None&gt; &amp; nothing" in page and "<None>" not in page
    assert "a &lt;weighted&gt; sum" in page                       # explanations of passed cells, escaped
    assert ">2/5</th>" in page and "2026-01-02 03:04:05" in page and "bubblewrap sandbox" in page
    assert "stopped early" not in page
    stopped = helper.render_html(_report(status="timeout", message="budget used up"))
    assert "stopped early (timeout)" in stopped and "budget used up" in stopped


def test_render_text_lists_points_messages_and_total():
    text = repr(helper.SelfCheckResult(report=_report()))
    lines = text.splitlines()
    assert "test_forward: 2/2" in lines and "test_update: 0/3" in lines and lines[-1] == "Total: 2/5"
    assert "    update_weights(...): got <None> & nothing" in lines


@pytest.mark.parametrize("stderr, expected", [
    ("/x/python: No module named autograder\n", helper.CLASS_DEPLOYMENT),
    ("error: no solutions/ folder at /srv/solutions: nothing to grade against\n  what to do: ...",
     helper.CLASS_DEPLOYMENT),
    ("building...\nerror: no notebook at /x.ipynb\n  what to do: pass the path",
     "no notebook at /x.ipynb\n  what to do: pass the path"),
])
def test_problems_are_explained(stderr, expected):
    assert helper.problem_from(2, stderr) == expected


def test_unknown_failure_shows_the_exit_code_and_the_end_of_the_output():
    assert helper.problem_from(1, "Traceback\nValueError: boom") == \
        "the self-check stopped with exit code 1: Traceback\nValueError: boom"


def test_helper_does_not_recurse_inside_a_grader_run(monkeypatch):
    monkeypatch.setenv(helper.RUNNING, "1")
    result = helper.check("anything.ipynb")
    assert result.report is None and "skipped" in result.problem


def test_helper_needs_a_notebook_name_outside_jupyterlab(monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.delenv(helper.RUNNING, raising=False)
    result = helper.check()
    assert result.report is None and "self_check('NAME.ipynb')" in result.problem


def test_the_session_path_relative_to_the_server_root_is_found_from_the_notebook_folder(tmp_path, monkeypatch):
    (tmp_path / NB).write_text("{}")
    monkeypatch.chdir(tmp_path)                                 # JupyterLab starts the kernel in the notebook's folder
    monkeypatch.setenv("JPY_SESSION_NAME", f"course/{A}/{NB}")  # ...and may name it relative to the server's root
    assert helper.notebook_path() == tmp_path / NB
    assert helper.notebook_path(str(tmp_path / "other.ipynb")) == tmp_path / "other.ipynb"


def test_without_solutions_the_learner_is_told_what_to_do(tmp_path):
    notebook = tmp_path / A / NB
    notebook.parent.mkdir()
    nbformat.write(RELEASED, str(notebook))
    with pytest.raises(UserError, match="no solutions/ folder") as raised:
        grader_side.locate(notebook, solutions=tmp_path / "solutions")
    assert "Validate" in raised.value.hint and "instructor" in raised.value.hint
    done = subprocess.run([sys.executable, "-m", "autograder", "self-check", str(tmp_path / "missing.ipynb")],
                          capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("error: no notebook at")


def test_a_renamed_copy_is_refused_with_the_list_of_notebooks(tmp_path):
    notebook = tmp_path / "00_basics-Copy1.ipynb"
    nbformat.write(RELEASED, str(notebook))
    with pytest.raises(UserError, match="not one of the course's notebooks") as raised:
        grader_side.locate(notebook)
    assert f"{A}/{NB}" in raised.value.hint


def test_a_fetched_copy_outside_course_is_matched_by_folder_and_name(tmp_path):
    notebook = tmp_path / "home" / A / NB
    notebook.parent.mkdir(parents=True)
    nbformat.write(RELEASED, str(notebook))
    assert grader_side.locate(notebook)[1:] == (A, SOLUTIONS / A / NB)


def _grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def test_read_only_cells_are_put_back_and_deleted_tests_added_before_the_run():
    nb = copy.deepcopy(RELEASED)
    next(c for c in nb.cells if _grade_id(c) == "exercise-data").source = "weights = [0.0, 0.0]"
    nb.cells = [c for c in nb.cells if _grade_id(c) != "test_q5"]
    before = [c.source for c in nb.cells]
    restored = grader_side.restore_locked(nb, INSTRUCTOR)
    assert len(restored.cells) == len(before) + 1 and _grade_id(restored.cells[-1]) == "test_q5"
    original = next(c.source for c in INSTRUCTOR.cells if _grade_id(c) == "exercise-data")
    assert original != "weights = [0.0, 0.0]"
    assert [c.source for c in restored.cells[:-1]] == [original if s == "weights = [0.0, 0.0]" else s for s in before]


# ---- real self-checks (slow) -----------------------------------------------------------------------------------------
def _write(tmp_path, nb):
    path = tmp_path / A / NB
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def _scores(report):
    return {cell["grade_id"]: cell["points"] for cell in report["cells"]}


def exercise_values():
    """The exercise's answers, computed here independently of the notebook (as in test_class_scenarios)."""
    w, x, target, lr = [0.5, -0.2], [1.0, 0.8], 0.6, 0.1
    output = w[0] * x[0] + w[1] * x[1]
    error = target - output
    return output, error, [w[0] + lr * error * x[0], w[1] + lr * error * x[1]]


@pytest.mark.slow
def test_self_check_scores_blank_partial_and_full_notebooks(tmp_path):
    cache, logs = tmp_path / "cache", []
    blank = grader_side.self_check(_write(tmp_path / "blank", RELEASED), cache=cache, log=logs.append)
    assert blank["status"] == "ok" and blank["score"] == 0 and blank["max_score"] == sum(POINTS.values())
    assert all(not c["passed"] and c["messages"] for c in blank["cells"])
    assert any("building the answer key" in line for line in logs)

    partial_nb = mutate.mutant_submission(RELEASED, INSTRUCTOR, "update", "perturbed")
    logs.clear()
    partial = grader_side.self_check(_write(tmp_path / "partial", partial_nb), cache=cache, log=logs.append,
                                     sandboxed=False)
    assert logs == [], "the second self-check reads the cached answer key"
    assert partial["sandboxed"] is False and "trusted" in partial["mode"]
    assert _scores(partial) == {**POINTS, "test_update": 0.0}
    assert partial["score"] == sum(POINTS.values()) - POINTS["test_update"]
    failing = next(c for c in partial["cells"] if c["grade_id"] == "test_update")
    text = " ".join(failing["messages"])
    for value in exercise_values()[2]:                  # the right new weights are never shown
        assert f"{value:.4f}" not in text and f"{value:g}" not in text
    assert grader_side.format_text(partial).splitlines()[-1].split() == \
        ["total", f"{partial['score']:g}/{partial['max_score']:g}"]


@pytest.mark.slow
def test_helper_runs_the_command_and_reads_the_full_score(tmp_path, monkeypatch):
    """The notebook cell's path: backprop.self_check runs `python -m autograder self-check --json` and parses it."""
    path = _write(tmp_path, mutate.correct_submission(RELEASED, INSTRUCTOR))
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    monkeypatch.setenv("BACKPROP_SELF_CHECK_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(helper.RUNNING, raising=False)
    result = helper.self_check()
    assert result.problem is None, result.problem
    assert result.score == sum(POINTS.values()) and _scores(result.report) == POINTS
    assert result.report["notebook"] == str(path)
    assert f">{sum(POINTS.values()):g}/{sum(POINTS.values()):g}</th>" in result._repr_html_()
    assert set(result.report) == set(_report())
    assert all(set(cell) == set(_report()["cells"][0]) for cell in result.report["cells"])
