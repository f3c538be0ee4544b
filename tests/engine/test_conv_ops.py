"""The vectorised convolution and pooling of backprop.nn.conv_ops against their definitions written as plain
loops, on random shapes, strides, padding, dilation and groups (im2col, col2im, conv2d forward and backward,
max_pool2d forward and backward with ties, padding and ceil_mode)."""
import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop import Tensor
from backprop.nn import conv_ops
from backprop.nn import functional as F

SETTINGS = settings(max_examples=30, deadline=None)


def _padded(x, ph, pw, value=0.0):
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def _loop_im2col(xp, kh, kw, sh, sw, dh, dw, ho, wo):
    """cols[n, (c, i, j), (y, x)] = xp[n, c, i*dh + y*sh, j*dw + x*sw], element by element."""
    n, c = xp.shape[:2]
    cols = np.zeros((n, c, kh, kw, ho, wo))
    for index in np.ndindex(n, c, kh, kw, ho, wo):
        b, ch, i, j, y, x = index
        cols[index] = xp[b, ch, i * dh + y * sh, j * dw + x * sw]
    return cols.reshape(n, c * kh * kw, ho * wo)


def _loop_col2im(dcols, padded_shape, kh, kw, sh, sw, dh, dw, ho, wo):
    """Each column entry added back to the pixel it was read from, one at a time."""
    n, c = padded_shape[:2]
    d = dcols.reshape(n, c, kh, kw, ho, wo)
    dxp = np.zeros(padded_shape)
    for index in np.ndindex(n, c, kh, kw, ho, wo):
        b, ch, i, j, y, x = index
        dxp[b, ch, i * dh + y * sh, j * dw + x * sw] += d[index]
    return dxp


def _loop_conv(x, w, b, stride, padding, dilation, groups):
    """out[n, o, y, x] = b[o] + sum over the group's channels and the kernel of w * the dilated patch."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    xp = _padded(x, ph, pw)
    n, o = x.shape[0], w.shape[0]
    cg, kh, kw = w.shape[1:]
    og = o // groups
    ho = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    wo = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, o, ho, wo))
    for b_, oc, y, xx in np.ndindex(n, o, ho, wo):
        first = (oc // og) * cg
        patch = xp[b_, first:first + cg, y * sh:y * sh + dh * (kh - 1) + 1:dh, xx * sw:xx * sw + dw * (kw - 1) + 1:dw]
        out[b_, oc, y, xx] = np.sum(patch * w[oc]) + b[oc]
    return out


def _loop_conv_grads(x, w, g, stride, padding, dilation, groups):
    """Gradients of sum(conv(x, w, b) * g) by the chain rule applied to each multiply-add of _loop_conv."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    xp = _padded(x, ph, pw)
    gxp, gw = np.zeros_like(xp), np.zeros_like(w)
    cg, kh, kw = w.shape[1:]
    og = w.shape[0] // groups
    for b_, oc, y, xx in np.ndindex(*g.shape):
        first = (oc // og) * cg
        for ch, i, j in np.ndindex(cg, kh, kw):
            r, q = y * sh + i * dh, xx * sw + j * dw
            gw[oc, ch, i, j] += g[b_, oc, y, xx] * xp[b_, first + ch, r, q]
            gxp[b_, first + ch, r, q] += g[b_, oc, y, xx] * w[oc, ch, i, j]
    return gxp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]], gw, g.sum(axis=(0, 2, 3))


geometry = {"n": st.integers(1, 2), "c": st.integers(1, 3), "h": st.integers(1, 7), "w": st.integers(1, 7),
            "kh": st.integers(1, 3), "kw": st.integers(1, 3), "sh": st.integers(1, 3), "sw": st.integers(1, 3),
            "dh": st.integers(1, 2), "dw": st.integers(1, 2), "ph": st.integers(0, 2), "pw": st.integers(0, 2),
            "seed": st.integers(0, 2**16)}


def _out(size, k, s, d, p):
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


@SETTINGS
@given(**geometry)
def test_im2col_and_col2im_match_loops(n, c, h, w, kh, kw, sh, sw, dh, dw, ph, pw, seed):
    ho, wo = _out(h, kh, sh, dh, ph), _out(w, kw, sw, dw, pw)
    assume(ho >= 1 and wo >= 1)
    gen = np.random.default_rng(seed)
    xp = _padded(gen.standard_normal((n, c, h, w)), ph, pw)
    args = (kh, kw, sh, sw, dh, dw, ho, wo)
    cols = conv_ops._im2col(xp, *args)
    assert cols.flags.c_contiguous
    np.testing.assert_array_equal(cols, _loop_im2col(xp, *args))
    dcols = gen.standard_normal(cols.shape)
    dxp = conv_ops._col2im(dcols, xp.shape, *args)
    np.testing.assert_allclose(dxp, _loop_col2im(dcols, xp.shape, *args), rtol=1e-12, atol=1e-12)
    # col2im is the adjoint (transpose) of im2col: <im2col(x), D> = <x, col2im(D)>
    np.testing.assert_allclose(np.sum(cols * dcols), np.sum(xp * dxp), rtol=1e-10)


