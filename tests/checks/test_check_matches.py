"""backprop.checks.check_matches: a short, exact summary of where an array differs from a reference, and a hint."""
import numpy as np
import pytest
from backprop import checks
from backprop.checks import CheckError


def test_a_match_within_the_tolerance_passes_and_says_so(capsys):
    reference = np.array([[0.5, -1.25], [2.0, 3.0]])
    assert checks.check_matches(reference + 1e-9, reference, "grad_W", reference="the engine") is None
    assert "grad_W matches the engine" in capsys.readouterr().out


def test_the_message_locates_the_worst_entry_with_enough_digits():
    reference = np.array([[0.9, 0.1], [0.2, 0.3]])
    got = reference.copy()
    got[1, 0] = 0.2000123                                   # rounds to 0.2 at 3 digits, not at 6
    with pytest.raises(CheckError) as exc:
        checks.check_matches(got, reference, "grad_x", hint="Look at the bias.", tol=1e-6)
    text = str(exc.value)
    assert "1 of 4 entries differ" in text and "grad_x[1, 0]" in text
    assert "expected 0.2," in text and "got 0.200012" in text and text.endswith("Look at the bias.")
    assert "times the reference" not in text               # one entry off is not a constant factor


@pytest.mark.parametrize("factor", [-1.0, 4.0, 0.25])
def test_a_constant_factor_is_named(factor):
    reference = np.random.default_rng(1).normal(size=(3, 5))
    with pytest.raises(CheckError, match=f"Every entry is {factor:g} times the reference"):
        checks.check_matches(factor * reference, reference, "grad")


def test_a_large_array_gets_a_summary_not_a_dump():
    reference = np.random.default_rng(2).normal(size=(6, 30))
    with pytest.raises(CheckError) as exc:
        checks.check_matches(reference + 1.0, reference, "grad")
    assert "180 of 180 entries differ" in str(exc.value) and len(str(exc.value)) < 300


@pytest.mark.parametrize("got, words", [(np.zeros((2, 3)), "shape (3, 2)"), (np.full((3, 2), np.nan), "nan or inf"),
                                        ("abc", "array of numbers"), (None, "array of numbers")])
def test_wrong_shapes_and_non_numbers_are_named(got, words):
    with pytest.raises(CheckError, match=None) as exc:
        checks.check_matches(got, np.ones((3, 2)), "grad", hint="Check the transpose.")
    assert words in str(exc.value)
