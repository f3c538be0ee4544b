"""`Tensor`: a numpy array that remembers how it was computed, so `backward()` can apply the chain rule.

Every operation creates its output with `Tensor._from_op(data, parents, backward, op)`, where
`backward(grad_out)` returns d loss / d parent for each parent (same shape as that parent, or None).
That one hook is the whole extension API: nn layers and your own ops use it too (see also `Function`).
float64 by default. Broadcasting works as in numpy; a gradient is summed back to its operand's shape.
"""
import numpy as np

from ._math import sigmoid as _sigmoid_array
from .autograd import run_backward
from .grad_mode import _GradMode

_DEFAULT_DTYPE = np.float64


# ----------------------------------------------------------------------------------------------------------
# small helpers shared by the operations
# ----------------------------------------------------------------------------------------------------------
def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum `grad` over the axes that broadcasting stretched, so it gets the operand's `shape` back."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1)
    if axes:
        grad = grad.sum(axis=axes)
    return grad if grad.shape == shape else grad.reshape(shape)


def _broadcast_error(op: str, a_shape, b_shape) -> ValueError:
    """The message for operands whose shapes do not broadcast."""
    return ValueError(
        f"{op}: shapes {tuple(a_shape)} and {tuple(b_shape)} cannot be broadcast together. Numpy broadcasting "
        f"compares shapes from the right; each pair of sizes must be equal or one of them 1. "
        f"Reshape one operand (e.g. x.reshape(-1, 1)) or check which axis you meant.")


