"""course/ must be exactly what nbgrader generates from solutions/ (regenerate with `make course`)."""
import pytest

from autograder.generate import differences
from autograder.paths import assignment_ids


def test_there_is_at_least_one_assignment():
    assert "00_basics" in assignment_ids()


@pytest.mark.slow
def test_course_is_generated_from_solutions():
    problems = differences()
    assert problems == [], "course/ is out of date, run `make course`:\n" + "\n".join(problems)
