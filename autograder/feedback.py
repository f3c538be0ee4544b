"""Feedback: students see their grades and the tests' printed explanations, never hidden tests.

``HideHiddenTests`` and ``ShortenGradeTracebacks`` are the feedback preprocessors of the nbgrader config;
``generate_feedback`` runs nbgrader's feedback generation one student at a time, so one student's content can only
ever fail that student's feedback.
"""
import html
import re
import shutil
from dataclasses import dataclass

import nbformat
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor

from .feedback_math import strip_remote_scripts

HIDDEN_NOTE = "# (hidden tests were run but are not shown)"
REMOVED_NOTE = "(text between hidden-test markers removed)"
MIN_SECRET_LINE = 16  # hidden-test lines shorter than this are too generic to look for in outputs
MIN_SECRET_HITS = 3   # this many distinct hidden-test lines shown => a leak (a dump of the input history, a copy)


class HideHiddenTests(ClearHiddenTests):
    """Remove '### BEGIN/END HIDDEN TESTS' regions from the autograded notebook before it becomes feedback.

    Fails closed and never raises: in every cell (test cells are restored from the gradebook and well formed;
    other cells are the student's own, whatever their metadata claims) a BEGIN line starts a hidden region that
    ends after the next END line or at the end of the cell; nested BEGINs and stray ENDs are dropped. So no marker
    text and nothing between markers reaches the HTML, and a student's own marker text cannot break feedback.
    """

    enforce_metadata = False

    def _remove_hidden_test_region(self, cell):
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        kept, in_test, removed = [], False, False
        for line in source.split("\n"):
            if self.begin_test_delimeter in line:
                in_test = removed = True
            elif self.end_test_delimeter in line:
                in_test, removed = False, True
            elif not in_test:
                kept.append(line)
        cell.source = "\n".join(kept)
        return removed

    def preprocess_cell(self, cell, resources, cell_index):
        try:
            removed = self._remove_hidden_test_region(cell)
        except Exception:  # never let one odd cell break the feedback: show nothing of it
            cell.source, removed = "", True
        if removed:
            if utils.is_grade(cell):
                note = HIDDEN_NOTE
            else:
                note = f"# {REMOVED_NOTE}" if cell.cell_type == "code" else f"*{REMOVED_NOTE}*"
            cell.source = (cell.source.rstrip() + "\n" + note).lstrip("\n")
        return cell, resources


class ShortenGradeTracebacks(NbGraderPreprocessor):
    """Replace the traceback of every error in a test cell by its last line, so no hidden assert is echoed."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_grade(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    name, value = output.get("ename", "Error"), output.get("evalue", "")
                    output["traceback"] = [f"\x1b[0;31m{name}\x1b[0m: {value}"]
        return cell, resources


@dataclass
class FeedbackStatus:
    """What happened to one student's feedback: status is "released", "generated" (release=False),
    "failed" (nbgrader could not make it) or "withheld" (it would have shown hidden tests; deleted)."""
    status: str
    message: str = ""

    @property
    def ok(self):
        return self.status in ("released", "generated")


def _markers(config):
    section = config.get("ClearHiddenTests", {})
    return (section.get("begin_test_delimeter", "BEGIN HIDDEN TESTS"),
            section.get("end_test_delimeter", "END HIDDEN TESTS"))


def hidden_test_lines(workspace, assignment_id, markers=("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")):
    """Distinctive lines of the hidden tests of an assignment (from the workspace's source/ notebooks), minus any
    line that also appears in the released (student) version."""
    begin, end = markers
    secret, public = set(), set()
    for path in sorted((workspace.root / "source" / assignment_id).glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            in_test = False
            for line in cell.source.split("\n"):
                if begin in line:
                    in_test = True
                elif end in line:
                    in_test = False
                elif in_test and len(line.strip()) >= MIN_SECRET_LINE:
                    secret.add(line.strip())
    for path in sorted((workspace.root / "release" / assignment_id).glob("*.ipynb")):
        for cell in nbformat.read(str(path), as_version=4).cells:
            public.update(line.strip() for line in cell.source.split("\n"))
    return secret - public


def _output_text(nb):
    """Everything the notebook's outputs would show (streams, rich data, errors)."""
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", "") if isinstance(output.get("text", ""), str) else "".join(output["text"]))
            for value in (output.get("data") or {}).values():
                parts.append(value if isinstance(value, str) else "".join(value) if isinstance(value, list) else "")
            parts.append(str(output.get("evalue", "")))
            parts.extend(str(line) for line in output.get("traceback", []))
    return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(parts))


