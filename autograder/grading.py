"""The instructor loop on top of nbgrader's API: release, collect, autograde (with recorded outcomes), feedback."""
import multiprocessing
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

from . import answer_key, gradebook, outcomes
from .bwrap import Limits, check_available
from .errors import UserError
from .generate import compare_release, copy_assignment
from .outcomes import RunRecord
from .paths import check_assignment
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
    gradebook.ensure(workspace.db_url, workspace.course_id)  # a new one is stamped in this process (gradebook.py)
    copy_assignment(workspace.solutions / assignment_id, workspace.root / "source" / assignment_id)
    api = workspace.api()
    result = api.generate_assignment(assignment_id, force=True, create=True)
    if not result["success"]:
        _fail(f"generating {assignment_id}", result, f"fix solutions/{assignment_id}/ and run release again")
    for source in sorted((workspace.root / "source" / assignment_id).glob("*.ipynb")):
        answer_key.plan_for(source, assignment_id)  # every test cell declares probes, or release stops here
    # The student version just generated for the exchange is compared with course/ (no second generation).
    stale = compare_release(assignment_id, workspace.root / "release" / assignment_id, workspace.course)
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
    """Collect submissions from the exchange, trusting nothing in it (see autograder.exchange)."""
    from . import exchange

    return exchange.collect(workspace, assignment_id, log).students


def _notebook_names(workspace, assignment_id):
    return sorted(p.name for p in (workspace.root / "release" / assignment_id).glob("*.ipynb"))


def _zero_grades(workspace, assignment_id, student_id):
    """Remove a stale score: every grade of this submission becomes 0 and is marked for manual review."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(workspace.db_url, workspace.course_id) as gb:
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
    folder = workspace.root / "autograded" / student_id / assignment_id
    shutil.rmtree(folder, ignore_errors=True)
    _show_for_manual_grading(workspace, assignment_id, student_id, folder)


def _show_for_manual_grading(workspace, assignment_id, student_id, folder):
    """Put the submission's readable notebooks, outputs cleared (no stale grader output), where formgrader looks
    for graded notebooks: it lists only those, so a zeroed submission shows up in its "needs manual grade" queue."""
    for path in sorted(workspace.submitted_dir(assignment_id, student_id).glob("*.ipynb")):
        try:
            if path.is_symlink():
                continue
            nb = nbformat.read(str(path), as_version=4)
        except Exception:  # corrupt: nothing formgrader could show
            continue
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(folder / path.name))


def submission_score(workspace, assignment_id, student_id):
    """(score, max_score) of a submission from the gradebook, or (None, None)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(workspace.db_url, workspace.course_id) as gb:
        try:
            submission = gb.find_submission(assignment_id, student_id)
        except MissingEntry:
            return None, None
        return float(submission.score), float(submission.max_score)


def _notebook_problems(workspace, assignment_id, student_id, record):
    """Missing or unreadable notebooks of a submission (they are not graded), and review flags for the rest."""
    submitted = workspace.submitted_dir(assignment_id, student_id)
    released = workspace.root / "release" / assignment_id
    problems = []
    for name in _notebook_names(workspace, assignment_id):
        path = submitted / name
        if path.is_symlink() or not path.is_file():
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
    return problems


def _runs(workspace, assignment_id, student_id):
    folder = workspace.root / "runs"
    return [RunRecord.read(folder, assignment_id, student_id, Path(name).stem)
            for name in _notebook_names(workspace, assignment_id)]


def _grade_once(workspace, api, assignment_id, student_id):
    """One nbgrader autograde of a submission; (success, run records, log tail)."""
    shutil.rmtree(workspace.root / "runs" / assignment_id / student_id, ignore_errors=True)
    result = api.autograde(assignment_id, student_id, force=True, create=True)
    runs = [r for r in _runs(workspace, assignment_id, student_id) if r is not None]
    return result["success"], runs, _log_tail(result, 3)


