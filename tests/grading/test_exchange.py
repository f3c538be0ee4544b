"""Attacks on the exchange (collect) and on feedback, against autograder.exchange and autograder.feedback.

A real exchange: `backprop-grade release`, simulated students fetch and submit with nbgrader's own client, then
entries are tampered with in inbound/ the way a student with write access to the exchange could. No notebook is
executed: collect only copies files, and the feedback test grades with nbgrader's autograde minus execution.
"""
import copy
import json
import os
import pwd
import secrets
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest

from autograder import exchange
from autograder.cli import main as cli
from autograder.feedback import HIDDEN_NOTE, HideHiddenTests, generate_feedback, hidden_test_lines
from autograder.paths import COURSE
from autograder.simulate import hand_in
from autograder.student import fetch_feedback
from autograder.workspace import Workspace

pytestmark = pytest.mark.xdist_group("exchange")  # one module fixture, built on one worker
A = "00_basics"
NB = "00_basics.ipynb"
RELEASED = nbformat.read(str(COURSE / A / NB), as_version=4)
NOW = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
FUTURE = "2099-01-01 00:00:00.000000 UTC"


def signed(student):
    """The released notebook with a cell saying who wrote it (so a collected copy can be attributed)."""
    nb = copy.deepcopy(RELEASED)
    nb.cells.append(nbformat.v4.new_markdown_cell(f"written by {student}"))
    return nb


def entries(ws, student):
    inbound = ws.exchange / ws.course_id / "inbound"
    return sorted(p for p in inbound.iterdir() if p.name.startswith(f"{student}+{A}+"))


def forge(ws, name, notebook_text=None, kind="dir"):
    """Create an inbound entry by hand (as a student with write access to inbound/ can)."""
    path = ws.exchange / ws.course_id / "inbound" / name
    if kind == "file":
        path.write_text("not a folder")
    else:
        path.mkdir()
        if notebook_text is not None:
            nbformat.write(nbformat.reads(notebook_text, as_version=4), str(path / NB))
            (path / "timestamp.txt").write_text(name.split("+")[2] if name.count("+") >= 2 else "")
    return path


def submitted_text(ws, student):
    return (ws.submitted_dir(A, student) / NB).read_text()


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    base = tmp_path_factory.mktemp("exchange")
    ws = Workspace(base / "workspace")
    homes = base / "students"
    assert cli(["release", A, "--workspace", str(ws.root)]) == 0
    students = ["alice", "bob", "sym_nb", "sym_gb", "fifo", "hardlink", "linker", "big", "resub"]
    for student in students:
        hand_in(ws, A, student, signed(student), homes)

    secret_source = (ws.root / "source" / A / NB)
    (entry,) = entries(ws, "sym_nb")                      # the notebook itself a link to the instructor's source
    (entry / NB).unlink()
    (entry / NB).symlink_to(secret_source)
    (entry,) = entries(ws, "sym_gb")                      # links to the gradebook and a classmate's submission
    (entry / "gradebook.db").symlink_to(ws.gradebook)
    (entry / "data").mkdir()
    (entry / "data" / "bob.ipynb").symlink_to(entries(ws, "bob")[0] / NB)
    (entry / "solutions").symlink_to(ws.root / "source", target_is_directory=True)
    (entry,) = entries(ws, "fifo")                        # a fifo (a naive copy blocks on it forever)
    os.mkfifo(entry / "pipe.ipynb")
    (entry,) = entries(ws, "hardlink")                    # a second name for the gradebook (same file system)
    os.link(ws.gradebook, entry / "grades.db")
    (entry,) = entries(ws, "linker")                      # the entry itself a link to a classmate's entry
    shutil.rmtree(entry)
    entry.symlink_to(entries(ws, "bob")[0], target_is_directory=True)
    (entry,) = entries(ws, "big")                         # 21 MB (sparse, so the test stays cheap)
    with open(entry / "weights.npy", "wb") as fh:
        fh.truncate(21 * 2**20)

    forged = nbformat.writes(signed("mallory"))
    forge(ws, f"bob+{A}+{FUTURE}+forged", forged)             # classmate's name, far-future client timestamp
    forge(ws, f"mallory+{A}", forged)                         # malformed names
    forge(ws, f"mallory+{A}+not-a-time+x", forged)
    forge(ws, f"mal\nlory+{A}+{NOW}+x", forged)
    forge(ws, f"../+{A}+{NOW}+x".replace("/", "_"), forged)
    forge(ws, f"filer+{A}+{NOW}+x", kind="file")              # an entry that is a file
    forge(ws, f"empty+{A}+{NOW}+x")                           # an empty entry
    forge(ws, f"other+01_techniques+{NOW}+x", forged)          # another assignment's entry: not ours, ignored

    lines = []
    result = exchange.collect(ws, A, log=lines.append)
    return {"ws": ws, "homes": homes, "result": result, "log": lines, "base": base}


