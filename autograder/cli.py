"""backprop-grade: the instructor's one entry point (release, collect, autograde, feedback, export, report)."""
import argparse
import logging
import sys
import warnings
from pathlib import Path

from .bwrap import Limits
from .errors import UserError
from .paths import COURSE_ID

DESCRIPTION = """\
Grade the backprop course with nbgrader. solutions/ holds the instructor notebooks (nbgrader source), course/ the
student notebooks generated from them. Grading state lives in a workspace outside the notebooks' folders
(default: autograder/workspace/, mode 0700).

typical run:
  backprop-grade release 00_basics          # student version -> exchange
  (students fetch and submit with nbgrader)
  backprop-grade collect 00_basics          # newer resubmissions replace older ones
  backprop-grade autograde 00_basics        # every submission, sandboxed; or --student ID
  backprop-grade feedback 00_basics         # HTML feedback without hidden tests
  backprop-grade export --output grades.csv
  backprop-grade report 00_basics           # HTML + PNG plots
  backprop-grade formgrader                 # manual grading and score overrides in a browser

a learner on their own (needs solutions/):
  backprop-grade self-check course/00_basics/00_basics.ipynb
"""


def _common():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--solutions", type=Path, default=None, metavar="DIR",
                        help="the instructor notebooks (nbgrader source); default: ./solutions, else the "
                             "repository's this grader was installed from (an installed grader needs this option "
                             "or the course repository as the current directory)")
    common.add_argument("--workspace", type=Path, default=None,
                        help="instructor workspace (gradebook, submissions, feedback); default: autograder/workspace "
                             "beside the solutions/ folder")
    common.add_argument("--exchange", type=Path, default=None,
                        help="nbgrader exchange directory shared with students; default: WORKSPACE/exchange")
    common.add_argument("--course-id", default=COURSE_ID, help="nbgrader course id; default: %(default)s")
    common.add_argument("--db", metavar="URL", default=None,
                        help="gradebook database as an SQLAlchemy URL, e.g. postgresql://host/gradebook to share it "
                             "between graders and machines; default: SQLite in the workspace")
    return common


