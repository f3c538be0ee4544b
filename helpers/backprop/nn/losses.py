"""Loss layers, as torch.nn: MSELoss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss.

Call them as loss_fn(input, target). reduction='mean' (default), 'sum' or 'none' (one loss per element/row).
"""
from __future__ import annotations

from . import functional as F
from .module import Module

__all__ = ["MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss"]


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        F._check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}" if self.reduction != "mean" else ""


class MSELoss(_Loss):
    """Mean squared error between input and a target of the same shape (regression)."""

    def forward(self, input, target):
        return F.mse_loss(input, target, self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities (after a Sigmoid) against 0/1 targets of the same shape."""

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy fused and numerically stable; input are raw scores (logits)."""

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.reduction)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of logits (N, C) against integer class indices (N,), fused and stable; also
    (N, C, d1, ...) against (N, d1, ...). label_smoothing = e mixes e / C of every class into the target."""

    def __init__(self, reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__(reduction)
        self.label_smoothing = F._check_smoothing("CrossEntropyLoss", label_smoothing)

    def forward(self, input, target):
        return F.cross_entropy(input, target, self.reduction, self.label_smoothing)

    def extra_repr(self) -> str:
        extra = [super().extra_repr()] + ([f"label_smoothing={self.label_smoothing}"] if self.label_smoothing else [])
        return ", ".join(e for e in extra if e)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (N, C) (e.g. from LogSoftmax) against class indices (N,)."""

    def forward(self, input, target):
        return F.nll_loss(input, target, self.reduction)
