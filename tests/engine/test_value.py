"""Value: scalar autograd for the chain-rule chapter."""
import math

import numpy as np
import pytest

from backprop import Tensor, Value


def numeric_derivative(f, x, eps=1e-6):
    """Central difference of a plain float function."""
    return (f(x + eps) - f(x - eps)) / (2 * eps)


UNARY = {
    "exp": (lambda v: v.exp(), math.exp),
    "log": (lambda v: v.log(), math.log),
    "tanh": (lambda v: v.tanh(), math.tanh),
    "sigmoid": (lambda v: v.sigmoid(), lambda x: 1 / (1 + math.exp(-x))),
    "relu": (lambda v: v.relu(), lambda x: max(x, 0.0)),
    "neg": (lambda v: -v, lambda x: -x),
    "square": (lambda v: v ** 2, lambda x: x ** 2),
    "inverse": (lambda v: v ** -1, lambda x: 1 / x),
    "sqrt": (lambda v: v ** 0.5, math.sqrt),
    "rpow": (lambda v: 2 ** v, lambda x: 2 ** x),
    "rsub": (lambda v: 3 - v, lambda x: 3 - x),
    "rdiv": (lambda v: 3 / v, lambda x: 3 / x),
    "radd_rmul": (lambda v: 2 * v + 1, lambda x: 2 * x + 1),
}


POSITIVE_ONLY = {"log", "sqrt", "inverse", "rdiv"}
UNARY_CASES = [(name, x) for name in UNARY for x in (-1.3, 0.4, 2.2) if x > 0 or name not in POSITIVE_ONLY]


@pytest.mark.parametrize("name, x", UNARY_CASES)
def test_unary_values_and_gradients(name, x):
    op, reference = UNARY[name]
    v = Value(x)
    out = op(v)
    out.backward()
    assert out.data == pytest.approx(reference(x))
    assert v.grad == pytest.approx(numeric_derivative(reference, x), rel=1e-6, abs=1e-8)


BINARY = {
    "add": (lambda a, b: a + b),
    "sub": (lambda a, b: a - b),
    "mul": (lambda a, b: a * b),
    "div": (lambda a, b: a / b),
}


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_gradients(name):
    f = BINARY[name]
    a, b = Value(1.7), Value(-0.6)
    out = f(a, b)
    out.backward()
    assert out.data == pytest.approx(f(1.7, -0.6))
    assert a.grad == pytest.approx(numeric_derivative(lambda x: f(x, -0.6), 1.7), rel=1e-6)
    assert b.grad == pytest.approx(numeric_derivative(lambda x: f(1.7, x), -0.6), rel=1e-6)


def test_reused_node_gets_the_sum_of_all_paths():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == pytest.approx(6.0)
    y = Value(3.0)
    (y + y).backward()
    assert y.grad == pytest.approx(2.0)
    z = Value(0.5)
    a = z.tanh()
    (a * a + a).backward()  # d/dz = (2a + 1)(1 - a^2)
    t = math.tanh(0.5)
    assert z.grad == pytest.approx((2 * t + 1) * (1 - t * t))


def test_backward_twice_gives_the_same_gradients():
    x, w = Value(0.8), Value(-1.5)
    out = (x * w + x).tanh() * x
    out.backward()
    first = (x.grad, w.grad)
    out.backward()
    assert (x.grad, w.grad) == first


def test_deep_chain_of_100_000_nodes():
    """backward() is iterative: a chain far deeper than Python's recursion limit works."""
    x = Value(0.5)
    y = x
    for _ in range(100_000):
        y = y.relu()  # relu'(positive) = 1, so dy/dx = 1
    order = y.topological_order()
    assert len(order) == 100_001 and order[0] is x and order[-1] is y
    y.backward()
    assert x.grad == 1.0 and y.grad == 1.0


def test_topological_order_lists_inputs_first():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    c = a * b
    d = c + a
    order = d.topological_order()
    position = {id(v): i for i, v in enumerate(order)}
    assert order[-1] is d
    for node in order:
        for parent in node._prev:
            assert position[id(parent)] < position[id(node)]
    assert len(order) == 4


def test_zero_grad_clears_the_whole_graph():
    a, b = Value(1.0), Value(2.0)
    out = a * b
    out.backward()
    out.zero_grad()
    assert a.grad == b.grad == out.grad == 0.0


def test_attributes_and_repr():
    a = Value(2.0, label="a")
    b = a * 3
    assert b._op == "*" and b._prev[0] is a and isinstance(b._prev, tuple)
    assert "data=6" in repr(b) and "label='a'" in repr(a)


def test_log_of_non_positive_is_a_clear_error():
    with pytest.raises(ValueError, match=r"log of a non-positive number \(-2.0\)"):
        Value(-2.0).log()
    with pytest.raises(ValueError, match="non-positive"):
        Value(0.0).log()


def test_other_bad_inputs():
    with pytest.raises(TypeError, match="must be a number"):
        Value("x")
    with pytest.raises(TypeError, match="exponent must be a plain number"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / 0
    with pytest.raises(ValueError, match="fractional power"):
        Value(-1.0) ** 0.5


def test_sigmoid_does_not_overflow():
    for x in (-800.0, 800.0):
        v = Value(x)
        s = v.sigmoid()
        s.backward()
        assert 0.0 <= s.data <= 1.0 and v.grad == pytest.approx(0.0, abs=1e-300)


def test_value_gradients_match_tensor_gradients(rng):
    """A small neuron computed with Values and with Tensors gives the same gradients."""
    xs, ws, b = rng.standard_normal(4), rng.standard_normal(4), 0.3
    x_vals, w_vals, b_val = [Value(v) for v in xs], [Value(v) for v in ws], Value(b)
    act = sum((wi * xi for wi, xi in zip(w_vals, x_vals)), b_val)
    loss = (act.tanh() - 0.5) ** 2 + act.sigmoid().log() + act.relu() * act.exp()
    loss.backward()

    x_t, w_t, b_t = Tensor(xs, requires_grad=True), Tensor(ws, requires_grad=True), Tensor(b, requires_grad=True)
    act_t = (w_t * x_t).sum() + b_t
    loss_t = (act_t.tanh() - 0.5) ** 2 + act_t.sigmoid().log() + act_t.relu() * act_t.exp()
    loss_t.backward()

    assert loss.data == pytest.approx(loss_t.item())
    np.testing.assert_allclose([v.grad for v in x_vals], x_t.grad, rtol=1e-12)
    np.testing.assert_allclose([v.grad for v in w_vals], w_t.grad, rtol=1e-12)
    assert b_val.grad == pytest.approx(b_t.grad.item())


def test_stepping_the_backward_pass_by_hand_matches_backward():
    """The pieces a widget uses to animate backward(): topological_order() and one _backward() per node."""
    a, b = Value(0.3), Value(-0.8)
    out = (a * b + a).tanh()
    out.backward()
    expected = (a.grad, b.grad)
    order = out.topological_order()
    for node in order:
        node.grad = 0.0
    out.grad = 1.0
    for node in reversed(order):
        node._backward()
    assert (a.grad, b.grad) == expected
