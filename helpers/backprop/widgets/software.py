"""Widgets for chapter 03 (software): a define-by-run graph that changes shape with the input.

`record_tape(x)` runs a small program with a data-dependent loop on a `Value` and returns the operations
the engine recorded (its "tape") and the gradient; `dynamic_graph_explorer()` puts it behind a slider.
"""
import html
import math

from ..value import Value
from .sliders import slider_layout


def halving_program(x):
    """f(x): halve x until |x| <= 1, then tanh(x) * x. Works on floats and on `Value`s alike."""
    y = x
    while abs(y.data if isinstance(y, Value) else y) > 1.0:
        y = y * 0.5
    return y.tanh() * y if isinstance(y, Value) else math.tanh(y) * y


def record_tape(x):
    """Run `halving_program` on Value(x); return the recorded ops, the output and d output / d x.

    Returns a dict with ``ops`` (op names in the order they were recorded, inputs left out),
    ``halvings`` (how many times the loop ran), ``output`` and ``grad`` (plain floats).
    """
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"record_tape: x must be a finite number, got {x}")
    leaf = Value(x, label="x")
    out = halving_program(leaf)
    out.backward()
    ops = [node._op for node in out.topological_order() if node._op]
    return {"ops": ops, "halvings": ops.count("*") - 1, "output": out.data, "grad": leaf.grad}


def describe_tape(x):
    """The tape of `record_tape(x)` as text: one numbered line per recorded op, then output and gradient."""
    tape = record_tape(x)
    lines = [f"x = {x:.3g}: the loop ran {tape['halvings']} time(s), the engine recorded {len(tape['ops'])} ops"]
    lines += [f"  {i:2d}. {op}" for i, op in enumerate(tape["ops"], start=1)]
    lines.append(f"output f(x) = {tape['output']:.5f},  df/dx = {tape['grad']:.5f}")
    return "\n".join(lines)


def dynamic_graph_explorer(x=3.0):
    """A slider for x (no unit; range -40..40) and the tape the engine records for it, updated on release.

    Shows define-by-run: the graph is rebuilt on every call, so its length follows the data-dependent loop.
    Returns the widget (display it as a cell result); nothing graded depends on it.
    """
    import ipywidgets as widgets

    slider = widgets.FloatSlider(value=x, min=-40.0, max=40.0, step=0.1, description="input x",
                                 continuous_update=False, readout_format=".1f",
                                 style={"description_width": "6em"}, layout=slider_layout())
    panel = widgets.HTML()

    def refresh(_change=None):
        panel.value = f"<pre>{html.escape(describe_tape(slider.value))}</pre>"

    slider.observe(refresh, names="value")
    refresh()
    return widgets.VBox([slider, panel])
