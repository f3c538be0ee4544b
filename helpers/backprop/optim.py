"""Optimizers that update parameters in place from their .grad: SGD, RMSprop, Adam, AdamW.

The update rules follow PyTorch's documentation line for line (same argument names, same defaults, same
order of weight decay / momentum / bias correction), so a step here and a step of torch.optim agree to
rounding error. Updates are numpy in-place operations on `param.data`, never new graph nodes.
"""
from __future__ import annotations

import difflib
import math

import numpy as np

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW"]


def refuse_unknown_options(owner: str, unknown: dict, valid) -> None:
    """Raise a TypeError naming each unknown keyword option, a close match if any, and the valid options."""
    if not unknown:
        return
    valid = list(valid)
    parts = []
    for name in unknown:
        close = difflib.get_close_matches(name, valid, n=1)
        parts.append(f"'{name}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    raise TypeError(f"{owner} got unknown option{'s' if len(parts) > 1 else ''} {', '.join(parts)}; "
                    f"valid options are: {', '.join(valid)}")


def _check_number(owner: str, name: str, value, low: float = 0.0, high: float | None = None,
                  high_open: bool = False) -> float:
    """Refuse a hyperparameter that is not a real number in [low, high] (or [low, high) when high_open)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{owner}: {name} must be a number, got {value!r}")
    value = float(value)
    too_high = high is not None and (value >= high if high_open else value > high)
    if not math.isfinite(value) or value < low or too_high:
        bracket = "" if high is None else f" and {'below' if high_open else 'at most'} {high}"
        raise ValueError(f"{owner}: invalid {name} {value!r}; it must be at least {low}{bracket}")
    return value


class Optimizer:
    """Base class: holds param_groups (lists of parameters with their hyperparameters) and per-parameter state.

    Subclasses implement `_update(param, grad, group, state)`; the L2 weight decay is already in `grad`.
    `lr` reads and writes the first group's lr, which is what a learning-rate scheduler changes.
    """

    defaults: dict = {}

    def __init__(self, params, defaults: dict):
        if hasattr(params, "parameters") or callable(params):
            raise TypeError(f"{type(self).__name__} needs the model's parameters, not the "
                            f"{'model' if hasattr(params, 'parameters') else 'method'}: pass model.parameters()")
        groups = list(params) if not isinstance(params, dict) else [params]
        if not groups:
            raise ValueError(f"{type(self).__name__} got an empty parameter list; "
                             "pass model.parameters() of a model that has parameters")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        self.param_groups = []
        for group in groups:
            refuse_unknown_options(type(self).__name__ + " parameter group", 
                                   {k: v for k, v in group.items() if k != "params" and k not in defaults},
                                   ["params", *defaults])
            params_list = list(group["params"])
            for p in params_list:
                if not (hasattr(p, "data") and hasattr(p, "grad")):
                    raise TypeError(f"{type(self).__name__} can only optimise Tensors/Parameters, "
                                    f"got {type(p).__name__}; pass model.parameters()")
                if not getattr(p, "requires_grad", True):
                    raise ValueError(f"{type(self).__name__}: a tensor of shape {p.shape} has requires_grad=False; "
                                     "it would never be updated")
            self.param_groups.append({**defaults, **group, "params": params_list})
        self.defaults = dict(defaults)
        self.state: dict[int, dict] = {}

    # ---- PyTorch-like surface -------------------------------------------------------------------
    @property
    def params(self) -> list:
        """All parameters this optimizer updates, in order."""
        return [p for g in self.param_groups for p in g["params"]]

    @property
    def lr(self) -> float:
        """Learning rate of the first parameter group (what a scheduler sets)."""
        return self.param_groups[0]["lr"]

    @lr.setter
    def lr(self, value: float) -> None:
        for group in self.param_groups:
            group["lr"] = value

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients before the next backward pass (set them to None, or to zeros)."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p.grad is None:
                    p.grad = None
                else:
                    p.grad[...] = 0.0

    def step(self) -> None:
        """Apply one update to every parameter that has a gradient."""
        for group in self.param_groups:
            self._step_group(group)

    def _step_group(self, group: dict) -> None:
        """Update each parameter of one group (subclasses may override this loop for speed)."""
        for p in group["params"]:
            grad = p.grad
            if grad is None:
                continue
            if grad.shape != p.data.shape:
                raise ValueError(f"{type(self).__name__}: gradient of shape {grad.shape} does not match "
                                 f"its parameter of shape {p.data.shape}")
            if group.get("weight_decay") and not group.get("decoupled_weight_decay"):
                grad = grad + group["weight_decay"] * p.data  # L2 penalty in the gradient (as in PyTorch)
            state = self.state.get(id(p))
            if state is None:
                state = self.state[id(p)] = {}
            self._update(p, grad, group, state)

    def _update(self, p, grad: np.ndarray, group: dict, state: dict) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict:
        """Hyperparameters and per-parameter buffers (indexed by position in params), copied."""
        index = {id(p): i for i, p in enumerate(self.params)}
        state = {index[k]: {n: (v.copy() if isinstance(v, np.ndarray) else v) for n, v in s.items()}
                 for k, s in self.state.items() if k in index}
        groups = [{k: v for k, v in g.items() if k != "params"} for g in self.param_groups]
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what state_dict() saved (same parameters in the same order)."""
        params = self.params
        for group, saved in zip(self.param_groups, state_dict["param_groups"]):
            group.update(saved)
        self.state = {id(params[i]): {n: (v.copy() if isinstance(v, np.ndarray) else v) for n, v in s.items()}
                      for i, s in state_dict["state"].items()}

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in g.items() if k != "params"]
        return "\n".join(lines + [")"])


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay (L2).

    As torch.optim.SGD: g = grad + weight_decay*p; b = momentum*b + (1-dampening)*g (b = g on the first step);
    g = g + momentum*b if nesterov else b; p = p - lr*g.
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, **unknown):
        refuse_unknown_options("SGD", unknown, ["lr", "momentum", "dampening", "weight_decay", "nesterov"])
        lr = _check_number("SGD", "lr", lr)
        momentum = _check_number("SGD", "momentum", momentum)
        dampening = _check_number("SGD", "dampening", dampening)
        weight_decay = _check_number("SGD", "weight_decay", weight_decay)
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
                if grad.shape != p.data.shape:
                    raise ValueError(f"SGD: gradient of shape {grad.shape} does not match its parameter "
                                     f"of shape {p.data.shape}")
                p.data -= lr * grad

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
            lr=_check_number("RMSprop", "lr", lr),
            alpha=_check_number("RMSprop", "alpha", alpha, 0.0, 1.0),
            eps=_check_number("RMSprop", "eps", eps),
            weight_decay=_check_number("RMSprop", "weight_decay", weight_decay),
            momentum=_check_number("RMSprop", "momentum", momentum),
            centered=bool(centered)))

    def _update(self, p, grad, group, state):
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(p.data)
            if group["momentum"]:
                state["momentum_buffer"] = np.zeros_like(p.data)
            if group.get("centered"):
                state["grad_avg"] = np.zeros_like(p.data)
        state["step"] += 1
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
        b1 = _check_number(name, "betas[0]", betas[0], 0.0, 1.0, high_open=True)
        b2 = _check_number(name, "betas[1]", betas[1], 0.0, 1.0, high_open=True)
        if weight_decay is None:
            weight_decay = self._default_weight_decay
        super().__init__(params, dict(lr=_check_number(name, "lr", lr), betas=(b1, b2),
                                      eps=_check_number(name, "eps", eps),
                                      weight_decay=_check_number(name, "weight_decay", weight_decay),
                                      amsgrad=bool(amsgrad), decoupled_weight_decay=bool(decoupled_weight_decay)))

    def _update(self, p, grad, group, state):
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p.data)
            state["exp_avg_sq"] = np.zeros_like(p.data)
            if group.get("amsgrad"):
                state["max_exp_avg_sq"] = np.zeros_like(p.data)
        state["step"] += 1
        t = state["step"]
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


# torch.optim.lr_scheduler lives under optim; keep that spelling working here too.
from . import lr_scheduler  # noqa: E402
from .lr_scheduler import CosineAnnealingLR, ExponentialLR, LambdaLR, MultiStepLR, StepLR  # noqa: E402,F401
