"""Chapter 03.1 without the `frameworks` extra: each library cell prints how to install it and claims no result.

The kernel gets a directory of stub packages (torch, jax, keras, pytensor, tensorflow) first on PYTHONPATH, each
raising ImportError when imported, so the notebook sees a machine without the extra even where .venv has it.
"""
import os
import re

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.paths import SOLUTIONS

NOTEBOOK = SOLUTIONS / "03_software" / "01_frameworks.ipynb"
STUBBED = ("torch", "jax", "keras", "pytensor", "tensorflow")
# the cells that need a library of the extra (by cell id), and the library whose install line each must print
LIBRARY_CELLS = {"torch": "PyTorch", "jax": "JAX", "keras": "Keras", "pytensor": "PyTensor"}
FOLLOW_UP_CELLS = ("jaxpr", "dprint")  # use a library set up by the cell before: silent when it was skipped
INSTALL_LINE = re.compile(r"^(\w+) (?:is not installed|runs on the JAX backend here, and JAX is not installed), "
                          r"so this cell is skipped; to run it: make frameworks .*$")


def _stream_text(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


@pytest.fixture(scope="module")
def executed_without_extra(tmp_path_factory):
    """The instructor notebook run in a kernel whose imports of the extra's libraries all fail."""
    stubs = tmp_path_factory.mktemp("no-frameworks")
    for name in STUBBED:
        (stubs / name).mkdir()
        (stubs / name / "__init__.py").write_text(
            f"raise ImportError('{name} is stubbed out: this test runs without the frameworks extra')\n")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(stubs)] + ([old] if old else []))
    try:  # the kernel inherits this environment when it starts
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    finally:
        if old is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = old
    return {cell.get("id"): cell for cell in nb.cells}


@pytest.mark.slow
def test_each_library_cell_prints_one_install_line_and_nothing_else(executed_without_extra):
    for cell_id, library in LIBRARY_CELLS.items():
        cell = executed_without_extra[cell_id]
        outputs = cell.get("outputs", [])
        assert all(o.get("output_type") == "stream" and o.get("name") == "stdout" for o in outputs), (
            f"cell {cell_id!r} wrote more than its install line without {library}: {outputs}")
        lines = _stream_text(cell).splitlines()
        assert len(lines) == 1 and INSTALL_LINE.match(lines[0]), (
            f"cell {cell_id!r} should print exactly one install line without {library}, printed {lines}")
        assert lines[0].startswith(library), f"cell {cell_id!r} names {lines[0].split()[0]}, not {library}"
    for cell_id in FOLLOW_UP_CELLS:
        assert not executed_without_extra[cell_id].get("outputs"), f"cell {cell_id!r} printed without its library"


@pytest.mark.slow
def test_no_cell_claims_a_library_result_without_the_extra(executed_without_extra):
    summary = _stream_text(executed_without_extra["agreement"]).splitlines()
    assert summary == [f"{library:9s} skipped (not installed)" for library in LIBRARY_CELLS.values()], summary
    for cell_id, cell in executed_without_extra.items():
        if cell.get("cell_type") != "code":
            continue
        text = _stream_text(cell)
        for library in LIBRARY_CELLS.values():
            assert not re.search(rf"{library}\b.*(difference|loss =|backend:)", text), (
                f"cell {cell_id!r} reports a {library} result although {library} cannot be imported: {text!r}")
        assert "all that ran agree" not in text, f"cell {cell_id!r} claims an agreement no library computed"
