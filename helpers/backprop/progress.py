"""The one progress bar of backprop (fit, the widgets' TrainingMonitor, notebooks' own loops).

In Jupyter: an ipywidgets bar with a status line, updated in place. Elsewhere (terminal, tests, nbconvert):
one printed line per `every` steps. tqdm would do the same but is not a dependency of the course; this is
the few lines it takes on top of ipywidgets, which the course has anyway.
"""
from __future__ import annotations

import sys

from .validate import positive_int

__all__ = ["Progress", "in_notebook"]


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where widgets display), False in a terminal or a plain IPython shell."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class Progress:
    """A bar from 0 to `total` steps: `update(step, logs)` shows step/total and the numbers in `logs`.

    logs is a dict of numbers (shown with 4 decimals; "lr" and "time" are left out of the status, and "time"
    in seconds ends the printed line) or a ready-made status string. enabled=False shows nothing.
    """

    def __init__(self, total: int, enabled: bool = True, unit: str = "epoch", every: int = 1):
        self.total = positive_int("Progress", "total", total)
        self.enabled, self.unit, self.every = enabled, unit, positive_int("Progress", "every", every)
        self.widget = None
        if enabled and in_notebook():
            try:
                import ipywidgets as widgets
                from IPython.display import display

                self.bar = widgets.IntProgress(value=0, min=0, max=self.total, description=f"{unit} 0/{self.total}",
                                               style={"description_width": "9em"})
                self.label = widgets.HTML(value="")
                self.widget = widgets.HBox([self.bar, self.label])
                display(self.widget)
            except Exception:  # no widget support: fall back to text
                self.widget = None

    @property
    def epochs(self) -> int:
        """`total` under the name fit() uses."""
        return self.total

    def update(self, step: int, logs: dict | str = "") -> None:
        """Show the state after `step` (1-based) steps."""
        if not self.enabled:
            return
        text = logs if isinstance(logs, str) else "  ".join(
            f"{k} {v:.4f}" for k, v in logs.items() if k not in ("lr", "time"))
        if self.widget is not None:
            self.bar.value = step
            self.bar.description = f"{self.unit} {step}/{self.total}"
            self.label.value = text
            return
        if step % self.every and step != self.total:
            return
        width = 20
        filled = int(width * step / self.total)
        seconds = f"  ({logs['time']:.2f}s)" if isinstance(logs, dict) and "time" in logs else ""
        print(f"{self.unit} {step:>{len(str(self.total))}}/{self.total} [{'#' * filled}{'.' * (width - filled)}] "
              f"{text}{seconds}", file=sys.stdout, flush=True)
