"""gradcheck / check_gradient: pass on correct gradients, fail (with a useful report) on wrong ones."""
import numpy as np
import pytest

import backprop as bp
from backprop import Function, GradcheckError, Tensor, check_gradient, gradcheck


def make_op(forward, backward, name="Op"):
    """A one-input Function from two array functions (backward gets x and grad_output)."""
    def fwd(ctx, x):
        ctx.save_for_backward(x)
        return forward(x)

    def bwd(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return backward(x, grad_output)

    return type(name, (Function,), {"forward": staticmethod(fwd), "backward": staticmethod(bwd)})


CorrectSquare = make_op(lambda x: x ** 2, lambda x, g: 2 * x * g, "CorrectSquare")
DoubledSquare = make_op(lambda x: x ** 2, lambda x, g: 4 * x * g, "DoubledSquare")       # factor-2 bug
HalvedSquare = make_op(lambda x: x ** 2, lambda x, g: x * g, "HalvedSquare")             # missing 2
SignBugSin = make_op(np.sin, lambda x, g: -np.cos(x) * g, "SignBugSin")                 # sign bug
ScaledSin = make_op(np.sin, lambda x, g: 3 * np.cos(x) * g, "ScaledSin")                # constant factor


@pytest.fixture
def x(rng):
    return Tensor(rng.standard_normal((3, 4)), requires_grad=True)


def test_passes_on_correct_ops(x, rng):
    result = gradcheck(CorrectSquare.apply, x)
    assert result.ok and bool(result) and result.max_rel_error < 1e-6
    assert "passed" in result.report()
    w = Tensor(rng.standard_normal((4, 2)), requires_grad=True)
    assert gradcheck(lambda a, b: (a @ b).tanh().sum(), (x, w))
    assert gradcheck(lambda a: bp.log_softmax(a, axis=1), x)


def test_leaves_the_callers_tensors_untouched(x):
    before = x.data.copy()
    gradcheck(CorrectSquare.apply, x)
    np.testing.assert_array_equal(x.data, before)
    assert x.grad is None


def test_fails_on_factor_two_bug_and_reports_the_worst_element(x):
    with pytest.raises(GradcheckError) as info:
        gradcheck(DoubledSquare.apply, x)
    message = str(info.value)
    assert "FAILED" in message and "12 of 12" in message
    assert "factor of 2" in message and "twice" in message
    result = gradcheck(DoubledSquare.apply, x, raise_exception=False)
    assert not result.ok and not bool(result)
    worst = result.worst
    # the reported numbers are the real ones: analytic = 2 * numeric at the reported element
    i = worst.index
    assert worst.analytic == pytest.approx(2 * worst.numeric, rel=1e-6)
    weights_times_x = worst.numeric / (2 * x.data[i])  # numeric = w * 2x for the projection weight w
    assert 0.5 <= abs(weights_times_x) <= 1.5
    assert worst.rel_error == pytest.approx(0.5, rel=1e-6)
    assert f"index {i}" in result.report()
    assert f"analytic = {worst.analytic:.6g}" in result.report()
    assert f"numeric = {worst.numeric:.6g}" in result.report()


def test_fails_on_sign_bug(x):
    result = gradcheck(SignBugSin.apply, x, raise_exception=False)
    assert not result.ok
    assert result.worst.analytic == pytest.approx(-result.worst.numeric, rel=1e-6)
    assert result.worst.rel_error == pytest.approx(2.0, rel=1e-6)
    assert "sign flipped" in result.report()


def test_other_hints(x, rng):
    assert "half the true value" in gradcheck(HalvedSquare.apply, x, raise_exception=False).report()
    assert "3 times the true one" in gradcheck(ScaledSin.apply, x, raise_exception=False).report()

    square = Tensor(rng.standard_normal((3, 3)), requires_grad=True)
    transposed = make_op(lambda a: a * np.arange(9.0).reshape(3, 3),
                         lambda a, g: (g * np.arange(9.0).reshape(3, 3)).T, "Transposed")
    assert "TRANSPOSED" in gradcheck(transposed.apply, square, raise_exception=False).report()

    class Swapped(Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            return g * a, g * b  # swapped: should be (g * b, g * a)

    a, b = (Tensor(rng.standard_normal(4), requires_grad=True) for _ in range(2))
    assert "different input" in gradcheck(Swapped.apply, (a, b), raise_exception=False).report()

    zero = make_op(np.exp, lambda a, g: np.zeros_like(a), "Zero")
    assert "zero everywhere" in gradcheck(zero.apply, x, raise_exception=False).report()

    negative_branch = make_op(lambda a: np.maximum(a, 0.1 * a), lambda a, g: np.where(a > 0, 1.0, 0.2) * g, "Leaky")
    y = Tensor(np.array([-1.0, 2.0, -0.5, 1.5]), requires_grad=True)
    assert "negative" in gradcheck(negative_branch.apply, y, raise_exception=False).report()


def test_wrong_gradient_shape_is_reported(rng):
    m = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    out_of_shape = make_op(lambda a: a.sum(), lambda a, g: np.ones((3, 2)) * g, "Shape")
    result = gradcheck(out_of_shape.apply, m, raise_exception=False)
    assert not result.ok and "transpose" in result.report()


def test_relu_at_exactly_zero_is_not_a_false_failure():
    x = Tensor(np.array([0.0, 0.0, 1.0, -1.0, 0.0]), requires_grad=True)
    result = gradcheck(lambda t: t.relu(), x)
    assert result.ok and "kink" in result.report()
    assert gradcheck(lambda t: t.abs().sum(), Tensor(np.zeros(3), requires_grad=True))


def test_max_ties_are_not_a_false_failure():
    x = Tensor(np.array([[2.0, 2.0, 1.0], [0.5, 3.0, 3.0]]), requires_grad=True)
    assert gradcheck(lambda t: t.max(axis=1), x).ok
    assert gradcheck(lambda t: t.max(), Tensor(np.ones(4), requires_grad=True)).ok


def test_kinks_do_not_hide_a_real_bug():
    bad_relu = make_op(lambda a: np.maximum(a, 0), lambda a, g: 2.0 * (a > 0) * g, "BadRelu")
    x = Tensor(np.array([0.0, 1.0, -2.0, 0.7]), requires_grad=True)
    result = gradcheck(bad_relu.apply, x, raise_exception=False)
    assert not result.ok and "factor of 2" in result.report()


def test_gradcheck_input_errors():
    with pytest.raises(ValueError, match="requires_grad=True"):
        gradcheck(lambda t: t * 2, Tensor([1.0]))
    with pytest.raises(TypeError, match="must return a Tensor"):
        gradcheck(lambda t: t.data * 2, Tensor([1.0], requires_grad=True))
    cut = gradcheck(lambda t: Tensor(t.data * 2), Tensor([1.0], requires_grad=True), raise_exception=False)
    assert not cut.ok and "not connected" in cut.report()


def test_gradcheck_error_is_an_assertion_error():
    assert issubclass(GradcheckError, AssertionError)


def test_check_gradient_for_numpy_functions():
    f = lambda v: float(np.sum(v ** 3))  # noqa: E731
    x = np.array([[0.5, -1.0], [2.0, 1.5]])
    assert check_gradient(f, x, 3 * x ** 2).ok
    assert check_gradient(f, x, lambda v: 3 * v ** 2).ok
    with pytest.raises(GradcheckError, match="factor of 2"):
        check_gradient(f, x, 6 * x ** 2)
    result = check_gradient(f, x, -3 * x ** 2, raise_exception=False)
    assert not result.ok and "sign flipped" in result.report() and "check_gradient FAILED" in result.report()
    assert "transpose" in check_gradient(lambda v: float(v.sum()), np.ones((2, 3)), np.ones((3, 2)),
                                         raise_exception=False).report()
    with pytest.raises(TypeError, match="single number"):
        check_gradient(lambda v: v * 2, x, x)


def test_check_gradient_at_kinks():
    x = np.array([0.0, 1.0, -2.0])
    f = lambda v: float(np.abs(v).sum())  # noqa: E731
    nudged = check_gradient(f, x, np.sign)  # callable: nudged off the kink and re-evaluated
    assert nudged.ok and "nudged" in nudged.report()
    skipped = check_gradient(f, x, np.sign(x))  # fixed array: the kink element is skipped
    assert skipped.ok and "skipped" in skipped.report()


@pytest.mark.filterwarnings("ignore:invalid value encountered in log:RuntimeWarning")
def test_nan_in_function_is_explained():
    log_op = make_op(np.log, lambda a, g: g / a, "Log")
    result = gradcheck(log_op.apply, Tensor(np.array([1e-7, 1.0]), requires_grad=True), raise_exception=False)
    assert not result.ok and "nan/inf" in result.report()


def _avg_pool_2x2(scale: float, where_unused: float = 0.0):
    """2x2 average pooling of a (5, 5) input (its last row and column fall outside every window, so their true
    gradient is 0), with a backward that is `scale` times the true one inside the windows and `where_unused`
    on the unused row and column."""
    def fn(x):
        out = x.data[:4, :4].reshape(2, 2, 2, 2).mean(axis=(1, 3))

        def backward(g):
            full = np.full((5, 5), float(where_unused))
            full[:4, :4] = scale * np.repeat(np.repeat(g, 2, axis=0), 2, axis=1) / 4
            return (full,)

        return Tensor._from_op(out, (x,), backward, "avg_pool")
    return fn


@pytest.mark.parametrize("scale,said", [(4.0, "4 times the true one everywhere"),
                                        (0.25, "0.25 times the true one everywhere")])
def test_the_ratio_hint_names_the_factor_of_an_average_pool_backward(scale, said):
    x = Tensor(np.random.default_rng(3).normal(size=(5, 5)), requires_grad=True)
    assert gradcheck(_avg_pool_2x2(1.0), [x])  # the correct backward passes
    result = gradcheck(_avg_pool_2x2(scale), [x], raise_exception=False)
    assert not result and said in result.inputs[0].hint


@pytest.mark.parametrize("scale", [4.0, 0.25])
def test_the_ratio_hint_looks_at_every_element_not_only_where_the_true_gradient_is_nonzero(scale):
    """scale times the truth inside the windows but 0.3 where the true gradient is 0: not a constant factor."""
    x = Tensor(np.random.default_rng(3).normal(size=(5, 5)), requires_grad=True)
    result = gradcheck(_avg_pool_2x2(scale, where_unused=0.3), [x], raise_exception=False)
    assert not result and "times the true one" not in result.inputs[0].hint
