"""The backward pass's bookkeeping (autograd.run_backward): the order it visits nodes in, the gradients that wait on
nodes during a pass, a failed pass leaving nothing behind, and a backward() called inside a backward function."""
import numpy as np
import pytest

from backprop import Function, Tensor


def logged_op(name, log, *parents):
    """An op whose output is its first parent's data and whose backward passes the gradient on to every parent,
    writing (name, gradient received) to `log` each time it runs."""
    def backward(g):
        log.append((name, g.copy()))
        return tuple(g for _ in parents)

    return Tensor._from_op(parents[0].data.copy(), parents, backward, name)


def test_every_node_runs_once_newest_first_even_when_a_waiting_node_is_newer_than_the_next_parent():
    """R uses A and B; A and B both use C. After B, C is B's only parent, but A (newer than C, still waiting)
    must run first, so that C runs once, with the sum of both gradients."""
    x = Tensor([1.0, 2.0], requires_grad=True)
    log = []
    c = logged_op("C", log, x)
    a = logged_op("A", log, c)
    b = logged_op("B", log, c)
    r = logged_op("R", log, a, b)
    r.backward(np.array([1.0, 10.0]))
    assert [name for name, _ in log] == ["R", "B", "A", "C"]
    np.testing.assert_array_equal(dict(log)["C"], [2.0, 20.0])
    np.testing.assert_array_equal(x.grad, [2.0, 20.0])


def test_a_node_with_several_unvisited_parents_sends_them_in_creation_order():
    x = Tensor([1.0], requires_grad=True)
    log = []
    p1, p2, p3 = (logged_op(name, log, x) for name in ("P1", "P2", "P3"))
    logged_op("R", log, p2, p1, p3).backward(np.array([1.0]))  # parents listed out of creation order
    assert [name for name, _ in log] == ["R", "P3", "P2", "P1"]
    np.testing.assert_array_equal(x.grad, [3.0])


def test_a_failed_backward_leaves_no_gradient_waiting_for_the_next_one():
    """The pass stops at the op whose backward returns a wrong shape. The gradients it already handed to a leaf,
    to the failing op's other input and to a node still waiting its turn must not reappear in a later backward()
    through the same tensors."""
    x = Tensor([1.0, 2.0], requires_grad=True)
    m = x * 4.0                                   # oldest: still waiting for its turn when the pass fails
    k = x * 3.0                                   # handed a gradient by the failing op itself
    bad = Tensor._from_op(np.zeros(2), (k, x), lambda g: (g, np.ones(7)), "bad")
    h = x * 2.0                                   # newer than bad: visited first, so x already holds a gradient
    with pytest.raises(RuntimeError, match="'bad'.*shape \\(7,\\) for its input 1"):
        (m.sum() + (bad + h).sum()).backward()
    assert x.grad is None
    for node, factor in ((k, 3.0), (m, 4.0), (h, 2.0)):
        x.grad = None
        node.sum().backward()
        np.testing.assert_array_equal(x.grad, [factor, factor])


def test_backward_inside_a_backward_function_sees_its_own_gradients_only():
    """A Function whose backward runs another backward() through the same leaf, while the outer pass holds a
    gradient for that leaf: the inner pass stores only its own gradient, the outer one adds its own afterwards."""
    w = Tensor([1.0, 2.0], requires_grad=True)
    seen = []

    class UsesAutogradInside(Function):
        @staticmethod
        def forward(ctx, x):
            return 5.0 * x

        @staticmethod
        def backward(ctx, grad_output):
            (w * w).sum().backward()              # inner pass: d/dw sum(w^2) = 2w, stored in w.grad now
            seen.append(w.grad.copy())
            return 5.0 * grad_output

    p = UsesAutogradInside.apply(w)
    q = w * 3.0                                   # created later, so visited first: w holds 3 when p runs
    (p.sum() + q.sum()).backward()
    np.testing.assert_array_equal(seen[0], 2.0 * w.data)
    np.testing.assert_array_equal(w.grad, 2.0 * w.data + 3.0 + 5.0)


def test_a_leaf_as_the_root_gets_the_gradient_and_keeps_no_other_state():
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.backward(np.array([4.0, 5.0]))
    x.backward(np.array([1.0, 1.0]))
    np.testing.assert_array_equal(x.grad, [5.0, 6.0])
