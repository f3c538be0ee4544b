"""Layer operations as functions (torch.nn.functional): each is ONE graph node with a hand-written backward.

Every function computes its forward pass with numpy and hands `Tensor._from_op` a closure that maps the
output's gradient to one gradient per input. Fusing a layer into one node (rather than composing many small
ops) is what keeps the engine fast: x @ W.T + b is one node, log-softmax + NLL is one node. Convolution and
pooling live in conv_ops.py and are re-exported here.
"""
from __future__ import annotations

import numpy as np

from .. import functional as _core
from .._math import sigmoid as _sigmoid_array
from ..tensor import Tensor
from .conv_ops import conv2d, max_pool2d

__all__ = [
    "linear", "relu", "leaky_relu", "tanh", "sigmoid", "softmax", "log_softmax",
    "mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss",
    "conv2d", "max_pool2d", "dropout", "embedding", "stack",
]

_REDUCTIONS = ("mean", "sum", "none")
# x.sum(axis) and x.max(axis) without numpy's Python-level wrapper (the same C reduction): per-step hot paths
_sum, _max = np.add.reduce, np.maximum.reduce
_INT64 = np.dtype(np.int64)  # compared by identity (numpy's built-in dtypes are singletons)
_UINT64 = np.dtype(np.uint64)


def _largest_index(t: np.ndarray) -> int:
    """The largest of non-empty int64 class indices, a negative one counting as huge (seen as uint64), so that
    one comparison with the number of classes finds any index out of range. argmax, not max: it skips
    numpy's reduction machinery (~0.15 us instead of ~0.8 us on a batch, once per training step)."""
    u = t.view(_UINT64)
    return u.item(u.argmax())


_ROW_INDICES: dict = {}  # batch size -> read-only np.arange(batch size), for picking each row's target class


def _row_indices(n: int) -> np.ndarray:
    """np.arange(n), made once per batch size (a training loop asks for the same few sizes every step)."""
    rows = _ROW_INDICES.get(n)
    if rows is None:
        rows = np.arange(n)
        rows.flags.writeable = False  # shared between calls: nobody may change it
        if len(_ROW_INDICES) < 64:  # bounded, whatever sizes a program uses
            _ROW_INDICES[n] = rows
    return rows


# ---- small helpers --------------------------------------------------------------------------------
def _as_tensor(x) -> Tensor:
    """Accept a Tensor, a numpy array or nested lists as a layer input."""
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=np.float64))


