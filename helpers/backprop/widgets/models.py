"""Widgets and training displays for chapter 02 (models): a TensorFlow-Playground-like MLP trainer, a live
loss plot with a progress bar, and small explorers (feature maps, gradient norms over time, code space, GAN
snapshots). The compute parts are plain functions so they can be tested without a browser.
"""
from __future__ import annotations

import sys

import numpy as np

from ..plots import OKABE_ITO, label

__all__ = [
    "ACTIVATIONS", "DATASETS", "playground_data", "build_mlp", "train_steps", "decision_grid", "playground",
    "TrainingMonitor", "fit_live", "image_explorer", "gradient_norms_over_time", "gradient_norm_explorer",
    "code_space_explorer", "snapshot_explorer",
]

ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
DATASETS = ("moons", "xor", "spirals", "circles")
MAX_STEPS_PER_CLICK = 500


# ---------------------------------------------------------------------------------------------------------
# progress + live loss plot
# ---------------------------------------------------------------------------------------------------------
def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class TrainingMonitor:
    """A progress bar and a loss plot that redraws every `every` steps (in Jupyter), or a text line elsewhere.

    Call `update(step, **metrics)` once per step (metrics are numbers, e.g. loss=0.3) and `close()` at the end;
    `history` keeps every value. The plot is redrawn at most ~`max_redraws` times so it never slows training.
    """

    def __init__(self, total: int, title: str = "Training", xlabel: str = "step", every: int | None = None,
                 max_redraws: int = 12, log_scale: bool = False, enabled: bool = True):
        if isinstance(total, bool) or not isinstance(total, (int, np.integer)) or total < 1:
            raise ValueError(f"TrainingMonitor: total must be a positive number of steps, got {total!r}")
        self.total, self.title, self.xlabel, self.log_scale = int(total), title, xlabel, log_scale
        self.every = every or max(1, self.total // max(1, max_redraws))
        self.history: dict[str, list] = {}
        self.steps: list[int] = []
        self.enabled = enabled
        self._notebook = enabled and _in_notebook()
        self._handle = None
        self._fig = None
        if self._notebook:
            import ipywidgets as widgets
            from IPython.display import display

            self._bar = widgets.IntProgress(value=0, min=0, max=self.total, description=f"{xlabel} 0/{self.total}",
                                            style={"description_width": "9em"})
            self._text = widgets.HTML(value="")
            display(widgets.HBox([self._bar, self._text]))
            from matplotlib.figure import Figure

            self._fig = Figure(figsize=(6.4, 3.0), dpi=80)
            self._fig.subplots_adjust(left=0.12, right=0.97, bottom=0.17, top=0.88)
            self._ax = self._fig.add_subplot()
            self._draw()
            self._handle = display(self._fig, display_id=True)

    def _status(self, step: int) -> str:
        return "  ".join(f"{k} {v[-1]:.4f}" for k, v in self.history.items())

    def _draw(self) -> None:
        ax = self._ax
        ax.clear()
        for i, (name, values) in enumerate(self.history.items()):
            ax.plot(self.steps, values, label=name, color=list(OKABE_ITO.values())[[4, 5, 2, 0][i % 4]])
        ax.set_xlim(0, self.total)
        if self.log_scale and self.history:
            ax.set_yscale("log")
        label(ax, self.title, self.xlabel, "loss", legend=bool(self.history))

    def update(self, step: int, **metrics) -> None:
        """Record the metrics of `step` (1-based) and refresh the bar; redraw the plot every `every` steps."""
        self.steps.append(int(step))
        for name, value in metrics.items():
            self.history.setdefault(name, []).append(float(value))
        if not self.enabled:
            return
        if self._notebook:
            self._bar.value = int(step)
            self._bar.description = f"{self.xlabel} {step}/{self.total}"
            self._text.value = self._status(step)
            if step % self.every == 0 or step == self.total:
                self._draw()
                self._handle.update(self._fig)
        elif step % self.every == 0 or step == self.total:
            width = 20
            filled = int(width * step / self.total)
            print(f"{self.xlabel} {step}/{self.total} [{'#' * filled}{'.' * (width - filled)}] {self._status(step)}",
                  file=sys.stdout, flush=True)

    def close(self) -> None:
        """Final redraw of the plot (Jupyter)."""
        if self._notebook and self.steps:
            self._draw()
            self._handle.update(self._fig)


def fit_live(model, loss_fn, optimizer, loader, epochs: int, val=None, title: str = "Training loss",
             max_redraws: int = 5):
    """backprop.train.fit one epoch at a time, with a progress bar and a live plot of the loss per epoch.

    Returns a backprop.train.History with the same keys fit() records.
    """
    from ..train import History, fit

    monitor = TrainingMonitor(epochs, title=title, xlabel="epoch", max_redraws=max_redraws)
    history = History()
    for epoch in range(1, epochs + 1):
        one = fit(model, loss_fn, optimizer, loader, epochs=1, val=val, progress=False)
        for key, values in one.items():
            history.setdefault(key, []).extend(values)
        shown = {"train loss": one["loss"][-1]}
        if "val_loss" in one:
            shown["validation loss"] = one["val_loss"][-1]
        monitor.update(epoch, **shown)
    monitor.close()
    return history


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
                                continuous_update=False)
    w_width = widgets.IntSlider(value=width, min=1, max=32, description="units per layer", style=style,
                                continuous_update=False)
    w_act = widgets.Dropdown(options=ACTIVATIONS, value=activation, description="activation", style=style)
    w_lr = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0.5, step=0.1, description="learning rate",
                                  readout_format=".3f", style=style, continuous_update=False)
    w_steps = widgets.IntSlider(value=min(steps, MAX_STEPS_PER_CLICK), min=10, max=MAX_STEPS_PER_CLICK, step=10,
                                description="steps per click", style=style, continuous_update=False)
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
def image_explorer(images, maps, image_titles=None, map_names=None, cmap="cividis"):
    """Pick an image (slider) and a channel (slider): shows the image and that channel's feature map.

    images: (N, H, W); maps: (N, C, h, w), e.g. a conv layer's outputs for those images.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    images, maps = np.asarray(images), np.asarray(maps)
    if images.ndim != 3 or maps.ndim != 4 or len(images) != len(maps):
        raise ValueError(f"image_explorer: expected images (N, H, W) and maps (N, C, h, w) with the same N, "
                         f"got {images.shape} and {maps.shape}")
    w_img = widgets.IntSlider(value=0, min=0, max=len(images) - 1, description="image", continuous_update=False)
    w_ch = widgets.IntSlider(value=0, min=0, max=maps.shape[1] - 1, description="filter", continuous_update=False)

    def show(image, channel):
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(7, 3.4))
        a1.imshow(images[image], cmap="gray_r")
        a1.set_title(image_titles[image] if image_titles is not None else f"image {image}")
        a2.imshow(maps[image, channel], cmap=cmap)
        a2.set_title(map_names[channel] if map_names is not None else f"feature map of filter {channel}")
        for a in (a1, a2):
            a.set_xlabel("column (pixels)")
            a.set_ylabel("row (pixels)")
            a.grid(False)
        fig.tight_layout()
        plt.show()

    out = widgets.interactive_output(show, {"image": w_img, "channel": w_ch})
    return widgets.VBox([widgets.HBox([w_img, w_ch]), out])


def gradient_norms_over_time(kind: str, seq_len: int, hidden: int = 16, weight_scale: float = 1.0,
                             gate_bias: float = 0.0, batch: int = 8, seed: int = 0, layer=None):
    """||dL/dx_t|| for every time step t when the loss depends only on the LAST output of an RNN, LSTM or GRU
    (kind 'RNN', 'LSTM', 'GRU'). An untrained layer is made unless `layer` is given; its recurrent weights are
    multiplied by weight_scale and `gate_bias` is added to the LSTM forget gate / GRU update gate bias (a
    positive bias keeps those gates near 1, i.e. "remember"). Returns an array of shape (seq_len,)."""
    from .. import nn
    from ..tensor import Tensor

    layers = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}
    if kind not in layers:
        raise ValueError(f"gradient_norms_over_time: kind must be one of {', '.join(layers)}, got {kind!r}")
    if not (isinstance(seq_len, (int, np.integer)) and 1 <= seq_len <= 500):
        raise ValueError(f"gradient_norms_over_time: seq_len must be an integer from 1 to 500, got {seq_len!r}")
    rng = np.random.default_rng(seed)
    if layer is None:
        layer = layers[kind](1, hidden, rng=np.random.default_rng(seed + 1))
        layer.weight_hh_l0.data *= weight_scale
        n = layer.hidden_size
        if kind == "LSTM":                      # gate order i, f, g, o: rows n..2n are the forget gate
            layer.bias_ih_l0.data[n:2 * n] += gate_bias
        elif kind == "GRU":                     # gate order r, z, n: rows n..2n are the update gate
            layer.bias_ih_l0.data[n:2 * n] += gate_bias
    x = Tensor(rng.normal(size=(batch, int(seq_len), layer.input_size)), requires_grad=True)
    out, _ = layer(x)
    out[:, -1].sum().backward()
    return np.sqrt((x.grad ** 2).sum(axis=(0, 2)))


def gradient_norm_explorer(seq_len: int = 40, weight_scale: float = 1.0, gate_bias: float = 2.0):
    """Sliders for sequence length, recurrent weight scale and gate bias; plots ||dL/dx_t|| against t for
    untrained RNN, LSTM and GRU layers."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    w_len = widgets.IntSlider(value=seq_len, min=5, max=100, step=5, description="time steps",
                              continuous_update=False, style={"description_width": "12em"})
    w_scale = widgets.FloatSlider(value=weight_scale, min=0.25, max=3.0, step=0.25,
                                  description="recurrent weight scale", continuous_update=False,
                                  style={"description_width": "12em"})
    w_bias = widgets.FloatSlider(value=gate_bias, min=-2.0, max=5.0, step=0.5,
                                 description="forget/update gate bias", continuous_update=False,
                                 style={"description_width": "12em"})

    def show(seq_len, scale, bias):
        fig, ax = plt.subplots(figsize=(7, 3.6))
        colors = {"RNN": OKABE_ITO["vermillion"], "LSTM": OKABE_ITO["blue"], "GRU": OKABE_ITO["bluish_green"]}
        for kind, color in colors.items():
            norms = gradient_norms_over_time(kind, seq_len, weight_scale=scale, gate_bias=bias)
            ax.semilogy(np.arange(1, seq_len + 1), np.maximum(norms, 1e-30), color=color, label=kind)
        label(ax, f"Gradient reaching each input (scale {scale:g}, gate bias {bias:g})", "time step t",
              "||dL/dx_t|| (log scale)", legend=True)
        plt.show()

    out = widgets.interactive_output(show, {"seq_len": w_len, "scale": w_scale, "bias": w_bias})
    return widgets.VBox([widgets.VBox([w_len, w_scale, w_bias]), out])


