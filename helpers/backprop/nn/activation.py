"""Activation layers (ReLU, LeakyReLU, Tanh, Sigmoid, Softmax, LogSoftmax): Modules wrapping one function."""
from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .module import Module

__all__ = ["ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax"]


class _Activation(Module):
    """A layer that applies one function of nn.functional, with the settings given to __init__ (shown by repr)."""

    function = staticmethod(F.relu)
    settings: tuple = ()  # names of the keyword arguments passed on to `function`

    def forward(self, x):
        if not self.settings:  # most activations have none: skip building an empty dict on every call
            return self.function(x)
        return self.function(x, **{name: getattr(self, name) for name in self.settings})

    def extra_repr(self) -> str:
        return ", ".join(f"{name}={getattr(self, name)}" for name in self.settings)


class ReLU(_Activation):
    """max(x, 0), elementwise."""

    def forward(self, x):  # the most used layer: straight to Tensor.relu when given a Tensor (as F.relu does)
        return x.relu() if type(x) is Tensor else F.relu(x)


class LeakyReLU(_Activation):
    """x for x > 0, negative_slope * x otherwise."""

    function, settings = staticmethod(F.leaky_relu), ("negative_slope",)

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = negative_slope


class Tanh(_Activation):
    """Hyperbolic tangent, elementwise (output in (-1, 1))."""

    function = staticmethod(F.tanh)


class Sigmoid(_Activation):
    """Logistic sigmoid 1 / (1 + exp(-x)), elementwise (output in (0, 1))."""

    function = staticmethod(F.sigmoid)


class Softmax(_Activation):
    """Softmax along `dim` (each slice sums to 1)."""

    function, settings = staticmethod(F.softmax), ("dim",)

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim


class LogSoftmax(Softmax):
    """log(softmax(x)) along `dim`, computed stably."""

    function = staticmethod(F.log_softmax)
