"""backprop.checks.check_equal and check_near: exact small answers and single numbers, short messages, a hint."""
import numpy as np
import pytest
from backprop import checks
from backprop.checks import CheckError


def test_numpy_and_python_values_tuples_and_lists_compare_by_value(capsys):
    assert checks.check_equal((np.int64(3), np.array([1, 2])), [3, [1, 2]], "early_stopping(...)") is None
    assert "early_stopping(...) equals" in capsys.readouterr().out


def test_a_difference_shows_both_values_and_ends_with_the_hint():
    with pytest.raises(CheckError) as exc:
        checks.check_equal((4, 4), (1, 3), "early_stopping([3, 2, 2, 2, 1], 2)",
                           hint="An equal loss is no improvement.")
    text = str(exc.value)
    assert "expected [1, 3]" in text and "got [4, 4]" in text and text.endswith("An equal loss is no improvement.")


def test_long_values_are_shortened():
    with pytest.raises(CheckError) as exc:
        checks.check_equal(list(range(500)), list(range(1, 501)), "configs")
    assert len(str(exc.value)) < 350 and "..." in str(exc.value)


class _Rigged(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


@pytest.mark.parametrize("got, words", [(None, "forget to return"), (_Rigged(5), "numbers, lists or tuples"),
                                        ({"a": 1}, "numbers, lists or tuples"), ([_Rigged(1)], "numbers, lists")])
def test_none_and_foreign_objects_are_refused(got, words):
    with pytest.raises(CheckError, match=words):
        checks.check_equal(got, [1], "answer")


def test_check_near_passes_within_the_tolerance(capsys):
    assert checks.check_near(np.float64(0.26), 0.25, "share below 0.01", tol=0.04, reference="a quarter") is None
    assert "share below 0.01 = 0.26, within 0.04 of a quarter: ok" in capsys.readouterr().out


@pytest.mark.parametrize("got, factor", [(0.2, "2"), (-0.1, "-1"), (0.0500001, "0.5")])
def test_check_near_names_both_values_the_factor_and_the_hint(got, factor):
    with pytest.raises(CheckError) as exc:
        checks.check_near(got, 0.1, "l2_penalty(w, 0.2)", tol=1e-9, hint="Check the 1/2.", reference="the engine")
    text = str(exc.value)
    assert "expected 0.1 (the engine, tolerance 1e-09)" in text and f"{factor} times the expected value" in text
    assert f"got {got:.6g}" in text and text.endswith("Check the 1/2.")


@pytest.mark.parametrize("got", [None, "0.1", np.array([0.1, 0.2]), float("nan")])
def test_check_near_refuses_what_is_not_one_finite_number(got):
    with pytest.raises(CheckError):
        checks.check_near(got, 0.1, "answer")