def _page_text(page):
    """The visible text of an HTML page (tags removed, entities decoded), without <style>/<script> blocks."""
    page = re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _leak(workspace, assignment_id, student_id, markers, secrets):
    """Why this student's feedback must not be released, or ''."""
    folder = workspace.root / "feedback" / student_id / assignment_id
    for page in sorted(folder.glob("*.html")):
        text = page.read_text(errors="replace")
        visible = _page_text(text)
        for marker in markers:
            if marker in text or marker in visible:
                return f"{page.name} contains the marker {marker!r}"
        found = [line for line in secrets if line in visible]
        if len(found) >= min(MIN_SECRET_HITS, len(secrets)) and found:
            return f"{page.name} shows {len(found)} line(s) of the hidden tests (e.g. {found[0][:60]!r})"
    for path in sorted((workspace.root / "autograded" / student_id / assignment_id).glob("*.ipynb")):
        try:
            outputs = _output_text(nbformat.read(str(path), as_version=4))
        except Exception:
            continue
        found = [line for line in secrets if line in outputs]
        if len(found) >= min(MIN_SECRET_HITS, len(secrets)) and found:
            return (f"the outputs of {path.name} print {len(found)} line(s) of the hidden tests "
                    f"(e.g. {found[0][:60]!r}); review this submission")
    return ""


def _tail(result, lines=2):
    text = "\n".join(part for part in (result.get("log"), result.get("error")) if part)
    kept = [line.strip() for line in text.splitlines() if line.strip() and "checksum" not in line.lower()]
    return " | ".join(kept[-lines:])[:300]


def graded_students(workspace, assignment_id):
    """Students whose outcome allows feedback (graded, timeout, crashed); without outcomes, those autograded."""
    from . import outcomes

    records = outcomes.load(workspace, assignment_id)
    if records:
        return sorted(s for s, r in records.items() if r.get("status") in ("graded", "timeout", "crashed"))
    base = workspace.root / "autograded"
    return sorted(p.name for p in base.iterdir() if (p / assignment_id).is_dir()) if base.is_dir() else []


def generate_feedback(workspace, assignment_id, students=None, log=print, *, release=True):
    """HTML feedback (hidden tests removed) for each student on their own, released to the exchange.

    ``students`` defaults to every student with a gradable outcome (see :func:`graded_students`). One student's
    notebook can only fail that student's feedback: nbgrader runs once per student, every exception is caught,
    and a page that would show hidden-test markers or hidden-test lines (e.g. printed from the kernel's input
    history) is deleted and reported as "withheld". A student whose feedback fails or is withheld has no stale
    feedback left behind in feedback/. Returns {student: FeedbackStatus}.
    """
    api = workspace.api()
    markers = _markers(api.config)
    try:
        secrets = hidden_test_lines(workspace, assignment_id, markers)
    except Exception as exc:  # the check would be weaker, never skipped silently
        secrets = set()
        log(f"warning: could not read the hidden tests of {assignment_id} to check feedback against "
            f"({type(exc).__name__}: {exc}); only the markers are checked")
    results = {}
    for student_id in (graded_students(workspace, assignment_id) if students is None else students):
        folder = workspace.root / "feedback" / student_id / assignment_id
        try:
            shutil.rmtree(folder, ignore_errors=True)
            outcome = api.generate_feedback(assignment_id, student_id, force=True)
            if not outcome["success"] or not list(folder.glob("*.html")):
                status = FeedbackStatus("failed", _tail(outcome) or "nbgrader wrote no feedback page")
            else:
                for page in folder.glob("*.html"):  # offline: no MathJax or other script from a CDN
                    page.write_text(strip_remote_scripts(page.read_text(errors="replace")))
                leak = _leak(workspace, assignment_id, student_id, markers, secrets)
                if leak:
                    status = FeedbackStatus("withheld", leak)
                elif release:
                    outcome = api.release_feedback(assignment_id, student_id)
                    status = (FeedbackStatus("released") if outcome["success"] else
                              FeedbackStatus("failed", "release to the exchange failed: " + _tail(outcome)))
                else:
                    status = FeedbackStatus("generated")
        except Exception as exc:  # belt and braces: this student only
            status = FeedbackStatus("failed", f"{type(exc).__name__}: {exc}")
        if not status.ok:
            shutil.rmtree(folder, ignore_errors=True)
            log(f"{student_id}: feedback {status.status}: {status.message}")
        results[student_id] = status
    done = sum(1 for s in results.values() if s.ok)
    log(f"feedback for {done} of {len(results)} student(s) in {workspace.root / 'feedback'}"
        + (" (released to the exchange)" if release else ""))
    return results
