"""Convolution and max pooling of NCHW images as functions (torch.nn.functional.conv2d / max_pool2d).

Each is ONE graph node with a hand-written backward, vectorised so that a training step at the course's sizes
costs a handful of numpy calls, whatever the kernel size:
- conv2d: im2col through a strided view (one copy), then one batched matrix product per image; backward is
  the transposed products plus col2im (one vectorised add per kernel position).
- max_pool2d: the window maximum taken one axis at a time (columns, then rows), remembering which element
  won; backward sends each gradient back along the same two steps.
`backprop.nn.functional` re-exports both.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..tensor import Tensor

__all__ = ["conv2d", "max_pool2d"]


# ---- argument checks --------------------------------------------------------------------------------------
def _as_tensor(x) -> Tensor:
    """Accept a Tensor, a numpy array or nested lists as an image batch."""
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=np.float64))


def _pair(value, name: str) -> tuple[int, int]:
    """An int or a pair of ints (PyTorch's kernel_size/stride/padding convention) as a pair."""
    if type(value) is tuple and len(value) == 2 and type(value[0]) is int and type(value[1]) is int:
        return value  # the common case (a layer passes the pairs it checked when built), without the checks
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) for v in pair):
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    return int(pair[0]), int(pair[1])


def _positive_pair(name: str, what: str, value, low: int = 1) -> tuple[int, int]:
    pair = _pair(value, what)
    if min(pair) < low:
        raise ValueError(f"{name}: {what} must be at least {low}, got {value!r}")
    return pair


def _check_nchw(name: str, xd: np.ndarray, channels: int | None = None) -> None:
    if xd.ndim != 4 or (channels is not None and xd.shape[1] != channels):
        expected = f"(N, {channels}, H, W)" if channels is not None else "(N, C, H, W)"
        raise ValueError(f"{name}: expected input of shape {expected} (batch, channels, height, width), "
                         f"got input of shape {xd.shape}")


def _out_size(name: str, size: int, k: int, s: int, p: int) -> int:
    out = (size + 2 * p - k) // s + 1
    if out < 1:
        raise ValueError(f"{name}: kernel of size {k} does not fit an input of size {size} with padding {p}")
    return out


def _pad(xd: np.ndarray, ph: int, pw: int, value: float = 0.0, extra_h: int = 0, extra_w: int = 0) -> np.ndarray:
    """Pad the two spatial axes of an NCHW array by (ph, pw) on each side with `value`, plus extra_h rows at
    the bottom and extra_w columns at the right."""
    if ph == pw == extra_h == extra_w == 0:
        return xd
    n, c, h, w = xd.shape
    xp = np.full((n, c, h + 2 * ph + extra_h, w + 2 * pw + extra_w), value, dtype=xd.dtype)
    xp[:, :, ph:ph + h, pw:pw + w] = xd
    return xp


# ---- im2col and col2im ------------------------------------------------------------------------------------
def _im2col(xp: np.ndarray, kh: int, kw: int, sh: int, sw: int, dh: int, dw: int, ho: int, wo: int) -> np.ndarray:
    """Every receptive field of the padded NCHW array as a column: shape (N, C*kh*kw, Ho*Wo), contiguous.

    Row (c, i, j) of image n holds xp[n, c, i*dh + y*sh, j*dw + x*sw] for the Ho*Wo output positions (y, x):
    a strided view of xp (nothing copied) that is then copied once.
    """
    n, c = xp.shape[:2]
    s0, s1, s2, s3 = xp.strides
    view = as_strided(xp, (n, c, kh, kw, ho, wo), (s0, s1, s2 * dh, s3 * dw, s2 * sh, s3 * sw), writeable=False)
    return np.ascontiguousarray(view).reshape(n, c * kh * kw, ho * wo)


def _col2im(dcols: np.ndarray, padded_shape: tuple, kh: int, kw: int, sh: int, sw: int, dh: int,
            dw: int, ho: int, wo: int) -> np.ndarray:
    """The adjoint of _im2col, for gradients: add each column entry back to the pixel it was read from.

    One vectorised add per kernel position (i, j): all images, channels and output positions at once.
    """
    n, c = padded_shape[:2]
    d = dcols.reshape(n, c, kh, kw, ho, wo)
    dxp = np.zeros(padded_shape, dtype=dcols.dtype)
    for i in range(kh):
        rows = slice(i * dh, i * dh + sh * (ho - 1) + 1, sh)
        for j in range(kw):
            dxp[:, :, rows, j * dw:j * dw + sw * (wo - 1) + 1:sw] += d[:, :, i, j]
    return dxp


