"""Recurrent layers RNN, LSTM, GRU and their single-step cells, as torch.nn.

The sequence is unrolled over time in plain Python: each step builds ordinary graph nodes, so calling
backward() on a loss performs backpropagation through time with no extra code. Parameter names, shapes,
gate order (LSTM: i, f, g, o; GRU: r, z, n) and initialisation match PyTorch, so weights copy across by name.
Inputs are batch_first, (batch, seq_len, features), by default (PyTorch's default is batch_first=False).
"""
from __future__ import annotations

import math

import numpy as np

from ..functional import concatenate
from ..tensor import Tensor
from ..validate import positive_int
from . import functional as F
from ..random import get_rng, resolve_rng
from .init import uniform_
from .module import Module
from .parameter import Parameter

__all__ = ["RNNCell", "LSTMCell", "GRUCell", "RNN", "LSTM", "GRU"]

_GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


# ---- one time step, given the input projection xp = x @ W_ih.T + b_ih ------------------------------
def _rnn_step(xp, h, w_hh, b_hh, nonlinearity: str):
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    pre = xp + F.linear(h, w_hh, b_hh)
    return F.tanh(pre) if nonlinearity == "tanh" else F.relu(pre)


def _lstm_step(xp, h, c, w_hh, b_hh):
    """Gates i, f, g, o from one affine map; c' = f*c + i*g; h' = o*tanh(c')."""
    gates = xp + F.linear(h, w_hh, b_hh)
    n = h.shape[-1]
    i = F.sigmoid(gates[:, 0:n])
    f = F.sigmoid(gates[:, n:2 * n])
    g = F.tanh(gates[:, 2 * n:3 * n])
    o = F.sigmoid(gates[:, 3 * n:4 * n])
    c_new = f * c + i * g
    return o * F.tanh(c_new), c_new


def _gru_step(xp, h, w_hh, b_hh):
    """r, z gates; candidate n = tanh(x_n + r * (h W_hn^T + b_hn)); h' = (1 - z)*n + z*h."""
    gh = F.linear(h, w_hh, b_hh)
    n_h = h.shape[-1]
    r = F.sigmoid(xp[:, 0:n_h] + gh[:, 0:n_h])
    z = F.sigmoid(xp[:, n_h:2 * n_h] + gh[:, n_h:2 * n_h])
    cand = F.tanh(xp[:, 2 * n_h:3 * n_h] + r * gh[:, 2 * n_h:3 * n_h])
    return cand + z * (h - cand)


def _zeros(n: int, hidden: int) -> Tensor:
    return Tensor(np.zeros((n, hidden)))


# ---- cells ----------------------------------------------------------------------------------------------
class _CellBase(Module):
    def __init__(self, mode: str, input_size: int, hidden_size: int, bias: bool, rng):
        super().__init__()
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            positive_int(mode + "Cell", name, value)
        self.input_size, self.hidden_size = input_size, hidden_size
        rng = get_rng(rng)
        bound = 1.0 / math.sqrt(hidden_size)
        rows = _GATES[mode] * hidden_size
        self.weight_ih = Parameter(uniform_((rows, input_size), bound, rng))
        self.weight_hh = Parameter(uniform_((rows, hidden_size), bound, rng))
        self.register_parameter("bias_ih", Parameter(uniform_((rows,), bound, rng)) if bias else None)
        self.register_parameter("bias_hh", Parameter(uniform_((rows,), bound, rng)) if bias else None)

    def _project(self, x):
        x = F._as_tensor(x)
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ValueError(f"{type(self).__name__}: expected input of shape (batch, {self.input_size}), "
                             f"got {x.shape}")
        return x, F.linear(x, self.weight_ih, self.bias_ih)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}"


