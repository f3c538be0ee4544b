"""`Tensor`: a numpy array that remembers how it was computed, so `backward()` can apply the chain rule.

Every operation creates its output with `Tensor._from_op(data, parents, backward, op)`, where
`backward(grad_out)` returns d loss / d parent for each parent (same shape as that parent, or None).
That one hook is the whole extension API: nn layers and your own ops use it too (see also `Function`).
float64 by default. Broadcasting works as in numpy; a gradient is summed back to its operand's shape.

The operations live in mixins, one module an idea: tensor_elementwise (arithmetic, comparisons, exp/relu/...),
tensor_reduce (sum, mean, max, softmax), tensor_movement (reshape, transpose, indexing, matmul); shape and
axis checks in tensor_axes. This module holds the class itself: construction, properties, backward().
"""
from itertools import count

import numpy as np

from .autograd import run_backward
from .grad_mode import GRAD_MODE
from .tensor_axes import broadcast_error, unbroadcast
from .tensor_elementwise import DEFAULT_DTYPE, ElementwiseOps
from .tensor_movement import MovementOps, matmul
from .tensor_reduce import ReduceOps

_DEFAULT_DTYPE = DEFAULT_DTYPE
_next_seq = count().__next__  # creation numbers of graph nodes: a node is numbered after its inputs
_new, _ndarray = object.__new__, np.ndarray  # read by _from_op once per op: one global lookup each

__all__ = ["Tensor", "matmul", "unbroadcast", "broadcast_error"]


class Tensor(ElementwiseOps, ReduceOps, MovementOps):
    """An n-dimensional array (numpy, float64 by default) with reverse-mode automatic differentiation."""

    __slots__ = ("data", "grad", "requires_grad", "_parents", "_backward", "_op", "_retain_grad", "_seq",
                 "_pending", "__weakref__")
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
        self._pending = None  # the gradient received so far, only during a backward pass (autograd.py)

    # ---- the extension API ---------------------------------------------------------------------------
    @staticmethod  # not a classmethod: that would make a bound method on every call, i.e. every op
    def _from_op(data, parents, backward, op):
        """Output node of an operation: `backward(grad_out)` returns one gradient (array or None) per parent.

        If graph recording is off (no_grad) or no parent requires grad, the result is a plain constant.
        `backward` must return new arrays or views of grad_out, never mutate grad_out, and never return an
        array it keeps elsewhere (the engine may store a returned array as a leaf's .grad).
        """
        out = _new(Tensor)
        out.data = data if type(data) is _ndarray else np.asarray(data)
        out.grad = None
        out._op = op
        out._retain_grad = False
        out._pending = None
        if GRAD_MODE.enabled:
            for parent in parents:
                if parent.requires_grad:
                    out.requires_grad = True
                    out._parents = parents
                    out._backward = backward
                    out._seq = _next_seq()  # the backward pass visits nodes from the newest to the oldest
                    return out
        out.requires_grad = False
        out._parents = ()
        out._backward = None
        return out

    @staticmethod
    def _lift(value) -> "Tensor":
        """`value` as a Tensor outside the graph (a Tensor passes through): how ops lift numbers and arrays."""
        return value if isinstance(value, Tensor) else Tensor(value)

    # ---- basic properties ------------------------------------------------------------------------------
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
        out._pending = None
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
            gradient = np.empty(self.data.shape, dtype=self.data.dtype)
            gradient.fill(1.0)  # np.ones without its Python wrapper: this runs once per training step
        else:
            if isinstance(gradient, Tensor):
                gradient = gradient.data
            gradient = np.array(gradient, dtype=self.data.dtype)
            if gradient.shape != self.shape:
                raise ValueError(f"backward(gradient): gradient has shape {gradient.shape} but the tensor has shape "
                                 f"{self.shape}; they must match.")
        run_backward(self, gradient)
