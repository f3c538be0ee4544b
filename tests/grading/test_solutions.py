"""Every solution notebook runs with nbgrader's validator without a failing test (i.e. full marks)."""
import pytest
from nbgrader.validator import Validator

from autograder.paths import SOLUTIONS, assignment_ids

NOTEBOOKS = [p for a in assignment_ids() for p in sorted((SOLUTIONS / a).glob("*.ipynb"))]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.name}" for p in NOTEBOOKS])
def test_solution_notebook_validates(path):
    assert Validator().validate(str(path)) == {}
