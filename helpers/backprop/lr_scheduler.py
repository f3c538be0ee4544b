"""Old home of the learning-rate schedules: they live in backprop.optim.lr_scheduler (as in torch.optim).

Kept so that `from backprop.lr_scheduler import StepLR` keeps working; new code imports from backprop.optim.
"""
from .optim.lr_scheduler import *  # noqa: F401,F403
from .optim.lr_scheduler import __all__  # noqa: F401
