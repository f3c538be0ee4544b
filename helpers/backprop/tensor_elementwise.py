"""Elementwise Tensor ops: arithmetic with broadcasting, comparisons and the one-input functions (exp, relu ...).

Every binary op goes through `binary_op`, micrograd-style: the forward is a numpy function and each derivative
is written once, as a function of (grad_out, x, y, out) for the left and for the right operand. `a - b`,
`2 - b` and `b.__rsub__(2)` all use the same pair; constants simply get no gradient. `binary_op` also gives the
one broadcast error and sums each gradient back to its operand's shape.
"""
import numpy as np

from ._math import sigmoid as _sigmoid_array
from .tensor_axes import broadcast, unbroadcast

DEFAULT_DTYPE = np.float64


def constant(value):
    """A non-Tensor operand as something numpy can combine with float arrays (Python numbers stay weakly typed,
    so a float32 tensor times 2.0 stays float32)."""
    if isinstance(value, (int, float, np.ndarray, np.generic)):
        return value
    return np.asarray(value, dtype=DEFAULT_DTYPE)


def _pow_base_grad(x, p):
    """d(x**p)/dx = p * x**(p-1), and exactly 0 where p == 0 (x**0 = 1 is constant; PyTorch's rule).

    Without the mask, x = 0 would give 0 * 0**-1 = 0 * inf = nan.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        d = p * np.power(x, p - 1)
    if np.any(np.equal(p, 0)):
        d = np.where(np.equal(p, 0), 0.0, d)
    return d


def _pow_exponent_grad(base, p, result):
    """d(base**p)/dp = base**p * log(base), and 0 where base == 0 and p >= 0 (PyTorch's rule; log(0) = -inf)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        d = result * np.log(base)
    zero = np.equal(base, 0) & np.greater_equal(p, 0)
    if np.any(zero):
        d = np.where(zero, 0.0, d)
    return d


# name -> (forward, d out/d left, d out/d right); each derivative takes (g, x, y, out) and returns g * d out/d ...
BINARY_OPS = {
    "add": (np.add, lambda g, x, y, out: g, lambda g, x, y, out: g),
    "sub": (np.subtract, lambda g, x, y, out: g, lambda g, x, y, out: -g),
    "mul": (np.multiply, lambda g, x, y, out: g * y, lambda g, x, y, out: g * x),
    "div": (np.true_divide, lambda g, x, y, out: g / y, lambda g, x, y, out: -g * out / y),  # d(x/y)/dy = -(x/y)/y
    "pow": (np.power, lambda g, x, y, out: g * _pow_base_grad(x, y),
            lambda g, x, y, out: g * _pow_exponent_grad(x, y, out)),
}


def _operator(op: str, reflected: bool = False):
    """The method behind an operator: `self <op> other`, or `other <op> self` for the reflected (__r*__) one."""
    def method(self, other):
        return self.binary_op(op, other, self) if reflected else self.binary_op(op, self, other)

    method.__name__ = f"__{'r' if reflected else ''}{op}__"
    return method


def _comparison(ufunc):
    """The method behind a comparison operator: a bool tensor outside the graph, as in PyTorch."""
    def method(self, other):
        other = other.data if isinstance(other, ElementwiseOps) else constant(other)
        return self._from_op(broadcast(ufunc.__name__, ufunc, self.data, other), (), None, ufunc.__name__)

    method.__name__ = f"compare_{ufunc.__name__}"
    return method


class ElementwiseOps:
    """Mixin of Tensor: operators (+ - * / ** and comparisons) and elementwise functions."""

    __slots__ = ()

    # ---- the one path of binary ops --------------------------------------------------------------------
    @staticmethod
    def binary_op(op: str, a, b, forward=None, d_left=None, d_right=None):
        """`forward(a, b)` with numpy broadcasting, recording the chain rule for each operand that is a Tensor.

        Without arguments after `b`, the op's entry of BINARY_OPS is used. d_left / d_right map
        (grad_out, x, y, out) to grad_out times the derivative; the result is summed back to the operand's shape.
        """
        if forward is None:
            forward, d_left, d_right = BINARY_OPS[op]
        a_node = a if isinstance(a, ElementwiseOps) else None
        b_node = b if isinstance(b, ElementwiseOps) else None
        x = a.data if a_node is not None else constant(a)
        y = b.data if b_node is not None else constant(b)
        out = broadcast(op, forward, x, y)
        node = a_node if a_node is not None else b_node
        if a_node is None or b_node is None:  # one constant operand: one parent
            derivative, shape = (d_left, x.shape) if a_node is not None else (d_right, y.shape)
            return node._from_op(out, (node,), lambda g: (unbroadcast(derivative(g, x, y, out), shape),), op)

        def backward(g):
            return (unbroadcast(d_left(g, x, y, out), x.shape) if a_node.requires_grad else None,
                    unbroadcast(d_right(g, x, y, out), y.shape) if b_node.requires_grad else None)

        return node._from_op(out, (a_node, b_node), backward, op)

    __add__, __radd__ = _operator("add"), _operator("add", reflected=True)
    __sub__, __rsub__ = _operator("sub"), _operator("sub", reflected=True)
    __mul__, __rmul__ = _operator("mul"), _operator("mul", reflected=True)
    __truediv__, __rtruediv__ = _operator("div"), _operator("div", reflected=True)
    __pow__, __rpow__ = _operator("pow"), _operator("pow", reflected=True)

    def __neg__(self):
        return self._from_op(-self.data, (self,), lambda g: (-g,), "neg")

    # ---- comparisons give bool tensors (no gradient), as in PyTorch; hashing stays by identity -------------
    __hash__ = object.__hash__

    __eq__, __ne__ = _comparison(np.equal), _comparison(np.not_equal)
    __lt__, __le__ = _comparison(np.less), _comparison(np.less_equal)
    __gt__, __ge__ = _comparison(np.greater), _comparison(np.greater_equal)

    # ---- functions of one input ------------------------------------------------------------------------
    def exp(self):
        """e ** x, elementwise."""
        data = np.exp(self.data)
        return self._from_op(data, (self,), lambda g: (g * data,), "exp")

    def log(self):
        """Natural logarithm, elementwise (log of a non-positive number gives nan/-inf as in numpy)."""
        x = self.data
        return self._from_op(np.log(x), (self,), lambda g: (g / x,), "log")

    def tanh(self):
        """Hyperbolic tangent, elementwise; derivative 1 - tanh(x)**2."""
        data = np.tanh(self.data)
        return self._from_op(data, (self,), lambda g: (g * (1.0 - data * data),), "tanh")

    def sigmoid(self):
        """Logistic sigmoid 1 / (1 + e**-x), accurate on both tails (backprop._math); derivative s * (1 - s)."""
        data = _sigmoid_array(self.data)
        return self._from_op(data, (self,), lambda g: (g * data * (1.0 - data),), "sigmoid")

    def relu(self):
        """max(x, 0) elementwise; the gradient at exactly 0 is taken as 0 (as in PyTorch)."""
        x = self.data
        return self._from_op(np.maximum(x, 0.0), (self,), lambda g: (g * (x > 0),), "relu")

    def leaky_relu(self, negative_slope: float = 0.01):
        """x for x > 0, negative_slope * x otherwise."""
        positive = self.data > 0
        data = np.where(positive, self.data, negative_slope * self.data)
        return self._from_op(data, (self,), lambda g: (np.where(positive, g, negative_slope * g),), "leaky_relu")

    def abs(self):
        """|x| elementwise; the gradient at exactly 0 is taken as 0."""
        x = self.data
        return self._from_op(np.abs(x), (self,), lambda g: (g * np.sign(x),), "abs")

    __abs__ = abs

    def sqrt(self):
        """Square root, elementwise; derivative 1 / (2 sqrt(x))."""
        data = np.sqrt(self.data)
        return self._from_op(data, (self,), lambda g: (g * 0.5 / data,), "sqrt")

    def clip(self, min=None, max=None):
        """Limit values to [min, max]; the gradient is 1 inside the range and 0 where a value was clipped."""
        x = self.data
        inside = np.ones(x.shape, dtype=bool)
        if min is not None:
            inside &= x >= min
        if max is not None:
            inside &= x <= max
        return self._from_op(np.clip(x, min, max), (self,), lambda g: (g * inside,), "clip")

    clamp = clip
