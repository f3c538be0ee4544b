"""Tensor reductions over axes (sum, mean, max, min, argmax) and the softmax family.

Each takes `axis` (alias `dim`, as in torch) and `keepdims` (alias `keepdim`); a bad axis is reported by
backprop.tensor_axes, the same message as for every other op.
"""
import numpy as np

from .tensor_axes import axis_or_dim, keepdims_or_keepdim, normalize_axes


class ReduceOps:
    """Mixin of Tensor: reductions and softmax / log_softmax."""

    __slots__ = ()

    def _sum_or_mean(self, op, axis, keepdims, mean: bool):
        """Sum (or average) over `axis`: each input element gets the output's gradient (divided by the count)."""
        try:
            data = (self.data.mean if mean else self.data.sum)(axis=axis, keepdims=keepdims)
        except (ValueError, TypeError):
            normalize_axes(axis, self.ndim, op)  # raises the clear message for a bad axis
            raise
        shape = self.data.shape
        count = self.data.size // max(np.size(data), 1) if mean else 1

        def backward(g):
            if axis is not None and not keepdims:
                g = np.expand_dims(g, normalize_axes(axis, len(shape), op))
            return (np.broadcast_to(g / count if mean else g, shape),)

        return self._from_op(data, (self,), backward, op)

    def sum(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        """Sum over `axis` (alias `dim`; None = all, int or tuple); each input element gets the output's gradient."""
        return self._sum_or_mean("sum", axis_or_dim("sum", axis, dim), keepdims_or_keepdim("sum", keepdims, keepdim),
                                 mean=False)

    def mean(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        """Average over `axis` (alias `dim`); each input element gets the output's gradient divided by the count."""
        return self._sum_or_mean("mean", axis_or_dim("mean", axis, dim),
                                 keepdims_or_keepdim("mean", keepdims, keepdim), mean=True)

    def _extreme(self, op, reduce, axis, dim, keepdims, keepdim):
        """max or min over `axis`: the gradient goes to the winning elements, ties share it evenly."""
        axes = normalize_axes(axis_or_dim(op, axis, dim), self.ndim, op)
        keepdims = keepdims_or_keepdim(op, keepdims, keepdim)
        if self.data.size == 0:
            raise ValueError(f"{op}() of an empty tensor (shape {self.shape}) is undefined.")
        x = self.data
        kept = reduce(x, axis=axes, keepdims=True)
        data = kept if keepdims else (kept.reshape(()) if axes is None else np.squeeze(kept, axis=axes))

        def backward(g):
            winners = x == kept
            share = winners / winners.sum(axis=axes, keepdims=True)  # ties split the gradient evenly
            if not keepdims:
                g = g.reshape(kept.shape)
            return (g * share,)

        return self._from_op(data, (self,), backward, op)

    def max(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        """Largest value over `axis`. The gradient goes to the maximum; TIES SHARE IT EVENLY.

        This is torch.amax's rule (and torch.max()'s without dim). torch.max(x, dim) differs: it returns
        indices too and sends the whole gradient to the one index it returns.
        """
        return self._extreme("max", np.max, axis, dim, keepdims, keepdim)

    def min(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        """Smallest value over `axis`; the gradient goes to the minimum, ties share it evenly (torch.amin)."""
        return self._extreme("min", np.min, axis, dim, keepdims, keepdim)

    amax = max
    amin = min

    def argmax(self, axis=None, *, dim=None):
        """Index of the largest value along `axis` (alias `dim`) (a plain numpy array; not differentiable)."""
        return self._arg_extreme("argmax", np.argmax, axis, dim)

    def argmin(self, axis=None, *, dim=None):
        """Index of the smallest value along `axis` (alias `dim`) (a plain numpy array; not differentiable)."""
        return self._arg_extreme("argmin", np.argmin, axis, dim)

    def _arg_extreme(self, name, fn, axis, dim):
        axes = normalize_axes(axis_or_dim(name, axis, dim), self.ndim, name)
        if axes is not None and len(axes) != 1:
            raise TypeError(f"{name}: give one axis (or None for the flattened tensor), "
                            f"got {axis if dim is None else dim!r}.")
        return fn(self.data, axis=None if axes is None else axes[0])

    # ---- softmax family (functions of the same name live in backprop.functional) ------------------------
    def _shifted(self, op, axis, dim):
        """The axes of a softmax-like op (default -1) and x minus its max along them (so exp cannot overflow)."""
        axes = normalize_axes(axis_or_dim(op, axis, dim, -1), self.ndim, op)
        return axes, self.data - self.data.max(axis=axes, keepdims=True)

    def softmax(self, axis=None, *, dim=None):
        """exp(x) / sum(exp(x)) along `axis` (alias `dim`; default -1), computed stably by subtracting the max."""
        axes, shifted = self._shifted("softmax", axis, dim)
        e = np.exp(shifted)
        y = e / e.sum(axis=axes, keepdims=True)

        def backward(g):
            return (y * (g - (g * y).sum(axis=axes, keepdims=True)),)

        return self._from_op(y, (self,), backward, "softmax")

    def log_softmax(self, axis=None, *, dim=None):
        """x - log(sum(exp(x))) along `axis` (alias `dim`; default -1), computed stably (no overflow)."""
        axes, shifted = self._shifted("log_softmax", axis, dim)
        y = shifted - np.log(np.exp(shifted).sum(axis=axes, keepdims=True))

        def backward(g):
            return (g - np.exp(y) * g.sum(axis=axes, keepdims=True),)

        return self._from_op(y, (self,), backward, "log_softmax")
