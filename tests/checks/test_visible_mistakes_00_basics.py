"""Chapter 00's visible checks catch the classic wrong answers of each graded exercise (issue 10).

Each mistake is injected into the instructor notebook's solution cell and the notebook runs, as a student's would,
up to the exercise's visible checks (tests/checks/visible_mistakes.py); one of them must fail and say what to look
at. The two cancelling sign errors (error = output - target with w - lr * error * x give the right new weights)
are caught one by one: the error's sign is checked on its own, and so is the direction of the update.
"""
import pytest
from visible_mistakes import Mistake, assert_caught

pytestmark = pytest.mark.slow

NB = "00_basics/00_basics.ipynb"

MISTAKES = [
    # 2.1: the backward pass of the 2-2-1 network, derived step by step
    Mistake(NB, "delta_out", "delta_out = -(y - y_hat)", "delta_out = y - y_hat", "sign is reversed",
            "output delta with the sign of (y - y_hat)"),
    Mistake(NB, "delta_out", "delta_out = -(y - y_hat)", "delta_out = -2 * (y - y_hat)", "1/2 of the loss",
            "forgets that the 1/2 cancels the 2 of the square"),
    Mistake(NB, "delta_hidden", "delta_out * w2 * h * (1 - h)", "delta_out * w2", "sigmoid's slope",
            "drops the sigmoid's derivative"),
    Mistake(NB, "delta_hidden", "delta_out * w2 * h * (1 - h)", "delta_out * w2 * (1 - h)", "sigmoid's slope",
            "sigmoid slope (1 - h) without the factor h"),
    Mistake(NB, "grad_w2_hand", "delta_out * h", "delta_out * x", "hidden activation h[i]",
            "multiplies by the network's input instead of the hidden activation"),
    Mistake(NB, "grad_W1_hand", "np.outer(delta_hidden, x)", "np.outer(x, delta_hidden)", "Row i belongs",
            "transposed: rows indexed by input"),
    Mistake(NB, "grad_W1_hand", "np.outer(delta_hidden, x)", "np.outer([delta_out, delta_out], x)",
            "delta of the neuron the weight feeds", "uses the output delta for the hidden weights"),
    # 6: one step of a linear neuron
    Mistake(NB, "forward", "sum(w * x for w, x in zip(weights, inputs))",
            "sum(w + x for w, x in zip(weights, inputs))", "each weight times its input", "adds weight and input"),
    Mistake(NB, "error", "return target - output", "return output - target", "wrong sign",
            "error = output - target (the first of the two cancelling sign errors)"),
    Mistake(NB, "error", "return target - output", "return abs(target - output)", "wrong sign",
            "the size of the error without its sign"),
    Mistake(NB, "update", "[w + lr * error * x for", "[w - lr * error * x for", "should lower it",
            "w - lr * error * x (the second of the two cancelling sign errors)"),
    Mistake(NB, "update", "[w + lr * error * x for", "[w + error * x for", "lr times it", "forgets the learning rate"),
    Mistake(NB, "update", "return [w + lr * error * x for w, x in zip(weights, inputs)]",
            "for i in range(len(weights)):\n        weights[i] += lr * error * inputs[i]\n    return weights",
            "build and return a new list", "updates the given list in place"),
    Mistake(NB, "update_by_hand", "[0.526, -0.1792]", "[0.474, -0.2208]", "Redo the hand calculation",
            "hand calculation with the update's sign flipped"),
    Mistake(NB, "update_by_hand", "[0.526, -0.1792]", "[0.526, -0.2208]", "Redo the hand calculation",
            "hand calculation with one weight wrong"),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.id for m in MISTAKES])
def test_a_visible_check_catches_the_mistake(mistake, tmp_path):
    assert_caught(mistake, tmp_path)


def test_the_cancelling_sign_errors_give_the_right_weights_so_each_must_be_caught_on_its_own():
    """Why the error's sign needs a check of its own: the two sign errors together give the right new weights."""
    weights, inputs, target, lr = [0.5, -0.2], [1.0, 0.8], 0.6, 0.1
    output = sum(w * x for w, x in zip(weights, inputs))
    right = [w + lr * (target - output) * x for w, x in zip(weights, inputs)]
    both_wrong = [w - lr * (output - target) * x for w, x in zip(weights, inputs)]
    assert both_wrong == pytest.approx(right, abs=1e-12)
    caught = {m.grade_id for m in MISTAKES if m.new in ("return output - target", "[w - lr * error * x for")}
    assert caught == {"error", "update"}
