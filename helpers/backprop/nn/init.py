"""Weight initialisation as PyTorch does it, and the random-number generator the layers draw from.

Layers take `rng=None | int | numpy.random.Generator` (the convention of backprop.random, re-exported here):
with None they use the shared generator, which `manual_seed(n)` resets, so a notebook that seeds once gets the
same weights on every run.
"""
from __future__ import annotations

import math

import numpy as np

from ..random import get_rng, manual_seed

__all__ = ["manual_seed", "get_rng", "uniform_", "zeros_", "kaiming_uniform_", "xavier_uniform_"]


def uniform_(shape, bound: float, rng=None) -> np.ndarray:
    """A float64 array of the given shape drawn uniformly from [-bound, bound]."""
    return get_rng(rng).uniform(-bound, bound, size=shape).astype(np.float64)


def zeros_(shape) -> np.ndarray:
    """A float64 array of zeros."""
    return np.zeros(shape, dtype=np.float64)


def kaiming_uniform_(shape, fan_in: int, a: float = math.sqrt(5), rng=None) -> np.ndarray:
    """He-uniform: bound = gain * sqrt(3 / fan_in), gain = sqrt(2 / (1 + a^2)).

    PyTorch's Linear and Conv2d use a = sqrt(5), which gives bound = 1 / sqrt(fan_in).
    """
    gain = math.sqrt(2.0 / (1.0 + a * a))
    return uniform_(shape, gain * math.sqrt(3.0 / fan_in), rng)


def xavier_uniform_(shape, fan_in: int, fan_out: int, gain: float = 1.0, rng=None) -> np.ndarray:
    """Glorot-uniform: bound = gain * sqrt(6 / (fan_in + fan_out))."""
    return uniform_(shape, gain * math.sqrt(6.0 / (fan_in + fan_out)), rng)
