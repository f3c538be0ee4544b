"""Validate does not fail correct work, and every number the prose states is computed: one run per notebook.

Each student notebook, filled in with the solutions, is run once by nbgrader's Validator (what the Validate button
in JupyterLab runs on the student's notebook): a visible check that ends in a value would be read as partial credit
("The following cell failed ... Partial credit"), and a visible check that rejects a right answer would fail a
correct student. The same executed notebook then backs the numbers of its markdown (tests/grading/prose_numbers.py):
a number the prose states must appear in the notebook's code or outputs. The instructor notebooks themselves are
run by the answer-key build of the grading tests, with every probe previewed.
"""
import pytest
from nbgrader.validator import Validator

from autograder import mutate
from backprop.steady_client import kernel_config
from autograder.paths import COURSE, SOLUTIONS, assignment_ids
from prose_numbers import prose_numbers, unbacked_numbers

NOTEBOOKS = [p for a in assignment_ids() for p in sorted((SOLUTIONS / a).glob("*.ipynb"))]
IDS = [f"{p.parent.name}/{p.name}" for p in NOTEBOOKS]
# The same worker runs both tests of a notebook, so the second one reuses the first one's execution.
PARAMS = [pytest.param(p, id=i, marks=pytest.mark.xdist_group(f"solutions-{i}")) for p, i in zip(NOTEBOOKS, IDS)]

# Numbers the prose states without the notebook computing them, being fixed in the notebooks (issue 10, item 7):
# a notebook listed here xfails while it flags no other number. Remove an entry once its notebook is fixed.
PROSE_NUMBERS_TO_FIX = {
}

_RUNS = {}


class _KeepingValidator(Validator):
    """nbgrader's Validator that keeps the notebook it executed."""

    executed = None

    def _preprocess(self, nb):
        self.executed = super()._preprocess(nb)
        return self.executed


def validated(path, tmp_path_factory):
    """(Validator result, executed notebook) of the student notebook filled in with the solutions; run once."""
    if path not in _RUNS:
        released = mutate.read(COURSE / path.parent.name / path.name)
        filled = mutate.correct_submission(released, mutate.read(path))
        target = tmp_path_factory.mktemp(path.stem) / path.name
        mutate.nbformat.write(filled, str(target))
        # cells get 10 minutes here (Validate's own default is 30 s): a busy machine must not fail a correct notebook
        config = kernel_config()  # the kernel client of the Validate button (scripts/lab.py)
        config.Execute.timeout = 600
        validator = _KeepingValidator(config=config)
        try:
            result = validator.validate(str(target))
        except RuntimeError as exc:  # the kernel failed to start (a busy machine), not a verdict: start it once more
            if "Kernel died before replying" not in str(exc):
                raise
            result = validator.validate(str(target))
        _RUNS[path] = (result, validator.executed)
    return _RUNS[path]


@pytest.mark.slow
@pytest.mark.parametrize("path", PARAMS)
def test_filled_student_notebook_validates_clean(path, tmp_path_factory):
    result, _ = validated(path, tmp_path_factory)
    assert result == {}


@pytest.mark.slow
@pytest.mark.parametrize("path", PARAMS)
def test_every_number_in_the_prose_is_computed(path, tmp_path_factory):
    _, executed = validated(path, tmp_path_factory)
    _RUNS.pop(path, None)  # the last use of this execution: free the outputs
    assert executed is not None and any(c.get("outputs") for c in executed.cells), "the notebook did not run"
    flagged = unbacked_numbers(executed)
    known = PROSE_NUMBERS_TO_FIX.get(f"{path.parent.name}/{path.name}")
    if flagged and known is not None and set(flagged) <= set(known):
        pytest.xfail(f"prose numbers not computed yet: {flagged}")
    assert flagged == [], (f"numbers in the markdown that neither the code nor the outputs hold: {flagged}; print "
                           "them from a variable (or add an exemption in tests/grading/prose_numbers.py if it is "
                           "not a stated quantity)")


@pytest.mark.parametrize("markdown, expected", [
    ("The output is 0.34 for 784 pixels, about 95 % right.", ["0.34", "784", "95"]),
    ("## 6. Exercise\n**6.1 Forward pass.** Two inputs, 3 steps and 10 epochs.", []),
    ("# Chapter 02.2 — Convolutional networks\n\n1797 images", ["1797"]),
    ("Rumelhart et al., 1986 [12], see [the paper](https://arxiv.org/abs/1502.03167) and Eq. 14.", []),
    ("**Q1.** Loss has been rising for 30 epochs. Which value?\n\n* a) 0.25\n* b) 0.5", []),
    ("A 1,797-image set, a weight of -0.2, $w_{12}$ and $10^{-6}$.", ["1,797", "0.2"]),
])
def test_prose_numbers_follow_the_rules(markdown, expected):
    assert [token for token, *_ in prose_numbers(markdown)] == expected


def test_a_number_is_backed_by_code_or_an_output_at_its_precision():
    nb = mutate.nbformat.v4.new_notebook(cells=[
        mutate.nbformat.v4.new_markdown_cell("We get 0.34, 95% accuracy, 1,797 images, lr 0.05 and 123 steps."),
        mutate.nbformat.v4.new_code_cell("lr = 0.05\nprint(out)", outputs=[
            mutate.nbformat.v4.new_output("stream", text="out 0.3400123 accuracy 0.951\n"),
            mutate.nbformat.v4.new_output("execute_result", data={"text/plain": "1797"}, execution_count=1)]),
    ])
    assert unbacked_numbers(nb) == ["123"]
