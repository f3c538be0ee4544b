"""`release` generates only the assignment it releases: it never regenerates the whole course to check one
assignment for staleness (that took 41-51 s; one assignment takes a few seconds)."""
import time

import pytest

from autograder import generate, grading
from autograder.workspace import Workspace

pytestmark = pytest.mark.slow


def test_release_generates_one_assignment_only(tmp_path, monkeypatch):
    def whole_course(*args, **kwargs):
        raise AssertionError("release must not regenerate course/ to compare it")

    monkeypatch.setattr(generate, "differences", whole_course)
    monkeypatch.setattr(generate, "build_release", whole_course)
    ws = Workspace(tmp_path / "ws")
    started = time.monotonic()
    grading.release(ws, "00_basics", log=lambda *_: None)
    seconds = time.monotonic() - started
    outbound = ws.exchange / ws.course_id / "outbound"
    assert sorted(p.name for p in outbound.iterdir()) == ["00_basics"]
    assert sorted(p.name for p in (ws.root / "release").iterdir()) == ["00_basics"]  # nbgrader generated one
    assert seconds < 30, f"release took {seconds:.1f} s"


def test_release_stamps_a_new_gradebook_without_running_alembic(tmp_path, monkeypatch):
    """nbgrader asks the `alembic` executable (a second Python, ~2.5 s) for the schema's head revision; release reads
    it in-process. The stamp must be the revision `alembic heads` itself names, so nbgrader's upgrades still work."""
    import os
    import sqlite3
    import subprocess
    import sys

    import nbgrader.api
    from nbgrader.dbutil import _temp_alembic_ini

    alembic = os.path.join(os.path.dirname(sys.executable), "alembic")
    with _temp_alembic_ini(f"sqlite:///{tmp_path / 'probe.db'}") as ini:
        heads = subprocess.run([alembic, "-c", ini, "heads"], capture_output=True, text=True, check=True).stdout
    expected = heads.split()[0]

    def no_alembic(*args, **kwargs):
        raise AssertionError(f"release ran a subprocess: {args}")

    monkeypatch.setattr(nbgrader.api.sp, "check_output", no_alembic)
    ws = Workspace(tmp_path / "ws")
    grading.release(ws, "00_basics", log=lambda *_: None)
    with sqlite3.connect(ws.gradebook) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(expected,)]
        assert ("backprop-course",) in db.execute("SELECT id FROM course").fetchall()
        assert db.execute("SELECT count(*) FROM grade_cells").fetchone()[0] > 0  # generate filled it as before
    assert nbgrader.api.get_alembic_version.__module__ == "nbgrader.api"  # nbgrader's own function is back
