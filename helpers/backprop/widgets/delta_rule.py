"""A widget for one delta-rule step of a linear neuron: move the sliders, watch forward pass, error and update."""
import html

from .sliders import slider_layout


def delta_rule_step(weights, inputs, target, lr):
    """One training step of a linear neuron: output = w.x, error = target - output, w += lr * error * x.

    Returns a dict with ``output``, ``error``, ``deltas`` and ``new_weights`` (plain Python floats).
    """
    if len(weights) != len(inputs):
        raise ValueError(f"need one weight per input: got {len(weights)} weights and {len(inputs)} inputs")
    output = sum(w * x for w, x in zip(weights, inputs))
    error = target - output
    deltas = [lr * error * x for x in inputs]
    new_weights = [w + d for w, d in zip(weights, deltas)]
    return {"output": output, "error": error, "deltas": deltas, "new_weights": new_weights}


def describe_step(weights, inputs, target, lr):
    """The step written out as text, one line per stage (forward pass, error, backward pass/update)."""
    step = delta_rule_step(weights, inputs, target, lr)
    terms = " + ".join(f"({w:.3g})({x:.3g})" for w, x in zip(weights, inputs))
    lines = [f"forward:  output = {terms} = {step['output']:.4f}",
             f"error:    target - output = {target:.3g} - {step['output']:.4f} = {step['error']:.4f}"]
    for i, (w, x, d, new) in enumerate(zip(weights, inputs, step["deltas"], step["new_weights"]), start=1):
        lines.append(f"update:   w{i} = {w:.3g} + {lr:.3g} * {step['error']:.4f} * {x:.3g} = {new:.4f}"
                     f"   (change {d:+.4f})")
    after = sum(w * x for w, x in zip(step["new_weights"], inputs))
    lines.append(f"after:    new output = {after:.4f}, new error = {target - after:.4f}")
    return "\n".join(lines)


def delta_rule_explorer(weights=(0.3, 0.7), inputs=(0.5, -1.0), target=0.2, lr=0.5):
    """Sliders for two weights, two inputs, the target and the learning rate, with the step shown live.

    The defaults are deliberately not the exercise's numbers. Returns the widget (display it as a cell result).
    """
    import ipywidgets as widgets

    def slider(description, value, low, high, step):
        return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                                   continuous_update=True, readout_format=".2f",
                                   style={"description_width": "7em"}, layout=slider_layout())

    sliders = {
        "w1": slider("weight w1", weights[0], -1.0, 1.0, 0.01),
        "w2": slider("weight w2", weights[1], -1.0, 1.0, 0.01),
        "x1": slider("input x1", inputs[0], -2.0, 2.0, 0.1),
        "x2": slider("input x2", inputs[1], -2.0, 2.0, 0.1),
        "target": slider("target", target, -2.0, 2.0, 0.05),
        "lr": slider("learning rate", lr, 0.0, 1.0, 0.01),
    }
    panel = widgets.HTML()

    def refresh(_change=None):
        v = {name: s.value for name, s in sliders.items()}
        text = describe_step([v["w1"], v["w2"]], [v["x1"], v["x2"]], v["target"], v["lr"])
        panel.value = f"<pre>{html.escape(text)}</pre>"

    for s in sliders.values():
        s.observe(refresh, names="value")
    refresh()
    return widgets.VBox([widgets.HBox([widgets.VBox(list(sliders.values())[:3]),
                                       widgets.VBox(list(sliders.values())[3:])]), panel])
