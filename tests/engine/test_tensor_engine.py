"""The backward machinery itself: accumulation, no_grad, detach, the extension API, Function, and error messages."""
import numpy as np
import pytest

import backprop as bp
from backprop import Function, Tensor


# ---------------------------------------------------------------------------------------------------------
# construction and basic properties
# ---------------------------------------------------------------------------------------------------------
def test_tensor_is_float64_by_default_and_copies_its_data():
    source = np.array([1, 2, 3])
    t = Tensor(source)
    assert t.dtype == np.float64 and t.shape == (3,) and t.ndim == 1 and t.size == 3 and len(t) == 3
    source[0] = 100
    assert t.data[0] == 1.0
    assert Tensor(np.float32(2.5)).dtype == np.float64
    assert Tensor([1, 2], dtype=np.float32).dtype == np.float32
    assert Tensor(np.arange(3, dtype=np.float32)).dtype == np.float64
    assert Tensor(np.array([True, False])).dtype == bool  # masks stay masks


def test_boolean_tensor_indexes_as_a_mask():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    picked = x[Tensor(np.array([True, False, True]))]
    np.testing.assert_array_equal(picked.data, [1.0, 3.0])
    picked.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 1.0])


def test_constructors():
    assert bp.zeros(2, 3).shape == (2, 3) and bp.zeros((2, 3)).data.sum() == 0
    assert bp.ones(4).data.sum() == 4
    a, b = bp.randn(3, 2, rng=7), bp.randn(3, 2, rng=7)
    np.testing.assert_array_equal(a.data, b.data)
    assert bp.tensor([1.0], requires_grad=True).requires_grad
    assert bp.randn(2, rng=np.random.default_rng(1)).shape == (2,)
    with pytest.raises(ValueError, match="non-negative ints"):
        bp.zeros(2, -1)


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(TypeError, match="floating-point"):
        Tensor([1, 2], dtype=np.int64, requires_grad=True)


def test_bad_data_gets_a_clear_error():
    with pytest.raises(TypeError, match="cannot turn"):
        Tensor("abc")


def test_repr_item_numpy_tolist():
    t = Tensor([[1.0, 2.0]], requires_grad=True)
    assert repr(t).startswith("tensor([[1., 2.]]") and "requires_grad=True" in repr(t)
    assert "grad_fn=<mul>" in repr(t * 2)
    assert (t * 2).grad_fn == "mul" and t.grad_fn is None and t.is_leaf and not (t * 2).is_leaf
    assert Tensor(3.0).item() == 3.0 and isinstance(Tensor(3.0).item(), float)
    assert t.numpy() is t.data and t.tolist() == [[1.0, 2.0]]
    with pytest.raises(ValueError, match=r"exactly one element.*\(1, 2\)"):
        t.item()
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))


# ---------------------------------------------------------------------------------------------------------
# backward semantics
# ---------------------------------------------------------------------------------------------------------
def test_leaf_gradients_accumulate_until_zero_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])
    x.zero_grad()
    assert x.grad is None
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_reused_tensor_sums_all_paths():
    x = Tensor(3.0, requires_grad=True)
    y = x * x + x + x * 2  # dy/dx = 2x + 3
    y.backward()
    assert x.grad == pytest.approx(9.0)


def test_diamond_graph():
    x = Tensor([0.5, -1.0], requires_grad=True)
    a = x.exp()
    b = a * a
    c = a + b  # dc/dx = e^x + 2 e^{2x}
    c.sum().backward()
    np.testing.assert_allclose(x.grad, np.exp(x.data) + 2 * np.exp(2 * x.data))


def test_backward_twice_on_same_graph_accumulates_like_pytorch():
    x = Tensor([1.0, -2.0], requires_grad=True)
    loss = (x ** 2).sum()
    loss.backward()
    loss.backward()
    np.testing.assert_allclose(x.grad, 2 * (2 * x.data))


def test_leaf_gradients_never_alias_each_other():
    """a + b hands the same array to both parents; their .grad must still be separate arrays."""
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    assert not np.shares_memory(a.grad, b.grad)
    a.grad *= 10  # e.g. gradient clipping in place
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])


