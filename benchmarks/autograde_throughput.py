"""Autograde throughput: notebooks per minute for a simulated class (real nbgrader, sandboxed kernels).

Usage: .venv/bin/python benchmarks/autograde_throughput.py [--students 30] [--assignment 00_basics]
Prints the class size and, serially and with --jobs 2, the wall time of `autograde` for the whole class and the
notebooks per minute (target: >= 60 on a 2-core machine with --jobs 2). The answer key is built before timing.
Not a test.
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def isolate_home(tmp):
    """Keep Jupyter/IPython/matplotlib state out of the home directory (like tests/conftest.py)."""
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        path = Path(tmp) / var.lower()
        path.mkdir(parents=True, exist_ok=True)
        os.environ[var] = str(path)


def cpu_seconds():
    """User + system CPU of this process and of every finished child (workers, bwrap sandboxes, kernels)."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def kernel_cpu(ws, assignment_id, records):
    """CPU seconds the graded sandboxes used (read by the grader before it stops them; needs root)."""
    import json

    total = 0.0
    for record in records:
        for run in (ws.root / "runs" / assignment_id / record["student"]).glob("*.json"):
            total += json.loads(run.read_text()).get("kernel_cpu_seconds") or 0.0
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--assignment", default="00_basics")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2, 3], help="--jobs values to time (default: 1 2 3)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="autograde-bench-") as tmp:
        isolate_home(tmp)
        from autograder import grading, mutate
        from autograder.paths import SOLUTIONS
        from autograder.simulate import hand_in
        from autograder.workspace import Workspace

        quiet = lambda *a, **k: None  # noqa: E731
        ws = Workspace(Path(tmp) / "workspace")
        grading.release(ws, args.assignment, log=quiet)
        notebooks = sorted((ws.root / "release" / args.assignment).glob("*.ipynb"))
        kinds = []
        for path in notebooks:
            released, instructor = mutate.read(path), mutate.read(SOLUTIONS / args.assignment / path.name)
            regions = list(mutate.graded_by(instructor))
            kinds.append((path.name, released, instructor, regions))
        for i in range(args.students):
            for name, released, instructor, regions in kinds:
                # a realistic mix: correct, blank, and one wrong exercise
                if i % 3 == 0:
                    nb = mutate.correct_submission(released, instructor)
                elif i % 3 == 1:
                    nb = released
                else:
                    nb = mutate.mutant_submission(released, instructor, regions[i % len(regions)], "perturbed")
                hand_in(ws, args.assignment, f"student{i:03d}", nb, Path(tmp) / "students", name)
        grading.collect(ws, args.assignment, log=quiet)
        from autograder import answer_key
        from autograder.bwrap import Limits

        for path in notebooks:
            answer_key.ensure(ws, args.assignment, path.name, Limits(), log=quiet)
        load = os.getloadavg()[0]
        print(f"assignment {args.assignment}: {args.students} submissions x {len(notebooks)} notebook(s) "
              f"on {os.cpu_count()} cores, sandboxed")
        for jobs in args.jobs:
            cpu_before = cpu_seconds()
            start = time.perf_counter()
            records = grading.autograde(ws, args.assignment, log=quiet, jobs=jobs)
            seconds = time.perf_counter() - start
            sandboxes = kernel_cpu(ws, args.assignment, records)
            cpu = cpu_seconds() - cpu_before + sandboxes
            n = len(records) * len(notebooks)
            statuses = sorted({r["status"] for r in records})
            print(f"--jobs {jobs}: {seconds:6.1f} s wall, {60 * n / seconds:5.1f} notebooks/minute "
                  f"({seconds / n:.2f} s per notebook); CPU {cpu / n:.2f} s per notebook "
                  f"(sandboxes {sandboxes / n:.2f}); "
                  f"load average before: {load:.1f}; outcomes: {', '.join(statuses)}")
            load = os.getloadavg()[0]
        print(f"CPU-bound ceiling on {os.cpu_count()} idle cores: "
              f"{60 * os.cpu_count() * n / cpu:.1f} notebooks/minute (the wall figures depend on other load)")

if __name__ == "__main__":
    main()
