"""backprop.checks: clear messages, explicit tolerances, and answers that cannot fake their way through."""
import numpy as np
import pytest

from backprop import checks
from backprop.checks import CheckError
from backprop.widgets import delta_rule_step, describe_step


def test_numbers_of_every_usual_type_are_accepted():
    for value in (0.25, 1, np.float64(0.25), np.float32(0.25), np.int64(3)):
        assert checks.as_number(value) == pytest.approx(float(value))


@pytest.mark.parametrize("value, words", [(None, "is None"), ("0.3", "should be a number"), (True, "bool"),
                                          (np.array([0.1, 0.2]), "array of shape (2,)"), (float("nan"), "finite")])
def test_non_numbers_get_a_message_naming_the_problem(value, words):
    with pytest.raises(CheckError, match=None) as exc:
        checks.check_number(value, "output")
    assert words in str(exc.value) and "output" in str(exc.value)


def test_a_float_subclass_is_read_through_the_base_type():
    class Liar(float):
        def __float__(self):
            return 0.34

        def __eq__(self, other):
            return True

        __hash__ = float.__hash__

    with pytest.raises(CheckError, match="expected 0.34"):
        checks.check_close(Liar(1.0), 0.34, "output")


def test_tolerance_is_explicit_in_the_message():
    checks.check_close(0.34 + 5e-10, 0.34, "output", tol=1e-9)
    with pytest.raises(CheckError, match=r"expected 0.34 \(tolerance 1e-09\), got 0.3401"):
        checks.check_close(0.3401, 0.34, "output", tol=1e-9)


def test_lists_are_checked_element_by_element_and_by_length():
    checks.check_all_close([0.526, -0.1792], [0.526, -0.1792], "new_weights")
    with pytest.raises(CheckError, match="should hold 2 numbers"):
        checks.check_numbers([1.0], "new_weights", length=2)
    with pytest.raises(CheckError, match=r"new_weights\[1\]"):
        checks.check_all_close([0.526, -0.179], [0.526, -0.1792], "new_weights", tol=1e-9)


def test_a_list_subclass_cannot_replace_its_items():
    class Sneaky(list):
        def __iter__(self):
            return iter([0.526, -0.1792])

    with pytest.raises(CheckError):
        checks.check_all_close(Sneaky([0.0, 0.0]), [0.526, -0.1792], "new_weights")


@pytest.mark.parametrize("answer", ["b", "B", " b ", "\tB\n"])
def test_choices_are_normalised(answer, capsys):
    assert checks.check_choice(answer, "q1") is None  # a test cell ending in it has no result (no partial credit)
    assert 'q1 = "b" is a valid option' in capsys.readouterr().out
    assert checks.normalise_choice(answer, "q1") == "b"


@pytest.mark.parametrize("answer, words", [("e", "not one of the options"), ("ab", "not one of the options"),
                                           (None, "not answered yet"), (2, "should be a string")])
def test_invalid_choices_get_a_clear_message(answer, words):
    with pytest.raises(CheckError) as exc:
        checks.check_choice(answer, "q1")
    assert words in str(exc.value)


def test_an_always_equal_string_is_refused():
    class Always(str):
        def __eq__(self, other):
            return True

        __hash__ = str.__hash__

    with pytest.raises(CheckError, match="should be a string"):
        checks.check_choice_is(Always("a"), "b", "q1")


def test_wrong_choice_fails_the_hidden_check():
    with pytest.raises(CheckError, match='"a" is not the right option'):
        checks.check_choice_is("a", "b", "q4")


def test_patching_numpy_does_not_change_the_checks(monkeypatch):
    monkeypatch.setattr(np, "isclose", lambda *a, **k: True)
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    with pytest.raises(CheckError):
        checks.check_close(1.0, 0.34, "output")


def test_delta_rule_step_matches_a_hand_calculation():
    w, x, target, lr = [0.3, 0.7], [0.5, -1.0], 0.2, 0.5
    out = w[0] * x[0] + w[1] * x[1]
    err = target - out
    step = delta_rule_step(w, x, target, lr)
    assert step["output"] == pytest.approx(out) and step["error"] == pytest.approx(err)
    assert step["new_weights"] == pytest.approx([w[i] + lr * err * x[i] for i in range(2)])
    assert w == [0.3, 0.7]  # inputs untouched
    text = describe_step(w, x, target, lr)
    assert f"{out:.4f}" in text and f"{err:.4f}" in text


def test_delta_rule_step_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match="one weight per input"):
        delta_rule_step([0.1], [1.0, 2.0], 0.0, 0.1)


def test_explorer_widget_updates_when_a_slider_moves():
    from backprop.widgets import delta_rule_explorer

    box = delta_rule_explorer()
    panel = box.children[1]
    before = panel.value
    box.children[0].children[0].children[0].value = -0.9   # weight w1
    assert panel.value != before and "-0.9" in panel.value


def test_plot_palette_is_okabe_ito_and_style_applies():
    import matplotlib as mpl

    from backprop import plots

    assert plots.PALETTE[0] == "#0072B2" and len(set(plots.PALETTE)) == 8
    plots.use_course_style()
    assert mpl.rcParams["axes.prop_cycle"].by_key()["color"] == plots.PALETTE
