"""Run every solution notebook on a fresh kernel and print its run time and its slowest cell.

The course's budget: each notebook under 60 s on 2 cores, no cell over 20 s. This prints the figures (and
marks what is over); it is a benchmark, not a test. Usage: python benchmarks/notebook_times.py [ASSIGNMENT ...]
"""
import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from backprop.steady_client import kernel_config

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_BUDGET, CELL_BUDGET = 60.0, 20.0


def _seconds(cell) -> float:
    """Time between a cell starting and its reply, from the timestamps nbclient records."""
    timing = cell.metadata.get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0

    def parse(s):
        return datetime.fromisoformat(s.replace("Z", "+00:00"))

    return (parse(end) - parse(start)).total_seconds()


def run(path: Path):
    """(wall seconds including kernel start, slowest cell seconds, its id, error or '')."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                            config=kernel_config())  # no lost wake-ups
    start = time.perf_counter()
    error = ""
    try:
        client.execute()
    except Exception as exc:  # report and go on with the next notebook
        error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:80]}"
    wall = time.perf_counter() - start
    cells = [(_seconds(c), c.get("id", "?")) for c in nb.cells if c.cell_type == "code"]
    slowest = max(cells, default=(0.0, "-"))
    return wall, slowest[0], slowest[1], error


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="assignment folders of solutions/ (default: all)")
    args = parser.parse_args(argv)
    folders = [REPO / "solutions" / a for a in args.assignments] or sorted(
        p for p in (REPO / "solutions").iterdir() if p.is_dir())
    missing = [f.name for f in folders if not f.is_dir()]
    if missing:
        sys.exit(f"error: no such assignment in solutions/: {', '.join(missing)}")
    print(f"{'notebook':48s} {'total s':>8s} {'slowest cell s':>15s}  cell")
    over = 0
    for folder in folders:
        for path in sorted(folder.glob("*.ipynb")):
            wall, cell_s, cell_id, error = run(path)
            flag = ""
            if wall > NOTEBOOK_BUDGET or cell_s > CELL_BUDGET or error:
                over += 1
                flag = "  <-- " + (error or "over budget")
            print(f"{folder.name + '/' + path.name:48s} {wall:8.1f} {cell_s:15.1f}  {cell_id}{flag}")
    print(f"budget: notebook <= {NOTEBOOK_BUDGET:.0f} s, cell <= {CELL_BUDGET:.0f} s; "
          f"{over} notebook(s) over or failing")


if __name__ == "__main__":
    main()
