"""backprop.checks.check_parts: every wrong part of a tuple or dict answer is named, each with its own hint."""
import numpy as np
import pytest
from backprop import checks
from backprop.checks import CheckError

EXPECTED = {"loss": 0.75, "grad_w": np.array([1.0, -2.0, 0.5]), "grad_b": -0.25}
HINTS = {"loss": "Take the mean.", "grad_w": "Check the 1/N.", "grad_b": "Check the sign."}


def test_a_tuple_or_dict_that_matches_passes_and_says_so(capsys):
    assert checks.check_parts((0.75, [1.0, -2.0, 0.5], -0.25), EXPECTED, "f()", HINTS, reference="the engine") is None
    assert checks.check_parts(dict(EXPECTED, extra=1), EXPECTED, "g()") is None
    out = capsys.readouterr().out
    assert "f(): all 3 parts (loss, grad_w, grad_b) match the engine: ok" in out and "g(): all 3 parts" in out


def test_every_wrong_part_is_reported_with_its_own_hint_and_no_other():
    with pytest.raises(CheckError) as exc:
        checks.check_parts((0.75, 4 * EXPECTED["grad_w"], 0.2500001), EXPECTED, "f()", HINTS)
    text = str(exc.value)
    assert "f()[grad_w]" in text and "Every entry is 4 times the reference" in text and "Check the 1/N." in text
    assert "f()[grad_b]: expected -0.25, got 0.25 (tolerance 1e-06). Hint: Check the sign." in text
    assert "f()[loss]" not in text and "Take the mean." not in text


def test_a_number_gets_one_line_with_six_digits():
    with pytest.raises(CheckError) as exc:
        checks.check_parts((0.7500123, EXPECTED["grad_w"], -0.25), EXPECTED, "f()", HINTS, tol=1e-6)
    assert str(exc.value) == "f()[loss]: expected 0.75, got 0.750012 (tolerance 1e-06). Hint: Take the mean."


@pytest.mark.parametrize("got, words", [((0.75, EXPECTED["grad_w"]), "a tuple of 3 (loss, grad_w, grad_b), got 2"),
                                        ({"loss": 0.75}, "lacks ['grad_w', 'grad_b']"),
                                        (0.75, "should be a tuple (loss, grad_w, grad_b) or a dict"),
                                        ((None, EXPECTED["grad_w"], -0.25), "[loss]: expected 0.75, got None"),
                                        (("a", EXPECTED["grad_w"], -0.25), "[loss] should be a number, got str"),
                                        ((0.75, EXPECTED["grad_w"], [1.0, 2.0]), "got shape (2,)")])
def test_wrong_structures_are_named(got, words):
    with pytest.raises(CheckError) as exc:
        checks.check_parts(got, EXPECTED, "f()")
    assert words in str(exc.value)
