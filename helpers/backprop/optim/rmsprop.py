"""RMSprop (optionally centered, with momentum), as torch.optim.RMSprop."""
from __future__ import annotations

import numpy as np

from ..validate import check_number, refuse_unknown_options
from .optimizer import Optimizer

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running root-mean-square of recent gradients.

    As torch.optim.RMSprop: v = alpha*v + (1-alpha)*g^2; with centered=True also a running mean of the
    gradient, m = alpha*m + (1-alpha)*g, and v - m^2 (a running variance) replaces v; with momentum
    b = momentum*b + g/(sqrt(v)+eps) and p -= lr*b, else p -= lr*g/(sqrt(v)+eps).
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, **unknown):
        refuse_unknown_options("RMSprop", unknown, ["lr", "alpha", "eps", "weight_decay", "momentum", "centered"])
        super().__init__(params, dict(
            lr=check_number("RMSprop", "lr", lr),
            alpha=check_number("RMSprop", "alpha", alpha, 0.0, 1.0),
            eps=check_number("RMSprop", "eps", eps),
            weight_decay=check_number("RMSprop", "weight_decay", weight_decay),
            momentum=check_number("RMSprop", "momentum", momentum),
            centered=bool(centered)))

    def _update(self, p, grad, group, state):
        self._count_step(state, p, "square_avg", "momentum_buffer" if group["momentum"] else None,
                         "grad_avg" if group.get("centered") else None)
        v = state["square_avg"]
        alpha = group["alpha"]
        v *= alpha
        v += (1.0 - alpha) * grad * grad
        if group.get("centered"):
            m = state.setdefault("grad_avg", np.zeros_like(p.data))
            m += (1.0 - alpha) * (grad - m)  # torch's lerp(m, g, 1 - alpha)
            denom = np.sqrt(v - m * m)
        else:
            denom = np.sqrt(v)
        denom += group["eps"]
        step = np.divide(grad, denom, out=denom)  # g / (sqrt(v) + eps), reusing the temporary
        if group["momentum"]:
            buf = state.setdefault("momentum_buffer", np.zeros_like(p.data))
            buf *= group["momentum"]
            buf += step
            step = buf
        p.data -= group["lr"] * step
