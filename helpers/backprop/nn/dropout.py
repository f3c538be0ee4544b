"""Dropout: randomly zero activations while training (inverted scaling), identity in eval mode."""
from __future__ import annotations

from . import functional as F
from ..random import get_rng, resolve_rng
from .module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """Zero each element with probability p and scale survivors by 1/(1-p) in training; do nothing in eval().

    The masks are drawn from `rng` (backprop.random's convention): None -> the shared generator AT EACH
    forward, so `manual_seed(n)` reproduces the masks of a Dropout made earlier; an int -> the layer's own
    generator, seeded once, so its masks are reproducible whatever else draws numbers.
    """

    def __init__(self, p: float = 0.5, rng=None):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p}")
        self.p = p
        self._rng = resolve_rng(rng)

    @property
    def rng(self):
        """The generator the next mask comes from (with rng=None, the shared one as it is now)."""
        return get_rng(self._rng)

    def forward(self, x):
        return F.dropout(x, self.p, self.training, self._rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"
