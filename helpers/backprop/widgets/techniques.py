"""Widgets of chapter 01 (techniques): draw a `Value` graph and step its backward pass; optimizer paths on 2-D losses.

Each widget is split into a pure compute part (tested without a browser) and a thin ipywidgets/matplotlib shell.
Nothing graded depends on these widgets.
"""
import html

import numpy as np

from ..plots import OKABE_ITO
from .sliders import slider_layout

# ----------------------------------------------------------------------------------------------------------
# the computational graph of a Value: layout and a backward pass one node at a time
# ----------------------------------------------------------------------------------------------------------


def node_name(node, index):
    """A short name for a graph node: its label if it has one, else 'n<index>'."""
    return node.label or f"n{index}"


def graph_layout(root):
    """Positions for drawing the graph that computed ``root``: inputs on the left, ``root`` on the right.

    Returns (nodes, positions, edges): nodes in forward (topological) order, positions[i] = (column, row),
    edges as (parent index, child index) pairs.
    """
    nodes = root.topological_order()
    index = {id(n): i for i, n in enumerate(nodes)}
    column = [0] * len(nodes)
    for i, n in enumerate(nodes):  # parents come first, so their columns are final
        column[i] = max((column[index[id(p)]] + 1 for p in n._prev), default=0)
    for i in reversed(range(len(nodes))):  # move each input next to the first node that uses it
        if not nodes[i]._prev:
            users = [column[j] for j, n in enumerate(nodes) if any(p is nodes[i] for p in n._prev)]
            column[i] = max(min(users, default=1) - 1, 0)
    rows = {}
    positions = []
    for i in range(len(nodes)):
        row = rows.get(column[i], 0)
        rows[column[i]] = row + 1
        positions.append((column[i], row))
    # centre each column vertically
    height = max(rows.values())
    positions = [(c, r - (rows[c] - 1) / 2 + (height - 1) / 2) for c, r in positions]
    edges = [(index[id(p)], i) for i, n in enumerate(nodes) for p in n._prev]
    return nodes, positions, edges


def backward_steps(root):
    """The backward pass of ``root`` one node at a time, without touching the nodes' own ``.grad``.

    Returns a list of steps; step k is a dict with ``node`` (index of the node whose gradient was passed on, in
    forward order), ``grads`` (the gradient of every node after this step) and ``lines`` (the chain-rule
    updates ``parent.grad += local * node.grad`` done in this step, as text). Step 0 seeds the output with 1.
    """
    nodes = root.topological_order()
    index = {id(n): i for i, n in enumerate(nodes)}
    grads = [0.0] * len(nodes)
    grads[-1] = 1.0
    root_name = node_name(root, len(nodes) - 1)
    steps = [{"node": len(nodes) - 1, "grads": list(grads), "lines": [f"seed: d{root_name}/d{root_name} = 1"]}]
    for i in reversed(range(len(nodes))):
        node = nodes[i]
        if not node._prev:
            continue  # an input: nothing to pass on
        lines = []
        for parent, local in zip(node._prev, node._local_grads):
            j = index[id(parent)]
            before = grads[j]
            grads[j] += local * grads[i]
            lines.append(f"{node_name(parent, j)}.grad += (local d{node_name(node, i)}/d{node_name(parent, j)} = "
                         f"{local:.4g}) x ({node_name(node, i)}.grad = {grads[i]:.4g}):  "
                         f"{before:.4g} -> {grads[j]:.4g}")
        steps.append({"node": i, "grads": list(grads), "lines": lines})
    return steps


