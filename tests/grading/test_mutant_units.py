"""Which solution regions may share one mutant in the mutation check (autograder.mutate.mutant_units)."""
import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from autograder import mutate


def _solution(gid, body):
    cell = new_code_cell(f"### BEGIN SOLUTION\n{body}\n### END SOLUTION")
    cell.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False, "grade_id": gid,
                                 "schema_version": 3}
    return cell


def _test(gid, source):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": gid, "points": 1,
                                 "schema_version": 3}
    return cell


def _quiz(*extra):
    """A notebook with a function exercise and two quiz letters, plus ``extra`` cells at the end."""
    cells = [new_code_cell("q1 = q2 = None"),
             _solution("f", "def f(x):\n    return 2 * x"), _test("test_f", 'checks.probe("f(3)", name="f")'),
             _solution("q1", 'q1 = "b"'), _test("test_q1", 'checks.probe("q1", name="Q1")'),
             _solution("q2", 'q2 = "c"'), _test("test_q2", 'checks.check_choice(q2, "q2")'), *extra]
    return nbformat.from_dict(new_notebook(cells=cells))


def test_literal_regions_that_nothing_mixes_share_a_mutant_and_ride_along_with_the_first_other_one():
    assert mutate.mutant_units(_quiz()) == [["f", "q1", "q2"]]


def test_literals_whose_tests_read_a_name_of_another_solution_get_a_run_of_their_own():
    nb = _quiz()
    nb.cells[6].source = 'checks.check_choice(q2, "q2")\nchecks.probe("q2 if f(1) else None", name="Q2")'
    assert mutate.mutant_units(nb) == [["f"], ["q1", "q2"]]


def test_feedback_prose_of_a_probe_does_not_count_as_a_read():
    nb = _quiz()
    nb.cells[4].source = 'checks.probe("q1", name="Q1", explain="f doubles x, so the answer is b")'
    assert mutate.mutant_units(nb) == [["f", "q1", "q2"]]


def test_a_cell_that_reads_a_quiz_answer_keeps_it_alone():
    assert mutate.mutant_units(_quiz(new_code_cell("print(q1)"))) == [["f", "q2"], ["q1"]]


def test_a_name_inside_a_string_counts_as_read():
    assert mutate.mutant_units(_quiz(new_code_cell('eval("q2")'))) == [["f", "q1"], ["q2"]]


def test_a_test_cell_that_mentions_another_answer_keeps_both_apart():
    nb = _quiz()
    nb.cells[4].source = 'checks.probe("q1 + q2", name="Q1")'
    assert mutate.mutant_units(nb) == [["f"], ["q1"], ["q2"]]


def test_a_computed_value_is_never_grouped():
    nb = _quiz()
    nb.cells[3].source = '### BEGIN SOLUTION\nq1 = "b".upper()\n### END SOLUTION'
    assert mutate.mutant_units(nb) == [["f", "q2"], ["q1"]]


def test_every_checked_region_is_in_exactly_one_unit():
    from autograder.paths import SOLUTIONS, assignment_ids

    for a in assignment_ids():
        for path in (SOLUTIONS / a).glob("*.ipynb"):
            nb = mutate.read(path)
            units = mutate.mutant_units(nb)
            flat = [gid for unit in units for gid in unit]
            assert sorted(flat) == sorted(g for g, tests in mutate.graded_by(nb).items() if tests), path
