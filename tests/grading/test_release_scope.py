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
