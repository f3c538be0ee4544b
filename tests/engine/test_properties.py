"""Property tests (hypothesis): broadcasting and reductions hold their invariants on arbitrary shapes."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import backprop as bp
from backprop import Tensor

FAST = settings(max_examples=40, deadline=None)
two_shapes = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=1, max_side=4)
small_shape = hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4)
seeds = st.integers(0, 2**32 - 1)


def broadcast_gradient_by_definition(operand_shape, out_shape, upstream_times_partial):
    """d loss / d operand[i] = sum of upstream*partial over the output cells that operand[i] was copied into."""
    grad = np.zeros(operand_shape)
    for index in np.ndindex(*operand_shape):
        onehot = np.zeros(operand_shape)
        onehot[index] = 1.0
        grad[index] = np.sum(np.broadcast_to(onehot, out_shape) * upstream_times_partial)
    return grad


@FAST
@given(shapes=two_shapes, seed=seeds, op=st.sampled_from(["add", "sub", "mul"]))
def test_broadcast_gradients_have_operand_shape_and_match_definition(shapes, seed, op):
    (shape_a, shape_b), out_shape = shapes.input_shapes, shapes.result_shape
    rng = np.random.default_rng(seed)
    a_data, b_data = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    a, b = Tensor(a_data, requires_grad=True), Tensor(b_data, requires_grad=True)
    out = {"add": a + b, "sub": a - b, "mul": a * b}[op]
    assert out.shape == out_shape
    upstream = rng.standard_normal(out_shape)
    out.backward(upstream)
    assert a.grad.shape == shape_a and b.grad.shape == shape_b
    b_b = np.broadcast_to(b_data, out_shape)
    a_b = np.broadcast_to(a_data, out_shape)
    partial_a = {"add": 1.0, "sub": 1.0, "mul": b_b}[op]
    partial_b = {"add": 1.0, "sub": -1.0, "mul": a_b}[op]
    np.testing.assert_allclose(a.grad, broadcast_gradient_by_definition(shape_a, out_shape, upstream * partial_a),
                               atol=1e-12)
    np.testing.assert_allclose(b.grad, broadcast_gradient_by_definition(shape_b, out_shape, upstream * partial_b),
                               atol=1e-12)
    if op == "add":  # every output cell passes its gradient to exactly one cell of each operand
        assert a.grad.sum() == pytest.approx(upstream.sum())
        assert b.grad.sum() == pytest.approx(upstream.sum())


@st.composite
def shape_and_axis(draw):
    shape = draw(small_shape)
    ndim = len(shape)
    choice = draw(st.sampled_from(["none", "int", "tuple"]))
    if choice == "none":
        axis = None
    elif choice == "int":
        axis = draw(st.integers(-ndim, ndim - 1))
    else:
        axis = tuple(draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True)))
    return shape, axis


@FAST
@given(case=shape_and_axis(), keepdims=st.booleans(), seed=seeds,
       reduction=st.sampled_from(["sum", "mean", "max", "min"]))
def test_reductions_match_numpy_and_conserve_gradient(case, keepdims, seed, reduction):
    shape, axis = case
    rng = np.random.default_rng(seed)
    data = rng.standard_normal(shape)
    x = Tensor(data, requires_grad=True)
    out = getattr(x, reduction)(axis=axis, keepdims=keepdims)
    expected = getattr(np, reduction)(data, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(out.data, expected)
    assert out.shape == np.shape(expected)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    assert x.grad.shape == shape
    group = data.size // max(out.size, 1)  # input cells per output cell
    total = {"sum": upstream.sum() * group, "mean": upstream.sum(), "max": upstream.sum(), "min": upstream.sum()}
    assert x.grad.sum() == pytest.approx(total[reduction], rel=1e-9, abs=1e-9)
    if reduction in ("max", "min"):  # exactly one (untied) winner per output cell gets the gradient
        assert np.count_nonzero(x.grad) <= out.size


@FAST
@given(batch=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3),
       n=st.integers(1, 4), k=st.integers(1, 4), m=st.integers(1, 4), seed=seeds)
def test_batched_matmul_gradients_have_operand_shapes(batch, n, k, m, seed):
    rng = np.random.default_rng(seed)
    (batch_a, batch_b) = batch.input_shapes
    a_data, b_data = rng.standard_normal(batch_a + (n, k)), rng.standard_normal(batch_b + (k, m))
    a, b = Tensor(a_data, requires_grad=True), Tensor(b_data, requires_grad=True)
    out = a @ b
    np.testing.assert_allclose(out.data, a_data @ b_data)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    assert a.grad.shape == a_data.shape and b.grad.shape == b_data.shape
    # linear in a: <upstream, a @ b> = <a.grad, a> exactly (Euler's identity for a bilinear form)
    assert np.sum(a.grad * a_data) == pytest.approx(np.sum(upstream * out.data), rel=1e-9, abs=1e-9)
    assert np.sum(b.grad * b_data) == pytest.approx(np.sum(upstream * out.data), rel=1e-9, abs=1e-9)


@FAST
@given(size=st.integers(1, 6), indices=st.lists(st.integers(0, 5), min_size=1, max_size=12), seed=seeds)
def test_fancy_index_gradient_counts_repeats(size, indices, seed):
    indices = [i % size for i in indices]
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal(size), requires_grad=True)
    x[indices].sum().backward()
    np.testing.assert_array_equal(x.grad, np.bincount(indices, minlength=size))


@FAST
@given(shape=small_shape, seed=seeds, scale=st.sampled_from([1.0, 50.0, 800.0]))
def test_softmax_rows_sum_to_one_and_gradient_rows_sum_to_zero(shape, seed, scale):
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal(shape) * scale, requires_grad=True)
    p = bp.softmax(x, axis=-1)
    assert np.all(np.isfinite(p.data))
    np.testing.assert_allclose(p.data.sum(axis=-1), 1.0)
    p.backward(rng.standard_normal(shape))
    # softmax is invariant to adding a constant to a row, so the gradient of each row sums to 0
    np.testing.assert_allclose(x.grad.sum(axis=-1), 0.0, atol=1e-9)
    logp = bp.log_softmax(x, axis=-1)
    assert np.all(np.isfinite(logp.data)) and np.all(logp.data <= 1e-12)
