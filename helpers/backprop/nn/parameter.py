"""Parameter: a Tensor that a Module registers as trainable (requires_grad=True), as torch.nn.Parameter."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor

__all__ = ["Parameter"]


class Parameter(Tensor):
    """A trainable tensor. Assigning one to a Module attribute adds it to module.parameters()."""

    def __init__(self, data, requires_grad: bool = True):
        data = getattr(data, "data", data)
        super().__init__(np.array(data, dtype=np.float64), requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
