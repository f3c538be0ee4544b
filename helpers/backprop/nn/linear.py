"""Linear (fully connected) layer: y = x @ W.T + b, as torch.nn.Linear."""
from __future__ import annotations

import math

from ..validate import positive_int
from . import functional as F
from .init import get_rng, kaiming_uniform_, uniform_
from .module import Module
from .parameter import Parameter

__all__ = ["Linear", "Identity"]


class Linear(Module):
    """Affine map from in_features to out_features; weight (out_features, in_features), bias (out_features,).

    Initialised like PyTorch: weight and bias uniform in [-1/sqrt(in_features), 1/sqrt(in_features)]
    (Kaiming-uniform with a = sqrt(5)). Forward is one fused graph node.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, rng=None):
        super().__init__()
        self.in_features = positive_int("Linear", "in_features", in_features)
        self.out_features = positive_int("Linear", "out_features", out_features)
        rng = get_rng(rng)
        self.weight = Parameter(kaiming_uniform_((out_features, in_features), in_features, rng=rng))
        self.register_parameter("bias", Parameter(uniform_((out_features,), 1 / math.sqrt(in_features), rng))
                                if bias else None)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Identity(Module):
    """Returns its input unchanged (a placeholder layer)."""

    def forward(self, x):
        return x
