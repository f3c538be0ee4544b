"""Regenerate course/ (the student notebooks) from solutions/ with nbgrader's generate_assignment."""
import filecmp
import shutil
import tempfile
from pathlib import Path

from .errors import UserError
from .paths import COURSE, IGNORED, SOLUTIONS, assignment_ids, check_assignment, ensure_tools_on_path


def copy_assignment(src, dest):
    """Replace ``dest`` with a copy of the assignment folder ``src`` (no checkpoints or caches)."""
    if Path(dest).exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(*IGNORED))


def run_generate_assignment(root, assignment_id, config):
    """nbgrader generate_assignment for one assignment of the course directory ``root``; UserError on failure."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from . import gradebook

    ensure_tools_on_path()
    gradebook.ensure(config.CourseDirectory.db_url, config.CourseDirectory.course_id)  # stamped in this process
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    api.log_level = "ERROR"
    result = api.generate_assignment(assignment_id, force=True, create=True)
    if not result["success"]:
        raise UserError(f"nbgrader could not generate the student version of {assignment_id}:\n"
                        + _last_error(result),
                        f"fix the notebook in solutions/{assignment_id}/ (cell metadata, BEGIN/END markers)")
    return Path(root) / "release" / assignment_id


def _last_error(result):
    text = (result.get("error") or "") + (result.get("log") or "")
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(lines[-5:])


def build_release(assignment_id, dest, solutions=SOLUTIONS):
    """Write the student version of ``assignment_id`` into ``dest`` (using a throwaway gradebook)."""
    from .config import generate_config

    with tempfile.TemporaryDirectory(prefix="generate-") as tmp:
        copy_assignment(Path(solutions) / assignment_id, Path(tmp) / "source" / assignment_id)
        released = run_generate_assignment(tmp, assignment_id, generate_config(tmp))
        copy_assignment(released, dest)
    return Path(dest)


def generate(assignments=None, solutions=SOLUTIONS, course=COURSE):
    """Regenerate course/<assignment>/ for every assignment (or the given ones); returns the ids written."""
    ids = assignments or assignment_ids(solutions)
    for assignment_id in ids:
        check_assignment(assignment_id, solutions)
        build_release(assignment_id, Path(course) / assignment_id, solutions)
    return ids


def compare_release(assignment_id, fresh, course=COURSE):
    """Files of course/<assignment> that differ from the freshly generated student version in ``fresh``."""
    problems = []
    current = Path(course) / assignment_id
    if not current.is_dir():
        return [f"course/{assignment_id}/ is missing"]
    fresh_files = {p.relative_to(fresh) for p in Path(fresh).rglob("*") if p.is_file()}
    current_files = {p.relative_to(current) for p in current.rglob("*") if p.is_file()
                     and not set(p.relative_to(current).parts) & IGNORED}
    for rel in sorted(fresh_files ^ current_files):
        problems.append(f"course/{assignment_id}/{rel} is {'missing' if rel in fresh_files else 'extra'}")
    for rel in sorted(fresh_files & current_files):
        if not filecmp.cmp(Path(fresh) / rel, current / rel, shallow=False):
            problems.append(f"course/{assignment_id}/{rel} differs from what solutions/ generates")
    return problems


def differences(solutions=SOLUTIONS, course=COURSE):
    """Files that differ between course/ and a fresh generation from solutions/ (empty list = in sync)."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="generate-check-") as tmp:
        for assignment_id in assignment_ids(solutions):
            fresh = build_release(assignment_id, Path(tmp) / assignment_id, solutions)
            problems += compare_release(assignment_id, fresh, course)
        known = set(assignment_ids(solutions))
        if Path(course).is_dir():
            for extra in sorted(p.name for p in Path(course).iterdir() if p.is_dir() and p.name not in IGNORED):
                if extra not in known:
                    problems.append(f"course/{extra}/ has no solutions/{extra}/")
    return problems
