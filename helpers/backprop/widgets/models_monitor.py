"""A live training display for chapter 02: the progress bar of backprop.progress plus a loss plot redrawn
every few steps (TrainingMonitor), and fit_live, which runs backprop.train.fit one epoch at a time under it.
"""
from __future__ import annotations

from ..plots import OKABE_ITO, label
from ..progress import Progress
from ..validate import positive_int

__all__ = ["TrainingMonitor", "fit_live"]


class TrainingMonitor:
    """A progress bar and a loss plot that redraws every `every` steps (in Jupyter), or a text line elsewhere.

    Call `update(step, **metrics)` once per step (metrics are numbers, e.g. loss=0.3) and `close()` at the end;
    `history` keeps every value. The plot is redrawn at most ~`max_redraws` times so it never slows training.
    """

    def __init__(self, total: int, title: str = "Training", xlabel: str = "step", every: int | None = None,
                 max_redraws: int = 12, log_scale: bool = False, enabled: bool = True):
        positive_int("TrainingMonitor", "total", total, "steps")
        self.total, self.title, self.xlabel, self.log_scale = int(total), title, xlabel, log_scale
        self.every = every or max(1, self.total // max(1, max_redraws))
        self.history: dict[str, list] = {}
        self.steps: list[int] = []
        self.enabled = enabled
        self._progress = Progress(self.total, enabled, unit=xlabel, every=self.every)
        self._notebook = self._progress.widget is not None
        self._handle = None
        self._fig = None
        if self._notebook:
            from IPython.display import display
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
        self._progress.update(int(step), self._status(step))
        if self._notebook and (step % self.every == 0 or step == self.total):
            self._draw()
            self._handle.update(self._fig)

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
