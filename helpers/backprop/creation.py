"""Ways to make leaf tensors: `tensor`, `zeros`, `ones`, `randn` (float64 unless you say otherwise)."""
import numpy as np

from .random import get_rng
from .tensor import Tensor


def _shape(shape) -> tuple:
    """Accept zeros(2, 3) as well as zeros((2, 3))."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    if not all(isinstance(n, (int, np.integer)) and n >= 0 for n in shape):
        raise ValueError(f"a shape is a sequence of non-negative ints, got {shape!r}.")
    return tuple(int(n) for n in shape)


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """A new leaf tensor holding a copy of `data` (like torch.tensor)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(*shape, requires_grad: bool = False, dtype=None) -> Tensor:
    """A tensor of zeros with the given shape."""
    return Tensor(np.zeros(_shape(shape)), requires_grad=requires_grad, dtype=dtype)


def ones(*shape, requires_grad: bool = False, dtype=None) -> Tensor:
    """A tensor of ones with the given shape."""
    return Tensor(np.ones(_shape(shape)), requires_grad=requires_grad, dtype=dtype)


def randn(*shape, rng=None, requires_grad: bool = False, dtype=None) -> Tensor:
    """Standard-normal random tensor drawn from `rng` (backprop.random: None = the shared generator, which
    `manual_seed` resets; an int seed; or a numpy Generator)."""
    return Tensor(get_rng(rng).standard_normal(_shape(shape)), requires_grad=requires_grad, dtype=dtype)


def zeros_like(t, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape of `t` (a Tensor or array)."""
    return zeros(np.shape(t.data if isinstance(t, Tensor) else t), requires_grad=requires_grad)


def ones_like(t, requires_grad: bool = False) -> Tensor:
    """Ones with the shape of `t` (a Tensor or array)."""
    return ones(np.shape(t.data if isinstance(t, Tensor) else t), requires_grad=requires_grad)
