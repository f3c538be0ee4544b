"""Grades CSV: nbgrader's CSV export plus what happened to each submission (status, flags, message)."""
import csv
import tempfile
from pathlib import Path

from . import outcomes


def export_csv(workspace, output, assignment_id=None):
    """Write the grades CSV to ``output``; returns the rows written (dicts)."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin

    workspace.require()
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "nbgrader.csv"
        plugin = CsvExportPlugin(to=str(raw), assignment=[assignment_id] if assignment_id else [])
        with Gradebook(workspace.db_url, workspace.course_id) as gb:
            plugin.export(gb)
        with open(raw, newline="") as fh:
            rows = list(csv.DictReader(fh))
    cache = {}
    for row in rows:
        records = cache.setdefault(row["assignment"], outcomes.load(workspace, row["assignment"]))
        record = records.get(row["student_id"])
        if record is None:
            row.update(status="not submitted" if not row["timestamp"] else "not graded", flags="", message="")
        else:
            row.update(status=record["status"], flags=" | ".join(record.get("flags", [])),
                       message=record.get("message", ""))
    fields = ["assignment", "student_id", "status", "score", "max_score", "raw_score", "late_submission_penalty",
              "timestamp", "duedate", "last_name", "first_name", "email", "flags", "message"]
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(output, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return rows