def draw_graph(root, ax=None, grads=None, highlight=None, title="Computational graph"):
    """Draw the graph of ``root`` with matplotlib: one box per node with its label, value and gradient.

    ``grads`` (one number per node, forward order) overrides the nodes' own ``.grad`` (used by the stepper);
    ``highlight`` is the index of a node to outline. Returns the axis.
    """
    import matplotlib.pyplot as plt

    nodes, positions, edges = graph_layout(root)
    grads = [n.grad for n in nodes] if grads is None else grads
    if ax is None:
        n_cols = max(c for c, _ in positions) + 1
        _, ax = plt.subplots(figsize=(max(6.0, 2.3 * n_cols), max(3.0, 1.3 * max(r for _, r in positions) + 2)))
    for i, j in edges:
        (x0, y0), (x1, y1) = positions[i], positions[j]
        bend = 0.0 if x1 - x0 <= 1 else -0.25  # long edges arc over the nodes in between
        ax.annotate("", xy=(x1 - 0.33, y1), xytext=(x0 + 0.33, y0), zorder=1,
                    arrowprops=dict(arrowstyle="->", color=OKABE_ITO["black"], lw=1.2,
                                    connectionstyle=f"arc3,rad={bend}"))
    for i, (node, (x, y)) in enumerate(zip(nodes, positions)):
        op = f"  [{node._op}]" if node._op else ""
        text = f"{node_name(node, i)}{op}\nvalue {node.data:.4g}\ngrad {grads[i]:.4g}"
        colour = OKABE_ITO["orange"] if i == highlight else (OKABE_ITO["sky_blue"] if node._prev else "#dddddd")
        ax.text(x, y, text, ha="center", va="center", fontsize=9, family="monospace", zorder=3,
                bbox=dict(boxstyle="round,pad=0.4", fc=colour, ec=OKABE_ITO["black"],
                          lw=2.5 if i == highlight else 1.0))
    xs = [p[0] for p in positions]
    ys = [p[1] for p in positions]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.invert_yaxis()
    ax.set_axis_off()
    ax.set_title(title)
    return ax


def backward_stepper(root):
    """A slider that steps the backward pass of ``root`` one node at a time, redrawing the graph each step.

    Grey boxes are inputs, blue boxes computed nodes, the orange box the node whose gradient is being passed to
    its inputs; the text lists the chain-rule updates of that step. Returns the widget.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    steps = backward_steps(root)
    slider = widgets.IntSlider(value=0, min=0, max=len(steps) - 1, step=1, description="backward step",
                               continuous_update=False, style={"description_width": "8em"}, layout=slider_layout())
    play = widgets.Play(value=0, min=0, max=len(steps) - 1, step=1, interval=1500, description="play")
    widgets.jslink((play, "value"), (slider, "value"))
    text = widgets.HTML()
    figure = widgets.Output()

    def show(step):
        s = steps[step]
        with figure:
            figure.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(9, 3.8))
            draw_graph(root, ax=ax, grads=s["grads"], highlight=s["node"],
                       title=f"Backward pass, step {step} of {len(steps) - 1}")
            plt.show()
        text.value = "<pre>" + html.escape("\n".join(s["lines"])) + "</pre>"

    slider.observe(lambda change: show(change["new"]), names="value")
    show(0)
    return widgets.VBox([widgets.HBox([play, slider]), text, figure])


# ----------------------------------------------------------------------------------------------------------
# optimizers on a 2-D loss surface
# ----------------------------------------------------------------------------------------------------------


def elongated_quadratic(point):
    """f(x, y) = 0.5 * (x^2 + 50 y^2), a narrow valley along x; returns (loss, gradient)."""
    x, y = point
    return 0.5 * (x * x + 50.0 * y * y), np.array([x, 50.0 * y])


def rosenbrock(point):
    """Rosenbrock's banana f(x, y) = (1 - x)^2 + 10 (y - x^2)^2 (a gentler 10 instead of 100); (loss, gradient)."""
    x, y = point
    loss = (1.0 - x) ** 2 + 10.0 * (y - x * x) ** 2
    grad = np.array([-2.0 * (1.0 - x) - 40.0 * x * (y - x * x), 20.0 * (y - x * x)])
    return loss, grad


SURFACES = {
    "elongated quadratic": {"fn": elongated_quadratic, "start": (-4.0, 1.0), "box": (-5, 5, -1.5, 1.5),
                            "minimum": (0.0, 0.0)},
    "Rosenbrock": {"fn": rosenbrock, "start": (-1.5, 2.0), "box": (-2, 2, -1, 3), "minimum": (1.0, 1.0)},
}

OPTIMIZERS = {
    "gradient descent": lambda p, lr: _optim().SGD([p], lr=lr),
    "momentum (0.9)": lambda p, lr: _optim().SGD([p], lr=lr, momentum=0.9),
    "RMSprop": lambda p, lr: _optim().RMSprop([p], lr=lr),
    "Adam": lambda p, lr: _optim().Adam([p], lr=lr),
}

OPTIMIZER_COLOURS = {"gradient descent": OKABE_ITO["black"], "momentum (0.9)": OKABE_ITO["blue"],
                     "RMSprop": OKABE_ITO["bluish_green"], "Adam": OKABE_ITO["vermillion"]}


