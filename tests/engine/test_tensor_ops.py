"""Every Tensor op's gradient against finite differences, on random shapes including broadcasting."""
import numpy as np
import pytest

import backprop as bp
from backprop import Tensor


def positive(rng, *shape):
    """Random values in [0.5, 2]: safe for log, sqrt, division and fractional powers."""
    return rng.uniform(0.5, 2.0, size=shape)


# ---------------------------------------------------------------------------------------------------------
# elementwise binary ops with broadcasting
# ---------------------------------------------------------------------------------------------------------
BROADCAST_SHAPES = [
    ((3, 4), (3, 4)),
    ((3, 1), (4,)),
    ((2, 3, 4), (3, 1)),
    ((1, 4), (3, 1)),
    ((), (2, 3)),
    ((5,), ()),
    ((2, 1, 3), (1, 4, 1)),
]
BINARY_OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a ** b,
    "maximum": bp.maximum,
    "minimum": bp.minimum,
}


@pytest.mark.parametrize("op", list(BINARY_OPS))
@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
def test_binary_op_gradients_with_broadcasting(op, shapes, rng, check_grads):
    a, b = positive(rng, *shapes[0]), positive(rng, *shapes[1])
    out = check_grads(BINARY_OPS[op], a, b)
    assert out.shape == np.broadcast_shapes(shapes[0], shapes[1])


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow"])
def test_binary_ops_with_python_scalars_and_arrays_on_either_side(op, rng, check_grads):
    x = positive(rng, 2, 3)
    const = rng.uniform(0.5, 2.0, size=(3,))
    f = BINARY_OPS[op]
    check_grads(lambda t: f(t, 1.7), x)
    check_grads(lambda t: f(1.7, t), x)
    check_grads(lambda t: f(t, const), x)
    check_grads(lambda t: f(const, t), x)
    # numpy array on the left must produce a Tensor (not an object array)
    assert isinstance(f(const, Tensor(x)), Tensor)


def test_scalar_results_match_numpy(rng):
    a, b = positive(rng, 3, 1), positive(rng, 4)
    ta, tb = Tensor(a), Tensor(b)
    np.testing.assert_allclose((ta - tb).data, a - b)
    np.testing.assert_allclose((ta / tb).data, a / b)
    np.testing.assert_allclose((2.0 - ta).data, 2.0 - a)
    np.testing.assert_allclose((2.0 / ta).data, 2.0 / a)
    np.testing.assert_allclose((2.0 ** ta).data, 2.0 ** a)
    np.testing.assert_allclose((-ta).data, -a)


# ---------------------------------------------------------------------------------------------------------
# elementwise unary functions
# ---------------------------------------------------------------------------------------------------------
UNARY = {
    "exp": (lambda t: t.exp(), "any"),
    "log": (lambda t: t.log(), "positive"),
    "tanh": (lambda t: t.tanh(), "any"),
    "sigmoid": (lambda t: t.sigmoid(), "any"),
    "relu": (lambda t: t.relu(), "any"),
    "leaky_relu": (lambda t: t.leaky_relu(0.1), "any"),
    "abs": (lambda t: t.abs(), "any"),
    "sqrt": (lambda t: t.sqrt(), "positive"),
    "neg": (lambda t: -t, "any"),
    "square": (lambda t: t ** 2, "any"),
    "cube": (lambda t: t ** 3, "any"),
    "rsqrt": (lambda t: t ** -0.5, "positive"),
    "clip": (lambda t: t.clip(-0.5, 0.7), "any"),
    "softmax": (lambda t: t.softmax(), "any"),
    "log_softmax": (lambda t: t.log_softmax(), "any"),
}


UNARY_CASES = [(name, shape) for name in UNARY for shape in [(), (5,), (3, 4), (2, 3, 2)]
               if not (name in ("softmax", "log_softmax") and shape == ())]  # softmax needs an axis


@pytest.mark.parametrize("name, shape", UNARY_CASES, ids=[f"{n}-{s}" for n, s in UNARY_CASES])
def test_unary_op_gradients(name, shape, rng, check_grads):
    fn, domain = UNARY[name]
    x = positive(rng, *shape) if domain == "positive" else rng.standard_normal(shape)
    if name in ("relu", "leaky_relu", "abs", "clip"):  # keep finite differences away from the kinks
        x = np.where(np.abs(x) < 0.05, 0.3, x)
        if name == "clip":
            x = np.where(np.abs(x + 0.5) < 0.05, -0.8, np.where(np.abs(x - 0.7) < 0.05, 1.0, x))
    check_grads(fn, x)