def _check_reduction(name: str, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _reduce(name: str, per_element: np.ndarray, reduction: str):
    """Reduce per-element losses; also return the factor d(loss)/d(per_element) for a scalar reduction."""
    _check_reduction(name, reduction)
    if reduction == "mean":
        scale = 1.0 / max(per_element.size, 1)
        return per_element.sum() * scale, scale
    if reduction == "sum":
        return per_element.sum(), 1.0
    return per_element, None


def _target_array(target) -> np.ndarray:
    return np.asarray(target.data if isinstance(target, Tensor) else target)


# ---- linear and activations -------------------------------------------------------------------------
def linear(input, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x @ W.T + b as one node; W has PyTorch's shape (out_features, in_features); x may be (..., in)."""
    x = input if type(input) is Tensor else _as_tensor(input)
    xd, w = x.data, weight.data
    if xd.ndim == 0 or xd.shape[-1] != w.shape[1]:
        raise ValueError(f"Linear(in_features={w.shape[1]}, out_features={w.shape[0]}): expected input of shape "
                         f"(..., {w.shape[1]}) (last dimension = in_features), got input of shape {xd.shape}")
    out = xd @ w.T
    if bias is not None:
        out += bias.data

    def backward(g):
        gx = g @ w if x.requires_grad else None
        g2, x2 = (g, xd) if xd.ndim == 2 else (g.reshape(-1, g.shape[-1]), xd.reshape(-1, xd.shape[-1]))
        gw = g2.T @ x2 if weight.requires_grad else None
        if bias is None:
            return gx, gw
        return gx, gw, (_sum(g2, 0) if bias.requires_grad else None)

    return Tensor._from_op(out, (x, weight) if bias is None else (x, weight, bias), backward, "linear")


# The elementwise activations and the softmax family are Tensor methods (tensor.py): each derivative is
# written once, there. These functions only accept any array-like input and torch's argument names.
def relu(input) -> Tensor:
    """max(x, 0); the gradient passes where x > 0 (Tensor.relu)."""
    return (input if type(input) is Tensor else _as_tensor(input)).relu()


def leaky_relu(input, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, negative_slope * x elsewhere (Tensor.leaky_relu)."""
    return _as_tensor(input).leaky_relu(negative_slope)


def tanh(input) -> Tensor:
    """tanh(x); d/dx = 1 - tanh(x)^2 (Tensor.tanh)."""
    return _as_tensor(input).tanh()


def sigmoid(input) -> Tensor:
    """1 / (1 + exp(-x)), accurate on both tails; d/dx = s (1 - s) (Tensor.sigmoid)."""
    return _as_tensor(input).sigmoid()


def softmax(input, dim=None, *, axis=None) -> Tensor:
    """exp(x) / sum(exp(x)) along dim (or axis), shifted by the max so it never overflows (Tensor.softmax)."""
    return _as_tensor(input).softmax(axis, dim=dim)


def log_softmax(input, dim=None, *, axis=None) -> Tensor:
    """log(softmax(x)) along dim (or axis), computed as x - max - log(sum(exp(x - max))) (Tensor.log_softmax)."""
    return _as_tensor(input).log_softmax(axis, dim=dim)


def stack(tensors, dim=None, *, axis=None) -> Tensor:
    """Join same-shaped tensors along a new axis `dim` (alias `axis`, default 0): backprop.functional.stack."""
    return _core.stack(tensors, axis, dim=dim)


# ---- losses -----------------------------------------------------------------------------------------
def _same_shape(name: str, x: np.ndarray, y: np.ndarray) -> None:
    if x.shape != y.shape:
        raise ValueError(f"{name}: input has shape {x.shape} but target has shape {y.shape}; they must match "
                         "(reshape one of them, e.g. target.reshape(input.shape), to avoid silent broadcasting)")


def mse_loss(input, target, reduction: str = "mean") -> Tensor:
    """Mean squared error: mean((input - target)^2)."""
    x = _as_tensor(input)
    t = target if isinstance(target, Tensor) else Tensor(np.asarray(target, dtype=np.float64))
    _same_shape("mse_loss", x.data, t.data)
    diff = x.data - t.data
    out, scale = _reduce("mse_loss", diff * diff, reduction)

    def backward(g):
        gx = 2.0 * diff * (g * scale if scale is not None else g)
        return (gx if x.requires_grad else None), (-gx if t.requires_grad else None)

    return Tensor._from_op(out, (x, t), backward, "mse_loss")


# PyTorch's floor for p (1 - p) in the gradient of binary_cross_entropy: the float32 number nearest 1e-12
# (9.99999996e-13), whatever the dtype; with it the gradients agree with torch's to the last digit.
_BCE_EPSILON = float(np.float32(1e-12))


def binary_cross_entropy(input, target, reduction: str = "mean") -> Tensor:
    """-(y log p + (1 - y) log(1 - p)) for probabilities p in [0, 1]; logs are clamped at -100 like PyTorch."""
    p = _as_tensor(input)
    y = np.asarray(_target_array(target), dtype=np.float64)
    _same_shape("binary_cross_entropy", p.data, y)
    pd = p.data
    if np.any((pd < 0) | (pd > 1)) or np.any(np.isnan(pd)):
        raise ValueError("binary_cross_entropy: input must be probabilities in [0, 1] (apply sigmoid first, or "
                         f"use binary_cross_entropy_with_logits); got values in [{pd.min()}, {pd.max()}]")
    with np.errstate(divide="ignore"):  # log(0) = -inf is clamped to -100 just below
        log_p, log_1mp = np.maximum(np.log(pd), -100.0), np.maximum(np.log1p(-pd), -100.0)
    per = -(y * log_p + (1.0 - y) * log_1mp)
    out, scale = _reduce("binary_cross_entropy", per, reduction)

    def backward(g):
        d = (pd - y) / np.maximum((1.0 - pd) * pd, _BCE_EPSILON)
        return (d * (g * scale if scale is not None else g),)

    return Tensor._from_op(out, (p,), backward, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input, target, reduction: str = "mean") -> Tensor:
    """Sigmoid + binary cross-entropy in one stable node: max(z, 0) - z y + log(1 + exp(-|z|))."""
    z = _as_tensor(input)
    y = np.asarray(_target_array(target), dtype=np.float64)
    _same_shape("binary_cross_entropy_with_logits", z.data, y)
    zd = z.data
    per = np.maximum(zd, 0.0) - zd * y + np.log1p(np.exp(-np.abs(zd)))
    out, scale = _reduce("binary_cross_entropy_with_logits", per, reduction)

    def backward(g):
        return ((_sigmoid_array(zd) - y) * (g * scale if scale is not None else g),)

    return Tensor._from_op(out, (z,), backward, "binary_cross_entropy_with_logits")


def _class_targets(name: str, target, n: int, num_classes: int) -> np.ndarray:
    """Validate integer class indices: right length, whole numbers, each in [0, num_classes)."""
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    kind = t.dtype.kind
    if kind == "f":
        if not np.all(t == np.round(t)):
            raise ValueError(f"{name}: target must hold integer class indices, got non-integer values")
        t = t.astype(np.int64)
    elif kind not in "iub":
        raise TypeError(f"{name}: target must hold integer class indices, got dtype {t.dtype}")
    if t.shape != (n,):
        hint = " (one-hot targets? pass the class indices instead: target.argmax(axis=1))" \
            if t.shape == (n, num_classes) else ""
        raise ValueError(f"{name}: expected target of shape ({n},) (one class index per row of input), "
                         f"got shape {t.shape}{hint}")
    if n and _out_of_range(t, num_classes):
        bad = t[(t < 0) | (t >= num_classes)][0]
        raise IndexError(f"{name}: target contains class index {bad}, but input has {num_classes} classes "
                         f"(valid indices are 0..{num_classes - 1})")
    return t


def _out_of_range(t: np.ndarray, num_classes: int) -> bool:
    """True if any index is < 0 or >= num_classes. For int64 one pass suffices: viewed as uint64, a negative
    index becomes a huge number, so a single max() catches both kinds of bad index."""
    if t.dtype == np.int64:
        return bool(_max(t.view(np.uint64)) >= num_classes)
    return bool(t.min() < 0 or t.max() >= num_classes)


def _check_logits(name: str, zd: np.ndarray) -> None:
    if zd.ndim < 2:
        raise ValueError(f"{name}: expected input of shape (batch, classes) or (batch, classes, d1, ...), "
                         f"got shape {zd.shape}")


def _rows_of_classes(name: str, zd: np.ndarray, target):
    """(N, C, d1, ...) inputs as torch reads them: one row of C scores per (n, d1, ...) position.

    Returns the (M, C) matrix, the flat targets (M,) and the per-position shape (N, d1, ...) of the targets.
    """
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    n, c = zd.shape[0], zd.shape[1]
    positions = (n,) + zd.shape[2:]
    if t.shape != positions:
        hint = " (one-hot targets? pass the class indices instead: target.argmax(axis=1))" \
            if t.shape == zd.shape else ""
        raise ValueError(f"{name}: expected target of shape {positions} (one class index per position of input "
                         f"{zd.shape}, the classes on axis 1), got shape {t.shape}{hint}")
    rows = np.moveaxis(zd, 1, -1).reshape(-1, c)
    return rows, _class_targets(name, t.reshape(-1), rows.shape[0], c), positions


def _check_smoothing(name: str, label_smoothing) -> float:
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, (int, float, np.floating)) \
            or not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{name}: label_smoothing must be a number in [0, 1], got {label_smoothing!r}")
    return float(label_smoothing)


def cross_entropy(input, target, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Log-softmax + negative log-likelihood in one stable node, as torch.nn.functional.cross_entropy.

    Logits (N, C) with integer targets (N,), or (N, C, d1, ...) with targets (N, d1, ...) (classes on axis 1,
    e.g. one prediction per time step or pixel). With label_smoothing = e the target distribution is
    (1 - e) * onehot + e / C. The gradient with respect to the logits is softmax(z) - that distribution
    (divided by the number of predictions for the mean).
    """
    z = input if type(input) is Tensor else _as_tensor(input)
    zd = z.data
    eps = label_smoothing if label_smoothing == 0.0 else _check_smoothing("cross_entropy", label_smoothing)
    if zd.ndim != 2:
        return _cross_entropy_nd(z, target, reduction, eps)
    n, c = zd.shape
    t = target.data if isinstance(target, Tensor) else target
    # fast path: int64 indices of the right shape, all in range; anything else gets _class_targets' checks
    if type(t) is not np.ndarray or t.dtype is not _INT64 or t.shape != (n,) or (n and _largest_index(t) >= c):
        t = _class_targets("cross_entropy", t, n, c)
    rows = _row_indices(n)
    shifted = zd - _max(zd, 1, keepdims=True)
    exp = np.exp(shifted)
    sumexp = _sum(exp, 1, keepdims=True)
    per = np.log(sumexp[:, 0]) - shifted[rows, t]
    if eps:  # (1 - e) * (-log p_t) + e * mean_c(-log p_c)
        per = (1.0 - eps) * per + eps * (np.log(sumexp[:, 0]) - shifted.mean(axis=1))
    if reduction == "mean":
        scale = 1.0 / max(n, 1)
        out = _sum(per) * scale
    else:
        out, scale = _reduce("cross_entropy", per, reduction)

    def backward(g):
        grad = exp / sumexp
        grad[rows, t] -= 1.0 - eps
        if eps:
            grad -= eps / c
        if scale is None:
            grad *= g[:, None]
        else:
            grad *= scale * float(g)
        return (grad,)

    return Tensor._from_op(out, (z,), backward, "cross_entropy")


def _cross_entropy_nd(z: Tensor, target, reduction: str, eps: float) -> Tensor:
    """cross_entropy of (N, C, d1, ...) logits: every position is a row of C scores (its own function, so that
    the usual (N, C) call does not create this path's closure cells)."""
    zd = z.data
    _check_logits("cross_entropy", zd)
    _check_reduction("cross_entropy", reduction)
    rows2d, t, positions = _rows_of_classes("cross_entropy", zd, target)
    flat = cross_entropy(Tensor(rows2d), t, "none", eps)  # the (M, C) computation, on a constant
    per = flat.data.reshape(positions)
    out, scale = _reduce("cross_entropy", per, reduction)
    probs = np.exp(_log_softmax_rows(rows2d))

    def backward_nd(g):
        grad = probs - (1.0 - eps) * _onehot(t, rows2d.shape[1]) - eps / rows2d.shape[1]
        if scale is None:
            grad *= g.reshape(-1)[:, None]
        else:
            grad *= scale * float(g)
        grad = grad.reshape(positions[:1] + positions[1:] + (rows2d.shape[1],))
        return (np.ascontiguousarray(np.moveaxis(grad, -1, 1)),)

    return Tensor._from_op(out, (z,), backward_nd, "cross_entropy")


def _log_softmax_rows(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _onehot(t: np.ndarray, c: int) -> np.ndarray:
    out = np.zeros((t.shape[0], c))
    out[np.arange(t.shape[0]), t] = 1.0
    return out


def nll_loss(input, target, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of integer targets given log-probabilities (N, C) (e.g. from log_softmax), or
    (N, C, d1, ...) with targets (N, d1, ...)."""
    z = _as_tensor(input)
    _check_logits("nll_loss", z.data)
    _check_reduction("nll_loss", reduction)
    if z.ndim != 2:  # classes on axis 1: move them last and treat every position as a row
        moved = z.transpose(0, *range(2, z.ndim), 1)
        rows2d, t, positions = _rows_of_classes("nll_loss", z.data, target)
        per = nll_loss(moved.reshape(-1, z.shape[1]), t, "none").reshape(positions)
        return per.sum() / max(per.size, 1) if reduction == "mean" else per.sum() if reduction == "sum" else per
    n, c = z.data.shape
    t = _class_targets("nll_loss", target, n, c)
    rows = _row_indices(n)
    out, scale = _reduce("nll_loss", -z.data[rows, t], reduction)

    def backward(g):
        grad = np.zeros_like(z.data)
        grad[rows, t] = -(g * scale if scale is not None else g)
        return (grad,)

    return Tensor._from_op(out, (z,), backward, "nll_loss")


# ---- dropout and embedding --------------------------------------------------------------------------
def dropout(input, p: float = 0.5, training: bool = True, rng=None) -> Tensor:
    """Inverted dropout: zero each element with probability p and scale the rest by 1/(1-p); identity when
    training=False, so evaluation needs no rescaling."""
    from .init import get_rng

    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {p}")
    x = _as_tensor(input)
    if not training or p == 0.0:
        return x
    keep = get_rng(rng).random(x.data.shape) >= p
    mask = keep / (1.0 - p) if p < 1.0 else keep.astype(np.float64)
    return Tensor._from_op(x.data * mask, (x,), lambda g: (g * mask,), "dropout")


def embedding(input, weight: Tensor) -> Tensor:
    """Look up rows of weight (num_embeddings, embedding_dim) by integer index; repeated indices add up
    their gradients (np.add.at)."""
    idx = _target_array(input)
    num = weight.data.shape[0]
    if idx.dtype.kind == "f" and np.all(idx == np.round(idx)):
        idx = idx.astype(np.int64)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {idx.dtype}")
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError(f"embedding: index out of range; indices must be in 0..{num - 1} "
                         f"(num_embeddings={num}), got values in [{idx.min()}, {idx.max()}]")
    out = weight.data[idx]

    def backward(g):
        gw = np.zeros_like(weight.data)
        np.add.at(gw, idx.reshape(-1), g.reshape(-1, weight.data.shape[1]))
        return (gw,)

    return Tensor._from_op(out, (weight,), backward, "embedding")