# ---- convolution ------------------------------------------------------------------------------------------
def conv2d(input, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation, as PyTorch) of NCHW input with weight (out_ch, in_ch/groups, kh, kw).

    im2col: every receptive field becomes a column, so the convolution of image n is one matrix product
    W (out, in*kh*kw) @ cols[n] (in*kh*kw, Ho*Wo), whose result is already in NCHW order. With groups the
    channels split into independent convolutions (groups = in_channels: depthwise); dilation spaces the
    kernel's elements apart. Backward: dW = sum over images of g[n] @ cols[n].T, dcols = W.T @ g[n], then
    col2im.
    """
    x = _as_tensor(input)
    xd, w = x.data, weight.data
    o, cg, kh, kw = w.shape
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1 or o % groups:
        raise ValueError(f"conv2d: groups must be a positive integer dividing out_channels={o}, got {groups!r}")
    c = cg * groups
    layer = f"Conv2d(in_channels={c}, out_channels={o}, kernel_size={(kh, kw)}" \
            f"{f', groups={groups}' if groups != 1 else ''})"
    _check_nchw(layer, xd, c)
    sh, sw = _positive_pair(layer, "stride", stride)
    ph, pw = _positive_pair(layer, "padding", padding, 0)
    dh, dw = _positive_pair(layer, "dilation", dilation)
    n, _, h, wd = xd.shape
    ho, wo = _out_size(layer, h, dh * (kh - 1) + 1, sh, ph), _out_size(layer, wd, dw * (kw - 1) + 1, sw, pw)
    xp = _pad(xd, ph, pw)
    og, kg, spots = o // groups, cg * kh * kw, ho * wo
    cols = _im2col(xp, kh, kw, sh, sw, dh, dw, ho, wo)  # (N, C*kh*kw, Ho*Wo)
    if groups == 1:
        wmat = w.reshape(o, kg)
        out = np.matmul(wmat, cols)  # (N, O, Ho*Wo)
    else:
        cols = cols.reshape(n, groups, kg, spots)
        wmat = w.reshape(groups, og, kg)
        out = np.matmul(wmat, cols)  # (N, groups, O/groups, Ho*Wo)
    out = out.reshape(n, o, ho, wo)
    if bias is not None:
        out += bias.data[:, None, None]

    def backward(g):
        g3 = g.reshape(cols.shape[:-2] + (og if groups != 1 else o, spots))
        gw = np.matmul(g3, cols.swapaxes(-1, -2)).sum(axis=0).reshape(w.shape) if weight.requires_grad else None
        gx = None
        if x.requires_grad:
            dcols = np.matmul(wmat.swapaxes(-1, -2), g3)  # (N, [groups,] C/groups*kh*kw, Ho*Wo)
            dxp = _col2im(dcols, xp.shape, kh, kw, sh, sw, dh, dw, ho, wo)
            gx = dxp[:, :, ph:ph + h, pw:pw + wd] if ph or pw else dxp
        if bias is None:
            return gx, gw
        return gx, gw, (g3.sum(axis=(0, -1)).reshape(o) if bias.requires_grad else None)

    parents = (x, weight) if bias is None else (x, weight, bias)
    return Tensor._from_op(out, parents, backward, "conv2d")


# ---- max pooling ------------------------------------------------------------------------------------------
def _pool_out_size(size: int, k: int, s: int, p: int, ceil_mode: bool) -> int:
    """torch's pooling output size: floor((size + 2p - k) / s) + 1, or with ceil_mode the ceiling, minus one
    if the last window would then start inside the right padding."""
    out = -((size + 2 * p - k) // -s) + 1 if ceil_mode else (size + 2 * p - k) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    if out < 1:
        raise ValueError(f"max_pool2d: kernel of size {k} does not fit an input of size {size} with padding {p}")
    return out


def _along(axis: int, start: int, step: int, count: int) -> tuple:
    """Index of `count` positions start, start + step, ... along `axis` of an NCHW array."""
    return (slice(None),) * axis + (slice(start, start + step * (count - 1) + 1, step),)


def _window_max(a: np.ndarray, axis: int, k: int, s: int, count: int):
    """Max over windows of k neighbours (window t starts at t*s) along one axis, and the offset (0..k-1) of
    each window's first maximum as int8: a candidate must be strictly larger to win, so a tie keeps the
    earlier element (PyTorch's rule).

    Offset b of every window is first gathered into one contiguous array (np.take, one pass), so the
    comparisons run over contiguous memory: on strided views numpy's loops are several times slower.
    """
    best = None
    winner = None
    for b in range(k):
        candidate = np.take(a, np.arange(b, b + s * (count - 1) + 1, s), axis=axis)
        if best is None:
            best = candidate
            continue
        better = candidate > best
        np.maximum(best, candidate, out=best)
        if winner is None:
            winner = better.view(np.int8)  # False/True are offsets 0/1
        else:
            winner[better] = b
    if winner is None:  # k == 1: every element wins its own window
        winner = np.zeros(best.shape, dtype=np.int8)
    return best, winner


def _window_max_backward(g: np.ndarray, winner: np.ndarray, axis: int, k: int, s: int, length: int):
    """The adjoint of _window_max: each window's gradient goes to its winning element; an element that wins
    several overlapping windows sums their gradients."""
    count = g.shape[axis]
    shape = g.shape[:axis] + (length,) + g.shape[axis + 1:]
    if k == 1 and s == 1 and length == count:  # every element is its own window
        return g
    if s == k and length == k * count and np.isfinite(g).all():
        # the windows tile the axis, so each element gets exactly one part: g where it won, 0 elsewhere
        # (g * mask is exact for finite g; 0 * inf would be nan, hence the check)
        out = np.empty(shape, dtype=g.dtype)
        for b in range(k):
            np.multiply(g, winner == b, out=out[_along(axis, b, s, count)])
        return out
    out = np.zeros(shape, dtype=g.dtype)
    for b in range(k):
        out[_along(axis, b, s, count)] += np.where(winner == b, g, 0.0)
    return out


def max_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode: bool = False) -> Tensor:
    """Max over each (kh, kw) window of NCHW input; the gradient goes to the winning element of each window
    (the first one in row-major order, on a tie, as in PyTorch). ceil_mode=True keeps a last, partial window
    at the bottom/right edge (output size rounded up instead of down), as torch.

    The maximum is separable: first over each row's kw columns, then over kh of those row maxima. The first
    maximum of a window is the first maximum of its first row holding the maximum, so keeping the first
    winner at both steps follows PyTorch's tie rule.
    """
    x = _as_tensor(input)
    xd = x.data
    _check_nchw("max_pool2d", xd)
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = _pair(kernel_size if stride is None else stride, "stride")
    ph, pw = _pair(padding, "padding")
    if 2 * ph > kh or 2 * pw > kw:
        raise ValueError(f"max_pool2d: padding {(ph, pw)} must be at most half the kernel size {(kh, kw)} "
                         "(otherwise a window could hold nothing but padding)")
    h, wd = xd.shape[2:]
    ho, wo = _pool_out_size(h, kh, sh, ph, ceil_mode), _pool_out_size(wd, kw, sw, pw, ceil_mode)
    # ceil_mode: the last windows may reach past the padding; -inf fills what they cover
    eh, ew = max((ho - 1) * sh + kh - h - 2 * ph, 0), max((wo - 1) * sw + kw - wd - 2 * pw, 0)
    xp = _pad(xd, ph, pw, -np.inf, eh, ew)
    row_max, col_winner = _window_max(xp, 3, kw, sw, wo)  # (N, C, Hp, Wo)
    out, row_winner = _window_max(row_max, 2, kh, sh, ho)  # (N, C, Ho, Wo)

    def backward(g):
        g_rows = _window_max_backward(g, row_winner, 2, kh, sh, xp.shape[2])
        dxp = _window_max_backward(g_rows, col_winner, 3, kw, sw, xp.shape[3])
        return (dxp[:, :, ph:ph + h, pw:pw + wd] if dxp.shape != xd.shape else dxp,)

    return Tensor._from_op(out, (x,), backward, "max_pool2d")