def reasons(result):
    return {q.entry: q.reason for q in result.quarantined}


def test_everyone_else_is_collected(attacked):
    ws, result = attacked["ws"], attacked["result"]
    assert sorted(result.collected) == ["alice", "bob", "fifo", "hardlink", "resub", "sym_gb"]
    for student in result.collected:
        assert f"written by {student}" in submitted_text(ws, student)
        stamp = (ws.submitted_dir(A, student) / "timestamp.txt").read_text()
        moment = exchange._parse_time(stamp)
        assert abs((datetime.now(timezone.utc) - moment).total_seconds()) < 600, stamp  # the server's clock
        assert (ws.submitted_dir(A, student) / "submission_secret.txt").is_file()  # feedback release needs it


def test_attacked_classmate_keeps_her_submission(attacked):
    ws, result = attacked["ws"], attacked["result"]
    assert "written by bob" in submitted_text(ws, "bob")
    assert "mallory" not in submitted_text(ws, "bob")
    reason = reasons(result)[f"bob+{A}+{FUTURE}+forged"]
    assert "future" in reason


def test_no_symlink_target_or_hard_link_content_is_collected(attacked):
    ws = attacked["ws"]
    secret = (ws.root / "source" / A / NB).read_text()
    hidden = "BEGIN HIDDEN TESTS"
    assert hidden in secret
    for path in (ws.root / "submitted").rglob("*"):
        assert not path.is_symlink(), path
        if path.is_file():
            data = path.read_bytes()
            assert b"SQLite format 3" not in data, path
            assert hidden.encode() not in data, path
            assert b"written by bob" not in data or path.parts[-3] == "bob", path
    assert not ws.submitted_dir(A, "sym_nb").exists()
    assert not ws.submitted_dir(A, "linker").exists()
    assert sorted(p.name for p in ws.submitted_dir(A, "sym_gb").iterdir()) == \
        [NB, "data", "submission_secret.txt", "timestamp.txt"]
    skipped = {(entry.split("+")[0], rel): why for entry, rel, why in attacked["result"].skipped_files}
    assert skipped[("sym_gb", "gradebook.db")] == "a symbolic link"
    assert skipped[("sym_gb", "data/bob.ipynb")] == "a symbolic link"
    assert skipped[("sym_gb", "solutions")] == "a symbolic link"
    assert skipped[("fifo", "pipe.ipynb")] == "a fifo"
    assert skipped[("hardlink", "grades.db")].startswith("a hard link")


def test_malformed_entries_are_quarantined_with_a_reason(attacked):
    ws, result = attacked["ws"], attacked["result"]
    found = reasons(result)
    expected = {
        f"sym_nb+{A}": "no notebook: left out 00_basics.ipynb (a symbolic link)",
        f"linker+{A}": "is a symbolic link",
        f"big+{A}": "weights.npy is 21.0 MB",
        f"mallory+{A}\0": "is not named",
        f"mallory+{A}+not-a-time+x": "unreadable timestamp",
        f"mal\nlory+{A}": "unusable student id",
        f"filer+{A}": "is a file",
        f"empty+{A}": "holds no notebook",
    }
    for prefix, words in expected.items():
        hits = [reason for entry, reason in found.items() if (entry + "\0").startswith(prefix)]
        assert len(hits) == 1 and words in hits[0], (prefix, found)
    assert not any("01_techniques" in entry for entry in found)
    for q in result.quarantined:
        record = json.loads(Path(q.record).read_text())
        assert record["reason"] == q.reason and record["advice"] and record["entry"] == q.entry
        assert Path(q.record).parent == ws.root / "quarantine" / A
    for student in ("sym_nb", "linker", "big", "mallory", "filer", "empty"):
        assert not ws.submitted_dir(A, student).exists(), student


