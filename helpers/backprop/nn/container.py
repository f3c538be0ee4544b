"""Containers: Sequential (run layers in order) and ModuleList (a registered list of layers)."""
from __future__ import annotations

from collections import OrderedDict

from .module import Module

__all__ = ["Sequential", "ModuleList"]


class ModuleList(Module):
    """A list of Modules whose parameters are registered (a plain Python list would hide them)."""

    def __init__(self, modules=()):
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, module: Module):
        """Add a module at the end."""
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}: expected a Module, got {type(module).__name__}")
        self.add_module(str(len(self)), module)
        return self

    def __len__(self) -> int:
        return len(self.named_children())

    def __iter__(self):
        return iter(self.children())

    def __getitem__(self, index):
        return self.children()[index]


class Sequential(ModuleList):
    """Feed the input through each layer in turn; children are named '0', '1', ... as in PyTorch."""

    def __init__(self, *layers):
        Module.__init__(self)
        if len(layers) == 1 and isinstance(layers[0], (dict, OrderedDict)):
            items = list(layers[0].items())
        else:
            items = [(str(i), layer) for i, layer in enumerate(layers)]
        for name, layer in items:
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential: layer {name} is a {type(layer).__name__}, not a Module "
                                "(did you pass a class instead of an instance, e.g. nn.ReLU instead of nn.ReLU()?)")
            self.add_module(name, layer)

    def forward(self, x):
        for layer in self._modules.values():
            x = layer(x)
        return x

    def __getitem__(self, index):
        children = self.children()
        if isinstance(index, slice):
            return Sequential(*children[index])
        return children[index]
