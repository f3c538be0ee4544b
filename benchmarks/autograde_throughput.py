"""Autograde throughput: notebooks per minute for a simulated class (real nbgrader, sandboxed kernels).

Usage: .venv/bin/python benchmarks/autograde_throughput.py [--students 30] [--assignment 00_basics]
Prints the class size, wall time of `autograde` for the whole class, and notebooks per minute. Not a test.
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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--assignment", default="00_basics")
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
        start = time.perf_counter()
        records = grading.autograde(ws, args.assignment, log=quiet)
        seconds = time.perf_counter() - start
        n = len(records) * len(notebooks)
        statuses = sorted({r["status"] for r in records})
        print(f"assignment {args.assignment}: {len(records)} submissions x {len(notebooks)} notebook(s) = {n} notebooks")
        print(f"autograde wall time {seconds:.1f} s on {os.cpu_count()} cores (sandboxed, one at a time); "
              f"outcomes: {', '.join(statuses)}")
        print(f"throughput: {60 * n / seconds:.1f} notebooks/minute ({seconds / n:.2f} s per notebook)")


if __name__ == "__main__":
    main()