def autograde_one(workspace, api, assignment_id, student_id):
    """Autograde one submission; always returns an outcome record and never leaves a stale score behind.

    The score is the grader's verdicts saved in the gradebook; a run that timed out is retried once. A failed
    submission's grades are cleared by the caller (autograde), which also records grader errors.
    """
    started = time.monotonic()
    record = {"status": "graded", "flags": [], "message": ""}
    problems = _notebook_problems(workspace, assignment_id, student_id, record)
    if problems:
        record.update(status=problems[0][0], message="; ".join(message for _, message in problems))
        _zero_grades(workspace, assignment_id, student_id)
    else:
        success, runs, tail = _grade_once(workspace, api, assignment_id, student_id)
        if success and any(r["status"] == "timeout" for r in runs):
            record["flags"].append("timed out once and was graded again")
            success, runs, tail = _grade_once(workspace, api, assignment_id, student_id)
        bad = [r for r in runs if r["status"] != "ok"]
        if not success or len(runs) < len(_notebook_names(workspace, assignment_id)):
            record.update(status="failed", message=tail or "nbgrader could not grade this submission")
        elif bad:
            record.update(status=bad[0]["status"], message=bad[0]["message"])
        if any(r.get("output_truncated") for r in runs):
            record["flags"].append("printed more output than the grader keeps")
    score, max_score = submission_score(workspace, assignment_id, student_id)
    if record["status"] in ("corrupt", "failed", "missing"):
        score = 0.0
    record.update(score=score, max_score=max_score, seconds=round(time.monotonic() - started, 2))
    timestamp = workspace.submitted_dir(assignment_id, student_id) / "timestamp.txt"
    record["submitted_at"] = timestamp.read_text().strip()[:64] if timestamp.is_file() else ""
    return record


def _failed_record(exc):
    return {"status": "failed", "flags": [], "score": 0.0, "max_score": None,
            "message": f"grader error: {type(exc).__name__}: {exc}"}


_WORKER = {}


def _grade_in_worker(args):
    """Worker process: grade one student with this process's own nbgrader API (made once per process)."""
    workspace, assignment_id, student_id = args
    if "api" not in _WORKER:
        _WORKER["api"] = workspace.api()
    try:
        return student_id, autograde_one(workspace, _WORKER["api"], assignment_id, student_id)
    except Exception as exc:
        return student_id, _failed_record(exc)


def default_jobs():
    """One more grading job than cores: a kernel starting up or waiting on a message leaves its core idle, and
    the extra job fills it (chapter 00 on 2 cores: 44 notebooks/minute with 2 jobs, 59 with 3, under other load)."""
    return (os.cpu_count() or 1) + 1


def autograde(workspace, assignment_id, students=None, log=print, jobs=None, shard=None):
    """Autograde every collected submission (or the given students), ``jobs`` at a time, each in its own sandbox.

    One failure never stops the others; every submission gets an outcome record. Gradebook writes are
    serialized by SQLite's lock (or the database server); outcome records are written by this process only.
    """
    check_assignment(assignment_id, workspace.solutions)
    workspace.require()
    if workspace.sandboxed:
        check_available()
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
    if shard:
        index, count = shard
        students = [s for k, s in enumerate(sorted(students)) if k % count == index - 1]
        if not students:
            log(f"shard {index}/{count} holds no students")
            return []
    limits = workspace.limits or Limits()
    for name in _notebook_names(workspace, assignment_id):  # build (or check) the answer keys once, up front
        answer_key.ensure(workspace, assignment_id, name, limits, workspace.sandboxed, log)
    jobs = max(1, min(jobs or default_jobs(), len(students)))
    results = []

    def finish(student_id, record):
        if record["status"] == "failed":
            _zero_grades(workspace, assignment_id, student_id)
        record = outcomes.save(workspace, assignment_id, student_id, record)
        results.append(record)
        score = "-" if record["score"] is None else f"{record['score']:g}/{record['max_score']:g}"
        flags = f"  [{len(record['flags'])} flag(s)]" if record["flags"] else ""
        log(f"{student_id:<20} {record['status']:<8} {score:>9}  {record['message'][:80]}{flags}")

    if jobs == 1:
        api = workspace.api()
        for student_id in students:
            try:
                record = autograde_one(workspace, api, assignment_id, student_id)
            except Exception as exc:  # belt and braces: record, clear, carry on with the next student
                record = _failed_record(exc)
            finish(student_id, record)
    else:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            for student_id, record in pool.map(_grade_in_worker, [(workspace, assignment_id, s) for s in students]):
                finish(student_id, record)
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
    from .feedback import generate_feedback

    statuses = generate_feedback(workspace, assignment_id, students, log)
    written = sorted(student for student, status in statuses.items() if status.ok)
    log(f"feedback for {len(written)} student(s) in {workspace.root / 'feedback'} (released to the exchange)")
    return written
