"""backprop.nn: layers, losses and containers for building networks, named and shaped as in torch.nn.

One module per idea: module.py (Module), parameter.py (Parameter), linear.py, activation.py, conv.py,
dropout.py, embedding.py, recurrent.py, container.py, losses.py, functional.py (the fused ops), utils.py
(gradient clipping) and init.py (PyTorch-style initialisation, manual_seed).
"""
from . import functional, init, utils
from .activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import ModuleList, Sequential
from .conv import Conv2d, Flatten, MaxPool2d
from .dropout import Dropout
from .embedding import Embedding
from .linear import Identity, Linear
from .losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .module import Module
from .parameter import Parameter
from .recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell

__all__ = [
    "Module", "Parameter", "Linear", "Identity", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax",
    "Conv2d", "MaxPool2d", "Flatten", "Dropout", "Embedding", "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell",
    "GRUCell", "Sequential", "ModuleList", "MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
    "NLLLoss", "functional", "init", "utils",
]
