#!/usr/bin/env python3
"""Write solutions/widget_gallery/widget_gallery.ipynb: one ungraded notebook showing every widget of the course.

    python scripts/make_widget_gallery.py      # then: python -m autograder generate widget_gallery

Each entry imports its widget from backprop.widgets, says what it shows and what to try, and displays it with
small, fast demo data. tests/browser/test_widget_gallery.py checks that every widget builder in backprop.widgets
is listed here and that the notebook runs headless without blocking.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "solutions" / "widget_gallery" / "widget_gallery.ipynb"

INTRO = """\
# Widget gallery

Every interactive widget of the course in one place, with small demo data, so you can try them (and an
instructor can check them) without working through a chapter. Nothing here is graded, and nothing graded
ever depends on a widget: graded answers are always code.

Run the whole notebook (**Run > Run All Cells**), then move the controls. Sliders that redraw a plot update
when you release them; the delta-rule sliders update as you drag. Run headless (nbconvert, nbgrader) the
widgets simply show their first state and never wait for input.
"""

SETUP = """\
%matplotlib inline
import numpy as np

import backprop
from backprop.plots import use_course_style

backprop.limit_blas_threads()   # one BLAS thread: fast and reproducible for this course's small matrices
use_course_style()
rng = np.random.default_rng(0)"""

# (widget, chapter where it is used, what it shows and what to try, demo code)
ENTRIES = [
    ("delta_rule_explorer", "00 basics",
     "One delta-rule step of a linear neuron with two inputs: forward pass, error and the update of each "
     "weight. Try: set the learning rate to 0 (nothing changes), or make the error zero.",
     "from backprop.widgets import delta_rule_explorer\n\ndelta_rule_explorer()"),
    ("backward_stepper", "01 techniques (chain rule)",
     "Steps the backward pass through a computational graph one node at a time; the text lists the chain-rule "
     "products of each step. Try: press play, or drag the step slider.",
     "from backprop import Value\nfrom backprop.widgets.techniques import backward_stepper\n\n"
     "a, b = Value(2.0, label=\"a\"), Value(-0.5, label=\"b\")\n"
     "c = a * b; c.label = \"c\"\n"
     "d = c + a; d.label = \"d\"\n"
     "loss = d.tanh(); loss.label = \"loss\"\n"
     "backward_stepper(loss)"),
    ("optimizer_paths", "01 techniques (optimizers)",
     "Paths of SGD, momentum, RMSprop and Adam on a 2-D loss surface. Try: raise the learning rate until SGD "
     "oscillates, or switch to the Rosenbrock valley.",
     "from backprop.widgets.techniques import optimizer_paths\n\noptimizer_paths(steps=60)"),
    ("gradient_norm_explorer", "01 techniques (BPTT) / 02 models (recurrent)",
     "How much gradient reaches each time step of an untrained RNN, LSTM and GRU. Try: more time steps, a "
     "recurrent weight scale above 1 (exploding) or below 1 (vanishing).",
     "from backprop.widgets.models import gradient_norm_explorer\n\ngradient_norm_explorer(seq_len=20)"),
    ("playground", "02 models (feed-forward)",
     "A small TensorFlow-Playground: choose data, depth, width, activation and learning rate, then press Train "
     "to run more gradient steps and redraw the decision boundary. Nothing trains until you click.",
     "from backprop.widgets.models import playground\n\nplayground(steps=50)"),
    ("fit_live", "02 models",
     "Training with a progress bar and a live loss plot (the TrainingMonitor below it). Here: a tiny network "
     "on the moons data for a few epochs.",
     "from backprop import nn, optim\nfrom backprop.data import DataLoader\n"
     "from backprop.widgets.models import build_mlp, fit_live, playground_data\n\n"
     "X, y = playground_data(\"moons\", n_samples=120)\n"
     "model = build_mlp(depth=1, width=8)\n"
     "history = fit_live(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.5),\n"
     "                   DataLoader(X, y, batch_size=40, shuffle=True, rng=rng), epochs=5)"),
    ("TrainingMonitor", "02 models",
     "The progress bar and loss plot that fit_live uses, driven by hand: call update(step, loss=...) once per "
     "step. Here it follows plain gradient descent on a parabola.",
     "from backprop.widgets.models import TrainingMonitor\n\n"
     "monitor = TrainingMonitor(20, title=\"Gradient descent on (w - 3)^2\")\n"
     "w = 0.0\nfor step in range(1, 21):\n    w -= 0.1 * 2 * (w - 3)\n"
     "    monitor.update(step, loss=(w - 3) ** 2)\nmonitor.close()"),
    ("image_explorer", "02 models (CNN)",
     "Pick an image and a filter: the image and that filter's feature map side by side. Here: digits and two "
     "hand-made edge filters.",
     "from backprop.data import load_digits\nfrom backprop.widgets.models import image_explorer\n\n"
     "X, _ = load_digits(split=False)\nimages = X[:6].reshape(-1, 8, 8)\n"
     "vertical = images[:, :, 1:] - images[:, :, :-1]\nhorizontal = images[:, 1:, :] - images[:, :-1, :]\n"
     "maps = np.stack([vertical[:, :7, :7], horizontal[:, :7, :7]], axis=1)\n"
     "image_explorer(images, maps, map_names=[\"vertical edges\", \"horizontal edges\"])"),
    ("code_space_explorer", "02 models (autoencoder)",
     "Move a point in a 2-D code space and see what the decoder makes of it. Here the \"decoder\" blends two "
     "digit images, so the code directly sets the mix.",
     "from backprop.data import load_digits\nfrom backprop.widgets.models import code_space_explorer\n\n"
     "pixels, _ = load_digits(split=False)\n"
     "zero, one = pixels[0] / pixels[0].max(), pixels[1] / pixels[1].max()\n"
     "def decode(codes):\n    t = 1 / (1 + np.exp(-codes[:, :1]))\n    return t * zero + (1 - t) * one\n"
     "codes = rng.normal(size=(200, 2))\n"
     "code_space_explorer(decode, codes, labels=(codes[:, 0] > 0).astype(int))"),
    ("snapshot_explorer", "02 models (GAN)",
     "A slider over saved training steps of a 1-D GAN: generated samples against the target density. Here "
     "the snapshots are made up: a spread that narrows onto the target.",
     "from backprop.widgets.models import snapshot_explorer\n\n"
     "grid = np.linspace(-4, 6, 200)\ntarget = np.exp(-(grid - 2) ** 2 / 2) / np.sqrt(2 * np.pi)\n"
     "steps = [0, 100, 200, 400]\n"
     "samples = [rng.normal(2 * k / 3, 3 - 2 * k / 3, size=500) for k in range(len(steps))]\n"
     "snapshot_explorer(steps, samples, target, grid)"),
    ("dynamic_graph_explorer", "03 software (frameworks)",
     "A program with a loop whose length depends on the input: the engine records a different graph for "
     "each x. Try: move x and watch the tape grow.",
     "from backprop.widgets.software import dynamic_graph_explorer\n\ndynamic_graph_explorer()"),
    ("init_explorer", "04 best practices (initialisation)",
     "Spread of activations and gradients through a deep network for several initialisations. Try: a deep "
     "tanh network with a too-small init, then Xavier.",
     "from backprop.widgets.practices import init_explorer\n\ninit_explorer(depth=10)"),
    ("temperature_explorer", "05 case studies (language model)",
     "Sampling temperature: the probabilities of the next character after a prompt, sharpened (T < 1) or "
     "flattened (T > 1). Here the \"model\" is a fixed table of scores for a few letters.",
     "from backprop.widgets.case_studies import temperature_explorer\n\n"
     "vocab = list(\"aehnorst \")\n"
     "scores = np.array([1.0, 2.5, 0.5, 1.5, 0.8, 1.2, 0.3, 2.0, 0.1])\n"
     "temperature_explorer(lambda prompt: scores, vocab, prompt=\"backpropagation is \")"),
    ("threshold_explorer", "05 case studies",
     "Move the decision threshold of a classifier: confusion matrix and precision-recall point update. Here: "
     "made-up scores of a fair classifier.",
     "from backprop.widgets.case_studies import threshold_explorer\n\n"
     "y_true = rng.integers(0, 2, size=300)\n"
     "scores = np.clip(0.25 + 0.5 * y_true + rng.normal(0, 0.2, size=300), 0, 1)\n"
     "threshold_explorer(scores, y_true)"),
]


def build() -> nbformat.NotebookNode:
    """The gallery notebook (no outputs, no nbgrader metadata: it is ungraded)."""
    nb = nbformat.v4.new_notebook()
    cells = [nbformat.v4.new_markdown_cell(INTRO), nbformat.v4.new_code_cell(SETUP)]
    for name, chapter, text, code in ENTRIES:
        cells.append(nbformat.v4.new_markdown_cell(f"## `{name}`  \n*Used in: {chapter}.*  \n{text}"))
        cells.append(nbformat.v4.new_code_cell(code))
    for index, cell in enumerate(cells):
        cell["id"] = f"gallery-{index:02d}"
    nb.cells = cells
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def main() -> int:
    """Write the gallery notebook; print where."""
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(build(), TARGET)
    print(f"wrote {TARGET.relative_to(REPO)} ({len(ENTRIES)} widgets); "
          f"now run: python -m autograder generate {TARGET.parent.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
