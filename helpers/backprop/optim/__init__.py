"""Optimizers and learning-rate schedules, laid out as torch.optim: `backprop.optim.SGD`,
`backprop.optim.lr_scheduler.StepLR`.

optimizer.py holds the base class (parameter groups, state, state_dict); sgd.py, rmsprop.py and adam.py one
update rule each; lr_scheduler.py the schedules. A new optimizer subclasses Optimizer and writes `_update`.
"""
from . import lr_scheduler
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "lr_scheduler"]
