"""Widgets never block headless execution, and the widget gallery lists every widget of the course.

The student notebooks with widgets (and the gallery) run top to bottom with nbclient, as nbconvert and nbgrader
run them: they must finish, every widget cell must display its widget, and no widget cell may fail on the blank
student notebook. (The solution notebooks are already executed by tests/grading/test_solutions.py.)
"""
from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
import sys
from pathlib import Path

import nbformat
import pytest

from browser_setup import COURSE, REPO

sys.path.insert(0, str(REPO / "scripts"))
import make_widget_gallery  # noqa: E402

from backprop.steady_client import kernel_config  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
GALLERY = REPO / "solutions" / "widget_gallery" / "widget_gallery.ipynb"


def widget_builders() -> set[str]:
    """Public functions and classes of backprop.widgets.* whose code builds ipywidgets."""
    import backprop.widgets as package

    found = set()
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and "widgets." in inspect.getsource(obj):
                found.add(name)
    return found


def test_gallery_lists_every_widget():
    builders = widget_builders()
    assert builders, "found no widget in backprop.widgets"
    listed = {name for name, *_ in make_widget_gallery.ENTRIES}
    missing = builders - listed
    assert not missing, (f"widgets missing from the gallery: {sorted(missing)}; add them to ENTRIES in "
                         f"scripts/make_widget_gallery.py and run it, then `python -m autograder generate`")


def test_gallery_notebook_is_what_the_script_writes():
    stored = nbformat.read(GALLERY, as_version=4)
    assert [c.source for c in stored.cells] == [c.source for c in make_widget_gallery.build().cells], \
        "solutions/widget_gallery/ is stale: run `python scripts/make_widget_gallery.py`"


def _widget_notebooks() -> list[Path]:
    builders = widget_builders()

    def uses_widgets(path):  # calls a widget builder (draw_graph and other plots from backprop.widgets do not count)
        cells = json.loads(path.read_text())["cells"]
        sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        return any(re.search(rf"\b{name}\(", source) for source in sources for name in builders)

    return sorted(p for p in COURSE.glob("*/*.ipynb") if uses_widgets(p))


@pytest.mark.slow
@pytest.mark.parametrize("path", _widget_notebooks(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_widget_notebook_runs_headless(path, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel should use the notebook's inline backend
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}}, config=kernel_config())
    client.execute()  # a widget waiting for input would hang here until the per-cell timeout fails the test

    builders = widget_builders()
    calls = [c for c in nb.cells if c.cell_type == "code"
             and any(re.search(rf"\b{name}\(", c.source) for name in builders)]
    assert calls, f"{path.name}: no cell calls a widget from backprop.widgets"
    for cell in calls:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"a widget cell failed on the blank notebook:\n{cell.source}\n{errors[0].evalue}"
    shown = [c for c in nb.cells if any(WIDGET_VIEW in o.get("data", {}) for o in c.get("outputs", []))]
    assert shown, f"{path.name}: no cell displayed a widget when run headless"
    if path.parent.name == "widget_gallery":
        failures = [(c.source, o.evalue) for c in nb.cells if c.cell_type == "code"
                    for o in c.outputs if o.output_type == "error"]
        assert not failures, f"the gallery must run without errors: {failures}"
        assert len(shown) >= len(make_widget_gallery.ENTRIES), "some gallery entries displayed no widget"
