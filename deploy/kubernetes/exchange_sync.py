#!/usr/bin/env python3
"""Move files between the class's shared exchange volume and the instructor's grading exchange (Kubernetes).

Every pod runs as the same uid, so students are kept apart by what their pods mount (deploy/kubernetes/
values.yaml): the shared volume holds

    <course>/outbound/<assignment>/...          released assignments (students: read-only)
    <course>/inbound/<student>/<entry>/...      each student's submissions (a student's pod mounts only its own)
    <course>/feedback/<student>/<hash>.html     each student's feedback (read-only, only its own)

while `backprop-grade` works on an ordinary nbgrader exchange (--exchange, e.g. /srv/backprop-course/exchange).
Run this in the instructor's pod after `release`, before `collect`, and after `feedback`; it is idempotent:

    python deploy/kubernetes/exchange_sync.py --shared /srv/nbgrader/exchange-shared \\
        --exchange /srv/backprop-course/exchange --workspace /srv/backprop-course/workspace

* outbound: the grading exchange's outbound/ is mirrored into the shared one (an assignment removed there is
  removed here too);
* inbound: every entry in inbound/<student>/ whose name starts with `<student>+` (a folder, not a link) is copied
  into the grading exchange's inbound/ if it is not there yet; an entry named after anyone else is reported and
  left out (on a same-uid exchange the name is the only identity `collect` sees, and the folder it was found in is
  the one thing a student cannot choose);
* feedback: for every feedback file in the workspace (feedback/<student>/<assignment>/<notebook>.html with its
  submission_secret.txt) the released copy <hash>.html goes to feedback/<student>/ only.
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

COURSE_ID = "backprop-course"
NAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}\Z")


def _copy_tree(source: Path, target: Path) -> None:
    """Copy a folder without following links (a link stays a link, and collect rejects it)."""
    tmp = target.with_name(target.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(source, tmp, symlinks=True)
    tmp.rename(target)


def sync_outbound(shared: Path, exchange: Path, course_id: str, log=print) -> list[str]:
    source, target = exchange / course_id / "outbound", shared / course_id / "outbound"
    target.mkdir(parents=True, exist_ok=True)
    released = sorted(p.name for p in source.iterdir() if p.is_dir()) if source.is_dir() else []
    for name in released:
        shutil.rmtree(target / name, ignore_errors=True)
        _copy_tree(source / name, target / name)
    for stale in target.iterdir():
        if stale.name not in released:
            shutil.rmtree(stale) if stale.is_dir() and not stale.is_symlink() else stale.unlink()
            log(f"outbound: removed {stale.name} (no longer released)")
    return released


def gather_inbound(shared: Path, exchange: Path, course_id: str, log=print) -> list[str]:
    source, target = shared / course_id / "inbound", exchange / course_id / "inbound"
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    if not source.is_dir():
        return copied
    for folder in sorted(source.iterdir()):
        if folder.is_symlink() or not folder.is_dir() or not NAME.match(folder.name):
            log(f"inbound: skipped {folder.name!r}: not a student's folder")
            continue
        for entry in sorted(folder.iterdir()):
            if not entry.name.startswith(folder.name + "+"):
                log(f"inbound: left out {folder.name}/{entry.name!r}: named after someone else "
                    f"(a student's folder may only hold entries named {folder.name}+...)")
                continue
            if entry.is_symlink() or not entry.is_dir():
                log(f"inbound: left out {folder.name}/{entry.name!r}: not a folder")
                continue
            if not (target / entry.name).exists():
                _copy_tree(entry, target / entry.name)
                copied.append(entry.name)
    return copied


def scatter_feedback(shared: Path, exchange: Path, workspace: Path, course_id: str, log=print) -> dict:
    from nbgrader.utils import notebook_hash

    released, target_root = exchange / course_id / "feedback", shared / course_id / "feedback"
    sent = {}
    for html in sorted((workspace / "feedback").glob("*/*/*.html")):
        student, folder = html.parent.parent.name, html.parent
        secret_file = folder / "submission_secret.txt"
        if not NAME.match(student) or not secret_file.is_file():
            continue
        checksum = notebook_hash(secret=secret_file.read_text(), notebook_id=html.stem)
        source = released / f"{checksum}.html"
        if not source.is_file():
            log(f"feedback: {student}/{folder.name}/{html.name} is not released yet (run backprop-grade feedback)")
            continue
        target = target_root / student
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target / f"{checksum}.tmp")
        (target / f"{checksum}.tmp").rename(target / source.name)
        sent.setdefault(student, []).append(source.name)
    return sent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="exchange_sync.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, required=True, help="the shared exchange volume (all students)")
    parser.add_argument("--exchange", type=Path, required=True, help="the grading exchange (backprop-grade --exchange)")
    parser.add_argument("--workspace", type=Path, required=True,
                        help="the grading workspace (backprop-grade --workspace)")
    parser.add_argument("--course-id", default=COURSE_ID)
    args = parser.parse_args(argv)
    released = sync_outbound(args.shared, args.exchange, args.course_id)
    copied = gather_inbound(args.shared, args.exchange, args.course_id)
    sent = scatter_feedback(args.shared, args.exchange, args.workspace, args.course_id)
    print(f"released: {', '.join(released) or '-'}; new submissions: {len(copied)}; "
          f"feedback for {len(sent)} students")
    return 0


if __name__ == "__main__":
    sys.exit(main())
