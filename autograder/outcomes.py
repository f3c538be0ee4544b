"""What happened to each submission: one JSON file per assignment in the workspace's outcomes/ folder.

Status is one of: graded, timeout (time budget ran out; cells that did not run score 0), crashed (kernel died),
corrupt (the file is not a readable notebook), failed (nbgrader could not grade it), missing (no notebook).
``flags`` lists things to review by hand (edited/deleted test cells, suspicious code).
"""
import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

STATUSES = ("graded", "timeout", "crashed", "corrupt", "failed", "missing")


def load(workspace, assignment_id):
    """All outcome records of an assignment, keyed by student id."""
    path = workspace.outcomes_file(assignment_id)
    if not path.is_file():
        return {}
    return json.loads(path.read_text())


def save(workspace, assignment_id, student_id, record):
    """Store (replace) one student's outcome record atomically; several graders may save at once (file lock)."""
    import fcntl

    path = workspace.outcomes_file(assignment_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = dict(record, student=student_id, assignment=assignment_id,
                  recorded_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        records = load(workspace, assignment_id)
        records[student_id] = record
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".json")
        with os.fdopen(fd, "w") as fh:
            json.dump(records, fh, indent=1, sort_keys=True)
        os.replace(tmp, path)
    return record


class RunRecord(dict):
    """What happened to one notebook run: status, message, seconds, verdicts (read back from RecordRun's file)."""

    @classmethod
    def read(cls, folder, assignment_id, student_id, notebook):
        path = Path(folder) / assignment_id / student_id / f"{notebook}.json"
        return cls(json.loads(path.read_text())) if path.is_file() else None

