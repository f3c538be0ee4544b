"""The student side of the exchange (what `nbgrader fetch_assignment` / `submit` do), for tests and scripts."""
from pathlib import Path

from traitlets.config import Config

from .errors import UserError
from .paths import COURSE_ID


def _config(exchange, course_id, home):
    c = Config()
    c.Exchange.root = str(exchange)
    c.Exchange.path_includes_course = False
    c.CourseDirectory.course_id = course_id
    c.CourseDirectory.root = str(home)
    c.Exchange.assignment_dir = str(home)
    c.Exchange.cache = str(Path(home) / ".nbgrader-cache")
    return c


def _run(app_class, config, assignment_id, student_id=None):
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment_id
    if student_id:
        coursedir.student_id = student_id
    app = app_class(coursedir=coursedir, authenticator=Authenticator(config=config), config=config)
    result = capture_log(app)
    if not result["success"]:
        lines = [line for line in (result.get("log", "") + result.get("error", "")).splitlines() if line.strip()]
        raise UserError(f"{app_class.__name__} of {assignment_id} failed: " + " | ".join(lines[-3:]))
    return result


def fetch(exchange, assignment_id, home, course_id=COURSE_ID):
    """Copy the released assignment into ``home/<assignment_id>/``; returns that folder."""
    from nbgrader.exchange.default import ExchangeFetchAssignment

    Path(home).mkdir(parents=True, exist_ok=True)
    _run(ExchangeFetchAssignment, _config(exchange, course_id, home), assignment_id)
    return Path(home) / assignment_id


def submit(exchange, assignment_id, home, student_id, course_id=COURSE_ID):
    """Submit ``home/<assignment_id>/`` as ``student_id`` (each call is a new, timestamped submission)."""
    from nbgrader.exchange.default import ExchangeSubmit

    _run(ExchangeSubmit, _config(exchange, course_id, home), assignment_id, student_id)


def fetch_feedback(exchange, assignment_id, home, student_id, course_id=COURSE_ID):
    """Copy released feedback into ``home/<assignment_id>/feedback/``; returns the HTML files found."""
    from nbgrader.exchange.default import ExchangeFetchFeedback

    _run(ExchangeFetchFeedback, _config(exchange, course_id, home), assignment_id, student_id)
    return sorted((Path(home) / assignment_id / "feedback").rglob("*.html"))
