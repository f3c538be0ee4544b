"""backprop: the numpy autograd engine, data sets, training loop, plots and widgets of the course.

Core: `Value` (scalar autograd, micrograd-style), `Tensor` (numpy-backed reverse-mode autograd), `Function`
(custom ops), `gradcheck` (finite-difference checks), `manual_seed` (the shared generator every `rng=None`
draws from, see backprop.random). Layers, losses and optimizers live in `backprop.nn` and `backprop.optim`.

Importing backprop has no side effects on the process; call `backprop.limit_blas_threads()` to run numpy's
BLAS on one thread (fastest for the course's small matrices, see backprop/threads.py).
"""
from .threads import limit_blas_threads, set_blas_threads
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .tensor import Tensor, matmul
from .creation import ones, ones_like, randn, tensor, zeros, zeros_like
from .functional import cat, concatenate, log_softmax, maximum, minimum, softmax, stack, where
from .function import Context, Function
from .gradcheck import GradcheckError, GradcheckResult, check_gradient, gradcheck
from .value import Value
from .random import manual_seed

# layers, losses and optimizers (built on Tensor._from_op); imported last because they use the core above
from . import nn, optim  # noqa: E402

# Not imported by `import backprop` (they pull in scikit-learn, matplotlib, ipywidgets): loaded on first use.
# The core modules (tensor, functional, autograd, random ...) are attributes already, as imported above.
_LAZY_SUBMODULES = {"data", "train", "lr_scheduler", "plots", "widgets", "checks", "probes", "self_check"}


def __getattr__(name):
    """Import heavier submodules (data sets, plots, widgets) only when first used: `backprop.data`."""
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'backprop' has no attribute {name!r}")


__all__ = [
    "Value", "Tensor", "tensor", "zeros", "ones", "randn", "zeros_like", "ones_like",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "Function", "Context", "matmul", "concatenate", "cat", "stack", "softmax", "log_softmax",
    "maximum", "minimum", "where",
    "gradcheck", "check_gradient", "GradcheckError", "GradcheckResult", "nn", "optim", "set_blas_threads",
    "limit_blas_threads", "manual_seed",
]