@pytest.mark.parametrize("build", [
    lambda a, b: a + (b + 0.0),                  # the same array passes through two ops to two leaves
    lambda a, b: a + b.reshape(2, 1).reshape(2),  # a view of one leaf's gradient reaches the other
    lambda a, b: (a + b) * 1.0 + a * 0.0,
])
def test_pass_through_gradients_do_not_alias(build):
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    build(a, b).sum().backward()
    before = b.grad.copy()
    a.grad *= 7
    np.testing.assert_array_equal(b.grad, before)


def test_retained_gradient_is_not_shared_with_a_leaf():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = (x + 0.0).retain_grad()
    h.sum().backward()
    x.grad += 1
    np.testing.assert_array_equal(h.grad, [1.0, 1.0])


def test_leaf_gradient_does_not_alias_the_user_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    seed = np.array([1.0, 1.0])
    (x + 0).backward(seed)
    x.grad *= 5
    np.testing.assert_array_equal(seed, [1.0, 1.0])
    y = Tensor([1.0, 2.0], requires_grad=True)
    y.backward(seed)  # a leaf as the root
    y.grad += 1
    np.testing.assert_array_equal(seed, [1.0, 1.0])


def test_gradient_of_a_view_does_not_alias_other_leaves():
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    v = Tensor(np.ones(3), requires_grad=True)
    out = w.sum() + v.sum()  # both backward functions return broadcast (read-only) views
    out.backward()
    w.grad += 1  # must be writeable and private
    v.grad += 2
    np.testing.assert_array_equal(w.grad, np.full((2, 3), 2.0))
    np.testing.assert_array_equal(v.grad, np.full(3, 3.0))


def test_backward_with_explicit_gradient(rng):
    x = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    g = rng.standard_normal((2, 3))
    (x * 2).backward(g)
    np.testing.assert_allclose(x.grad, 2 * g)


def test_retain_grad_keeps_intermediate_gradients():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = (x * 3).retain_grad()
    (h ** 2).sum().backward()
    np.testing.assert_allclose(h.grad, 2 * h.data)
    assert (x * 3).grad is None


def test_deep_chain_backward_has_no_recursion_limit():
    x = Tensor(np.ones(2), requires_grad=True)
    y = x
    for _ in range(20_000):
        y = y * 1.0 + 0.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


def test_constants_get_no_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([5.0, 6.0])
    (x * c).sum().backward()
    assert c.grad is None and not c.requires_grad


# ---------------------------------------------------------------------------------------------------------
# no_grad and detach
# ---------------------------------------------------------------------------------------------------------
def test_no_grad_builds_no_graph_and_restores_mode():
    x = Tensor([1.0], requires_grad=True)
    assert bp.is_grad_enabled()
    with bp.no_grad():
        assert not bp.is_grad_enabled()
        y = x * 2
        with bp.enable_grad():
            z = x * 2
    assert bp.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf
    assert z.requires_grad


def test_no_grad_restores_mode_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with bp.no_grad():
            1 / 0
    assert bp.is_grad_enabled()


def test_no_grad_as_decorator():
    @bp.no_grad()
    def evaluate(t):
        return t * 2

    @bp.no_grad
    def evaluate_bare(t):
        return t * 2

    assert not evaluate(Tensor([1.0], requires_grad=True)).requires_grad
    assert not evaluate_bare(Tensor([1.0], requires_grad=True)).requires_grad
    assert evaluate_bare.__name__ == "evaluate_bare"
    assert bp.is_grad_enabled()


def test_detach_shares_data_and_cuts_the_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    y = (x * d).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad, d.data)  # d is treated as a constant


# ---------------------------------------------------------------------------------------------------------
# the extension API
# ---------------------------------------------------------------------------------------------------------
def test_from_op_extension_api():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    xd, wd = x.data, w.data
    out = Tensor._from_op(np.array((xd * wd).sum()), (x, w), lambda g: (g * wd, g * xd), "dot")
    assert out.requires_grad and out.grad_fn == "dot"
    out.backward()
    np.testing.assert_array_equal(x.grad, wd)
    np.testing.assert_array_equal(w.grad, xd)


def test_from_op_without_grad_is_a_constant():
    x = Tensor([1.0])
    out = Tensor._from_op(x.data * 2, (x,), lambda g: (g * 2,), "double")
    assert not out.requires_grad and out._parents == ()
    with bp.no_grad():
        y = Tensor._from_op(x.data, (Tensor([1.0], requires_grad=True),), lambda g: (g,), "id")
    assert not y.requires_grad


