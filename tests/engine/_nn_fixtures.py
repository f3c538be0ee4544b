"""Helpers shared by the nn tests: run a module with parameters swapped for given tensors, and gradcheck it."""
from __future__ import annotations

import numpy as np

from backprop import Tensor, gradcheck


def _owner(module, dotted: str):
    *path, attr = dotted.split(".")
    owner = module
    for part in path:
        owner = getattr(owner, part)
    return owner, attr


def call_with_params(module, params, *inputs):
    """module(*inputs) with its parameters (in named_parameters() order) temporarily replaced by `params`."""
    names = [name for name, _ in module.named_parameters()]
    saved = []
    for name, new in zip(names, params):
        owner, attr = _owner(module, name)
        saved.append((owner, attr, getattr(owner, attr)))
        object.__setattr__(owner, attr, new)  # bypass registration: this is a temporary swap
    try:
        return module(*inputs)
    finally:
        for owner, attr, original in saved:
            object.__setattr__(owner, attr, original)


def gradcheck_module(module, *inputs, input_grad=True, output=lambda out: out, **tolerances):
    """Gradcheck a module with respect to its (float) inputs and every parameter, through backprop.gradcheck.

    `output` picks the tensor to check from the module's result (e.g. the first element of an RNN's tuple).
    """
    n_in = len(inputs)
    tensors = [Tensor(np.array(x, dtype=np.float64), requires_grad=input_grad) if isinstance(x, np.ndarray)
               and x.dtype.kind == "f" else x for x in inputs]
    params = [Tensor(p.data.copy(), requires_grad=True) for p in module.parameters()]

    def fn(*args):
        return output(call_with_params(module, args[n_in:], *args[:n_in]))

    return gradcheck(fn, [*tensors, *params], **tolerances)
