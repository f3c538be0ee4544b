"""`Optimizer`: the base class of backprop.optim, holding parameter groups and per-parameter state.

The update rules follow PyTorch's documentation line for line (same argument names, same defaults, same
order of weight decay / momentum / bias correction), so a step here and a step of torch.optim agree to
rounding error. Updates are numpy in-place operations on `param.data`, never new graph nodes.
"""
from __future__ import annotations

import numpy as np

from ..validate import refuse_unknown_options

__all__ = ["Optimizer"]


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

    @staticmethod
    def _count_step(state: dict, p, *buffers) -> int:
        """Advance a parameter's step counter and return it; the first time, add a zero buffer shaped like the
        parameter for each name in `buffers` (None entries are skipped)."""
        if not state:
            state["step"] = 0
            for name in buffers:
                if name is not None:
                    state[name] = np.zeros_like(p.data)
        state["step"] += 1
        return state["step"]

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
