"""SGD with momentum, Nesterov momentum and L2 weight decay, as torch.optim.SGD."""
from __future__ import annotations

import numpy as np

from ..validate import check_number, refuse_unknown_options
from .optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay (L2).

    As torch.optim.SGD: g = grad + weight_decay*p; b = momentum*b + (1-dampening)*g (b = g on the first step);
    g = g + momentum*b if nesterov else b; p = p - lr*g.
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, **unknown):
        refuse_unknown_options("SGD", unknown, ["lr", "momentum", "dampening", "weight_decay", "nesterov"])
        lr = check_number("SGD", "lr", lr)
        momentum = check_number("SGD", "momentum", momentum)
        dampening = check_number("SGD", "dampening", dampening)
        weight_decay = check_number("SGD", "weight_decay", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening = 0, "
                             f"got momentum={momentum}, dampening={dampening}")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=bool(nesterov)))

    def _step_group(self, group: dict) -> None:
        if group["momentum"] or group["weight_decay"]:
            return super()._step_group(group)
        lr = group["lr"]
        for p in group["params"]:  # plain SGD: p -= lr * grad, nothing else to remember
            grad = p.grad
            if grad is not None:
                data = p.data
                if grad.shape != data.shape:
                    raise ValueError(f"SGD: gradient of shape {grad.shape} does not match its parameter "
                                     f"of shape {data.shape}")
                data -= lr * grad  # in place: the parameter's array is updated

    def _update(self, p, grad, group, state):
        mu = group["momentum"]
        if mu:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.array(grad, dtype=p.data.dtype, copy=True)
            else:
                buf *= mu
                dampening = group["dampening"]
                buf += (1.0 - dampening) * grad if dampening else grad
            grad = grad + mu * buf if group["nesterov"] else buf
        p.data -= group["lr"] * grad
