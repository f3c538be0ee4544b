"""The instructor workspace: an nbgrader course directory kept outside the notebooks' folders (mode 0700).

Layout: gradebook.db, source/ (a copy of solutions/<assignment> made by `release`), release/, submitted/,
autograded/, feedback/, answer_keys/ (every probe's answer on the solution), runs/ (one record per graded notebook),
exchange/ (unless --exchange points elsewhere), outcomes/ (one JSON per assignment: what happened to every
submission) and reports/.
"""
import os
from pathlib import Path

from .errors import UserError
from .paths import COURSE, COURSE_ID, DEFAULT_WORKSPACE, SOLUTIONS, ensure_tools_on_path


class Workspace:
    """Paths of one instructor workspace plus the nbgrader config/API bound to it."""

    def __init__(self, root=DEFAULT_WORKSPACE, exchange=None, course_id=COURSE_ID,
                 solutions=SOLUTIONS, course=COURSE, db_url=None):
        self.root = Path(root).resolve()
        # The gradebook: SQLite in the workspace by default; any SQLAlchemy URL (e.g. PostgreSQL) to share one
        # gradebook between several graders or machines.
        self.db_url = db_url or f"sqlite:///{self.root / 'gradebook.db'}"
        self.exchange = Path(exchange).resolve() if exchange else self.root / "exchange"
        self.course_id = course_id
        self.solutions = Path(solutions)
        self.course = Path(course)
        self.limits = None        # bwrap.Limits of autograde (None: the defaults)
        self.sandboxed = True     # False only with --trusted-no-sandbox

    # paths
    @property
    def gradebook(self):
        return self.root / "gradebook.db"

    def submitted_dir(self, assignment_id, student_id="*"):
        return self.root / "submitted" / student_id / assignment_id

    def outcomes_file(self, assignment_id):
        return self.root / "outcomes" / f"{assignment_id}.json"

    @property
    def reports(self):
        return self.root / "reports"

    @property
    def run_tag(self):
        """A short digest of this workspace's path: its sandboxes' run folders are /tmp/bpg-<tag>-*."""
        import hashlib

        return hashlib.sha256(str(self.root).encode()).hexdigest()[:8]

    def exists(self):
        if self.db_url.startswith("sqlite:///"):
            return Path(self.db_url[len("sqlite:///"):]).is_file()
        return (self.root / "source").is_dir()  # a shared database: this workspace has released something

    def create(self):
        """Make the workspace (owner-only) and the exchange directory."""
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        for sub in ("source", "release", "submitted", "autograded", "feedback", "outcomes", "reports"):
            (self.root / sub).mkdir(exist_ok=True)
        self.exchange.mkdir(parents=True, exist_ok=True)
        return self

    def require(self):
        """Raise a UserError unless `release` has set this workspace up."""
        if not self.exists():
            raise UserError(f"no grading workspace at {self.root} (no gradebook there yet)",
                            "release an assignment first (backprop-grade release 00_basics), "
                            "or pass the right --workspace DIR")
        return self

    # nbgrader
    def config(self):
        from .config import grading_config

        return grading_config(self, self.limits, self.sandboxed)

    def api(self):
        """An in-process NbGraderAPI for this workspace (no CLI start-up cost per call)."""
        import warnings

        from nbgrader.apps import NbGraderAPI
        from sqlalchemy.exc import SAWarning

        warnings.filterwarnings("ignore", category=SAWarning)  # harmless "not in session" noise in nbgrader
        from nbgrader.coursedir import CourseDirectory

        ensure_tools_on_path()
        cfg = self.config()
        api = NbGraderAPI(coursedir=CourseDirectory(config=cfg), config=cfg)
        api.log_level = "ERROR"
        return api