def test_unary_values_match_numpy(rng):
    x = rng.standard_normal((4, 5))
    t = Tensor(x)
    np.testing.assert_allclose(t.exp().data, np.exp(x))
    np.testing.assert_allclose(t.tanh().data, np.tanh(x))
    np.testing.assert_allclose(t.sigmoid().data, 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(t.relu().data, np.where(x > 0, x, 0))
    np.testing.assert_allclose(t.leaky_relu().data, np.where(x > 0, x, 0.01 * x))
    np.testing.assert_allclose(t.abs().data, np.abs(x))
    np.testing.assert_allclose(t.clip(-0.5, 0.5).data, np.clip(x, -0.5, 0.5))


def test_relu_gradient_at_zero_is_zero():
    x = Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])


def test_sigmoid_is_stable_for_large_inputs():
    x = Tensor([-1000.0, 0.0, 1000.0], requires_grad=True)
    s = x.sigmoid()
    np.testing.assert_allclose(s.data, [0.0, 0.5, 1.0])
    s.sum().backward()
    assert np.all(np.isfinite(x.grad))
    np.testing.assert_allclose(x.grad, [0.0, 0.25, 0.0])


# ---------------------------------------------------------------------------------------------------------
# reductions
# ---------------------------------------------------------------------------------------------------------
AXES = [None, 0, 1, -1, (0, 2), (0, 1, 2)]


@pytest.mark.parametrize("reduction", ["sum", "mean", "max", "min"])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_gradients(reduction, axis, keepdims, rng, check_grads):
    x = rng.standard_normal((2, 3, 4))
    out = check_grads(lambda t: getattr(t, reduction)(axis=axis, keepdims=keepdims), x)
    expected = getattr(np, {"sum": "sum", "mean": "mean", "max": "max", "min": "min"}[reduction])(
        x, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(out.data, expected)
    assert out.shape == np.shape(expected)


def test_max_splits_gradient_evenly_among_ties():
    x = Tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [0.5, 0, 0.5]])
    y = Tensor([5.0, 5.0, 5.0, 1.0], requires_grad=True)
    y.max().backward()
    np.testing.assert_allclose(y.grad, [1 / 3, 1 / 3, 1 / 3, 0])


def test_argmax_returns_plain_indices():
    x = Tensor([[1.0, 3.0], [4.0, 2.0]])
    np.testing.assert_array_equal(x.argmax(axis=1), [1, 0])
    assert x.argmin() == 0


