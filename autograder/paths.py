"""Where things live in the repository: solutions/ (nbgrader source) and course/ (the release)."""
from pathlib import Path

from .errors import UserError

REPO = Path(__file__).resolve().parents[1]
SOLUTIONS = REPO / "solutions"
COURSE = REPO / "course"
DEFAULT_WORKSPACE = REPO / "autograder" / "workspace"
COURSE_ID = "backprop-course"
IGNORED = {".ipynb_checkpoints", "__pycache__", ".DS_Store"}


def find_solutions(explicit=None, cwd=None):
    """The solutions/ folder to grade from: ``explicit`` (--solutions DIR), else ./solutions, else the checkout's.

    An installed (not editable) backprop-grade has no solutions/ beside it: it must be told, or run from the
    course repository. Raises a UserError saying where it looked.
    """
    if explicit is not None:
        folder = Path(explicit).expanduser().resolve()
        if not any(folder.glob("*/*.ipynb")):
            raise UserError(f"--solutions {folder} holds no assignment (no <assignment>/*.ipynb in it)",
                            "pass the course repository's solutions/ folder, "
                            "e.g. --solutions ~/backprop-course/solutions")
        return folder
    looked = []
    for folder in (Path(cwd or Path.cwd()) / "solutions", SOLUTIONS):
        folder = folder.resolve()
        if any(folder.glob("*/*.ipynb")):
            return folder
        looked.append(str(folder))
    raise UserError("cannot find the instructor notebooks (solutions/): looked in "
                    + " and ".join(dict.fromkeys(looked)),
                    "run backprop-grade from the course repository, or pass --solutions DIR")


def default_workspace(solutions):
    """The default workspace of a solutions/ folder: autograder/workspace/ beside it (the checkout's own)."""
    return Path(solutions).parent / "autograder" / "workspace"


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


def ensure_tools_on_path():
    """Put this Python's bin folder on PATH (once, when an nbgrader API is made, never at import).

    nbgrader runs the `alembic` executable to create a gradebook; without the venv activated (e.g.
    `.venv/bin/python -m autograder ...`) it would not be found.
    """
    import os
    import sys

    bin_dir = os.path.dirname(sys.executable)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
