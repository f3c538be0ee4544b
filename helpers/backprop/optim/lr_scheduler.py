"""Learning-rate schedules: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR and LambdaLR, stepped once
per epoch as in PyTorch.

A scheduler remembers each parameter group's starting lr and, on every `step()`, writes the scheduled lr
back into the optimizer (closed form, so the values match torch.optim.lr_scheduler exactly).
"""
from __future__ import annotations

import bisect
import math

from ..validate import check_number, positive_int, refuse_unknown_options
from .optimizer import Optimizer

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR"]


class LRScheduler:
    """Base class: `step()` advances the epoch counter and sets every group's lr to `lr_at(base_lr, epoch)`."""

    def __init__(self, optimizer: Optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__} needs a backprop.optim optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lrs = [g["lr"] for g in optimizer.param_groups]
        self.last_epoch = 0
        self._apply(0)  # as torch: the lr of epoch 0 is set at once (for LambdaLR it is base_lr * f(0))

    def lr_at(self, base_lr: float, epoch: int) -> float:
        """The learning rate for `epoch` (0 = before the first step) given the group's starting lr."""
        raise NotImplementedError

    def _group_lr(self, index: int, base_lr: float, epoch: int) -> float:
        """The lr of parameter group `index` at `epoch` (the same rule for every group unless overridden)."""
        return self.lr_at(base_lr, epoch)

    def _apply(self, epoch: int) -> None:
        for i, (group, base) in enumerate(zip(self.optimizer.param_groups, self.base_lrs)):
            group["lr"] = self._group_lr(i, base, epoch)

    def step(self) -> None:
        """Move to the next epoch and update the optimizer's learning rates."""
        self.last_epoch += 1
        self._apply(self.last_epoch)

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the latest step (one per parameter group)."""
        return [g["lr"] for g in self.optimizer.param_groups]

    def state_dict(self) -> dict:
        """The starting learning rates and the epoch counter."""
        return {"base_lrs": list(self.base_lrs), "last_epoch": self.last_epoch}

    def load_state_dict(self, state: dict) -> None:
        """Restore what state_dict() saved."""
        self.base_lrs = list(state["base_lrs"])
        self.last_epoch = state["last_epoch"]


class StepLR(LRScheduler):
    """Multiply the learning rate by gamma every step_size epochs: lr = base_lr * gamma ** (epoch // step_size)."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, **unknown):
        refuse_unknown_options("StepLR", unknown, ["step_size", "gamma"])
        self.step_size = positive_int("StepLR", "step_size", step_size, "epochs")
        self.gamma = check_number("StepLR", "gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by gamma every epoch: lr = base_lr * gamma ** epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float, **unknown):
        refuse_unknown_options("ExponentialLR", unknown, ["gamma"])
        self.gamma = check_number("ExponentialLR", "gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** epoch


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by gamma at each milestone epoch: lr = base_lr * gamma ** (milestones passed)."""

    def __init__(self, optimizer: Optimizer, milestones, gamma: float = 0.1, **unknown):
        refuse_unknown_options("MultiStepLR", unknown, ["milestones", "gamma"])
        try:
            milestones = [positive_int("MultiStepLR", "each milestone", m, "epochs") for m in milestones]
        except TypeError:
            raise TypeError(f"MultiStepLR: milestones must be a list of epochs, got {milestones!r}") from None
        self.milestones = sorted(milestones)  # a repeated milestone multiplies by gamma twice, as in torch
        self.gamma = check_number("MultiStepLR", "gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** bisect.bisect_right(self.milestones, epoch)


class CosineAnnealingLR(LRScheduler):
    """Follow half a cosine from base_lr down to eta_min over T_max epochs (and back up after, as torch):
    lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, **unknown):  # noqa: N803
        refuse_unknown_options("CosineAnnealingLR", unknown, ["T_max", "eta_min"])
        self.T_max = positive_int("CosineAnnealingLR", "T_max", T_max, "epochs")
        self.eta_min = check_number("CosineAnnealingLR", "eta_min", eta_min)
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return self.eta_min + (base_lr - self.eta_min) * (1.0 + math.cos(math.pi * epoch / self.T_max)) / 2.0


class LambdaLR(LRScheduler):
    """lr = base_lr * lr_lambda(epoch), with your function of the epoch (or one function per parameter group)."""

    def __init__(self, optimizer: Optimizer, lr_lambda, **unknown):
        refuse_unknown_options("LambdaLR", unknown, ["lr_lambda"])
        groups = len(optimizer.param_groups) if isinstance(optimizer, Optimizer) else 1
        lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * groups
        if len(lambdas) != groups:
            raise ValueError(f"LambdaLR: expected {groups} functions (one per parameter group), got {len(lambdas)}")
        if not all(callable(f) for f in lambdas):
            raise TypeError("LambdaLR: lr_lambda must be a function of the epoch (or a list of them), e.g. "
                            "lambda epoch: 0.95 ** epoch")
        self.lr_lambdas = lambdas
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        """base_lr * f(epoch) with the first group's function."""
        return base_lr * self.lr_lambdas[0](epoch)

    def _group_lr(self, index: int, base_lr: float, epoch: int) -> float:
        return base_lr * self.lr_lambdas[index](epoch)
