"""Tensor ops that move data without computing on it (reshape, transpose, indexing), and the matrix product.

The gradient of a movement is the inverse movement of the output's gradient (reshape back, permute back,
scatter back into zeros); the matrix product's is the two transposed products.
"""
import numpy as np

from .tensor_axes import axis_or_dim, new_axis, normalize_axes, unbroadcast


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
    if isinstance(item, MovementOps):
        item = item.data
    if isinstance(item, list):
        item = np.asarray(item)
    if isinstance(item, np.ndarray) and item.dtype.kind == "f":
        as_int = item.astype(np.intp)
        if not np.array_equal(as_int, item):
            raise IndexError("index arrays must hold integers (or booleans); got non-integer floats.")
        item = as_int
    return item


class MovementOps:
    """Mixin of Tensor: reshape, flatten, (un)squeeze, transpose, indexing and the matrix product."""

    __slots__ = ()

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
        return self._from_op(data, (self,), lambda g: (g.reshape(original),), "reshape")

    view = reshape

    def flatten(self, start_dim: int = 0):
        """Merge dimensions start_dim..end into one (flatten(1) turns (N, C, H, W) into (N, C*H*W))."""
        start = normalize_axes(start_dim, self.ndim, "flatten")[0] if self.ndim else 0
        return self.reshape(self.shape[:start] + (-1,))

    def unsqueeze(self, axis=None, *, dim=None):
        """Insert a new axis of size 1 at position `axis` (alias `dim`), as numpy.expand_dims."""
        axis = axis_or_dim("unsqueeze", axis, dim)
        if axis is None:
            raise TypeError("unsqueeze: say where the new axis goes, e.g. t.unsqueeze(0) (or dim=0).")
        position = new_axis("unsqueeze", axis, self.ndim)
        return self.reshape(self.shape[:position] + (1,) + self.shape[position:])

    def squeeze(self, axis=None, *, dim=None):
        """Remove axes of size 1 (all of them, or the given ones; alias `dim`)."""
        axis = axis_or_dim("squeeze", axis, dim)
        if axis is not None:
            axis = normalize_axes(axis, self.ndim, "squeeze")
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
                valid = sorted(normalize_axes(axes, self.ndim, "transpose")) == list(range(self.ndim))
            except ValueError:
                valid = False
            if not valid:
                raise ValueError(f"transpose: axes {axes} are not a permutation of the {self.ndim} axes of a "
                                 f"tensor of shape {self.shape} (each of 0..{self.ndim - 1} exactly once).")
        data = self.data.transpose(axes)
        inverse = tuple(np.argsort(axes))
        return self._from_op(data, (self,), lambda g: (g.transpose(inverse),), "transpose")

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

        return self._from_op(np.asarray(data), (self,), backward, "getitem")

    def __setitem__(self, index, value):
        raise TypeError("Tensors do not support item assignment (it would silently break the graph). Build a new "
                        "tensor instead (e.g. with concatenate/stack or a mask multiplication), or edit .data "
                        "directly for changes that need no gradient.")

    # ---- matrix product ------------------------------------------------------------------------------
    def __matmul__(self, other):
        return matmul(self, other if isinstance(other, MovementOps) else self._lift(other))

    def __rmatmul__(self, other):
        return matmul(self._lift(other), self)

    def matmul(self, other):
        """Matrix product `self @ other` (1-D, 2-D, or batched with broadcasting), like numpy.matmul."""
        return self @ other


def _matmul_error(a_shape, b_shape) -> ValueError:
    """The message for operands that cannot be multiplied: which dimensions disagree, and what must match."""
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


def matmul(a, b):
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

    return a._from_op(data, (a, b), backward, "matmul")
