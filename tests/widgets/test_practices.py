"""Chapter 04 widget: per-layer statistics agree with the engine's autograd and behave as the theory says."""
import math

import numpy as np
import pytest

import backprop as bp
from backprop.widgets.practices import INITS, init_explorer, init_std, layer_statistics


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_gradients_match_the_engine(activation):
    stats = layer_statistics(depth=4, width=6, init="He", activation=activation, n_samples=5, seed=3)
    ws = [bp.Tensor(W, requires_grad=True) for W in stats["weights"]]
    h = bp.Tensor(stats["x"])
    for W in ws:
        h = (h @ W).tanh() if activation == "tanh" else (h @ W).relu()
    (h * bp.Tensor(stats["r"])).sum().backward()
    for W, grad, spread in zip(ws, stats["grads"], stats["grad_std"]):
        np.testing.assert_allclose(grad, W.grad, rtol=1e-10, atol=1e-12)
        assert spread == pytest.approx(W.grad.std())


def test_init_std_formulas():
    assert init_std("Xavier", 30, 70) == pytest.approx(math.sqrt(2 / 100))
    assert init_std("He", 50, 10) == pytest.approx(math.sqrt(2 / 50))
    with pytest.raises(ValueError, match="unknown initialisation"):
        init_std("Glorot?", 3, 3)


def test_small_init_vanishes_and_scaled_inits_keep_the_signal():
    small = layer_statistics(20, 100, "N(0, 0.01²)", "tanh")["activation_std"]
    xavier = layer_statistics(20, 100, "Xavier", "tanh")["activation_std"]
    he_relu = layer_statistics(20, 100, "He", "relu")["activation_std"]
    assert small[-1] < 1e-10
    assert xavier[-1] > 0.1
    assert 0.2 < he_relu[-1] < 5


def test_bad_arguments_and_widget_builds():
    with pytest.raises(ValueError, match="depth"):
        layer_statistics(0)
    with pytest.raises(ValueError, match="unknown activation"):
        layer_statistics(3, activation="gelu")
    box = init_explorer("He", "relu", 5)
    assert len(box.children) == 2 and set(INITS) >= {box.children[0].children[0].value}
