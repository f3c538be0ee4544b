"""Where things live in the repository: solutions/ (nbgrader source) and course/ (the release)."""
from pathlib import Path

from .errors import UserError

REPO = Path(__file__).resolve().parents[1]
SOLUTIONS = REPO / "solutions"
COURSE = REPO / "course"
DEFAULT_WORKSPACE = REPO / "autograder" / "workspace"
COURSE_ID = "backprop-course"
IGNORED = {".ipynb_checkpoints", "__pycache__", ".DS_Store"}


def assignment_ids(solutions=SOLUTIONS):
    """The assignments (folders of solutions/ holding at least one notebook), sorted."""
    if not Path(solutions).is_dir():
        return []
    return sorted(p.name for p in Path(solutions).iterdir()
                  if p.is_dir() and p.name not in IGNORED and any(p.glob("*.ipynb")))


def check_assignment(assignment_id, solutions=SOLUTIONS):
    """Raise a UserError naming the known assignments if ``assignment_id`` is not one of them."""
    known = assignment_ids(solutions)
    if assignment_id not in known:
        raise UserError(f"unknown assignment {assignment_id!r}",
                        f"use one of: {', '.join(known) or '(none: solutions/ is empty)'}")
    return assignment_id
