"""backprop.checks.check_agrees: compares with a reference the check computed, and never prints that reference."""
import numpy as np
import pytest
from backprop import checks
from backprop.checks import CheckError


def test_a_number_or_nested_list_within_the_tolerance_passes_and_says_so(capsys):
    assert checks.check_agrees(0.25 + 1e-5, 0.25, "delta_out", tol=1e-4, reference="the engine") is None
    assert checks.check_agrees([[1.0, 2.0], [3.0, 4.0]], np.arange(1.0, 5.0).reshape(2, 2), "grad") is None
    out = capsys.readouterr().out
    assert "delta_out agrees with the engine (tolerance 0.0001): ok" in out and "grad agrees" in out


def test_the_message_shows_the_students_value_and_the_hint_but_never_the_reference():
    reference = np.array([[0.123457, -0.654321], [0.222222, 0.333333]])
    got = reference.copy()
    got[1, 0] = 0.5
    with pytest.raises(CheckError) as exc:
        checks.check_agrees(got.tolist(), reference, "grad_W1", hint="Row i belongs to hidden neuron i.", tol=1e-4)
    text = str(exc.value)
    assert "1 of 4 entries differ by more than 0.0001" in text and "grad_W1[1, 0] = 0.5" in text
    assert text.endswith("Row i belongs to hidden neuron i.")
    for value in reference.ravel():
        assert f"{value:.3g}" not in text and f"{value:.6g}" not in text


def test_a_reversed_sign_is_named_and_another_factor_is_not():
    with pytest.raises(CheckError, match=r"it differs by more than 1e-06 \(you have d = 0.7\)\. Its sign is reversed"):
        checks.check_agrees(0.7, -0.7, "d")
    with pytest.raises(CheckError) as exc:
        checks.check_agrees([1.4, 2.0], [0.7, 1.0], "d")
    assert "sign" not in str(exc.value) and "2 of 2 entries differ" in str(exc.value)


@pytest.mark.parametrize("got, words", [(None, "is None"), ("0.5", "number or a list"), (True, "number or a list"),
                                        ([1.0, 2.0, 3.0], "shape (2,), got (3,)"), ([np.nan, 1.0], "nan or inf"),
                                        ([[1.0], [2.0, 3.0]], "number or a list")])
def test_missing_or_malformed_answers_are_named(got, words):
    with pytest.raises(CheckError) as exc:
        checks.check_agrees(got, [1.0, 2.0], "grad_w2")
    assert words in str(exc.value)