def _optim():
    from .. import optim

    return optim


def optimizer_path(optimizer, surface, lr, steps, start=None):
    """Run one of ``OPTIMIZERS`` (backprop.optim) for ``steps`` steps on one of ``SURFACES``.

    Returns (path, losses): path of shape (steps + 1, 2) starting at the start point, losses of length steps + 1.
    The run stops early (the rest filled with nan) if the point leaves a huge box (a diverging learning rate).
    """
    from ..tensor import Tensor

    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {sorted(OPTIMIZERS)}")
    if surface not in SURFACES:
        raise ValueError(f"unknown surface {surface!r}; choose one of {sorted(SURFACES)}")
    fn = SURFACES[surface]["fn"]
    point = Tensor(np.array(start if start is not None else SURFACES[surface]["start"], dtype=float),
                   requires_grad=True)
    opt = OPTIMIZERS[optimizer](point, lr)
    path = np.full((steps + 1, 2), np.nan)
    losses = np.full(steps + 1, np.nan)
    path[0] = point.data
    for k in range(steps + 1):
        loss, grad = fn(point.data)
        losses[k] = loss
        path[k] = point.data
        if k == steps or not np.all(np.abs(point.data) < 1e6):
            break
        point.grad = grad
        opt.step()
    return path, losses


def draw_optimizer_paths(surface, optimizers, lr, steps, axes=None):
    """Contour plot of ``surface`` with each optimizer's path, and the loss per step beside it. Returns the axes."""
    import matplotlib.pyplot as plt

    info = SURFACES[surface]
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    ax, ax_loss = axes
    x0, x1, y0, y1 = info["box"]
    xs, ys = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
    zs = info["fn"]((xs, ys))[0]
    ax.contour(xs, ys, np.log10(zs + 1e-3), levels=20, cmap="cividis", linewidths=0.8)
    ax.plot(*info["minimum"], "*", color=OKABE_ITO["black"], markersize=12, label="minimum")
    for name in optimizers:
        path, losses = optimizer_path(name, surface, lr, steps)
        colour = OPTIMIZER_COLOURS[name]
        ax.plot(path[:, 0], path[:, 1], ".-", color=colour, lw=1.2, markersize=3, label=name)
        ax_loss.semilogy(np.maximum(losses, 1e-12), color=colour, label=name)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    start_loss = info["fn"](info["start"])[0]
    ax_loss.set_ylim(top=start_loss * 1e3)  # a diverging run leaves the plot instead of squashing the rest
    ax.set_title(f"{surface}: paths, lr = {lr:.3g}")
    ax.set_xlabel("parameter x")
    ax.set_ylabel("parameter y")
    ax.legend(fontsize=8, loc="upper right")
    ax_loss.set_title("loss per step")
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("loss (log scale)")
    ax_loss.legend(fontsize=8)
    return axes


def optimizer_paths(surface="elongated quadratic", lr=0.03, steps=100):
    """Compare gradient descent, momentum, RMSprop and Adam (backprop.optim) on a 2-D loss surface.

    Controls: the surface, which optimizers to draw, the learning rate (log slider) and the number of steps.
    Returns the widget.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    style = {"description_width": "9em"}
    surface_box = widgets.Dropdown(options=list(SURFACES), value=surface, description="loss surface", style=style)
    chooser = widgets.SelectMultiple(options=list(OPTIMIZERS), value=tuple(OPTIMIZERS), rows=4,
                                     description="optimizers", style=style)
    lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0, step=0.1, readout_format=".3g",
                                       description="learning rate", continuous_update=False, style=style,
                                       layout=slider_layout())
    steps_slider = widgets.IntSlider(value=steps, min=10, max=300, step=10, description="steps",
                                     continuous_update=False, style=style, layout=slider_layout())
    figure = widgets.Output()

    def redraw(_change=None):
        with figure:
            figure.clear_output(wait=True)
            fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
            draw_optimizer_paths(surface_box.value, chooser.value, lr_slider.value, steps_slider.value, axes)
            fig.tight_layout()
            plt.show()

    for control in (surface_box, chooser, lr_slider, steps_slider):
        control.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([widgets.VBox([surface_box, lr_slider, steps_slider]), chooser]), figure])
