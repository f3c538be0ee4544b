"""Convolution, max pooling and flattening for NCHW images, as torch.nn.Conv2d / MaxPool2d / Flatten."""
from __future__ import annotations

import math

from . import functional as F
from .conv_ops import _pair
from .init import get_rng, kaiming_uniform_, uniform_
from .module import Module
from .parameter import Parameter

__all__ = ["Conv2d", "MaxPool2d", "Flatten"]


class Conv2d(Module):
    """2-D convolution: weight (out_channels, in_channels, kh, kw), bias (out_channels,); input (N, C, H, W).

    Output size per spatial axis: (size + 2*padding - kernel) // stride + 1. Initialised like PyTorch
    (uniform in +-1/sqrt(in_channels*kh*kw)); computed with im2col as one graph node.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 bias: bool = True, rng=None, *, dilation=1, groups: int = 1):
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Conv2d: {name} must be a positive integer, got {value!r}")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"Conv2d: groups={groups} must divide in_channels={in_channels} and "
                             f"out_channels={out_channels}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _pair(stride, "stride")
        self.padding = _pair(padding, "padding")
        self.dilation = _pair(dilation, "dilation")
        if min(self.kernel_size) < 1 or min(self.stride) < 1 or min(self.padding) < 0 or min(self.dilation) < 1:
            raise ValueError("Conv2d: kernel_size, stride and dilation must be >= 1 and padding >= 0, got "
                             f"{self.kernel_size}, {self.stride}, {self.dilation}, {self.padding}")
        fan_in = in_channels // groups * self.kernel_size[0] * self.kernel_size[1]
        rng = get_rng(rng)
        self.weight = Parameter(kaiming_uniform_((out_channels, in_channels // groups, *self.kernel_size), fan_in,
                                                 rng=rng))
        self.register_parameter("bias", Parameter(uniform_((out_channels,), 1 / math.sqrt(fan_in), rng))
                                if bias else None)

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        extra = (f", dilation={self.dilation}" if self.dilation != (1, 1) else "") + \
            (f", groups={self.groups}" if self.groups != 1 else "")
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}{extra}")


class MaxPool2d(Module):
    """Max over kernel_size windows moved by stride (default: kernel_size, i.e. non-overlapping)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.ceil_mode = bool(ceil_mode)

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
                + (", ceil_mode=True" if self.ceil_mode else ""))


class Flatten(Module):
    """Merge dimensions start_dim..end_dim into one, e.g. (N, C, H, W) -> (N, C*H*W)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        x = F._as_tensor(x)
        shape = x.shape
        start = self.start_dim % len(shape)
        end = self.end_dim % len(shape)
        merged = 1
        for s in shape[start:end + 1]:
            merged *= s
        return x.reshape(*shape[:start], merged, *shape[end + 1:])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
