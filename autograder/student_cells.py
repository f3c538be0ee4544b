"""The last step of generating a student notebook: Run All goes on past blank exercises, and a self-check cell.

nbgrader's generate_assignment runs :class:`StudentCells` after its own steps (see ``config.generate_config``), so
course/ and a class's release hold the same notebooks:

- the cells that fail on purpose in a blank notebook (a solution cell holding the stub that raises
  NotImplementedError, and every graded test cell) get the ``raises-exception`` tag: JupyterLab's Run All and
  nbclient go on past their error. The grader runs every cell whatever happens, so the scores do not change;
- a graded notebook ends with an ungraded self-check section (a markdown cell, then a read-only code cell showing
  the button of ``backprop.self_check``): Run All only shows the button, a click grades the saved file. Its
  ``skip-execution`` tag keeps the grader and Validate (nbclient) from running the cell at all.
"""
import nbformat
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

RAISES, SKIP = "raises-exception", "skip-execution"
STUB = "raise NotImplementedError"
SELF_CHECK_MARKDOWN = """\
## Self-check (not graded)

Want to see your score before you hand in? **Save the notebook first** (Ctrl+S), run the cell below and press
its button: the self-check grades the *saved* file in a fresh kernel, with the same hidden tests and answer key
as the grader, and lists the points of every graded cell with the messages of the checks that failed (never
the expected values).
It needs the course repository's `solutions/` folder; in a class your instructor grades your submission instead
(press Validate, then submit)."""
SELF_CHECK_CODE = """\
# Self-check (not graded): save the notebook first (Ctrl+S), then press the button.
from backprop.self_check import self_check_button

self_check_button()"""


def fails_when_blank(cell):
    """True for a cell whose error in a blank student notebook is expected: an exercise stub or a graded test."""
    if cell.cell_type != "code":
        return False
    if utils.is_solution(cell):
        return STUB in cell.source
    return utils.is_grade(cell)


def add_tag(cell, tag):
    tags = cell.setdefault("metadata", {}).setdefault("tags", [])
    if tag not in tags:
        tags.append(tag)


def is_self_check(cell):
    return cell.cell_type == "code" and SKIP in cell.get("metadata", {}).get("tags", []) \
        and "self_check" in cell.source


def self_check_cells():
    """The two cells of the self-check section (fixed cell ids, so that generating twice gives the same file)."""
    markdown = nbformat.v4.new_markdown_cell(SELF_CHECK_MARKDOWN, id="self-check-md")
    code = nbformat.v4.new_code_cell(SELF_CHECK_CODE, id="self-check",
                                     metadata={"editable": False, "deletable": False, "tags": [SKIP]})
    return [markdown, code]


def student_cells(nb):
    """Tag the cells that fail on purpose and end a graded notebook with the self-check section (idempotent)."""
    graded = False
    for cell in nb.cells:
        if fails_when_blank(cell):
            add_tag(cell, RAISES)
        graded = graded or (cell.cell_type == "code" and utils.is_grade(cell))
    if graded and not any(is_self_check(cell) for cell in nb.cells):
        nb.cells.extend(self_check_cells())
    return nb


class StudentCells(NbGraderPreprocessor):
    """nbgrader preprocessor wrapping :func:`student_cells` (the last step of generate_assignment)."""

    def preprocess(self, nb, resources):
        return student_cells(nb), resources
