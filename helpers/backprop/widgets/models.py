"""Widgets and training displays for chapter 02 (models): the TensorFlow-Playground-like MLP trainer lives here;
the live loss plot (models_monitor) and the small explorers (models_explorers: feature maps, gradient norms over
time, code space, GAN snapshots) are re-exported. The compute parts are plain functions, testable without a browser.
"""
from __future__ import annotations

import numpy as np

from ..plots import OKABE_ITO, label
from .models_explorers import (code_space_explorer, gradient_norm_explorer, gradient_norms_over_time,
                               image_explorer, snapshot_explorer)
from .models_monitor import TrainingMonitor, fit_live
from .sliders import slider_layout

__all__ = [
    "ACTIVATIONS", "DATASETS", "playground_data", "build_mlp", "train_steps", "decision_grid", "playground",
    "TrainingMonitor", "fit_live", "image_explorer", "gradient_norms_over_time", "gradient_norm_explorer",
    "code_space_explorer", "snapshot_explorer",
]

ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
DATASETS = ("moons", "xor", "spirals", "circles")
MAX_STEPS_PER_CLICK = 500


# ---------------------------------------------------------------------------------------------------------
# the playground: pure compute
# ---------------------------------------------------------------------------------------------------------
def playground_data(name: str = "moons", n_samples: int = 200, noise: float = 0.15, seed: int = 0):
    """A 2-D two-class toy data set ('moons', 'xor', 'spirals' or 'circles'), centred, roughly in [-1.5, 1.5]."""
    from .. import data

    if name not in DATASETS:
        raise ValueError(f"playground_data: unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
    if name == "moons":
        X, y = data.make_moons(n_samples, noise=noise, seed=seed)
        X = (X - np.array([0.5, 0.25])) / np.array([1.0, 0.6])
    elif name == "xor":
        X, y = data.make_xor(n_samples, noise=noise, seed=seed)
        X = (X - 0.5) * 2.0
    elif name == "spirals":
        X, y = data.make_spirals(n_samples, n_classes=2, noise=noise, seed=seed)
        X = X * 1.4
    else:
        rng = np.random.default_rng(seed)
        y = np.arange(n_samples) % 2
        radius = np.where(y == 0, 0.5, 1.2) + rng.normal(0, noise, n_samples)
        angle = rng.uniform(0, 2 * np.pi, n_samples)
        X = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return X.astype(np.float64), y.astype(np.int64)


def build_mlp(depth: int = 2, width: int = 8, activation: str = "tanh", seed: int = 0, n_in: int = 2,
              n_out: int = 2):
    """An MLP with `depth` hidden layers of `width` units and the given activation (depth 0 = a linear model)."""
    from .. import nn

    if activation not in ACTIVATIONS:
        raise ValueError(f"build_mlp: unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}")
    if not (isinstance(depth, (int, np.integer)) and 0 <= depth <= 8):
        raise ValueError(f"build_mlp: depth must be an integer between 0 and 8 hidden layers, got {depth!r}")
    if not (isinstance(width, (int, np.integer)) and 1 <= width <= 256):
        raise ValueError(f"build_mlp: width must be an integer between 1 and 256 units, got {width!r}")
    rng = np.random.default_rng(seed)
    make_act = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "linear": nn.Identity}[activation]
    layers, fan_in = [], n_in
    for _ in range(int(depth)):
        layers += [nn.Linear(fan_in, int(width), rng=rng), make_act()]
        fan_in = int(width)
    layers.append(nn.Linear(fan_in, n_out, rng=rng))
    return nn.Sequential(*layers)


def train_steps(model, X, y, lr: float, steps: int, optimizer=None):
    """Full-batch training of `model` on (X, y) with cross-entropy for `steps` steps (at most 5000).

    Uses `optimizer` if given, else SGD with momentum 0.9 (returned so the next call can continue it).
    Returns (losses per step, optimizer).
    """
    from .. import nn, optim
    from ..tensor import Tensor

    if not (isinstance(steps, (int, np.integer)) and 0 <= steps <= 5000):
        raise ValueError(f"train_steps: steps must be an integer between 0 and 5000, got {steps!r}")
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"train_steps: the learning rate must be a positive number, got {lr!r}")
    if optimizer is None:
        optimizer = optim.SGD(model.parameters(), lr=float(lr), momentum=0.9)
    optimizer.lr = float(lr)
    loss_fn = nn.CrossEntropyLoss()
    xt, yt = Tensor(np.asarray(X, dtype=np.float64)), np.asarray(y, dtype=np.int64)
    losses = []
    with np.errstate(over="ignore", invalid="ignore"):   # a diverging run stops below instead of warning
        for _ in range(int(steps)):
            optimizer.zero_grad()
            loss = loss_fn(model(xt), yt)
            value = float(loss.item())
            if not np.isfinite(value):
                break
            loss.backward()
            optimizer.step()
            losses.append(value)
    return losses, optimizer


def decision_grid(model, X, resolution: int = 80, margin: float = 0.4):
    """Probability of class 1 on a resolution x resolution grid covering X: returns (xx, yy, p)."""
    from ..grad_mode import no_grad
    from ..tensor import Tensor

    X = np.asarray(X, dtype=np.float64)
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.stack([xx.ravel(), yy.ravel()], axis=1)
    with no_grad():
        logits = model(Tensor(grid)).data
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return xx, yy, p[:, 1].reshape(xx.shape)