def code_space_explorer(decode, codes, labels, image_shape=(8, 8)):
    """Two sliders move a point in a 2-D code space; shows where it sits among the codes and its decoding.

    decode: function (k, 2) array -> (k, H*W) array; codes: (N, 2); labels: (N,) ints for the colours.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    codes = np.asarray(codes)
    lo, hi = codes.min(axis=0), codes.max(axis=0)
    style = {"description_width": "7em"}
    w1 = widgets.FloatSlider(value=float(codes[:, 0].mean()), min=float(lo[0]), max=float(hi[0]),
                             step=float(hi[0] - lo[0]) / 50, description="code z1", continuous_update=False,
                             style=style)
    w2 = widgets.FloatSlider(value=float(codes[:, 1].mean()), min=float(lo[1]), max=float(hi[1]),
                             step=float(hi[1] - lo[1]) / 50, description="code z2", continuous_update=False,
                             style=style)
    palette = list(OKABE_ITO.values())

    def show(z1, z2):
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(8, 3.6))
        a1.scatter(*codes.T, c=[palette[int(k) % len(palette)] for k in labels], s=5, alpha=0.5)
        a1.scatter([z1], [z2], marker="X", s=160, color="black", label="chosen code")
        label(a1, "Code space", "code z1", "code z2", legend=True)
        image = np.asarray(decode(np.array([[z1, z2]]))).reshape(image_shape)
        a2.imshow(image, cmap="gray_r", vmin=0, vmax=1)
        a2.set_title(f"Decoded image of ({z1:.2f}, {z2:.2f})")
        a2.set_xlabel("column (pixels)")
        a2.set_ylabel("row (pixels)")
        a2.grid(False)
        fig.tight_layout()
        plt.show()

    out = widgets.interactive_output(show, {"z1": w1, "z2": w2})
    return widgets.VBox([widgets.HBox([w1, w2]), out])


def snapshot_explorer(steps, samples, target_pdf, grid, disc=None):
    """A slider over saved training steps of a 1-D GAN: histogram of generated samples against the target
    density (and the discriminator's output, if given as (len(steps), len(grid)))."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    steps = list(steps)
    w = widgets.SelectionSlider(options=steps, value=steps[-1], description="training step",
                                continuous_update=False, style={"description_width": "9em"})
    bins = np.linspace(grid[0], grid[-1], 50)

    def show(step):
        k = steps.index(step)
        fig, ax = plt.subplots(figsize=(7, 3.6))
        ax.plot(grid, target_pdf, color=OKABE_ITO["black"], label="target density")
        ax.hist(samples[k], bins=bins, density=True, color=OKABE_ITO["orange"], alpha=0.7,
                label="generator samples")
        if disc is not None:
            ax.plot(grid, disc[k], color=OKABE_ITO["blue"], linestyle="--", label="discriminator D(x)")
        ax.set_ylim(0, max(1.05, float(np.max(target_pdf)) * 1.4))
        label(ax, f"Generator after {step} steps", "x", "density / D(x)", legend=True)
        plt.show()

    out = widgets.interactive_output(show, {"step": w})
    return widgets.VBox([w, out])
