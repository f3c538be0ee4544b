"""The instructor loop on top of nbgrader's API: release, collect, autograde (with recorded outcomes), feedback."""
import shutil
import time
from pathlib import Path

import nbformat

from . import outcomes
from .errors import UserError
from .generate import copy_assignment, differences
from .paths import check_assignment
from .sandbox import EXECUTION_RECORDS
from .tamper import inspect_submission


def _log_tail(result, lines=6):
    text = "\n".join(part for part in (result.get("log"), result.get("error")) if part)
    kept = [line for line in text.splitlines() if line.strip() and "checksum" not in line.lower()]
    return "\n".join(kept[-lines:])


def _fail(what, result, hint):
    raise UserError(f"{what} failed:\n{_log_tail(result)}", hint)


def release(workspace, assignment_id, log=print):
    """Copy solutions/<a> into the workspace source/, generate the student version and release it to the exchange."""
    check_assignment(assignment_id, workspace.solutions)
    workspace.create()
    copy_assignment(workspace.solutions / assignment_id, workspace.root / "source" / assignment_id)
    api = workspace.api()
    result = api.generate_assignment(assignment_id, force=True, create=True)
    if not result["success"]:
        _fail(f"generating {assignment_id}", result, f"fix solutions/{assignment_id}/ and run release again")
    stale = [p for p in differences(workspace.solutions, workspace.course) if f"/{assignment_id}/" in p]
    if stale:
        log("warning: course/ is out of date with solutions/ (" + "; ".join(stale[:3]) +
            "); run `make course` and commit it so students and graders see the same notebooks")
    app = api.exchange.ReleaseAssignment(coursedir=api.coursedir, authenticator=api.authenticator, parent=api)
    app.force = True
    api.coursedir.assignment_id = assignment_id
    from nbgrader.utils import capture_log
    result = capture_log(app)
    if not result["success"]:
        _fail(f"releasing {assignment_id} to the exchange {workspace.exchange}", result,
              "check that the exchange directory exists and is writable (--exchange DIR)")
    log(f"released {assignment_id} to {workspace.exchange}")
    return workspace.root / "release" / assignment_id


def submitted_students(workspace, assignment_id):
    """Students with a collected submission of ``assignment_id``."""
    base = workspace.root / "submitted"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / assignment_id).is_dir())


def collect(workspace, assignment_id, log=print):
    """Collect submissions from the exchange; newer resubmissions replace older ones (collect --update)."""
    check_assignment(assignment_id, workspace.solutions)
    workspace.require()
    api = workspace.api()
    result = api.collect(assignment_id, update=True)
    if not result["success"]:
        _fail(f"collecting {assignment_id}", result, "release the assignment first and check --exchange")
    students = submitted_students(workspace, assignment_id)
    log(f"collected {assignment_id}: {len(students)} submission(s) in {workspace.root / 'submitted'}")
    return students


def _notebook_names(workspace, assignment_id):
    return sorted(p.name for p in (workspace.root / "release" / assignment_id).glob("*.ipynb"))


def _zero_grades(workspace, assignment_id, student_id):
    """Remove a stale score: every grade of this submission becomes 0 and is marked for manual review."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{workspace.gradebook}", workspace.course_id) as gb:
        try:
            gb.update_or_create_student(student_id)
            submission = gb.update_or_create_submission(assignment_id, student_id)
        except MissingEntry:
            return
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = 0
                grade.manual_score = None
                grade.needs_manual_grade = True
        gb.db.commit()
    shutil.rmtree(workspace.root / "autograded" / student_id / assignment_id, ignore_errors=True)


def submission_score(workspace, assignment_id, student_id):
    """(score, max_score) of a submission from the gradebook, or (None, None)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{workspace.gradebook}", workspace.course_id) as gb:
        try:
            submission = gb.find_submission(assignment_id, student_id)
        except MissingEntry:
            return None, None
        return float(submission.score), float(submission.max_score)


