"""Validate does not fail correct work: each student notebook, filled in with the solutions, validates clean.

This is what the Validate button in JupyterLab runs (nbgrader's Validator on the student's notebook): a visible
check that ends in a value would be read as partial credit ("The following cell failed ... Partial credit"), and a
visible check that rejects a right answer would fail a correct student. The instructor notebooks themselves are
run by the answer-key build of the grading tests, with every probe previewed.
"""
import pytest
from nbgrader.validator import Validator

from autograder import mutate
from autograder.paths import COURSE, SOLUTIONS, assignment_ids

NOTEBOOKS = [p for a in assignment_ids() for p in sorted((SOLUTIONS / a).glob("*.ipynb"))]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.name}" for p in NOTEBOOKS])
def test_filled_student_notebook_validates_clean(path, tmp_path):
    released = mutate.read(COURSE / path.parent.name / path.name)
    filled = mutate.correct_submission(released, mutate.read(path))
    target = tmp_path / path.name
    mutate.nbformat.write(filled, str(target))
    try:
        result = Validator().validate(str(target))
    except RuntimeError as exc:  # the kernel failed to start (a busy machine), not a verdict: start it once more
        if "Kernel died before replying" not in str(exc):
            raise
        result = Validator().validate(str(target))
    assert result == {}
