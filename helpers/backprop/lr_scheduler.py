"""Learning-rate schedules: StepLR and ExponentialLR, stepped once per epoch as in PyTorch.

A scheduler remembers each parameter group's starting lr and, on every `step()`, writes the scheduled lr
back into the optimizer (closed form, so the values match torch.optim.lr_scheduler exactly).
"""
from __future__ import annotations

from .optim import Optimizer, _check_number, refuse_unknown_options

__all__ = ["LRScheduler", "StepLR", "ExponentialLR"]


class LRScheduler:
    """Base class: `step()` advances the epoch counter and sets every group's lr to `lr_at(base_lr, epoch)`."""

    def __init__(self, optimizer: Optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__} needs a backprop.optim optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lrs = [g["lr"] for g in optimizer.param_groups]
        self.last_epoch = 0

    def lr_at(self, base_lr: float, epoch: int) -> float:
        """The learning rate for `epoch` (0 = before the first step) given the group's starting lr."""
        raise NotImplementedError

    def step(self) -> None:
        """Move to the next epoch and update the optimizer's learning rates."""
        self.last_epoch += 1
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = self.lr_at(base, self.last_epoch)

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
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive integer number of epochs, got {step_size!r}")
        self.step_size = step_size
        self.gamma = _check_number("StepLR", "gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by gamma every epoch: lr = base_lr * gamma ** epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float, **unknown):
        refuse_unknown_options("ExponentialLR", unknown, ["gamma"])
        self.gamma = _check_number("ExponentialLR", "gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** epoch