def plot_decision_boundary(ax, model, X, y, title="Decision boundary", resolution: int = 80):
    """Draw the model's class-1 probability as a background and the points on top (Okabe-Ito colours)."""
    from matplotlib.colors import LinearSegmentedColormap

    xx, yy, p = decision_grid(model, X, resolution)
    cmap = LinearSegmentedColormap.from_list("blue_orange", [OKABE_ITO["blue"], "#ffffff", OKABE_ITO["orange"]])
    ax.contourf(xx, yy, p, levels=np.linspace(0, 1, 11), cmap=cmap, alpha=0.6)
    ax.contour(xx, yy, p, levels=[0.5], colors="black", linewidths=1.5)
    for cls, color, marker in ((0, OKABE_ITO["blue"], "o"), (1, OKABE_ITO["vermillion"], "^")):
        ax.scatter(*X[y == cls].T, s=14, color=color, marker=marker, edgecolor="white", linewidth=0.4,
                   label=f"class {cls}")
    label(ax, title, "feature x1", "feature x2", legend=True)
    return ax


# ---------------------------------------------------------------------------------------------------------
# the playground widget
# ---------------------------------------------------------------------------------------------------------
def playground(dataset: str = "moons", depth: int = 2, width: int = 8, activation: str = "tanh",
               lr: float = 0.1, steps: int = 100, seed: int = 0):
    """A TensorFlow-Playground-like trainer: pick data, depth, width, activation and learning rate, then press
    'Train' to run `steps` more full-batch SGD steps and redraw the boundary. Nothing trains until a click."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    style = {"description_width": "11em"}
    w_data = widgets.Dropdown(options=DATASETS, value=dataset, description="data set", style=style)
    w_depth = widgets.IntSlider(value=depth, min=0, max=4, description="hidden layers", style=style,
                                continuous_update=False, layout=slider_layout())
    w_width = widgets.IntSlider(value=width, min=1, max=32, description="units per layer", style=style,
                                continuous_update=False, layout=slider_layout())
    w_act = widgets.Dropdown(options=ACTIVATIONS, value=activation, description="activation", style=style)
    w_lr = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0.5, step=0.1, description="learning rate",
                                  readout_format=".3f", style=style, continuous_update=False, layout=slider_layout())
    w_steps = widgets.IntSlider(value=min(steps, MAX_STEPS_PER_CLICK), min=10, max=MAX_STEPS_PER_CLICK, step=10,
                                description="steps per click", style=style, continuous_update=False,
                                layout=slider_layout())
    train_button = widgets.Button(description="Train", button_style="primary", icon="play")
    reset_button = widgets.Button(description="Reset weights", icon="refresh")
    status = widgets.HTML()
    out = widgets.Output()
    state = {}

    def reset(_change=None):
        X, y = playground_data(w_data.value, seed=seed)
        state.update(X=X, y=y, model=build_mlp(w_depth.value, w_width.value, w_act.value, seed=seed),
                     optimizer=None, losses=[])
        redraw()

    def redraw():
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
        plot_decision_boundary(ax1, state["model"], state["X"], state["y"],
                               title=f"After {len(state['losses'])} steps", resolution=60)
        if state["losses"]:
            ax2.plot(np.arange(1, len(state["losses"]) + 1), state["losses"], color=OKABE_ITO["vermillion"])
        label(ax2, "Training loss", "step", "cross-entropy loss")
        fig.tight_layout()
        with out:
            out.clear_output(wait=True)
            display(fig)
        plt.close(fig)
        if state["losses"]:
            acc = _accuracy(state["model"], state["X"], state["y"])
            status.value = (f"loss {state['losses'][-1]:.4f}, training accuracy {acc:.1%} "
                            f"after {len(state['losses'])} steps")
        else:
            status.value = "untrained: press Train"

    def train(_button=None):
        train_button.disabled = True
        try:
            losses, state["optimizer"] = train_steps(state["model"], state["X"], state["y"], w_lr.value,
                                                     w_steps.value, state["optimizer"])
            state["losses"] += losses
            if len(losses) < w_steps.value:
                status.value = "the loss became infinite: lower the learning rate and press Reset weights"
                return
            redraw()
        finally:
            train_button.disabled = False

    for control in (w_data, w_depth, w_width, w_act):
        control.observe(reset, names="value")
    train_button.on_click(train)
    reset_button.on_click(reset)
    reset()
    controls = widgets.VBox([w_data, w_depth, w_width, w_act, w_lr, w_steps,
                             widgets.HBox([train_button, reset_button]), status])
    return widgets.VBox([controls, out])


def _accuracy(model, X, y) -> float:
    from ..grad_mode import no_grad
    from ..tensor import Tensor

    with no_grad():
        return float((model(Tensor(X)).data.argmax(axis=1) == y).mean())


# ---------------------------------------------------------------------------------------------------------
# explorers for the other notebooks
# ---------------------------------------------------------------------------------------------------------
