"""Operations on several tensors at once (concatenate, stack, maximum, where) and the softmax family."""
import numpy as np

from .tensor import Tensor, _broadcast_error, unbroadcast


def _as_tensor(value) -> Tensor:
    """Tensors pass through; numbers and arrays become constants (no grad)."""
    return value if isinstance(value, Tensor) else Tensor(value)


def concatenate(tensors, axis: int = 0) -> Tensor:
    """Join tensors along an existing axis; each input gets back its own slice of the gradient."""
    tensors = tuple(_as_tensor(t) for t in tensors)
    if not tensors:
        raise ValueError("concatenate: need at least one tensor.")
    try:
        data = np.concatenate([t.data for t in tensors], axis=axis)
    except (ValueError, np.exceptions.AxisError) as error:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"concatenate along axis {axis}: shapes {shapes} do not fit together; all axes except "
                         f"the joined one must match ({error}).") from None
    ax = axis % data.ndim
    bounds = np.cumsum([t.data.shape[ax] for t in tensors])[:-1]

    def backward(g):
        return tuple(np.split(g, bounds, axis=ax))

    return Tensor._from_op(data, tensors, backward, "concatenate")


cat = concatenate


def stack(tensors, axis: int = 0) -> Tensor:
    """Join same-shape tensors along a NEW axis; each input gets back its slice of the gradient."""
    tensors = tuple(_as_tensor(t) for t in tensors)
    if not tensors:
        raise ValueError("stack: need at least one tensor.")
    try:
        data = np.stack([t.data for t in tensors], axis=axis)
    except (ValueError, np.exceptions.AxisError) as error:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"stack along axis {axis}: shapes {shapes} must all be equal ({error}).") from None
    ax = axis % data.ndim

    def backward(g):
        moved = np.moveaxis(g, ax, 0)
        return tuple(moved[i] for i in range(len(tensors)))

    return Tensor._from_op(data, tensors, backward, "stack")


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis`, computed stably (see Tensor.softmax)."""
    return _as_tensor(x).softmax(axis)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """log(softmax(x)) along `axis`, computed stably (see Tensor.log_softmax)."""
    return _as_tensor(x).log_softmax(axis)


def maximum(a, b) -> Tensor:
    """Elementwise larger of a and b (broadcasting); where they are equal the gradient is split evenly."""
    a, b = _as_tensor(a), _as_tensor(b)
    try:
        data = np.maximum(a.data, b.data)
    except ValueError:
        raise _broadcast_error("maximum", a.shape, b.shape) from None
    a_wins = (a.data > b.data) + 0.5 * (a.data == b.data)

    def backward(g):
        return unbroadcast(g * a_wins, a.data.shape), unbroadcast(g * (1.0 - a_wins), b.data.shape)

    return Tensor._from_op(data, (a, b), backward, "maximum")


def minimum(a, b) -> Tensor:
    """Elementwise smaller of a and b; where they are equal the gradient is split evenly."""
    return -maximum(-_as_tensor(a), -_as_tensor(b))


def where(condition, a, b) -> Tensor:
    """Pick a where condition is true, else b (broadcasting); gradient flows only to the picked side."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    cond = cond.astype(bool)
    a, b = _as_tensor(a), _as_tensor(b)
    try:
        data = np.where(cond, a.data, b.data)
    except ValueError:
        raise ValueError(f"where: condition {cond.shape}, a {a.shape} and b {b.shape} cannot be broadcast "
                         f"together.") from None

    def backward(g):
        return unbroadcast(np.where(cond, g, 0.0), a.data.shape), unbroadcast(np.where(cond, 0.0, g), b.data.shape)

    return Tensor._from_op(data, (a, b), backward, "where")


def sum(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001 - mirrors torch.sum
    """Functional form of Tensor.sum."""
    return _as_tensor(x).sum(axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False) -> Tensor:
    """Functional form of Tensor.mean."""
    return _as_tensor(x).mean(axis=axis, keepdims=keepdims)


__all__ = ["concatenate", "cat", "stack", "softmax", "log_softmax", "maximum", "minimum", "where", "sum", "mean"]
