"""Module: the base class of every layer and model, as torch.nn.Module.

Assigning a Parameter or a Module to an attribute registers it, so `parameters()` finds every weight of a
model, however deeply nested. `train()` / `eval()` set the `training` flag that Dropout reads.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .parameter import Parameter

__all__ = ["Module"]

_NO_INPUT = object()  # marks "called without a positional argument" in Module.__call__


class Module:
    """Base class: subclass it, create layers/parameters in __init__, compute the output in forward()."""

    training: bool = True

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    # ---- registration -------------------------------------------------------------------------
    def _registries(self):
        """The two registries, created on first use (so a subclass that forgot super().__init__() still works)."""
        d = self.__dict__
        if "_parameters" not in d:
            object.__setattr__(self, "_parameters", OrderedDict())
            object.__setattr__(self, "_modules", OrderedDict())
        return d["_parameters"], d["_modules"]

    def __setattr__(self, name, value):
        params, modules = self._registries()
        if isinstance(value, Parameter):
            modules.pop(name, None)
            params[name] = value  # a dict keeps the original position when a name is reassigned
        elif isinstance(value, Module):
            params.pop(name, None)
            modules[name] = value
        else:
            if name in params and value is not None:
                raise TypeError(f"cannot assign a {type(value).__name__} to parameter '{name}' of "
                                f"{type(self).__name__}: wrap it as nn.Parameter(...) (or change "
                                f"{name}.data in place) so the optimizer keeps seeing it")
            params.pop(name, None)
            modules.pop(name, None)
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        params, modules = self._registries()
        params.pop(name, None)
        modules.pop(name, None)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param) -> None:
        """Register a Parameter (or None, for an absent bias) under `name`."""
        if param is None:
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, param)

    def add_module(self, name: str, module: "Module") -> None:
        """Register a child module under `name`."""
        setattr(self, name, module)

    # ---- traversal ----------------------------------------------------------------------------
    def named_children(self):
        """(name, child module) pairs of the direct children."""
        return list(self._registries()[1].items())

    def children(self):
        """The direct child modules."""
        return [m for _, m in self.named_children()]

    def named_modules(self, prefix: str = ""):
        """(dotted name, module) for this module and every descendant, depth first."""
        out = [(prefix, self)]
        for name, child in self.named_children():
            out += child.named_modules(f"{prefix}.{name}" if prefix else name)
        return out

    def modules(self):
        """This module and every descendant."""
        return [m for _, m in self.named_modules()]

    def named_parameters(self, prefix: str = ""):
        """(dotted name, Parameter) for every parameter, each listed once (PyTorch's naming: '0.weight')."""
        seen, out = set(), []
        for mod_name, module in self.named_modules(prefix):
            for name, p in module._registries()[0].items():
                if id(p) not in seen:
                    seen.add(id(p))
                    out.append((f"{mod_name}.{name}" if mod_name else name, p))
        return out

    def parameters(self):
        """Every trainable Parameter of the model (a list; hand it to an optimizer)."""
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        """Total number of scalar weights."""
        return int(sum(p.data.size for p in self.parameters()))

    # ---- modes and gradients ------------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Switch this module and all children to training mode (Dropout active); returns self."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> "Module":
        """Switch to evaluation mode (Dropout becomes the identity); returns self."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient (before the next backward pass)."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad[...] = 0.0

    # ---- saving -------------------------------------------------------------------------------
    def state_dict(self) -> "OrderedDict[str, np.ndarray]":
        """Copies of every parameter array, keyed by dotted name (same keys as PyTorch for the same model)."""
        return OrderedDict((name, p.data.copy()) for name, p in self.named_parameters())

    def load_state_dict(self, state_dict, strict: bool = True) -> None:
        """Copy arrays into the parameters by name; shape mismatches and (if strict) missing/extra keys are errors."""
        own = dict(self.named_parameters())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            raise KeyError(f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}; "
                           f"this model's keys are {list(own)}")
        for name, value in state_dict.items():
            if name not in own:
                continue
            if hasattr(value, "detach") and hasattr(value, "numpy"):  # a backprop or torch tensor
                value = value.detach().numpy()
            value = np.asarray(value, dtype=np.float64)
            if value.shape != own[name].data.shape:
                raise ValueError(f"load_state_dict: '{name}' expects shape {own[name].data.shape}, "
                                 f"got {value.shape}")
            own[name].data[...] = value

    # ---- calling ------------------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        """The computation of this module; every subclass defines it (call the module, not forward)."""
        raise NotImplementedError(f"{type(self).__name__} must define forward(self, ...)")

    def __call__(self, input=_NO_INPUT, /, *args, **kwargs):
        # The usual call, layer(x), skips packing and unpacking *args/**kwargs (~60 ns a call, per layer and
        # training step); `input` is positional-only, so a forward's own keyword named `input` still works.
        if args or kwargs or input is _NO_INPUT:
            if input is _NO_INPUT:  # layer() or layer(x=...): only keywords (or nothing) reach forward
                return self.forward(**kwargs)
            return self.forward(input, *args, **kwargs)
        return self.forward(input)

    def extra_repr(self) -> str:
        """One line of settings shown inside the repr, e.g. 'in_features=2, out_features=3'."""
        return ""

    def __repr__(self) -> str:
        children = self.named_children()
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        if self.extra_repr():
            lines.append("  " + self.extra_repr())
        for name, child in children:
            lines.append(f"  ({name}): " + repr(child).replace("\n", "\n  "))
        return "\n".join(lines + [")"])