def test_one_log_line_per_problem(attacked):
    problems = [line for line in attacked["log"] if not line.startswith("collected ")]
    assert len(problems) == len(attacked["result"].quarantined) + len(attacked["result"].skipped_files)
    assert all("\n" not in line for line in attacked["log"]) and all("should" in line for line in problems)
    assert "mal\\nlory" in "".join(attacked["log"])  # control characters are escaped, not printed


def test_resubmission_replaces_by_server_clock_and_collect_is_idempotent(attacked):
    ws, homes = attacked["ws"], attacked["homes"]
    again = exchange.collect(ws, A, log=lambda line: None)
    assert again.collected == [] and "alice" in again.unchanged
    # a backdated client timestamp cannot hide a late resubmission: the server's clock orders entries
    forge(ws, f"resub+{A}+2001-01-01 00:00:00.000000 UTC+late", nbformat.writes(signed("resub, second try")))
    hand_in(ws, A, "alice", signed("alice, second try"), homes)
    result = exchange.collect(ws, A, log=lambda line: None)
    assert sorted(result.collected) == ["alice", "resub"]
    assert "second try" in submitted_text(ws, "resub") and "second try" in submitted_text(ws, "alice")
    stamp = exchange._parse_time((ws.submitted_dir(A, "resub") / "timestamp.txt").read_text())
    assert stamp.year >= 2024
    # a broken latest entry does not replace a good earlier one
    forge(ws, f"alice+{A}+{NOW}+zzz")
    result = exchange.collect(ws, A, log=lambda line: None)
    assert "alice" in result.unchanged and "second try" in submitted_text(ws, "alice")
    assert any(q.entry == f"alice+{A}+{NOW}+zzz" for q in result.quarantined)
    assert not [p for p in ws.submitted_dir(A, "alice").parent.iterdir() if p.name.startswith(".")]


@pytest.fixture
def unprivileged_user():
    if os.geteuid() != 0:
        pytest.skip("creating a second real user for the multi-user exchange needs root")
    if not shutil.which("useradd"):
        pytest.skip("useradd is not installed")
    name = "bpx" + secrets.token_hex(3)
    subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)
    try:
        yield pwd.getpwnam(name)
    finally:
        subprocess.run(["userdel", name], check=False)


def test_multi_user_exchange_attributes_entries_to_their_owner(attacked, unprivileged_user):
    ws, user = attacked["ws"], unprivileged_user
    before = submitted_text(ws, "bob")
    forged = nbformat.writes(signed(user.pw_name))
    impostor = forge(ws, f"bob+{A}+{NOW}+impostor", forged)          # a real user's entry named after bob
    own = forge(ws, f"{user.pw_name}+{A}+{NOW}+own", forged)          # the same user's honest entry...
    (own / "planted.txt").write_text("planted by someone else")       # ...with a file another user put there
    for path in (impostor, impostor / NB, impostor / "timestamp.txt", own, own / NB, own / "timestamp.txt"):
        os.chown(path, user.pw_uid, user.pw_gid, follow_symlinks=False)
    lines = []
    result = exchange.collect(ws, A, log=lines.append)
    assert submitted_text(ws, "bob") == before
    found = reasons(result)
    assert f"claims to be from 'bob' but is owned by '{user.pw_name}'" in found[impostor.name]
    assert user.pw_name in result.collected
    assert ws.submitted_dir(A, user.pw_name).joinpath(NB).is_file()
    assert not ws.submitted_dir(A, user.pw_name).joinpath("planted.txt").exists()
    assert (own.name, "planted.txt", "a file owned by another user") in result.skipped_files


# feedback ---------------------------------------------------------------------------------------------------------

