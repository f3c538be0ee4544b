"""Switching graph recording on and off: `no_grad()`, `enable_grad()`, `is_grad_enabled()`.

Inside `with no_grad():` operations on tensors build no graph (as in PyTorch), which is what you want for
evaluation and for optimizer updates.
"""
import functools


class _GradMode:
    """Holds the global on/off switch: one instance, GRAD_MODE, whose `enabled` slot every op reads (a slot of an
    instance is a cheaper read than an attribute of a class)."""

    __slots__ = ("enabled",)

    def __init__(self):
        self.enabled = True


GRAD_MODE = _GradMode()


def is_grad_enabled() -> bool:
    """True when operations currently record a graph for backward()."""
    return GRAD_MODE.enabled


class set_grad_enabled:
    """Context manager (and decorator) that turns graph recording on or off inside its block."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self.previous = None

    def __enter__(self):
        self.previous = GRAD_MODE.enabled
        GRAD_MODE.enabled = self.mode
        return self

    def __exit__(self, *exc_info):
        GRAD_MODE.enabled = self.previous
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(self.mode):
                return func(*args, **kwargs)

        return wrapper


class no_grad(set_grad_enabled):
    """`with no_grad():` runs operations without recording a graph (evaluation, parameter updates).

    Also a decorator, with or without parentheses: `@no_grad()` or `@no_grad`.
    """

    def __new__(cls, func=None):
        if func is not None:
            if not callable(func):
                raise TypeError("no_grad() takes no arguments (or decorates a function).")
            return set_grad_enabled(False)(func)
        return super().__new__(cls)

    def __init__(self, func=None):
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """`with enable_grad():` records a graph again inside a no_grad() block."""

    def __init__(self):
        super().__init__(True)