class RNNCell(_CellBase):
    """One Elman RNN step: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh", rng=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__("RNN", input_size, hidden_size, bias, rng)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        x, xp = self._project(input)
        h = _zeros(x.shape[0], self.hidden_size) if hx is None else F._as_tensor(hx)
        return _rnn_step(xp, h, self.weight_hh, self.bias_hh, self.nonlinearity)


class LSTMCell(_CellBase):
    """One LSTM step; hx = (h, c) (zeros if None); returns (h', c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, rng=None):
        super().__init__("LSTM", input_size, hidden_size, bias, rng)

    def forward(self, input, hx=None):
        x, xp = self._project(input)
        if hx is None:
            hx = (_zeros(x.shape[0], self.hidden_size), _zeros(x.shape[0], self.hidden_size))
        h, c = (F._as_tensor(t) for t in hx)
        return _lstm_step(xp, h, c, self.weight_hh, self.bias_hh)


class GRUCell(_CellBase):
    """One GRU step: returns h'."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, rng=None):
        super().__init__("GRU", input_size, hidden_size, bias, rng)

    def forward(self, input, hx=None):
        x, xp = self._project(input)
        h = _zeros(x.shape[0], self.hidden_size) if hx is None else F._as_tensor(hx)
        return _gru_step(xp, h, self.weight_hh, self.bias_hh)


# ---- multi-step, multi-layer ------------------------------------------------------------------------------
class _RNNBase(Module):
    """Shared unrolling: layer by layer, step by step; parameters weight_ih_l{k}, weight_hh_l{k}, bias_*_l{k}
    (and the same names ending in _reverse for the backward direction of a bidirectional layer, as torch)."""

    mode = "RNN"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = True, nonlinearity: str = "tanh", dropout: float = 0.0,
                 bidirectional: bool = False, rng=None):
        super().__init__()
        name = type(self).__name__
        for arg, value in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
            positive_int(name, arg, value)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0.0 <= dropout <= 1.0:
            raise ValueError(f"{name}: dropout must be a probability in [0, 1], got {dropout!r}")
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"{name}: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        if self.mode != "RNN" and nonlinearity != "tanh":
            raise ValueError(f"{name} has fixed sigmoid/tanh gates; nonlinearity applies to nn.RNN only")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.nonlinearity = bias, batch_first, nonlinearity
        self.dropout, self.bidirectional = float(dropout), bool(bidirectional)
        self._dropout_rng = resolve_rng(rng)  # None: the shared generator when dropout runs (manual_seed)
        rng = get_rng(self._dropout_rng)
        bound = 1.0 / math.sqrt(hidden_size)
        rows = _GATES[self.mode] * hidden_size
        for k in range(num_layers):
            fan = input_size if k == 0 else hidden_size * self._directions
            for suffix in self._suffixes:
                setattr(self, f"weight_ih_l{k}{suffix}", Parameter(uniform_((rows, fan), bound, rng)))
                setattr(self, f"weight_hh_l{k}{suffix}", Parameter(uniform_((rows, hidden_size), bound, rng)))
                if bias:
                    setattr(self, f"bias_ih_l{k}{suffix}", Parameter(uniform_((rows,), bound, rng)))
                    setattr(self, f"bias_hh_l{k}{suffix}", Parameter(uniform_((rows,), bound, rng)))

    @property
    def _directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def _suffixes(self) -> tuple:
        return ("", "_reverse") if self.bidirectional else ("",)

    def _layer_params(self, k: int, suffix: str = ""):
        get = lambda n: getattr(self, f"{n}_l{k}{suffix}", None)  # noqa: E731
        return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh")

    def _time_steps(self, input):
        """Check the input shape and return the list of per-step (batch, features) tensors."""
        x = F._as_tensor(input)
        layout = "(batch, seq_len, input_size)" if self.batch_first else "(seq_len, batch, input_size)"
        if x.ndim != 3 or x.shape[2] != self.input_size:
            raise ValueError(f"{type(self).__name__}: expected input of shape {layout} with input_size="
                             f"{self.input_size} (batch_first={self.batch_first}), got {x.shape}")
        t_axis = 1 if self.batch_first else 0
        steps = x.shape[t_axis]
        if steps == 0:
            raise ValueError(f"{type(self).__name__}: the input sequence is empty (seq_len = 0, shape {x.shape})")
        if x.requires_grad:
            return [x[:, t] if self.batch_first else x[t] for t in range(steps)]
        return [Tensor(np.take(x.data, t, axis=t_axis)) for t in range(steps)]

    def _initial(self, hx, batch: int, what: str = "hx"):
        """Initial states, one per (layer, direction), from a (num_layers * directions, batch, hidden) tensor,
        or zeros."""
        count = self.num_layers * self._directions
        if hx is None:
            return [_zeros(batch, self.hidden_size) for _ in range(count)]
        hx = F._as_tensor(hx)
        expected = (count, batch, self.hidden_size)
        if hx.shape != expected:
            first = "num_layers * 2" if self.bidirectional else "num_layers"
            raise ValueError(f"{type(self).__name__}: expected {what} of shape {expected} "
                             f"({first}, batch, hidden_size), got {hx.shape}")
        return [hx[k] for k in range(count)]

    def _run(self, steps, initial):
        """Every layer and direction over the time steps. `initial` holds one state per (layer, direction)
        (a tensor, or an (h, c) pair for the LSTM); returns the last layer's outputs and the final states.

        A bidirectional layer runs a second set of weights over the reversed sequence and concatenates the two
        outputs of each time step; dropout (training only) acts on the outputs of every layer but the last."""
        finals = []
        directions = self._directions
        for k in range(self.num_layers):
            per_direction = []
            for d, suffix in enumerate(self._suffixes):
                w_ih, w_hh, b_ih, b_hh = self._layer_params(k, suffix)
                state, outs = initial[k * directions + d], []
                for x_t in (steps if d == 0 else steps[::-1]):
                    state = self._step(F.linear(x_t, w_ih, b_ih), state, w_hh, b_hh)
                    outs.append(state[0] if isinstance(state, tuple) else state)
                per_direction.append(outs if d == 0 else outs[::-1])
                finals.append(state)
            steps = per_direction[0] if directions == 1 else \
                [concatenate(pair, axis=1) for pair in zip(*per_direction)]
            if self.dropout and self.training and k < self.num_layers - 1:
                steps = [F.dropout(s, self.dropout, True, self._dropout_rng) for s in steps]
        return steps, finals

    def _unroll(self, input, hx):
        """RNN and GRU: one hidden state per layer and direction."""
        steps = self._time_steps(input)
        outs, finals = self._run(steps, self._initial(hx, steps[0].shape[0]))
        return self._output(outs), F.stack(finals, dim=0)

    def _output(self, hs):
        return F.stack(hs, dim=1 if self.batch_first else 0)

    def extra_repr(self) -> str:
        extra = f", num_layers={self.num_layers}" if self.num_layers != 1 else ""
        extra += f", dropout={self.dropout}" if self.dropout else ""
        extra += ", bidirectional=True" if self.bidirectional else ""
        return f"{self.input_size}, {self.hidden_size}{extra}, batch_first={self.batch_first}"


class RNN(_RNNBase):
    """Elman RNN over a sequence; returns (output (N, T, D*H), h_n (D*num_layers, N, H)), D = 2 if bidirectional."""

    mode = "RNN"

    def _step(self, xp, h, w_hh, b_hh):
        return _rnn_step(xp, h, w_hh, b_hh, self.nonlinearity)

    def forward(self, input, hx=None):
        return self._unroll(input, hx)


class GRU(_RNNBase):
    """Gated recurrent unit over a sequence; returns (output (N, T, D*H), h_n (D*num_layers, N, H))."""

    mode = "GRU"

    def _step(self, xp, h, w_hh, b_hh):
        return _gru_step(xp, h, w_hh, b_hh)

    def forward(self, input, hx=None):
        return self._unroll(input, hx)


class LSTM(_RNNBase):
    """Long short-term memory over a sequence; hx = (h_0, c_0); returns (output, (h_n, c_n))."""

    mode = "LSTM"

    def _step(self, xp, state, w_hh, b_hh):
        return _lstm_step(xp, state[0], state[1], w_hh, b_hh)

    def forward(self, input, hx=None):
        steps = self._time_steps(input)
        batch = steps[0].shape[0] if steps else 0
        if hx is None:
            h0, c0 = self._initial(None, batch), self._initial(None, batch)
        else:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise ValueError("LSTM: hx must be a pair (h_0, c_0), each of shape (num_layers, batch, hidden_size)")
            h0, c0 = self._initial(hx[0], batch, "h_0"), self._initial(hx[1], batch, "c_0")
        outs, finals = self._run(steps, list(zip(h0, c0)))
        return self._output(outs), (F.stack([h for h, _ in finals], dim=0), F.stack([c for _, c in finals], dim=0))
