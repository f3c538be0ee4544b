"""Chapter 05 widgets: a decision-threshold explorer (precision, recall, confusion matrix) and a sampling-temperature
explorer for the character-level language model."""
from __future__ import annotations

import numpy as np

from .sliders import slider_layout


def threshold_metrics(scores, y_true, threshold: float) -> dict:
    """Confusion counts and metrics when every score >= ``threshold`` is called positive (class 1).

    Returns tp, fp, fn, tn (ints) and precision, recall, specificity, accuracy (floats; a ratio with a zero
    denominator is reported as nan, e.g. precision when nothing is called positive).
    """
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    y = np.asarray(y_true).reshape(-1)
    if len(scores) != len(y):
        raise ValueError(f"threshold_metrics: {len(scores)} scores but {len(y)} labels; they must match")
    if not set(np.unique(y).tolist()) <= {0, 1}:
        raise ValueError("threshold_metrics: labels must be 0 (negative) or 1 (positive)")
    pred = scores >= threshold
    pos = y == 1
    tp, fp = int(np.sum(pred & pos)), int(np.sum(pred & ~pos))
    fn, tn = int(np.sum(~pred & pos)), int(np.sum(~pred & ~pos))

    def ratio(a, b):
        return a / b if b else float("nan")

    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": ratio(tp, tp + fp), "recall": ratio(tp, tp + fn),
            "specificity": ratio(tn, tn + fp), "accuracy": ratio(tp + tn, len(y))}


def precision_recall_curve(scores, y_true):
    """Precision and recall at every distinct score used as the threshold (ascending thresholds)."""
    thresholds = np.unique(np.asarray(scores, dtype=np.float64))
    rows = [threshold_metrics(scores, y_true, t) for t in thresholds]
    return thresholds, np.array([r["precision"] for r in rows]), np.array([r["recall"] for r in rows])


def _draw(scores, y_true, threshold, names, fig=None):
    """Draw the confusion matrix and the precision-recall curve with the current threshold marked."""
    import matplotlib.pyplot as plt

    from ..plots import OKABE_ITO, label

    m = threshold_metrics(scores, y_true, threshold)
    fig = fig or plt.figure(figsize=(9.5, 3.8))
    ax1, ax2 = fig.subplots(1, 2)
    matrix = np.array([[m["tn"], m["fp"]], [m["fn"], m["tp"]]])
    ax1.imshow(matrix, cmap="cividis")
    ax1.grid(False)
    for (i, j), count in np.ndenumerate(matrix):
        ax1.text(j, i, str(count), ha="center", va="center", fontsize=14,
                 color="black" if count > matrix.max() / 2 else "white")
    ax1.set_xticks([0, 1], [f"predicted {names[0]}", f"predicted {names[1]}"])
    ax1.set_yticks([0, 1], [f"true {names[0]}", f"true {names[1]}"])
    label(ax1, f"Confusion matrix at threshold {threshold:.2f}", "prediction", "truth")
    _, precision, recall = precision_recall_curve(scores, y_true)
    ax2.plot(recall, precision, color=OKABE_ITO["blue"], label="all thresholds")
    ax2.plot([m["recall"]], [m["precision"]], "o", color=OKABE_ITO["vermillion"], markersize=9,
             label=f"threshold {threshold:.2f}")
    ax2.set_xlim(0, 1.02)
    ax2.set_ylim(0, 1.02)
    label(ax2, "Precision against recall", f"recall (share of {names[1]} found)",
          f"precision (share of alarms that are {names[1]})", legend=True)
    fig.tight_layout()
    return fig, m


def describe_threshold(scores, y_true, threshold: float, names=("benign", "malignant")) -> str:
    """One-paragraph text summary of the metrics at ``threshold`` (what the widget prints under the plot)."""
    m = threshold_metrics(scores, y_true, threshold)
    return (f"threshold {threshold:.2f}: {m['tp']} of {m['tp'] + m['fn']} {names[1]} cases found "
            f"(recall {m['recall']:.3f}), {m['fn']} missed; {m['fp']} {names[0]} cases flagged by mistake "
            f"(precision {m['precision']:.3f}); accuracy {m['accuracy']:.3f}")


def threshold_explorer(scores, y_true, names=("benign", "malignant"), threshold: float = 0.5):
    """A slider for the decision threshold (a probability, 0 to 1) with the confusion matrix, the point on the
    precision-recall curve and the counts updated when it is released. Returns the widget to display.

    ``scores`` are predicted probabilities of the positive class (label 1, called ``names[1]``).
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    threshold_metrics(scores, y_true, threshold)  # validates the inputs before any widget exists
    slider = widgets.FloatSlider(value=threshold, min=0.0, max=1.0, step=0.01, continuous_update=False,
                                 description="threshold (probability)", readout_format=".2f",
                                 style={"description_width": "12em"}, layout=slider_layout())

    def show(threshold):
        _draw(scores, y_true, threshold, names)
        plt.show()
        print(describe_threshold(scores, y_true, threshold, names))

    out = widgets.interactive_output(show, {"threshold": slider})
    return widgets.VBox([slider, out])


def temperature_softmax(logits, temperature: float) -> np.ndarray:
    """softmax(logits / temperature), computed stably; temperature must be positive."""
    if not temperature > 0:
        raise ValueError(f"temperature must be a positive number, got {temperature!r}")
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max()
    p = np.exp(z)
    return p / p.sum()


def temperature_explorer(next_logits, vocab, prompt: str, temperature: float = 1.0, top: int = 12):
    """A temperature slider (0.1 to 2) showing the model's probabilities for the character after ``prompt``.

    ``next_logits(prompt)`` returns one logit per entry of ``vocab``. Returns the widget to display.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    from ..plots import OKABE_ITO, label

    logits = np.asarray(next_logits(prompt), dtype=np.float64)
    if logits.shape != (len(vocab),):
        raise ValueError(f"temperature_explorer: next_logits should give {len(vocab)} logits, got {logits.shape}")
    slider = widgets.FloatSlider(value=temperature, min=0.1, max=2.0, step=0.05, continuous_update=False,
                                 description="temperature T", readout_format=".2f",
                                 style={"description_width": "8em"}, layout=slider_layout())

    def show(temperature):
        p = temperature_softmax(logits, temperature)
        order = np.argsort(p)[::-1][:top]
        fig, ax = plt.subplots(figsize=(7, 3))
        ax.bar(range(len(order)), p[order], color=OKABE_ITO["blue"])
        ax.set_xticks(range(len(order)), ["space" if vocab[i] == " " else vocab[i] for i in order])
        ax.set_ylim(0, 1)
        shown = prompt if len(prompt) <= 24 else "..." + prompt[-21:]
        label(ax, f"Next character after '{shown}' at T = {temperature:.2f}", "character", "probability")
        fig.tight_layout()
        plt.show()
        entropy = -np.sum(p * np.log(p + 1e-300))
        print(f"entropy {entropy:.2f} nats: as uncertain as a uniform choice among {np.exp(entropy):.1f} characters")

    out = widgets.interactive_output(show, {"temperature": slider})
    return widgets.VBox([slider, out])