def build_parser():
    """The argument parser of backprop-grade (one sub-command per step of the loop)."""
    common = _common()
    parser = argparse.ArgumentParser(prog="backprop-grade", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("generate", help="regenerate course/ from solutions/ (what `make course` runs)")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    p.add_argument("--check", action="store_true", help="only report whether course/ is in sync; exit 1 if not")

    p = sub.add_parser("release", parents=[common], help="generate the student version and release it to the exchange")
    p.add_argument("assignment")

    p = sub.add_parser("collect", parents=[common], help="collect submissions (resubmissions replace older ones)")
    p.add_argument("assignment")

    p = sub.add_parser("autograde", parents=[common], help="grade collected submissions in a sandbox")
    p.add_argument("assignment")
    p.add_argument("--student", action="append", metavar="ID", help="grade only this student (repeatable)")
    p.add_argument("--shard", metavar="I/N", default=None,
                   help="grade only shard I of N of the students (sorted; 1-based), e.g. 1/2 on one machine and 2/2 "
                        "on another, both with the same --db")
    defaults = Limits()
    p.add_argument("--jobs", type=int, default=None,
                   help="submissions graded at once, each in its own sandbox (default: the number of cores + 1)")
    p.add_argument("--cell-timeout", type=float, default=defaults.cell_timeout,
                   help="seconds per cell and per probe (default: %(default)s)")
    p.add_argument("--notebook-budget", type=float, default=defaults.notebook_budget,
                   help="wall-clock seconds per notebook, all cells together (default: %(default)s)")
    p.add_argument("--memory-mb", type=int, default=defaults.memory_mb,
                   help="address-space limit of the kernel in MB (default: %(default)s)")
    p.add_argument("--processes", type=int, default=defaults.processes,
                   help="processes and threads a kernel may start, when grading as root (default: %(default)s)")
    p.add_argument("--trusted-no-sandbox", action="store_true",
                   help="run kernels WITHOUT bubblewrap: only for notebooks you trust (e.g. your own solutions)")

    p = sub.add_parser("feedback", parents=[common], help="HTML feedback (no hidden tests) for graded submissions")
    p.add_argument("assignment")
    p.add_argument("--student", action="append", metavar="ID", help="only this student (repeatable)")

    p = sub.add_parser("export", parents=[common], help="write the grades CSV (scores plus outcome and flags)")
    p.add_argument("assignment", nargs="?", help="only this assignment (default: all)")
    p.add_argument("--output", type=Path, default=Path("grades.csv"), help="CSV path (default: %(default)s)")

    p = sub.add_parser("report", parents=[common], help="class report: score distribution, pass rate per item")
    p.add_argument("assignment")
    p.add_argument("--output", type=Path, default=None,
                   help="folder for report.html and the PNGs (default: WORKSPACE/reports/ASSIGNMENT)")
    p = sub.add_parser("formgrader", parents=[common],
                       help="open nbgrader's formgrader on the workspace: manual grading, score overrides",
                       description="Serve nbgrader's formgrader on the grading workspace (127.0.0.1, a fresh token) "
                                   "and print its URL. Manual grading, score overrides, and the submissions a failed "
                                   "regrade marked 'needs manual grade'. Ctrl-C stops it.")
    p.add_argument("--port", type=int, default=8890, help="port to serve on (default: %(default)s)")
    p.add_argument("--ip", default="127.0.0.1",
                   help="address to listen on (default: %(default)s; reach it from elsewhere with an SSH tunnel)")
    p.add_argument("--browser", action="store_true", help="also open a web browser")

    p = sub.add_parser("self-check", help="grade your own saved notebook with the hidden tests (needs solutions/)",
                       description="Grade one saved student notebook locally, as the grader would: points per graded "
                                   "cell, the failing checks' messages (never the expected values) and the total. "
                                   "Runs in the bubblewrap sandbox when it is available, trusted otherwise.")
    p.add_argument("notebook", type=Path, help="the student notebook, e.g. course/00_basics/00_basics.ipynb")
    p.add_argument("--json", action="store_true", help="print the report as JSON (what backprop.self_check reads)")
    p.add_argument("--no-sandbox", action="store_true", help="run the notebook without bubblewrap (your own code)")
    return parser


def _self_check(args):
    """The self-check command: the report as text (or JSON) on stdout, progress on stderr; 0 once graded."""
    import json

    from .self_check import format_text, self_check

    report = self_check(args.notebook, sandboxed=False if args.no_sandbox else None,
                        log=lambda *parts: print(*parts, file=sys.stderr))
    print(json.dumps(report) if args.json else format_text(report))
    return 0


def _workspace(args):
    from .paths import default_workspace, find_solutions
    from .workspace import Workspace

    solutions = find_solutions(args.solutions)
    ws = Workspace(args.workspace or default_workspace(solutions), exchange=args.exchange, course_id=args.course_id,
                   db_url=args.db, solutions=solutions, course=solutions.parent / "course")
    if getattr(args, "cell_timeout", None) is not None:
        ws.limits = Limits(cell_timeout=args.cell_timeout, notebook_budget=args.notebook_budget,
                           memory_mb=args.memory_mb, processes=args.processes)
        ws.sandboxed = not args.trusted_no_sandbox
        if args.jobs is not None and args.jobs < 1:
            raise UserError(f"--jobs must be at least 1, got {args.jobs}")
    return ws


def _shard(text):
    """(i, n) from "I/N" (1 <= I <= N), or None."""
    if text is None:
        return None
    try:
        i, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise UserError(f"--shard {text!r} is not I/N", "e.g. --shard 1/2 and --shard 2/2 on two graders") from None
    if not 1 <= i <= n:
        raise UserError(f"--shard {text}: I must be between 1 and N", "e.g. --shard 1/2 and --shard 2/2")
    return i, n


def run(args):
    """Dispatch one parsed command; returns the process exit code."""
    if args.command == "generate":
        from .generate import differences, generate

        if args.check:
            problems = differences()
            for line in problems:
                print(line)
            print("course/ is in sync with solutions/" if not problems else "run `make course` to regenerate")
            return 1 if problems else 0
        for assignment_id in generate(args.assignments or None):
            print(f"generated course/{assignment_id}/")
        return 0
    if args.command == "self-check":
        return _self_check(args)

    from . import grading

    ws = _workspace(args)
    if args.command == "release":
        grading.release(ws, args.assignment)
    elif args.command == "collect":
        grading.collect(ws, args.assignment)
    elif args.command == "autograde":
        records = grading.autograde(ws, args.assignment, args.student, jobs=args.jobs, shard=_shard(args.shard))
        bad = [r for r in records if r["status"] != "graded"]
        print(f"{len(records)} graded, {len(bad)} with problems (see the report / the CSV's status column)")
    elif args.command == "feedback":
        grading.feedback(ws, args.assignment, args.student)
    elif args.command == "export":
        from .export import export_csv

        if args.assignment:
            from .paths import check_assignment

            check_assignment(args.assignment, ws.solutions)
        rows = export_csv(ws, args.output, args.assignment)
        print(f"wrote {len(rows)} row(s) to {args.output}")
    elif args.command == "formgrader":
        from .formgrader import serve

        return serve(ws, port=args.port, ip=args.ip, open_browser=args.browser)
    elif args.command == "report":
        from .paths import check_assignment
        from .report import build_report

        check_assignment(args.assignment, ws.solutions)
        print(f"wrote {build_report(ws, args.assignment, args.output)}")
    return 0


def _skip_slow_iri_checker():
    """Start-up without the 1.3 s that jsonschema (imported by nbformat) spends building rfc3987_syntax's Earley
    parsers for the "iri" string formats, as if that optional package were not installed.

    No schema nbformat, nbgrader or Jupyter validates uses those formats. Only before anything imported jsonschema:
    in a process that already has it (a test run, a notebook) this changes nothing.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # None in sys.modules: `import` raises ImportError


def main(argv=None):
    """Console entry point: clear messages and a non-zero exit code for bad input, never a bare traceback."""
    _skip_slow_iri_checker()
    args = build_parser().parse_args(argv)
    warnings.filterwarnings("ignore", message=".*not in session.*")
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    try:
        return run(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