def autograde_one(workspace, api, assignment_id, student_id):
    """Autograde one submission; always records an outcome and never leaves a stale score behind."""
    started = time.monotonic()
    submitted = workspace.submitted_dir(assignment_id, student_id)
    released = workspace.root / "release" / assignment_id
    record = {"status": "graded", "flags": [], "message": ""}
    problems = []
    for name in _notebook_names(workspace, assignment_id):
        path = submitted / name
        if not path.is_file():
            problems.append(("missing", f"{name} was not submitted"))
            continue
        try:
            nbformat.validate(nbformat.read(str(path), as_version=4))
        except Exception as exc:
            problems.append(("corrupt", f"{name} is not a readable notebook ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0][:160] if str(exc) else ''})"))
            continue
        try:
            record["flags"] += inspect_submission(path, released / name)
        except Exception as exc:  # a flagging problem must not stop grading
            record["flags"].append(f"could not inspect {name}: {type(exc).__name__}")
    if problems:
        status, _ = problems[0]
        record.update(status=status, message="; ".join(message for _, message in problems))
        _zero_grades(workspace, assignment_id, student_id)
    else:
        for key in [k for k in EXECUTION_RECORDS if k[:2] == (assignment_id, student_id)]:
            del EXECUTION_RECORDS[key]
        result = api.autograde(assignment_id, student_id, force=True, create=True)
        runs = [v for k, v in EXECUTION_RECORDS.items() if k[:2] == (assignment_id, student_id)]
        bad = [run for run in runs if run["status"] != "ok"]
        if not result["success"]:
            status = bad[0]["status"] if bad and bad[0]["status"] in ("timeout", "crashed") else "failed"
            record.update(status=status, message=(bad[0]["message"] if bad else "") or _log_tail(result, 3))
            _zero_grades(workspace, assignment_id, student_id)
        elif bad:
            record.update(status=bad[0]["status"], message=bad[0]["message"])
    score, max_score = submission_score(workspace, assignment_id, student_id)
    if record["status"] in ("corrupt", "failed", "missing"):
        score = 0.0
    record.update(score=score, max_score=max_score, seconds=round(time.monotonic() - started, 2))
    timestamp = submitted / "timestamp.txt"
    record["submitted_at"] = timestamp.read_text().strip() if timestamp.is_file() else ""
    return outcomes.save(workspace, assignment_id, student_id, record)


def autograde(workspace, assignment_id, students=None, log=print):
    """Autograde every collected submission (or the given students); one failure never stops the others."""
    check_assignment(assignment_id, workspace.solutions)
    workspace.require()
    available = submitted_students(workspace, assignment_id)
    if students:
        unknown = [s for s in students if s not in available]
        if unknown:
            raise UserError(f"no collected submission of {assignment_id} from: {', '.join(unknown)}",
                            f"run `collect {assignment_id}` first; collected students: "
                            f"{', '.join(available) or '(none)'}")
    else:
        students = available
    if not students:
        raise UserError(f"no submissions of {assignment_id} collected yet",
                        f"run `backprop-grade collect {assignment_id}` after students submit")
    api = workspace.api()
    results = []
    for student_id in students:
        try:
            record = autograde_one(workspace, api, assignment_id, student_id)
        except Exception as exc:  # belt and braces: record, clear, carry on with the next student
            _zero_grades(workspace, assignment_id, student_id)
            record = outcomes.save(workspace, assignment_id, student_id, {
                "status": "failed", "flags": [], "score": 0.0, "max_score": None,
                "message": f"grader error: {type(exc).__name__}: {exc}"})
        results.append(record)
        score = "-" if record["score"] is None else f"{record['score']:g}/{record['max_score']:g}"
        flags = f"  [{len(record['flags'])} flag(s)]" if record["flags"] else ""
        log(f"{student_id:<20} {record['status']:<8} {score:>9}  {record['message'][:80]}{flags}")
    return results


def feedback(workspace, assignment_id, students=None, log=print):
    """Generate HTML feedback (hidden tests removed) for graded submissions and release it to the exchange."""
    check_assignment(assignment_id, workspace.solutions)
    workspace.require()
    records = outcomes.load(workspace, assignment_id)
    graded = sorted(s for s, r in records.items() if r["status"] in ("graded", "timeout", "crashed"))
    if students:
        unknown = [s for s in students if s not in records]
        if unknown:
            raise UserError(f"no autograded submission of {assignment_id} from: {', '.join(unknown)}",
                            f"autograde first; graded students: {', '.join(graded) or '(none)'}")
        students = [s for s in students if s in graded]
    else:
        students = graded
    api = workspace.api()
    written = []
    for student_id in students:
        result = api.generate_feedback(assignment_id, student_id, force=True)
        folder = workspace.root / "feedback" / student_id / assignment_id
        if not result["success"]:
            log(f"{student_id}: feedback failed: {_log_tail(result, 2)}")
            continue
        for html in folder.glob("*.html"):
            if "BEGIN HIDDEN TESTS" in html.read_text():  # safety net: never hand out hidden tests
                html.unlink()
                raise UserError(f"feedback for {student_id} contained hidden tests and was deleted",
                                "report this as a bug in autograder/feedback.py")
        written.append(student_id)
        api.release_feedback(assignment_id, student_id)
    log(f"feedback for {len(written)} student(s) in {workspace.root / 'feedback'} (released to the exchange)")
    return written
