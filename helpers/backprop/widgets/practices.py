"""Widgets for chapter 04 (best practices): how weight initialisation shapes activations and gradients.

`layer_statistics` pushes random data through a deep plain network (numpy only, no training) and reports the
spread of the activations and of the weight gradients at every layer; `init_explorer()` plots them for a
chosen initialisation, activation and depth.
"""
import math

import numpy as np

from .sliders import slider_layout

INITS = ("N(0, 0.01²)", "Xavier", "He", "N(0, 1)")
ACTIVATIONS = ("tanh", "relu")


def init_std(init, fan_in, fan_out):
    """Standard deviation of the normal weight initialisation named `init` for a layer of that fan-in/out."""
    if init == "N(0, 0.01²)":
        return 0.01
    if init == "Xavier":
        return math.sqrt(2.0 / (fan_in + fan_out))
    if init == "He":
        return math.sqrt(2.0 / fan_in)
    if init == "N(0, 1)":
        return 1.0
    raise ValueError(f"unknown initialisation {init!r}; use one of {', '.join(INITS)}")


def _activation(name):
    """(function, derivative written in terms of the pre-activation z) for an activation name."""
    if name == "tanh":
        return np.tanh, lambda z: 1.0 - np.tanh(z) ** 2
    if name == "relu":
        return (lambda z: np.maximum(z, 0.0)), (lambda z: (z > 0).astype(np.float64))
    raise ValueError(f"unknown activation {name!r}; use one of {', '.join(ACTIVATIONS)}")


def layer_statistics(depth=10, width=100, init="Xavier", activation="tanh", n_samples=200, seed=0):
    """Forward and backward through `depth` layers h = act(h @ W) of `width` units; no biases, no training.

    The loss is sum(h_last * r) with fixed random r, so every layer receives a gradient. Returns a dict of
    lists, one entry per layer: ``activation_std`` (spread of h), ``grad_std`` (spread of dL/dW) and
    ``grads`` (dL/dW itself), plus ``weights`` (the matrices used, first layer first) and the input ``x`` and ``r``.
    """
    if not isinstance(depth, (int, np.integer)) or depth < 1:
        raise ValueError(f"depth must be a positive integer, got {depth!r}")
    if not isinstance(width, (int, np.integer)) or width < 1:
        raise ValueError(f"width must be a positive integer, got {width!r}")
    act, dact = _activation(activation)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_samples, width))
    weights = [rng.normal(0.0, init_std(init, width, width), size=(width, width)) for _ in range(depth)]
    r = rng.normal(size=(n_samples, width))
    inputs, pre, h = [], [], x
    for W in weights:
        inputs.append(h)
        z = h @ W
        pre.append(z)
        h = act(z)
    activation_std = [float(act(z).std()) for z in pre]
    grad = r
    grads = [None] * depth
    for i in reversed(range(depth)):
        g_z = grad * dact(pre[i])
        grads[i] = inputs[i].T @ g_z
        grad = g_z @ weights[i].T
    return {"activation_std": activation_std, "grad_std": [float(g.std()) for g in grads], "grads": grads,
            "weights": weights, "x": x, "r": r}


def init_explorer(init="Xavier", activation="tanh", depth=15):
    """Dropdowns for the initialisation and activation and a slider for the depth (layers of 100 units);
    plots the spread of activations and weight gradients per layer. Recomputes on release; nothing is graded.

    Returns the widget (display it as a cell result).
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    from ..plots import OKABE_ITO, label

    init_box = widgets.Dropdown(options=INITS, value=init, description="weight init")
    act_box = widgets.Dropdown(options=ACTIVATIONS, value=activation, description="activation")
    depth_slider = widgets.IntSlider(value=depth, min=2, max=40, step=1, description="depth (layers)",
                                     continuous_update=False, style={"description_width": "8em"},
                                     layout=slider_layout())

    def draw(init, activation, depth):
        stats = layer_statistics(depth, 100, init, activation)
        layers = np.arange(1, depth + 1)
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
        axes[0].plot(layers, stats["activation_std"], "o-", color=OKABE_ITO["blue"])
        axes[1].plot(layers, stats["grad_std"], "o-", color=OKABE_ITO["vermillion"])
        for ax in axes:
            ax.set_yscale("log")
        label(axes[0], f"Activations ({init}, {activation})", "layer", "std of activations (log scale)")
        label(axes[1], "Weight gradients", "layer", "std of dL/dW (log scale)")
        fig.tight_layout()
        plt.show()

    out = widgets.interactive_output(draw, {"init": init_box, "activation": act_box, "depth": depth_slider})
    return widgets.VBox([widgets.HBox([init_box, act_box, depth_slider]), out])
