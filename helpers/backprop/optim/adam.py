"""Adam (optionally amsgrad) and AdamW (decoupled weight decay), as torch.optim.Adam / AdamW."""
from __future__ import annotations

import math

import numpy as np

from ..validate import check_number, refuse_unknown_options
from .optimizer import Optimizer

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam: momentum on the gradient (m) and on its square (v), both bias-corrected.

    As torch.optim.Adam: m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2;
    p -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps).
    amsgrad=True divides by the largest v seen so far instead of v (v_max = max(v_max, v)).
    weight_decay adds weight_decay*p to the gradient (L2), unless decoupled_weight_decay=True (AdamW): then
    p is first shrunk, p *= 1 - lr*weight_decay, and the gradient is left alone.
    """

    _name = "Adam"
    _default_weight_decay = 0.0

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float | None = None, amsgrad: bool = False, *,
                 decoupled_weight_decay: bool = False, **unknown):
        name = self._name
        refuse_unknown_options(name, unknown, ["lr", "betas", "eps", "weight_decay", "amsgrad",
                                               "decoupled_weight_decay"])
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
        b1 = check_number(name, "betas[0]", betas[0], 0.0, 1.0, high_open=True)
        b2 = check_number(name, "betas[1]", betas[1], 0.0, 1.0, high_open=True)
        if weight_decay is None:
            weight_decay = self._default_weight_decay
        super().__init__(params, dict(lr=check_number(name, "lr", lr), betas=(b1, b2),
                                      eps=check_number(name, "eps", eps),
                                      weight_decay=check_number(name, "weight_decay", weight_decay),
                                      amsgrad=bool(amsgrad), decoupled_weight_decay=bool(decoupled_weight_decay)))

    def _update(self, p, grad, group, state):
        t = self._count_step(state, p, "exp_avg", "exp_avg_sq", "max_exp_avg_sq" if group.get("amsgrad") else None)
        lr = group["lr"]
        if group.get("decoupled_weight_decay") and group["weight_decay"]:
            p.data *= 1.0 - lr * group["weight_decay"]
        b1, b2 = group["betas"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= b1
        m += (1.0 - b1) * grad
        v *= b2
        v += (1.0 - b2) * grad * grad
        if group.get("amsgrad"):
            v_max = state.setdefault("max_exp_avg_sq", np.zeros_like(p.data))
            np.maximum(v_max, v, out=v_max)
            v = v_max
        # lr * m_hat / (sqrt(v_hat) + eps), with the bias corrections folded into scalars (as PyTorch does)
        # so that only two temporary arrays are made
        denom = np.sqrt(v)
        denom /= math.sqrt(1.0 - b2 ** t)
        denom += group["eps"]
        step = np.divide(m, denom, out=denom)
        step *= lr / (1.0 - b1 ** t)
        p.data -= step


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as torch.optim.AdamW (weight_decay 0.01 default).

    Each step first shrinks the parameters, p *= 1 - lr*weight_decay, then takes a plain Adam step: the decay
    is not mixed into the gradient, so it is not rescaled by Adam's 1/sqrt(v).
    """

    _name = "AdamW"
    _default_weight_decay = 1e-2

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, **unknown):
        if "decoupled_weight_decay" in unknown and not unknown.pop("decoupled_weight_decay"):
            raise ValueError("AdamW: decoupled_weight_decay=False would be plain Adam; use optim.Adam instead")
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay=True, **unknown)
