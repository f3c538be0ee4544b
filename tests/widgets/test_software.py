"""Chapter 03 widget: the recorded tape follows the data-dependent loop and its gradient is right."""
import math

import pytest

from backprop.widgets.software import describe_tape, dynamic_graph_explorer, halving_program, record_tape


@pytest.mark.parametrize("x", [0.3, -0.9, 1.5, 3.0, -7.25, 33.0])
def test_loop_count_and_tape_length_follow_the_input(x):
    tape = record_tape(x)
    expected_halvings = 0 if abs(x) <= 1 else math.ceil(math.log2(abs(x)))
    assert tape["halvings"] == expected_halvings
    # halvings (one '*' each), then tanh and the final product
    assert tape["ops"] == ["*"] * expected_halvings + ["tanh", "*"]


@pytest.mark.parametrize("x", [0.3, -0.9, 1.5, 3.0, -7.25, 33.0])
def test_gradient_matches_finite_differences(x):
    eps = 1e-6
    numeric = (halving_program(x + eps) - halving_program(x - eps)) / (2 * eps)
    assert record_tape(x)["grad"] == pytest.approx(numeric, rel=1e-6, abs=1e-9)
    assert record_tape(x)["output"] == pytest.approx(halving_program(x), rel=1e-12)


def test_describe_and_widget_build_without_a_browser():
    text = describe_tape(5.0)
    assert "ran 3 time(s)" in text and "df/dx" in text
    box = dynamic_graph_explorer(2.5)
    slider, panel = box.children
    slider.value = -12.0
    assert "ran 4 time(s)" in panel.value


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="finite"):
        record_tape(float("nan"))
