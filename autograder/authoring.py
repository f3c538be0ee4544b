"""Small helpers to write nbgrader cells (metadata schema 3) when authoring a solutions/ notebook.

The .ipynb files in solutions/ are the source of truth; these helpers only save typing the metadata.
"""
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _nbgrader(cell_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {"schema_version": 3, "grade": grade, "solution": solution, "locked": locked,
            "grade_id": cell_id, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def markdown(cell_id, text):
    """A plain markdown cell (prose)."""
    cell = new_markdown_cell(text.strip("\n"))
    cell.id = cell_id
    return cell


def code(cell_id, source):
    """A plain code cell the student may edit and run (demonstrations, plots)."""
    cell = new_code_cell(source.strip("\n"))
    cell.id = cell_id
    return cell


def locked(cell_id, source):
    """A read-only code cell that autograding restores from the gradebook (setup, given data)."""
    cell = code(cell_id, source)
    cell.metadata["nbgrader"] = _nbgrader(cell_id, locked=True)
    cell.metadata.update(editable=False, deletable=False)
    return cell


def solution(cell_id, source):
    """An autograded-answer cell: '### BEGIN SOLUTION' regions become stubs in the student version."""
    cell = code(cell_id, source)
    cell.metadata["nbgrader"] = _nbgrader(cell_id, solution=True)
    return cell


def tests(cell_id, source, points):
    """A locked autograder-tests cell worth ``points``: visible checks, then '### BEGIN HIDDEN TESTS' ones."""
    if "BEGIN HIDDEN TESTS" in source and not source.split("### BEGIN HIDDEN TESTS")[0].strip():
        raise ValueError(f"{cell_id}: a test cell needs at least one visible check before its hidden tests")
    cell = code(cell_id, source)
    cell.metadata["nbgrader"] = _nbgrader(cell_id, grade=True, locked=True, points=points)
    cell.metadata.update(editable=False, deletable=False)
    return cell


def notebook(cells):
    """A notebook (nbformat 4.5, python3 kernel) holding ``cells``, without outputs."""
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def write(nb, path):
    """Validate and write a notebook."""
    nbformat.validate(nb)
    nbformat.write(nb, str(path))
