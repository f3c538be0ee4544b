"""The nbgrader configuration of the course: where things are, the sandboxed executor, feedback without hidden tests."""
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, GetGrades, IgnorePattern,
                                    LimitOutput, SaveAutoGrades)
import os
import sys

from traitlets.config import Config

from .feedback import HideHiddenTests, ShortenGradeTracebacks
from .paths import COURSE_ID
from .sandbox import SandboxedExecute

# nbgrader runs the `alembic` executable to create a gradebook: make the one beside this Python findable
# even when the venv is not activated (e.g. `.venv/bin/python -m autograder ...`).
_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

# What a student sees in place of a solution region.
CODE_STUB = ('# YOUR CODE HERE\n'
             'raise NotImplementedError("Replace this line with your code, then run the cell again.")')


def generate_config(root, course_id=COURSE_ID):
    """Config for ``nbgrader generate_assignment`` in the course directory ``root``."""
    c = Config()
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.course_id = course_id
    c.CourseDirectory.db_url = f"sqlite:///{root}/gradebook.db"
    c.ClearSolutions.code_stub = {"python": CODE_STUB}
    c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
    c.GenerateAssignment.force = True
    c.Exchange.root = str(root)  # not used by generate, but keeps nbgrader from probing the system-wide exchange
    return c


def grading_config(workspace, *, cell_timeout=30, notebook_budget=180, memory_mb=3072, sandbox_user="nobody"):
    """Config for the whole instructor loop in ``workspace`` (release, collect, autograde, feedback).

    Autograde runs student code with :class:`SandboxedExecute` (private temp dir, unprivileged user, memory
    limit, per-cell timeout and a per-notebook wall budget) and re-inserts deleted test cells; feedback hides
    hidden tests and shortens grade-cell tracebacks.
    """
    c = generate_config(workspace.root, workspace.course_id)
    c.Exchange.root = str(workspace.exchange)
    c.Exchange.path_includes_course = False
    c.ExchangeCollect.check_owner = False
    c.OverwriteCells.add_missing_cells = True
    c.Autograde.autograde_preprocessors = [
        SandboxedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
        SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
    ]
    c.SandboxedExecute.timeout = int(cell_timeout)
    c.SandboxedExecute.notebook_budget = float(notebook_budget)
    c.SandboxedExecute.memory_limit_mb = int(memory_mb)
    c.SandboxedExecute.sandbox_user = sandbox_user or ""
    c.SandboxedExecute.hidden_paths = [str(workspace.root), str(workspace.exchange), str(workspace.solutions)]
    c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, ShortenGradeTracebacks, CSSHTMLHeaderPreprocessor]
    return c
