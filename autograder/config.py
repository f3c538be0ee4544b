"""The nbgrader configuration of the course: where things are, the sandboxed probe grading, feedback without hidden
tests."""
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import AssignLatePenalties, CheckCellMetadata, GetGrades, LimitOutput
from traitlets.config import Config

from .bwrap import Limits
from .execute import ProbeExecute
from .feedback import HideHiddenTests, ShortenGradeTracebacks
from .feedback_math import MathToMathML
from .paths import COURSE_ID
from .student_cells import StudentCells
from .verdicts import DecideVerdicts, PlanProbes, RecordRun, SaveVerdicts

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
    # nbgrader's steps, then ours: raises-exception tags (Run All goes on past blank exercises), the self-check cell
    c.GenerateAssignment.preprocessors = (GenerateAssignment.class_traits()["preprocessors"].make_dynamic_default()
                                          + [StudentCells])
    c.Exchange.root = str(root)  # not used by generate, but keeps nbgrader from probing the system-wide exchange
    return c


def grading_config(workspace, limits=None, sandboxed=True):
    """Config for the whole instructor loop in ``workspace`` (release, collect, autograde, feedback).

    Autograde: plan the probes from the instructor's source, run the submission in a bubblewrap sandbox asking
    them (ProbeExecute), decide verdicts in this process, save scores from the verdicts alone, and record what
    happened as a file (RecordRun). Feedback hides hidden tests and shortens test-cell tracebacks.
    """
    limits = limits or Limits()
    c = generate_config(workspace.root, workspace.course_id)
    c.CourseDirectory.db_url = workspace.db_url
    c.Exchange.root = str(workspace.exchange)
    c.Exchange.path_includes_course = False
    c.ExchangeCollect.check_owner = False
    c.OverwriteCells.add_missing_cells = True
    c.Autograde.autograde_preprocessors = [
        PlanProbes, ProbeExecute, DecideVerdicts, ClearMetadataPreprocessor, LimitOutput,
        SaveVerdicts, AssignLatePenalties, CheckCellMetadata, RecordRun,
    ]
    c.PlanProbes.workspace = workspace
    c.PlanProbes.limits = limits
    c.PlanProbes.sandboxed = sandboxed
    c.ProbeExecute.timeout = int(limits.cell_timeout)
    c.ProbeExecute.notebook_budget = float(limits.notebook_budget)
    c.ProbeExecute.memory_limit_mb = int(limits.memory_mb)
    c.ProbeExecute.output_limit_mb = float(limits.output_mb)
    c.ProbeExecute.sandboxed = sandboxed
    c.ProbeExecute.run_tag = workspace.run_tag
    c.RecordRun.folder = str(workspace.root / "runs")
    c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, ShortenGradeTracebacks, MathToMathML,
                                        CSSHTMLHeaderPreprocessor]
    return c