def test_from_op_with_wrong_gradient_shape_says_which_op():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    out = Tensor._from_op(x.data.sum(), (x,), lambda g: (np.ones((3, 2)),), "myop")
    with pytest.raises(RuntimeError, match=r"'myop'.*\(3, 2\).*\(2, 3\).*transpose"):
        out.backward()


def test_wrong_gradient_shape_for_a_later_input_names_that_input():
    a = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.ones((2, 3)), requires_grad=True)
    out = Tensor._from_op(np.array(0.0), (a, b), lambda g: (np.zeros((2, 3)), np.ones(4)), "pair")
    with pytest.raises(RuntimeError, match=r"'pair'.*shape \(4,\) for its input 1.*broadcast axis"):
        out.backward()


def test_numbers_as_gradients_become_arrays_and_constants_get_none():
    x = Tensor(2.0, requires_grad=True)
    c = Tensor(5.0)  # a constant: a gradient handed to it is dropped
    out = Tensor._from_op(np.array(10.0), (x, c), lambda g: (3.0, 7.0), "numbers")
    out.backward()
    assert type(x.grad) is np.ndarray and x.grad.shape == () and x.grad == 3.0
    assert c.grad is None
    # what a backward returns for an input that needs no gradient is not even looked at
    out = Tensor._from_op(np.array(10.0), (x, c), lambda g: (g, np.ones(7)), "dummy_for_constant")
    out.backward()
    assert x.grad == 4.0 and c.grad is None


def test_backward_visits_each_node_after_every_node_that_uses_it():
    """A node used on paths of different lengths gets the sum of all of them before it passes its gradient on."""
    x = Tensor([1.0, -2.0], requires_grad=True)
    h = x * 3.0                                  # used directly and through a chain of three ops
    deep = ((h * 2.0).exp() * 0.5).sum()
    out = deep + h.sum()
    out.backward()
    xd = x.data
    np.testing.assert_allclose(x.grad, 3.0 * (np.exp(6.0 * xd) + 1.0), rtol=1e-12)


def test_a_copied_node_shares_its_creation_number_and_backward_still_works():
    """copy.deepcopy keeps a node's creation number: two nodes with one number must not be compared as Tensors."""
    import copy

    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 2.0
    twin = copy.deepcopy(h)
    (h + twin).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    np.testing.assert_array_equal(twin._parents[0].grad, [2.0, 2.0])


def test_from_op_with_wrong_number_of_gradients():
    x = Tensor([1.0], requires_grad=True)
    out = Tensor._from_op(x.data, (x,), lambda g: (g, g), "twice")
    with pytest.raises(RuntimeError, match="returned 2 gradients for 1 inputs"):
        out.backward()


class Square(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 2

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 2 * x * grad_output


class ScaledAdd(Function):
    """a + scale * b, with a non-tensor argument."""

    @staticmethod
    def forward(ctx, a, b, scale):
        ctx.scale = scale
        return a + scale * b

    @staticmethod
    def backward(ctx, grad_output):
        assert ctx.needs_input_grad == (True, False, False)
        return grad_output, grad_output * ctx.scale, None


def test_function_api(check_grads, rng):
    check_grads(Square.apply, rng.standard_normal((2, 3)))
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0])
    out = ScaledAdd.apply(a, b, 10.0)
    np.testing.assert_array_equal(out.data, [31.0, 42.0])
    assert out.grad_fn == "ScaledAdd"
    out.sum().backward()
    np.testing.assert_array_equal(a.grad, [1.0, 1.0])


def test_function_returning_grad_output_unchanged_does_not_alias():
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x.copy()

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([1.0, 2.0], requires_grad=True)
    (Identity.apply(a) + Identity.apply(b)).sum().backward()
    a.grad *= 3
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])


def test_function_with_wrong_number_of_gradients():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    out = Bad.apply(Tensor([1.0], requires_grad=True), Tensor([2.0]))
    with pytest.raises(RuntimeError, match="Bad.backward returned 1 gradient.*2 input"):
        out.backward()