def _normalize_axes(axis, ndim: int, op: str):
    """`axis` (None, int or tuple) as a tuple of non-negative ints, or a clear error naming the bad axis."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    result = []
    for a in axes:
        if not isinstance(a, (int, np.integer)):
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}.")
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"{op}: axis {a} is out of range for a tensor with {ndim} dimension(s); "
                             f"valid axes are {-ndim}..{ndim - 1}.")
        result.append(int(a) % max(ndim, 1))
    if len(set(result)) != len(result):
        raise ValueError(f"{op}: axis {axis!r} repeats an axis.")
    return tuple(result)


def _axis_or_dim(op: str, axis, dim, default=None):
    """Resolve torch's `dim` as an alias of numpy's `axis`: either may be given (not two different values)."""
    if dim is None:
        return default if axis is None else axis
    if axis is not None and axis != dim:
        raise TypeError(f"{op}: got axis={axis!r} and dim={dim!r}; dim is another name for axis, pass only one.")
    return dim


def _new_axis(op: str, axis, ndim: int) -> int:
    """Position of an axis INSERTED into a tensor of `ndim` axes (unsqueeze, stack): 0..ndim, or -ndim-1..-1."""
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: axis must be an int, got {axis!r}.")
    if not -ndim - 1 <= axis <= ndim:
        raise ValueError(f"{op}: axis {axis} is out of range: the new axis goes into a tensor with {ndim} "
                         f"dimension(s), so valid positions are {-ndim - 1}..{ndim}.")
    return int(axis) % (ndim + 1)


def _keepdims(op: str, keepdims, keepdim) -> bool:
    """Resolve torch's `keepdim` as an alias of numpy's `keepdims`."""
    if keepdim is None:
        return bool(keepdims)
    if keepdims and not keepdim:
        raise TypeError(f"{op}: got keepdims={keepdims!r} and keepdim={keepdim!r}; pass only one of them.")
    return bool(keepdim)


def _is_basic_index(index) -> bool:
    """True for ints, slices, None and Ellipsis (no element can be selected twice)."""
    items = index if isinstance(index, tuple) else (index,)
    for item in items:
        if item is None or item is Ellipsis or isinstance(item, slice):
            continue
        if isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_)):
            continue
        return False
    return True


def _as_index(item):
    """Turn Tensors (and float arrays holding whole numbers) inside an index into numpy integer/bool arrays."""
    if isinstance(item, tuple):
        return tuple(_as_index(i) for i in item)
    if isinstance(item, Tensor):
        item = item.data
    if isinstance(item, list):
        item = np.asarray(item)
    if isinstance(item, np.ndarray) and item.dtype.kind == "f":
        as_int = item.astype(np.intp)
        if not np.array_equal(as_int, item):
            raise IndexError("index arrays must hold integers (or booleans); got non-integer floats.")
        item = as_int
    return item


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


def _constant(value):
    """A non-Tensor operand as something numpy can combine with float arrays."""
    if isinstance(value, (int, float, np.ndarray, np.generic)):
        return value
    return np.asarray(value, dtype=_DEFAULT_DTYPE)


class Tensor:
    """An n-dimensional array (numpy, float64 by default) with reverse-mode automatic differentiation."""

    __slots__ = ("data", "grad", "requires_grad", "_parents", "_backward", "_op", "_retain_grad", "__weakref__")
    __array_ufunc__ = None  # makes `ndarray + Tensor` call Tensor.__radd__ instead of looping over elements

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        """Copy `data` (number, nested list, numpy array or Tensor) into a new leaf tensor.

        The dtype is float64 unless you pass `dtype` (booleans stay bool, so masks keep working).
        """
        if isinstance(data, Tensor):
            data = data.data
        try:
            if dtype is not None:
                self.data = np.array(data, dtype=dtype)
            else:  # float64, except that booleans stay booleans (masks)
                array = np.array(data)
                self.data = array if array.dtype == _DEFAULT_DTYPE or array.dtype == np.bool_ \
                    else array.astype(_DEFAULT_DTYPE)
        except (TypeError, ValueError) as error:
            raise TypeError(f"Tensor(data): cannot turn {type(data).__name__} into a numeric array ({error}). "
                            f"Pass a number, a (nested) list of numbers or a numpy array.") from None
        if requires_grad and self.data.dtype.kind not in "fc":
            raise TypeError(f"only floating-point tensors can require grad; this one has dtype {self.data.dtype}.")
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._parents = ()
        self._backward = None
        self._op = ""
        self._retain_grad = False

    # ------------------------------------------------------------------------------------------------------
    # the extension API
    # ------------------------------------------------------------------------------------------------------
    @classmethod
    def _from_op(cls, data, parents, backward, op):
        """Output node of an operation: `backward(grad_out)` returns one gradient (array or None) per parent.

        If graph recording is off (no_grad) or no parent requires grad, the result is a plain constant.
        `backward` must return new arrays or views of grad_out, never mutate grad_out, and never return an
        array it keeps elsewhere (the engine may store a returned array as a leaf's .grad).
        """
        out = object.__new__(Tensor)
        out.data = data if type(data) is np.ndarray else np.asarray(data)
        out.grad = None
        out._op = op
        out._retain_grad = False
        if _GradMode.enabled:
            for parent in parents:
                if parent.requires_grad:
                    out.requires_grad = True
                    out._parents = parents
                    out._backward = backward
                    return out
        out.requires_grad = False
        out._parents = ()
        out._backward = None
        return out

    # ------------------------------------------------------------------------------------------------------
    # basic properties
    # ------------------------------------------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        """The shape of the underlying array."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return self.data.ndim

    @property
    def dtype(self):
        """numpy dtype of the data (float64 unless you asked otherwise)."""
        return self.data.dtype

    @property
    def size(self) -> int:
        """Number of elements."""
        return self.data.size

    @property
    def is_leaf(self) -> bool:
        """True for tensors you created (not the output of an op that records a graph)."""
        return self._backward is None

    @property
    def grad_fn(self):
        """Name of the op that produced this tensor, or None for a leaf."""
        return (self._op or None) if self._backward is not None else None

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor: it holds a single number (use .item()).")
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extra = ""
        if self._backward is not None:
            extra = f", grad_fn=<{self._op}>"
        elif self.requires_grad:
            extra = ", requires_grad=True"
        if self.data.dtype != _DEFAULT_DTYPE:
            extra += f", dtype={self.data.dtype}"
        return f"tensor({body}{extra})"

    def __array__(self, dtype=None, copy=None):
        """Let numpy read the data (np.asarray(t)); the result is a plain array, outside the graph."""
        if dtype is not None and dtype != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(f"the truth value of a tensor with {self.data.size} elements (shape {self.shape}) is "
                             f"ambiguous: use (t > 0).data.any() or .all(), or compare single numbers.")
        return bool(self.data.item())

    def __float__(self) -> float:
        return float(self.item())

    # comparisons give bool tensors (no gradient), as in PyTorch; hashing stays by identity
    __hash__ = object.__hash__

    def _compare(self, other, ufunc):
        other = other.data if isinstance(other, Tensor) else _constant(other)
        try:
            return Tensor._from_op(ufunc(self.data, other), (), None, ufunc.__name__)
        except ValueError:
            raise _broadcast_error(ufunc.__name__, self.shape, np.shape(other)) from None

    def __eq__(self, other):
        return self._compare(other, np.equal)

    def __ne__(self, other):
        return self._compare(other, np.not_equal)

    def __lt__(self, other):
        return self._compare(other, np.less)

    def __le__(self, other):
        return self._compare(other, np.less_equal)

    def __gt__(self, other):
        return self._compare(other, np.greater)

    def __ge__(self, other):
        return self._compare(other, np.greater_equal)

    def item(self) -> float:
        """The single number held by a one-element tensor, as a Python float."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with exactly one element, but this one has shape {self.shape}.")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The underlying numpy array (shared, not copied; changing it changes the tensor)."""
        return self.data

    def tolist(self):
        """The data as (nested) Python lists."""
        return self.data.tolist()

    def detach(self) -> "Tensor":
        """A tensor sharing this data but cut from the graph (no grad flows through it)."""
        out = object.__new__(Tensor)
        out.data = self.data
        out.grad = None
        out.requires_grad = False
        out._parents = ()
        out._backward = None
        out._op = ""
        out._retain_grad = False
        return out

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Turn gradient tracking on (or off) for this leaf tensor, in place; returns self."""
        if self._backward is not None and not requires_grad:
            raise RuntimeError("requires_grad_(False) only works on leaf tensors; use .detach() instead.")
        if requires_grad and self.data.dtype.kind not in "fc":
            raise TypeError(f"only floating-point tensors can require grad; this one has dtype {self.data.dtype}.")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> "Tensor":
        """Keep `.grad` on this intermediate (non-leaf) tensor after backward(), to inspect it."""
        self._retain_grad = True
        return self

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (sets `.grad` to None, like PyTorch's set_to_none)."""
        self.grad = None

    def backward(self, gradient=None) -> None:
        """Compute d self / d leaf for every leaf that requires grad and ADD it to that leaf's `.grad`.

        `gradient` is d loss / d self; it may be left out only when self holds a single number (a loss).
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: no input of the computation was created "
                "with requires_grad=True (or it ran inside no_grad()), so there is nothing to differentiate.")
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() without a gradient needs a scalar output (a loss), but this tensor has shape "
                    f"{self.shape}. Reduce it first (e.g. out.sum() or out.mean()), or pass "
                    f"gradient=<array of shape {self.shape}> holding d loss / d out.")
            gradient = np.ones(self.data.shape, dtype=self.data.dtype)
        else:
            if isinstance(gradient, Tensor):
                gradient = gradient.data
            gradient = np.array(gradient, dtype=self.data.dtype)
            if gradient.shape != self.shape:
                raise ValueError(f"backward(gradient): gradient has shape {gradient.shape} but the tensor has shape "
                                 f"{self.shape}; they must match.")
        run_backward(self, gradient)

    # ------------------------------------------------------------------------------------------------------
    # elementwise arithmetic with broadcasting
    # ------------------------------------------------------------------------------------------------------
    def __add__(self, other):
        if isinstance(other, Tensor):
            try:
                data = self.data + other.data
            except ValueError:
                raise _broadcast_error("add", self.shape, other.shape) from None
            sa, sb = self.data.shape, other.data.shape

            def backward(g):
                return unbroadcast(g, sa), unbroadcast(g, sb)

            return Tensor._from_op(data, (self, other), backward, "add")
        try:
            data = self.data + _constant(other)
        except ValueError:
            raise _broadcast_error("add", self.shape, np.shape(other)) from None
        sa = self.data.shape
        return Tensor._from_op(data, (self,), lambda g: (unbroadcast(g, sa),), "add")

    __radd__ = __add__

    def __sub__(self, other):
        if isinstance(other, Tensor):
            try:
                data = self.data - other.data
            except ValueError:
                raise _broadcast_error("sub", self.shape, other.shape) from None
            sa, sb = self.data.shape, other.data.shape

            def backward(g):
                return unbroadcast(g, sa), (-unbroadcast(g, sb) if other.requires_grad else None)

            return Tensor._from_op(data, (self, other), backward, "sub")
        try:
            data = self.data - _constant(other)
        except ValueError:
            raise _broadcast_error("sub", self.shape, np.shape(other)) from None
        sa = self.data.shape
        return Tensor._from_op(data, (self,), lambda g: (unbroadcast(g, sa),), "sub")

    def __rsub__(self, other):
        try:
            data = _constant(other) - self.data
        except ValueError:
            raise _broadcast_error("sub", np.shape(other), self.shape) from None
        sa = self.data.shape
        return Tensor._from_op(data, (self,), lambda g: (-unbroadcast(g, sa),), "sub")

    def __neg__(self):
        return Tensor._from_op(-self.data, (self,), lambda g: (-g,), "neg")

    def __mul__(self, other):
        if isinstance(other, Tensor):
            try:
                data = self.data * other.data
            except ValueError:
                raise _broadcast_error("mul", self.shape, other.shape) from None
            a, b = self, other

            def backward(g):
                return (unbroadcast(g * b.data, a.data.shape) if a.requires_grad else None,
                        unbroadcast(g * a.data, b.data.shape) if b.requires_grad else None)

            return Tensor._from_op(data, (self, other), backward, "mul")
        c = _constant(other)
        try:
            data = self.data * c
        except ValueError:
            raise _broadcast_error("mul", self.shape, np.shape(other)) from None
        sa = self.data.shape
        return Tensor._from_op(data, (self,), lambda g: (unbroadcast(g * c, sa),), "mul")

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, Tensor):
            try:
                data = self.data / other.data
            except ValueError:
                raise _broadcast_error("div", self.shape, other.shape) from None
            a, b = self, other

            def backward(g):
                ga = g / b.data  # d(a/b)/da = 1/b
                return (unbroadcast(ga, a.data.shape) if a.requires_grad else None,
                        unbroadcast(-ga * data, b.data.shape) if b.requires_grad else None)  # d/db = -(a/b)/b

            return Tensor._from_op(data, (self, other), backward, "div")
        c = _constant(other)
        try:
            data = self.data / c
        except ValueError:
            raise _broadcast_error("div", self.shape, np.shape(other)) from None
        sa = self.data.shape
        return Tensor._from_op(data, (self,), lambda g: (unbroadcast(g / c, sa),), "div")

    def __rtruediv__(self, other):
        c = _constant(other)
        try:
            data = c / self.data
        except ValueError:
            raise _broadcast_error("div", np.shape(other), self.shape) from None
        x, sa = self.data, self.data.shape
        return Tensor._from_op(data, (self,), lambda g: (unbroadcast(-g * data / x, sa),), "div")

    def __pow__(self, exponent):
        if isinstance(exponent, Tensor):
            base = self
            try:
                data = base.data ** exponent.data
            except ValueError:
                raise _broadcast_error("pow", self.shape, exponent.shape) from None

            def backward(g):
                gb = ge = None
                if base.requires_grad:
                    gb = unbroadcast(g * _pow_base_grad(base.data, exponent.data), base.data.shape)
                if exponent.requires_grad:
                    ge = unbroadcast(g * _pow_exponent_grad(base.data, exponent.data, data), exponent.data.shape)
                return gb, ge

            return Tensor._from_op(data, (self, exponent), backward, "pow")
        p = _constant(exponent)
        x = self.data
        try:
            data = x ** p
        except ValueError:
            raise _broadcast_error("pow", self.shape, np.shape(exponent)) from None
        sa = x.shape
        if isinstance(p, (int, float)) and p == 2:
            return Tensor._from_op(data, (self,), lambda g: (g * 2.0 * x,), "pow")
        return Tensor._from_op(data, (self,), lambda g: (unbroadcast(g * _pow_base_grad(x, p), sa),), "pow")

    def __rpow__(self, base):
        c = _constant(base)
        try:
            data = c ** self.data
        except ValueError:
            raise _broadcast_error("pow", np.shape(base), self.shape) from None
        sa = self.data.shape
        return Tensor._from_op(data, (self,), lambda g: (unbroadcast(g * _pow_exponent_grad(c, self.data, data), sa),),
                               "pow")

    # ------------------------------------------------------------------------------------------------------
    # matrix product
    # ------------------------------------------------------------------------------------------------------
    def __matmul__(self, other):
        if not isinstance(other, Tensor):
            other = Tensor(other)
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(Tensor(other), self)

    def matmul(self, other):
        """Matrix product `self @ other` (1-D, 2-D, or batched with broadcasting), like numpy.matmul."""
        return self @ other

    # ------------------------------------------------------------------------------------------------------
    # elementwise functions
    # ------------------------------------------------------------------------------------------------------
    def exp(self):
        """e ** x, elementwise."""
        data = np.exp(self.data)
        return Tensor._from_op(data, (self,), lambda g: (g * data,), "exp")

    def log(self):
        """Natural logarithm, elementwise (log of a non-positive number gives nan/-inf as in numpy)."""
        x = self.data
        return Tensor._from_op(np.log(x), (self,), lambda g: (g / x,), "log")

    def tanh(self):
        """Hyperbolic tangent, elementwise; derivative 1 - tanh(x)**2."""
        data = np.tanh(self.data)
        return Tensor._from_op(data, (self,), lambda g: (g * (1.0 - data * data),), "tanh")

    def sigmoid(self):
        """Logistic sigmoid 1 / (1 + e**-x), accurate on both tails (backprop._math); derivative s * (1 - s)."""
        data = _sigmoid_array(self.data)
        return Tensor._from_op(data, (self,), lambda g: (g * data * (1.0 - data),), "sigmoid")

    def relu(self):
        """max(x, 0) elementwise; the gradient at exactly 0 is taken as 0 (as in PyTorch)."""
        x = self.data
        return Tensor._from_op(np.maximum(x, 0.0), (self,), lambda g: (g * (x > 0),), "relu")

    def leaky_relu(self, negative_slope: float = 0.01):
        """x for x > 0, negative_slope * x otherwise."""
        x = self.data
        positive = x > 0
        data = np.where(positive, x, negative_slope * x)
        return Tensor._from_op(data, (self,), lambda g: (np.where(positive, g, negative_slope * g),), "leaky_relu")

    def abs(self):
        """|x| elementwise; the gradient at exactly 0 is taken as 0."""
        x = self.data
        return Tensor._from_op(np.abs(x), (self,), lambda g: (g * np.sign(x),), "abs")

    __abs__ = abs

    def sqrt(self):
        """Square root, elementwise; derivative 1 / (2 sqrt(x))."""
        data = np.sqrt(self.data)
        return Tensor._from_op(data, (self,), lambda g: (g * 0.5 / data,), "sqrt")

    def clip(self, min=None, max=None):
        """Limit values to [min, max]; the gradient is 1 inside the range and 0 where a value was clipped."""
        x = self.data
        data = np.clip(x, min, max)
        inside = np.ones(x.shape, dtype=bool)
        if min is not None:
            inside &= x >= min
        if max is not None:
            inside &= x <= max
        return Tensor._from_op(data, (self,), lambda g: (g * inside,), "clip")

    clamp = clip

    # ------------------------------------------------------------------------------------------------------
    # reductions
    # ------------------------------------------------------------------------------------------------------
    def sum(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        """Sum over `axis` (alias `dim`; None = all, int or tuple); each input element gets the output's gradient."""
        axis, keepdims = _axis_or_dim("sum", axis, dim), _keepdims("sum", keepdims, keepdim)
        try:
            data = self.data.sum(axis=axis, keepdims=keepdims)
        except (ValueError, TypeError):
            _normalize_axes(axis, self.ndim, "sum")
            raise
        shape = self.data.shape

        def backward(g):
            if axis is not None and not keepdims:
                g = np.expand_dims(g, _normalize_axes(axis, len(shape), "sum"))
            return (np.broadcast_to(g, shape),)

        return Tensor._from_op(data, (self,), backward, "sum")

    def mean(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        """Average over `axis` (alias `dim`); each input element gets the output's gradient divided by the count."""
        axis, keepdims = _axis_or_dim("mean", axis, dim), _keepdims("mean", keepdims, keepdim)
        try:
            data = self.data.mean(axis=axis, keepdims=keepdims)
        except (ValueError, TypeError):
            _normalize_axes(axis, self.ndim, "mean")
            raise
        shape = self.data.shape
        count = self.data.size // max(np.size(data), 1)

        def backward(g):
            if axis is not None and not keepdims:
                g = np.expand_dims(g, _normalize_axes(axis, len(shape), "mean"))
            return (np.broadcast_to(g / count, shape),)

        return Tensor._from_op(data, (self,), backward, "mean")

    def _extreme(self, axis, keepdims, op, reduce):
        axes = _normalize_axes(axis, self.ndim, op)
        if self.data.size == 0:
            raise ValueError(f"{op}() of an empty tensor (shape {self.shape}) is undefined.")
        x = self.data
        kept = reduce(x, axis=axes, keepdims=True)
        data = kept if keepdims else (kept.reshape(()) if axes is None else np.squeeze(kept, axis=axes))

        def backward(g):
            winners = x == kept
            share = winners / winners.sum(axis=axes, keepdims=True)  # ties split the gradient evenly
            if not keepdims:
                g = g.reshape(kept.shape)
            return (g * share,)

        return Tensor._from_op(data, (self,), backward, op)

    def max(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        """Largest value over `axis`. The gradient goes to the maximum; TIES SHARE IT EVENLY.

        This is torch.amax's rule (and torch.max()'s without dim). torch.max(x, dim) differs: it returns
        indices too and sends the whole gradient to the one index it returns.
        """
        return self._extreme(_axis_or_dim("max", axis, dim), _keepdims("max", keepdims, keepdim), "max", np.max)

    def min(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        """Smallest value over `axis`; the gradient goes to the minimum, ties share it evenly (torch.amin)."""
        return self._extreme(_axis_or_dim("min", axis, dim), _keepdims("min", keepdims, keepdim), "min", np.min)

    amax = max
    amin = min

    def argmax(self, axis=None, *, dim=None):
        """Index of the largest value along `axis` (alias `dim`) (a plain numpy array; not differentiable)."""
        return self._arg_extreme("argmax", np.argmax, axis, dim)

    def argmin(self, axis=None, *, dim=None):
        """Index of the smallest value along `axis` (alias `dim`) (a plain numpy array; not differentiable)."""
        return self._arg_extreme("argmin", np.argmin, axis, dim)

    def _arg_extreme(self, name, fn, axis, dim):
        axes = _normalize_axes(_axis_or_dim(name, axis, dim), self.ndim, name)
        if axes is not None and len(axes) != 1:
            raise TypeError(f"{name}: give one axis (or None for the flattened tensor), "
                            f"got {axis if dim is None else dim!r}.")
        return fn(self.data, axis=None if axes is None else axes[0])

    # ------------------------------------------------------------------------------------------------------
    # shape manipulation and indexing
    # ------------------------------------------------------------------------------------------------------
    def reshape(self, *shape):
        """Same data in a new shape (one entry may be -1); the gradient is reshaped back."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        try:
            data = self.data.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {self.shape} ({self.size} elements) "
                             f"into shape {shape}.") from None
        original = self.data.shape
        return Tensor._from_op(data, (self,), lambda g: (g.reshape(original),), "reshape")

    view = reshape

    def flatten(self, start_dim: int = 0):
        """Merge dimensions start_dim..end into one (flatten(1) turns (N, C, H, W) into (N, C*H*W))."""
        start = _normalize_axes(start_dim, self.ndim, "flatten")[0] if self.ndim else 0
        return self.reshape(self.shape[:start] + (-1,))

    def unsqueeze(self, axis=None, *, dim=None):
        """Insert a new axis of size 1 at position `axis` (alias `dim`), as numpy.expand_dims."""
        axis = _axis_or_dim("unsqueeze", axis, dim)
        if axis is None:
            raise TypeError("unsqueeze: say where the new axis goes, e.g. t.unsqueeze(0) (or dim=0).")
        position = _new_axis("unsqueeze", axis, self.ndim)
        return self.reshape(self.shape[:position] + (1,) + self.shape[position:])

    def squeeze(self, axis=None, *, dim=None):
        """Remove axes of size 1 (all of them, or the given ones; alias `dim`)."""
        axis = _axis_or_dim("squeeze", axis, dim)
        if axis is not None:
            axis = _normalize_axes(axis, self.ndim, "squeeze")
        try:
            shape = np.squeeze(self.data, axis=axis).shape
        except ValueError:
            raise ValueError(f"squeeze: axis {axis} of a tensor of shape {self.shape} does not have size 1.") from None
        return self.reshape(shape)

    def transpose(self, *axes):
        """Permute the axes (reverse them if none are given); the gradient is permuted back."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if not axes:
            axes = tuple(range(self.ndim))[::-1]
        else:
            try:
                valid = sorted(_normalize_axes(axes, self.ndim, "transpose")) == list(range(self.ndim))
            except ValueError:
                valid = False
            if not valid:
                raise ValueError(f"transpose: axes {axes} are not a permutation of the {self.ndim} axes of a "
                                 f"tensor of shape {self.shape} (each of 0..{self.ndim - 1} exactly once).")
        data = self.data.transpose(axes)
        inverse = tuple(np.argsort(axes))
        return Tensor._from_op(data, (self,), lambda g: (g.transpose(inverse),), "transpose")

    @property
    def T(self):
        """The tensor with its axes reversed (the matrix transpose for 2-D)."""
        return self.transpose()

    def __getitem__(self, index):
        index = _as_index(index)
        try:
            data = self.data[index]
        except IndexError as error:
            raise IndexError(f"index {index!r} is invalid for a tensor of shape {self.shape}: {error}") from None
        shape, dtype = self.data.shape, self.data.dtype
        basic = _is_basic_index(index)

        def backward(g):
            full = np.zeros(shape, dtype=dtype)
            if basic:
                full[index] = g
            else:
                np.add.at(full, index, g)  # repeated indices must ADD their gradients
            return (full,)

        return Tensor._from_op(np.asarray(data), (self,), backward, "getitem")

    def __setitem__(self, index, value):
        raise TypeError("Tensors do not support item assignment (it would silently break the graph). Build a new "
                        "tensor instead (e.g. with concatenate/stack or a mask multiplication), or edit .data "
                        "directly for changes that need no gradient.")

    # ------------------------------------------------------------------------------------------------------
    # softmax family (functions of the same name live in backprop.functional)
    # ------------------------------------------------------------------------------------------------------
    def softmax(self, axis=None, *, dim=None):
        """exp(x) / sum(exp(x)) along `axis` (alias `dim`; default -1), computed stably by subtracting the max."""
        axes = _normalize_axes(_axis_or_dim("softmax", axis, dim, -1), self.ndim, "softmax")
        shifted = self.data - self.data.max(axis=axes, keepdims=True)
        e = np.exp(shifted)
        y = e / e.sum(axis=axes, keepdims=True)

        def backward(g):
            return (y * (g - (g * y).sum(axis=axes, keepdims=True)),)

        return Tensor._from_op(y, (self,), backward, "softmax")

    def log_softmax(self, axis=None, *, dim=None):
        """x - log(sum(exp(x))) along `axis` (alias `dim`; default -1), computed stably (no overflow)."""
        axes = _normalize_axes(_axis_or_dim("log_softmax", axis, dim, -1), self.ndim, "log_softmax")
        shifted = self.data - self.data.max(axis=axes, keepdims=True)
        log_norm = np.log(np.exp(shifted).sum(axis=axes, keepdims=True))
        y = shifted - log_norm

        def backward(g):
            return (g - np.exp(y) * g.sum(axis=axes, keepdims=True),)

        return Tensor._from_op(y, (self,), backward, "log_softmax")


# ----------------------------------------------------------------------------------------------------------
# matmul as a function (used by @)
# ----------------------------------------------------------------------------------------------------------
def _matmul_error(a_shape, b_shape) -> ValueError:
    if len(a_shape) == 0 or len(b_shape) == 0:
        return ValueError(f"matmul: cannot multiply {a_shape} by {b_shape}: both operands need at least one "
                          f"dimension (use * to multiply by a scalar).")
    inner_a = a_shape[-1]
    inner_b = b_shape[0] if len(b_shape) == 1 else b_shape[-2]
    if inner_a != inner_b:
        return ValueError(f"matmul: cannot multiply {a_shape} by {b_shape}: inner dimensions {inner_a} and "
                          f"{inner_b} differ (the last axis of the left operand must match the "
                          f"{'only' if len(b_shape) == 1 else 'second-to-last'} axis of the right one).")
    return ValueError(f"matmul: cannot multiply {a_shape} by {b_shape}: the batch dimensions "
                      f"{a_shape[:-2]} and {b_shape[:-2]} do not broadcast.")


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """Matrix product of two tensors with numpy.matmul semantics, and its gradient."""
    x, y = a.data, b.data
    try:
        data = x @ y
    except ValueError:
        raise _matmul_error(x.shape, y.shape) from None
    if x.ndim == 2 and y.ndim == 2:
        def backward(g):
            return (g @ y.T if a.requires_grad else None,
                    x.T @ g if b.requires_grad else None)
    elif x.ndim == 1 and y.ndim == 1:  # dot product
        def backward(g):
            return g * y, g * x
    else:
        def backward(g):
            xx = x[None, :] if x.ndim == 1 else x  # promote 1-D operands as numpy does
            yy = y[:, None] if y.ndim == 1 else y
            gg = g
            if x.ndim == 1:
                gg = np.expand_dims(gg, -2)
            if y.ndim == 1:
                gg = np.expand_dims(gg, -1)
            ga = gb = None
            if a.requires_grad:
                ga = unbroadcast(gg @ np.swapaxes(yy, -1, -2), xx.shape).reshape(x.shape)
            if b.requires_grad:
                gb = unbroadcast(np.swapaxes(xx, -1, -2) @ gg, yy.shape).reshape(y.shape)
            return ga, gb

    return Tensor._from_op(data, (a, b), backward, "matmul")
