"""Small explorers for chapter 02: feature maps of a CNN, gradient norms over time in RNN/LSTM/GRU, the code
space of an autoencoder and snapshots of a 1-D GAN. Compute parts (gradient_norms_over_time) are plain functions.
"""
from __future__ import annotations

import numpy as np

from ..plots import OKABE_ITO, label
from .sliders import slider_layout

__all__ = ["image_explorer", "gradient_norms_over_time", "gradient_norm_explorer", "code_space_explorer",
           "snapshot_explorer"]


def _pixel_axes(ax) -> None:
    """Label an image's axes in pixels, without the grid of the course's plot style."""
    ax.set_xlabel("column (pixels)")
    ax.set_ylabel("row (pixels)")
    ax.grid(False)


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
    w_img = widgets.IntSlider(value=0, min=0, max=len(images) - 1, description="image", continuous_update=False,
                              layout=slider_layout())
    w_ch = widgets.IntSlider(value=0, min=0, max=maps.shape[1] - 1, description="filter", continuous_update=False,
                             layout=slider_layout())

    def show(image, channel):
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(7, 3.4))
        a1.imshow(images[image], cmap="gray_r")
        a1.set_title(image_titles[image] if image_titles is not None else f"image {image}")
        a2.imshow(maps[image, channel], cmap=cmap)
        a2.set_title(map_names[channel] if map_names is not None else f"feature map of filter {channel}")
        for a in (a1, a2):
            _pixel_axes(a)
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
                              continuous_update=False, style={"description_width": "12em"}, layout=slider_layout())
    w_scale = widgets.FloatSlider(value=weight_scale, min=0.25, max=3.0, step=0.25,
                                  description="recurrent weight scale", continuous_update=False,
                                  style={"description_width": "12em"}, layout=slider_layout())
    w_bias = widgets.FloatSlider(value=gate_bias, min=-2.0, max=5.0, step=0.5,
                                 description="forget/update gate bias", continuous_update=False,
                                 style={"description_width": "12em"}, layout=slider_layout())

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
                             style=style, layout=slider_layout())
    w2 = widgets.FloatSlider(value=float(codes[:, 1].mean()), min=float(lo[1]), max=float(hi[1]),
                             step=float(hi[1] - lo[1]) / 50, description="code z2", continuous_update=False,
                             style=style, layout=slider_layout())
    palette = list(OKABE_ITO.values())

    def show(z1, z2):
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(8, 3.6))
        a1.scatter(*codes.T, c=[palette[int(k) % len(palette)] for k in labels], s=5, alpha=0.5)
        a1.scatter([z1], [z2], marker="X", s=160, color="black", label="chosen code")
        label(a1, "Code space", "code z1", "code z2", legend=True)
        image = np.asarray(decode(np.array([[z1, z2]]))).reshape(image_shape)
        a2.imshow(image, cmap="gray_r", vmin=0, vmax=1)
        a2.set_title(f"Decoded image of ({z1:.2f}, {z2:.2f})")
        _pixel_axes(a2)
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
                                continuous_update=False, style={"description_width": "9em"}, layout=slider_layout())
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
