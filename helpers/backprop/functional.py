"""Operations on several tensors at once (concatenate, stack, maximum, where) and the softmax family."""
import numpy as np

from .tensor import Tensor
from .tensor_axes import axis_or_dim, broadcast, new_axis, normalize_axes, unbroadcast

_as_tensor = Tensor._lift  # Tensors pass through; numbers and arrays become constants (no grad)


def _join_axis(op: str, tensors, axis, dim, ndim: int) -> int:
    """The axis to join along (alias `dim`), checked against `ndim` axes: a clear error names a bad axis."""
    axis = axis_or_dim(op, axis, dim, 0)
    if ndim == 0:
        raise ValueError(f"{op}: cannot join 0-d tensors along an existing axis; use stack to make a new one.")
    return normalize_axes(axis, ndim, op)[0]


def concatenate(tensors, axis=None, *, dim=None) -> Tensor:
    """Join tensors along an existing axis (alias `dim`, default 0); each input gets back its own slice of the
    gradient."""
    tensors = tuple(_as_tensor(t) for t in tensors)
    if not tensors:
        raise ValueError("concatenate: need at least one tensor.")
    ax = _join_axis("concatenate", tensors, axis, dim, tensors[0].ndim)
    shapes = [t.shape for t in tensors]
    if any(len(s) != len(shapes[0]) or s[:ax] + s[ax + 1:] != shapes[0][:ax] + shapes[0][ax + 1:] for s in shapes):
        raise ValueError(f"concatenate along axis {ax}: shapes {', '.join(map(str, shapes))} do not fit together; "
                         f"all axes except the joined one must match.")
    data = np.concatenate([t.data for t in tensors], axis=ax)
    bounds = np.cumsum([t.data.shape[ax] for t in tensors])[:-1]

    def backward(g):
        return tuple(np.split(g, bounds, axis=ax))

    return Tensor._from_op(data, tensors, backward, "concatenate")


cat = concatenate


def stack(tensors, axis=None, *, dim=None) -> Tensor:
    """Join same-shape tensors along a NEW axis (alias `dim`, default 0); each input gets back its slice of the
    gradient."""
    tensors = tuple(_as_tensor(t) for t in tensors)
    if not tensors:
        raise ValueError("stack: need at least one tensor.")
    ax = new_axis("stack", axis_or_dim("stack", axis, dim, 0), tensors[0].ndim)
    shapes = [t.shape for t in tensors]
    if any(s != shapes[0] for s in shapes):
        raise ValueError(f"stack: shapes {', '.join(map(str, shapes))} must all be equal.")
    data = np.stack([t.data for t in tensors], axis=ax)

    def backward(g):
        moved = np.moveaxis(g, ax, 0)
        return tuple(moved[i] for i in range(len(tensors)))

    return Tensor._from_op(data, tensors, backward, "stack")


def softmax(x: Tensor, axis=None, *, dim=None) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis` (alias `dim`, default -1), computed stably (see Tensor.softmax)."""
    return _as_tensor(x).softmax(axis, dim=dim)


def log_softmax(x: Tensor, axis=None, *, dim=None) -> Tensor:
    """log(softmax(x)) along `axis` (alias `dim`, default -1), computed stably (see Tensor.log_softmax)."""
    return _as_tensor(x).log_softmax(axis, dim=dim)


def maximum(a, b) -> Tensor:
    """Elementwise larger of a and b (broadcasting); where they are equal the gradient is split evenly."""
    def a_share(x, y):
        return (x > y) + 0.5 * (x == y)

    return Tensor.binary_op("maximum", _as_tensor(a), _as_tensor(b), np.maximum,
                            lambda g, x, y, out: g * a_share(x, y), lambda g, x, y, out: g * (1.0 - a_share(x, y)))


def minimum(a, b) -> Tensor:
    """Elementwise smaller of a and b; where they are equal the gradient is split evenly."""
    return -maximum(-_as_tensor(a), -_as_tensor(b))


def where(condition, a, b) -> Tensor:
    """Pick a where condition is true, else b (broadcasting); gradient flows only to the picked side."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    cond = cond.astype(bool)
    a, b = _as_tensor(a), _as_tensor(b)
    data = broadcast("where", np.where, cond, a.data, b.data)

    def backward(g):
        return unbroadcast(np.where(cond, g, 0.0), a.data.shape), unbroadcast(np.where(cond, 0.0, g), b.data.shape)

    return Tensor._from_op(data, (a, b), backward, "where")


def sum(x, axis=None, keepdims=False, *, dim=None, keepdim=None) -> Tensor:  # noqa: A001 - mirrors torch.sum
    """Functional form of Tensor.sum (dim/keepdim are aliases of axis/keepdims)."""
    return _as_tensor(x).sum(axis, keepdims, dim=dim, keepdim=keepdim)


def mean(x, axis=None, keepdims=False, *, dim=None, keepdim=None) -> Tensor:
    """Functional form of Tensor.mean (dim/keepdim are aliases of axis/keepdims)."""
    return _as_tensor(x).mean(axis, keepdims, dim=dim, keepdim=keepdim)


__all__ = ["concatenate", "cat", "stack", "softmax", "log_softmax", "maximum", "minimum", "where", "sum", "mean"]
