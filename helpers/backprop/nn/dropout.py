"""Dropout: randomly zero activations while training (inverted scaling), identity in eval mode."""
from __future__ import annotations

from . import functional as F
from .init import get_rng
from .module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """Zero each element with probability p and scale survivors by 1/(1-p) in training; do nothing in eval().

    The mask is drawn from `rng` (None -> the shared generator of backprop.nn.init), so a seeded rng
    gives a reproducible mask.
    """

    def __init__(self, p: float = 0.5, rng=None):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p}")
        self.p = p
        self.rng = get_rng(rng)

    def forward(self, x):
        return F.dropout(x, self.p, self.training, self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"
