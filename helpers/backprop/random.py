"""The one random-number convention of backprop: every `rng=` argument takes None, an int seed or a Generator.

- None: the SHARED generator, looked up when the numbers are drawn (so `manual_seed(n)` also reproduces what
  an existing Dropout layer or DataLoader draws next), as torch's default generator;
- an int: a private generator seeded with it, made once (a layer's own reproducible stream);
- a numpy Generator: used as it is.
"""
from __future__ import annotations

import numpy as np

__all__ = ["manual_seed", "get_rng", "resolve_rng"]

_shared = np.random.default_rng(0)


def manual_seed(seed: int) -> None:
    """Reset the shared generator (used wherever rng=None) to a known state."""
    global _shared
    _shared = np.random.default_rng(seed)


def get_rng(rng=None) -> np.random.Generator:
    """The generator to draw from NOW: None -> the shared one; an int -> a fresh seeded one; a Generator -> itself."""
    if rng is None:
        return _shared
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, (bool, np.bool_)):
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be None, an int seed or a numpy Generator, got {type(rng).__name__}")


def resolve_rng(rng=None):
    """What an object that draws numbers later should keep: None stays None (the shared generator at draw time),
    an int becomes its own seeded Generator once (so successive draws differ), a Generator stays itself."""
    return None if rng is None else get_rng(rng)