# ---------------------------------------------------------------------------------------------------------
# error messages
# ---------------------------------------------------------------------------------------------------------
def test_matmul_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"matmul: cannot multiply \(3, 4\) by \(5, 2\): inner dimensions 4 and 5"):
        bp.zeros(3, 4) @ bp.zeros(5, 2)
    with pytest.raises(ValueError, match=r"\(3,\) by \(4,\)"):
        bp.zeros(3) @ bp.zeros(4)
    with pytest.raises(ValueError, match="batch dimensions"):
        bp.zeros(2, 3, 4) @ bp.zeros(3, 4, 5)
    with pytest.raises(ValueError, match="at least one dimension"):
        bp.tensor(2.0) @ bp.zeros(3)


@pytest.mark.parametrize("op", [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b,
                                lambda a, b: a ** b, bp.maximum])
def test_broadcasting_mismatch_names_both_shapes(op):
    with pytest.raises(ValueError, match=r"shapes \(3, 4\) and \(3,\) cannot be broadcast"):
        op(bp.ones(3, 4), bp.ones(3))
    with pytest.raises(ValueError, match=r"\(3, 4\) and \(2,\)"):
        op(bp.ones(3, 4), np.ones(2))


def test_backward_on_non_scalar_says_so():
    x = Tensor(np.ones((3, 4)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"scalar output.*shape \(3, 4\).*sum\(\)"):
        (x * 2).backward()


def test_backward_on_tensor_without_grad_says_so():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).sum().backward()


def test_backward_with_gradient_of_wrong_shape():
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        (x * 2).backward(np.ones(2))


@pytest.mark.parametrize("method", ["sum", "mean", "max", "min", "softmax", "log_softmax"])
def test_invalid_axis_is_named(method):
    with pytest.raises(ValueError, match=r"axis 2 is out of range.*2 dimension"):
        getattr(bp.ones(2, 3), method)(axis=2)


def test_reshape_and_transpose_errors():
    with pytest.raises(ValueError, match=r"shape \(2, 3\).*6 elements.*\(4, 2\)"):
        bp.ones(2, 3).reshape(4, 2)
    with pytest.raises(ValueError, match="permutation"):
        bp.ones(2, 3).transpose(0, 0)


def test_index_errors_name_the_shape():
    with pytest.raises(IndexError, match=r"shape \(2, 3\)"):
        bp.ones(2, 3)[5]


def test_concatenate_and_stack_errors_list_the_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\), \(2, 4\)"):
        bp.concatenate([bp.ones(2, 3), bp.ones(2, 4)], axis=0)
    with pytest.raises(ValueError, match=r"must all be equal"):
        bp.stack([bp.ones(2, 3), bp.ones(2, 4)])


# ---------------------------------------------------------------------------------------------------------
# comparisons and numpy interop
# ---------------------------------------------------------------------------------------------------------
def test_comparisons_give_bool_tensors_without_gradient():
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    mask = x > 0
    assert isinstance(mask, Tensor) and mask.dtype == bool and not mask.requires_grad
    np.testing.assert_array_equal(mask.data, [True, False, True])
    np.testing.assert_array_equal((x == 3).data, [False, False, True])
    np.testing.assert_array_equal((x <= Tensor([1.0, 0.0, 0.0])).data, [True, True, False])
    np.testing.assert_array_equal((np.array([1.0, 0.0, 3.0]) != x).data, [False, True, False])
    (x * mask).sum().backward()  # a mask works as a constant factor
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 1.0])
    assert len({x, mask}) == 2  # still hashable by identity


def test_truth_value_of_a_multi_element_tensor_is_refused():
    assert bool(Tensor([2.0]) > 1) and not bool(Tensor(0.0))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(Tensor([1.0, 2.0]))


def test_numpy_reads_tensors_and_refuses_silent_ufuncs():
    x = Tensor([1.0, 2.0], requires_grad=True)
    np.testing.assert_array_equal(np.asarray(x), [1.0, 2.0])
    assert float(Tensor([2.5])) == 2.5
    stacked = Tensor([x, x])  # a constant built from tensors' values
    assert stacked.shape == (2, 2) and not stacked.requires_grad
    with pytest.raises(TypeError):
        np.exp(x)  # would silently leave the graph: use x.exp()