def grade_without_running(ws, students):
    """nbgrader's autograde minus execution: fills autograded/ and the gradebook without starting kernels."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import CheckCellMetadata, SaveAutoGrades

    ws.api()  # silences nbgrader's harmless SAWarnings, as the workspace's own API does
    cfg = ws.config()
    cfg.Autograde.autograde_preprocessors = [SaveAutoGrades, CheckCellMetadata]
    api = NbGraderAPI(coursedir=CourseDirectory(config=cfg), config=cfg)
    for student in students:
        result = api.autograde(A, student, force=True, create=True)
        assert result["success"], result.get("log", "") + result.get("error", "")


def solution_cell(nb):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code")


def test_one_students_markers_or_leak_only_affect_that_student(attacked):
    ws, homes = attacked["ws"], attacked["homes"]
    nb = signed("marker")
    solution_cell(nb).source += "\n### BEGIN HIDDEN TESTS\nmy_own_code = 1"
    nb.cells.append(nbformat.v4.new_markdown_cell("### END HIDDEN TESTS, said the student"))
    students = {"fb_marker": nb, "fb_leak": signed("leak"), "fb_dump": signed("dump"), "fb_ok": signed("ok")}
    for student, content in students.items():
        hand_in(ws, A, student, content, homes)
    exchange.collect(ws, A, log=lambda line: None)
    grade_without_running(ws, list(students))
    # what `print(_ih)` in a student's cell shows: earlier cells' sources, hidden tests included
    secret_lines = sorted(hidden_test_lines(ws, A))
    assert len(secret_lines) >= 3
    for student, text in [("fb_leak", "### BEGIN HIDDEN TESTS\n" + secret_lines[0]),
                          ("fb_dump", "\n".join(secret_lines))]:
        path = ws.root / "autograded" / student / A / NB
        graded = nbformat.read(str(path), as_version=4)
        solution_cell(graded).outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        nbformat.write(graded, str(path))

    lines = []
    status = generate_feedback(ws, A, list(students) + ["nobody_here"], log=lines.append)
    assert status["fb_ok"].status == "released" and status["fb_marker"].status == "released", status
    assert status["fb_leak"].status == "withheld" and "marker" in status["fb_leak"].message
    assert status["fb_dump"].status == "withheld" and "hidden tests" in status["fb_dump"].message
    assert status["nobody_here"].status == "failed"
    for student in ("fb_leak", "fb_dump", "nobody_here"):
        assert not list((ws.root / "feedback" / student / A).glob("*.html")), student
    page = (ws.root / "feedback" / "fb_marker" / A / "00_basics.html").read_text()
    assert "BEGIN HIDDEN TESTS" not in page and "END HIDDEN TESTS" not in page
    assert HIDDEN_NOTE[2:] in page and "written by marker" in page
    assert fetch_feedback(ws.exchange, A, homes / "fb_ok", "fb_ok", ws.course_id)
    assert fetch_feedback(ws.exchange, A, homes / "fb_marker", "fb_marker", ws.course_id)
    assert len([line for line in lines if "feedback withheld" in line or "feedback failed" in line]) == 3


def grade_cell(source, grade=True, solution=False):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": grade, "solution": solution, "locked": grade and not solution,
                                 "grade_id": "x", "points": 1}
    return cell


@pytest.mark.parametrize("source, kept", [
    ("visible\n### BEGIN HIDDEN TESTS\nsecret\n### END HIDDEN TESTS\nafter", ["visible", "after"]),
    ("visible\n### BEGIN HIDDEN TESTS\nsecret", ["visible"]),                       # no END: hide the rest
    ("### BEGIN HIDDEN TESTS\n### BEGIN HIDDEN TESTS\nsecret\n### END HIDDEN TESTS\nafter", ["after"]),  # nested
    ("visible\n### END HIDDEN TESTS\nafter", ["visible", "after"]),                 # stray END
])
@pytest.mark.parametrize("grade", [True, False])
def test_hide_hidden_tests_never_raises_and_leaves_no_marker(source, kept, grade):
    cell = grade_cell(source) if grade else nbformat.v4.new_code_cell(source)
    out, _ = HideHiddenTests().preprocess_cell(cell, {}, 0)
    assert "HIDDEN TESTS" not in out.source.replace(HIDDEN_NOTE, "")
    assert "secret" not in out.source
    assert [line for line in out.source.split("\n") if not line.startswith("# (")] == kept