@SETTINGS
@given(groups=st.integers(1, 3), cg=st.integers(1, 2), og=st.integers(1, 2), bias=st.booleans(), **geometry)
def test_conv2d_forward_and_backward_match_loops(groups, cg, og, bias, n, c, h, w, kh, kw, sh, sw, dh, dw, ph,
                                                 pw, seed):
    del c  # the channels are groups * cg here
    assume(_out(h, kh, sh, dh, ph) >= 1 and _out(w, kw, sw, dw, pw) >= 1)
    gen = np.random.default_rng(seed)
    x = Tensor(gen.standard_normal((n, groups * cg, h, w)), requires_grad=True)
    wt = Tensor(gen.standard_normal((groups * og, cg, kh, kw)), requires_grad=True)
    b = Tensor(gen.standard_normal(groups * og), requires_grad=True) if bias else None
    options = {"stride": (sh, sw), "padding": (ph, pw), "dilation": (dh, dw), "groups": groups}
    out = F.conv2d(x, wt, b, **options)
    bias_values = b.data if bias else np.zeros(groups * og)
    np.testing.assert_allclose(out.data, _loop_conv(x.data, wt.data, bias_values, **options), rtol=1e-10,
                               atol=1e-12)
    g = gen.standard_normal(out.shape)
    (out * Tensor(g)).sum().backward()
    gx, gw, gb = _loop_conv_grads(x.data, wt.data, g, **options)
    np.testing.assert_allclose(x.grad, gx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(wt.grad, gw, rtol=1e-10, atol=1e-12)
    if bias:
        np.testing.assert_allclose(b.grad, gb, rtol=1e-10, atol=1e-12)


def _loop_max_pool(x, k, s, p, ceil_mode, g):
    """Each window's maximum and, for the gradient, its first maximum in row-major order (PyTorch's rule);
    windows are clipped to the input, since padding never wins."""
    (kh, kw), (sh, sw), (ph, pw) = k, s, p
    ho = conv_ops._pool_out_size(x.shape[2], kh, sh, ph, ceil_mode)
    wo = conv_ops._pool_out_size(x.shape[3], kw, sw, pw, ceil_mode)
    out, dx = np.zeros(x.shape[:2] + (ho, wo)), np.zeros_like(x)
    for b, c, y, xx in np.ndindex(*out.shape):
        best, where = -np.inf, None
        for i, j in np.ndindex(kh, kw):
            r, q = y * sh - ph + i, xx * sw - pw + j
            if 0 <= r < x.shape[2] and 0 <= q < x.shape[3] and (where is None or x[b, c, r, q] > best):
                best, where = x[b, c, r, q], (r, q)
        out[b, c, y, xx] = best
        dx[b, c, where[0], where[1]] += g[b, c, y, xx]
    return out, dx


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 2), c=st.integers(1, 2), h=st.integers(1, 7), w=st.integers(1, 7), kh=st.integers(1, 3),
       kw=st.integers(1, 3), sh=st.integers(1, 3), sw=st.integers(1, 3), ph=st.integers(0, 1), pw=st.integers(0, 1),
       ceil_mode=st.booleans(), levels=st.sampled_from([3, 1000]), seed=st.integers(0, 2**16))
def test_max_pool2d_matches_loops_with_ties(n, c, h, w, kh, kw, sh, sw, ph, pw, ceil_mode, levels, seed):
    assume(2 * ph <= kh and 2 * pw <= kw and h + 2 * ph >= kh and w + 2 * pw >= kw)
    gen = np.random.default_rng(seed)
    x = Tensor(gen.integers(0, levels, (n, c, h, w)).astype(float), requires_grad=True)  # levels=3: many ties
    out = F.max_pool2d(x, (kh, kw), (sh, sw), (ph, pw), ceil_mode)
    g = gen.standard_normal(out.shape)
    out.backward(g)
    want_out, want_dx = _loop_max_pool(x.data, (kh, kw), (sh, sw), (ph, pw), ceil_mode, g)
    np.testing.assert_array_equal(out.data, want_out)
    np.testing.assert_allclose(x.grad, want_dx, rtol=1e-12, atol=1e-12)


def test_max_pool2d_sends_an_infinite_gradient_only_to_the_winner():
    """The fast backward multiplies by a 0/1 mask; with inf in the gradient that would leave nan (0 * inf)
    at the losers, so they must still get exactly 0."""
    x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    out = F.max_pool2d(x, 2)
    out.backward(np.array([[[[np.inf, 1.0], [2.0, 3.0]]]]))
    want = np.zeros((4, 4))
    want[1, 1], want[1, 3], want[3, 1], want[3, 3] = np.inf, 1.0, 2.0, 3.0
    np.testing.assert_array_equal(x.grad[0, 0], want)


def test_functional_reexports_the_conv_ops():
    assert F.conv2d is conv_ops.conv2d and F.max_pool2d is conv_ops.max_pool2d


def test_conv2d_keeps_float32():
    x = Tensor(np.ones((1, 1, 4, 4), dtype=np.float32), dtype=np.float32)
    w = Tensor(np.ones((2, 1, 3, 3), dtype=np.float32), dtype=np.float32, requires_grad=True)
    out = F.conv2d(x, w, padding=1)
    assert out.data.dtype == np.float32
    out.sum().backward()
    assert w.grad.dtype == np.float32
    assert F.max_pool2d(x, 2).data.dtype == np.float32
