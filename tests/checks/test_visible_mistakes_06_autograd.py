"""Common wrong answers in "Build your own autograd" (01.6) make a visible check fail with a message that says what
to look at.

Each mistake is injected into the instructor notebook's solution cell and run as a student would (see
visible_mistakes.py): the closures of + and *, the tanh derivative, the topological order, the seed of the backward
pass and zero_grad.
"""
import pytest
from visible_mistakes import Mistake, assert_caught

pytestmark = pytest.mark.slow

AUTOGRAD = "01_techniques/06_build_your_own_autograd.ipynb"

_VISIT = """            for child in node._prev:
                visit(child)
            order.append(node)"""

MISTAKES = [
    Mistake(AUTOGRAD, "value_add_mul", "self.grad += out.grad\n        other.grad += out.grad",
            "self.grad = out.grad\n        other.grad = out.grad", "use +=", "= instead of += in the closure of +"),
    Mistake(AUTOGRAD, "value_add_mul", "self.grad += other.data * out.grad\n        other.grad += self.data * out.grad",
            "self.grad += self.data * out.grad\n        other.grad += other.data * out.grad", "swap",
            "swaps the operands in the backward of *"),
    Mistake(AUTOGRAD, "value_add_mul", "self.grad += other.data * out.grad", "self.grad += other.data",
            "multiply by out.grad", "forgets the gradient from above in *"),
    Mistake(AUTOGRAD, "value_pow_tanh", "(1.0 - t ** 2) * out.grad", "(1.0 - t) * out.grad", "1 - t**2",
            "tanh derivative 1 - t instead of 1 - t**2"),
    Mistake(AUTOGRAD, "value_pow_tanh", "exponent * self.data ** (exponent - 1) * out.grad",
            "self.data ** (exponent - 1) * out.grad", "power rule", "drops the factor n of the power rule"),
    Mistake(AUTOGRAD, "value_backward", "        if node not in visited:\n            visited.add(node)\n" + _VISIT,
            _VISIT.replace("    ", "", 1).replace("\n    ", "\n"), "visited set",
            "recursion without a visited set: a reused node is listed twice"),
    Mistake(AUTOGRAD, "value_backward", _VISIT,
            "            order.append(node)\n            for child in node._prev:\n                visit(child)",
            "AFTER all of its inputs", "appends a node before its inputs (no topological order)"),
    Mistake(AUTOGRAD, "value_backward", "for node in reversed(self.topological_order()):",
            "for node in self.topological_order():", "reversed(", "calls the closures inputs first"),
    Mistake(AUTOGRAD, "value_backward", "    self.grad = 1.0\n", "", "self.grad = 1", "forgets to seed grad = 1"),
    Mistake(AUTOGRAD, "value_backward", "for node in self.topological_order():\n        node.grad = 0.0",
            "self.grad = 0.0", "every node", "zero_grad clears only the output"),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.id)
def test_a_visible_check_catches_the_mistake(mistake, tmp_path):
    assert_caught(mistake, tmp_path)