# ---------------------------------------------------------------------------------------------------------
# matmul
# ---------------------------------------------------------------------------------------------------------
MATMUL_SHAPES = [
    ((3, 4), (4, 2)),
    ((4,), (4,)),
    ((4,), (4, 3)),
    ((3, 4), (4,)),
    ((2, 3, 4), (4, 5)),
    ((2, 3, 4), (2, 4, 5)),
    ((1, 3, 4), (2, 4, 2)),
    ((5,), (2, 5, 3)),
    ((2, 3, 4), (4,)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_gradients(shapes, rng, check_grads):
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    out = check_grads(lambda x, y: x @ y, a, b)
    np.testing.assert_allclose(out.data, a @ b)


def test_matmul_with_numpy_operand_on_either_side(rng, check_grads):
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    check_grads(lambda x: x @ b, a)
    check_grads(lambda y: a @ y, b)


def test_matmul_skips_gradient_of_constant_input(rng):
    w = Tensor(rng.standard_normal((4, 2)), requires_grad=True)
    x = Tensor(rng.standard_normal((3, 4)))
    (x @ w).sum().backward()
    assert x.grad is None and w.grad.shape == (4, 2)


# ---------------------------------------------------------------------------------------------------------
# shape manipulation and indexing
# ---------------------------------------------------------------------------------------------------------
def test_reshape_transpose_flatten_gradients(rng, check_grads):
    x = rng.standard_normal((2, 3, 4))
    check_grads(lambda t: t.reshape(4, 6), x)
    check_grads(lambda t: t.reshape((-1,)), x)
    check_grads(lambda t: t.transpose(), x)
    check_grads(lambda t: t.transpose(1, 0, 2), x)
    check_grads(lambda t: t.transpose((2, 0, 1)), x)
    check_grads(lambda t: t.flatten(1), x)
    check_grads(lambda t: t.reshape(6, 4).T, x)
    check_grads(lambda t: t.unsqueeze(1).squeeze(), x)
    assert Tensor(x).unsqueeze(-1).shape == (2, 3, 4, 1) and Tensor(x[:1]).squeeze(0).shape == (3, 4)
    with pytest.raises(ValueError, match="size 1"):
        Tensor(x).squeeze(0)
    assert Tensor(x).transpose(2, 0, 1).shape == (4, 2, 3)
    assert Tensor(x).flatten(1).shape == (2, 12)


INDICES = {
    "int": 1,
    "negative int": -1,
    "slice": slice(1, None),
    "step slice": (slice(None), slice(None, None, 2)),
    "ellipsis": (Ellipsis, 0),
    "newaxis": (None, 0),
    "fancy repeated": [0, 2, 0, 0],
    "fancy 2d repeated": (np.array([0, 1, 1, 2]), np.array([3, 0, 0, 1])),
    "boolean mask": np.array([True, False, True]),
    "mixed": (slice(None), [1, 1, 3]),
    "fancy negative": [-1, -1],
}


@pytest.mark.parametrize("name", list(INDICES))
def test_indexing_gradients(name, rng, check_grads):
    x = rng.standard_normal((3, 4))
    index = INDICES[name]
    out = check_grads(lambda t: t[index], x)
    np.testing.assert_array_equal(out.data, x[index])


def test_repeated_fancy_indices_accumulate():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


def test_index_with_tensor_of_whole_numbers():
    x = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    out = x[Tensor([2, 0])]
    np.testing.assert_array_equal(out.data, [30.0, 10.0])
    with pytest.raises(IndexError, match="integers"):
        x[Tensor([0.5])]


def test_item_assignment_is_refused_with_advice():
    with pytest.raises(TypeError, match="item assignment"):
        Tensor([1.0, 2.0])[0] = 5.0


# ---------------------------------------------------------------------------------------------------------
# concatenate / stack
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concatenate_gradients(axis, rng, check_grads):
    shapes = {0: [(1, 3), (2, 3), (4, 3)], 1: [(2, 1), (2, 3), (2, 2)], -1: [(2, 1), (2, 3), (2, 2)]}[axis]
    arrays = [rng.standard_normal(s) for s in shapes]
    out = check_grads(lambda *ts: bp.concatenate(ts, axis=axis), *arrays)
    np.testing.assert_array_equal(out.data, np.concatenate(arrays, axis=axis))


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_stack_gradients(axis, rng, check_grads):
    arrays = [rng.standard_normal((2, 3)) for _ in range(3)]
    out = check_grads(lambda *ts: bp.stack(ts, axis=axis), *arrays)
    np.testing.assert_array_equal(out.data, np.stack(arrays, axis=axis))


def test_concatenate_accepts_constants_and_a_single_tensor_gets_its_slice(rng):
    a = Tensor(rng.standard_normal((2, 2)), requires_grad=True)
    out = bp.concatenate([np.zeros((1, 2)), a], axis=0)
    (out * np.arange(6.0).reshape(3, 2)).sum().backward()
    np.testing.assert_array_equal(a.grad, [[2.0, 3.0], [4.0, 5.0]])


def test_where_gradients(rng, check_grads):
    cond = rng.random((3, 4)) > 0.5
    check_grads(lambda a, b: bp.where(cond, a, b), rng.standard_normal((3, 4)), rng.standard_normal((4,)))


# ---------------------------------------------------------------------------------------------------------
# softmax / log_softmax
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [bp.softmax, bp.log_softmax], ids=["softmax", "log_softmax"])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_family_gradients_along_each_axis(fn, axis, rng, check_grads):
    check_grads(lambda t: fn(t, axis=axis), rng.standard_normal((3, 4)))


def test_softmax_is_stable_for_large_logits():
    logits = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1000.0, 0.0]])
    x = Tensor(logits, requires_grad=True)
    p = bp.softmax(x)
    shifted = logits - logits.max(axis=1, keepdims=True)
    expected = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(p.data, expected)
    np.testing.assert_allclose(p.data.sum(axis=1), 1.0)
    logp = bp.log_softmax(x)
    assert np.all(np.isfinite(logp.data))
    expected_log = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(logp.data, expected_log, rtol=1e-12)
    logp[:, 0].sum().backward()
    assert np.all(np.isfinite(x.grad))
    # d/dx_j of log_softmax(x)_0 = [j == 0] - softmax(x)_j
    np.testing.assert_allclose(x.grad, np.eye(3)[[0, 0]] - expected)


def test_large_logits_gradients_match_finite_differences(check_grads):
    logits = np.array([[500.0, 501.0, 499.5], [-300.0, -299.0, -301.0]])
    check_grads(lambda t: bp.log_softmax(t, axis=1), logits, rtol=1e-4, atol=1e-6)
    check_grads(lambda t: bp.softmax(t, axis=1), logits, rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------------------------------------------------
# a composite: a two-layer network's gradients
# ---------------------------------------------------------------------------------------------------------
def test_two_layer_network_gradients(rng, check_grads):
    x = rng.standard_normal((5, 3))
    w1, b1 = rng.standard_normal((3, 4)), rng.standard_normal(4)
    w2, b2 = rng.standard_normal((4, 2)), rng.standard_normal(2)
    targets = np.array([0, 1, 1, 0, 1])

    def loss(x, w1, b1, w2, b2):
        hidden = (x @ w1 + b1).tanh()
        return -bp.log_softmax(hidden @ w2 + b2, axis=1)[np.arange(5), targets].mean()

    check_grads(loss, x, w1, b1, w2, b2)
