"""Instructions per MLP training step, engine and numpy floor, counted by valgrind (callgrind): load-independent.

run.py's timings move with the load of a shared machine; the number of machine instructions a step executes
does not. Each contender trains run.py's 64-128-10 MLP on the digits train set for a few epochs and for a few
more under callgrind, one process each; the difference of the two totals divided by the extra steps is the cost
of one training step, without the start-up. Instructions are not time (the engine's Python runs fewer
instructions per cycle than the floor's BLAS kernels), so the time ratio of run.py is larger than this one;
what this one gives is a figure that two versions of the engine can be compared by on a busy machine.
Run: `python benchmarks/mlp_instructions.py` (needs valgrind; about a minute per contender).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

EPOCHS = (2, 12)  # the two runs of each contender: their difference is EPOCHS[1] - EPOCHS[0] epochs of steps


def worker(mode: str, epochs: int, data: str) -> None:
    """Train `epochs` epochs (plus one warm-up) of the engine or the floor on the digits saved in `data`."""
    sys.modules["torch"] = None  # run.py imports torch when it can: not needed here, and slow under valgrind
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import run as bench
    from backprop import optim

    arrays = np.load(data)
    X, y = arrays["X"], arrays["y"]
    perm = np.random.default_rng(0).permutation(len(X))
    batches = [perm[i:i + bench.BATCH] for i in range(0, len(X), bench.BATCH)]
    weights = bench.init_mlp_weights()
    if mode == "engine":
        model = bench.engine_mlp(weights)
        opt = optim.SGD(model.parameters(), lr=bench.LR)
        loader = bench.FixedOrderLoader(X, y, batches)
        for _ in range(epochs + 1):
            bench.engine_epoch(model, opt, loader)
    else:
        params = [w.copy() for w in weights]
        for _ in range(epochs + 1):
            bench.numpy_epoch(params, X, y, batches)
    print(len(batches))


def count(mode: str, epochs: int, data: str, workdir: str) -> tuple[int, int]:
    """(instructions of the whole run, batches per epoch) of one worker run under callgrind."""
    out = os.path.join(workdir, f"{mode}.{epochs}.out")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0")
    done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
                           __file__, "--worker", mode, str(epochs), data],
                          capture_output=True, text=True, env=env, check=True)
    totals = re.search(r"^(?:totals|summary): (\d+)", Path(out).read_text(), re.MULTILINE)
    return int(totals.group(1)), int(done.stdout.split()[-1])


def main() -> None:
    """Count both contenders and print instructions per step and their ratio."""
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helpers"))
    from backprop.data import load_digits

    X, _, y, _ = load_digits()
    per_step = {}
    with tempfile.TemporaryDirectory() as workdir:
        data = os.path.join(workdir, "digits.npz")
        np.savez(data, X=X, y=y)
        for mode in ("engine", "floor"):
            (first, batches), (second, _) = (count(mode, n, data, workdir) for n in EPOCHS)
            per_step[mode] = (second - first) / ((EPOCHS[1] - EPOCHS[0]) * batches)
            print(f"  {mode:<7}{per_step[mode]:>12,.0f} instructions per training step")
    print(f"  MLP engine/floor = {per_step['engine'] / per_step['floor']:.3f} (instructions)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        main()
