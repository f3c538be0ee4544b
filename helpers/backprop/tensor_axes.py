"""Shapes and axes for Tensor ops: broadcasting a gradient back, and one clear error for each kind of bad axis.

Every op that takes `axis` (alias `dim`) or broadcasts two operands checks it here, so the messages are
written once and say the same thing wherever the mistake is made.
"""
import numpy as np


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


def broadcast_error(op: str, *shapes) -> ValueError:
    """The message for operands whose shapes do not broadcast."""
    listed = " and ".join(str(tuple(s)) for s in shapes)
    return ValueError(
        f"{op}: shapes {listed} cannot be broadcast together. Numpy broadcasting "
        f"compares shapes from the right; each pair of sizes must be equal or one of them 1. "
        f"Reshape one operand (e.g. x.reshape(-1, 1)) or check which axis you meant.")


def broadcast(op: str, fn, *operands):
    """`fn(*operands)` (a numpy function that broadcasts), or the clear broadcast error naming `op`."""
    try:
        return fn(*operands)
    except ValueError:
        raise broadcast_error(op, *(np.shape(x) for x in operands)) from None


def normalize_axes(axis, ndim: int, op: str):
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


def axis_or_dim(op: str, axis, dim, default=None):
    """Resolve torch's `dim` as an alias of numpy's `axis`: either may be given (not two different values)."""
    if dim is None:
        return default if axis is None else axis
    if axis is not None and axis != dim:
        raise TypeError(f"{op}: got axis={axis!r} and dim={dim!r}; dim is another name for axis, pass only one.")
    return dim


def keepdims_or_keepdim(op: str, keepdims, keepdim) -> bool:
    """Resolve torch's `keepdim` as an alias of numpy's `keepdims`."""
    if keepdim is None:
        return bool(keepdims)
    if keepdims and not keepdim:
        raise TypeError(f"{op}: got keepdims={keepdims!r} and keepdim={keepdim!r}; pass only one of them.")
    return bool(keepdim)


def new_axis(op: str, axis, ndim: int) -> int:
    """Position of an axis INSERTED into a tensor of `ndim` axes (unsqueeze, stack): 0..ndim, or -ndim-1..-1."""
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: axis must be an int, got {axis!r}.")
    if not -ndim - 1 <= axis <= ndim:
        raise ValueError(f"{op}: axis {axis} is out of range: the new axis goes into a tensor with {ndim} "
                         f"dimension(s), so valid positions are {-ndim - 1}..{ndim}.")
    return int(axis) % (ndim + 1)
