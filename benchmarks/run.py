"""Print the engine's speed next to a hand-written numpy floor and PyTorch CPU (when installed).

Workloads (all float64, same data, same batches, same machine, one run):
  1. MLP 64-128-10 on the digits data, batch 64, plain SGD: time per epoch (median CPU and wall time of
     many epochs) for the engine, a numpy forward/backward written by hand (the floor), and PyTorch.
  2. The CNNs of the course on the digits images, time per epoch: 02_models/02_cnn's (Conv2d 1->8 3x3 pad 1,
     ReLU, MaxPool 2, Linear 128->10; batch 64, SGD) and 05_case_studies/01_digits_cnn's (Conv2d 1->32,
     ReLU, MaxPool 2, Linear 512->128, ReLU, Linear 128->10; batch 32, Adam).
  3. One LSTM training step (batch 64, 8 time steps of 8 features, hidden 32, Adam): milliseconds per step.
Also trains the engine MLP to convergence and prints its test accuracy.
Every ratio is printed with its target (TARGETS) and whether it is met. Run: `make bench`.
Timings move with the machine's load; to compare two versions of the engine on a busy machine, count
instructions instead: benchmarks/mlp_instructions.py (valgrind).
"""
from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helpers"))

import backprop as bp  # noqa: E402
from backprop import nn, optim  # noqa: E402
from backprop.data import DataLoader, load_digits  # noqa: E402
from backprop.nn import functional as F  # noqa: E402

try:
    import torch
except ImportError:  # the table then has no PyTorch column
    torch = None

BATCH = 64
LR = 0.1
REPEATS = int(os.environ.get("BENCH_REPEATS", "40"))

# The targets of the engine's speed (issue 13): a ratio of median CPU times, engine / reference.
TARGETS = {
    "MLP engine/floor": 1.15,
    "MLP engine/pytorch": 1.00,
    "CNN engine/pytorch": 1.00,
    "case-study CNN engine/pytorch": 1.00,
    "LSTM step engine/pytorch": 1.00,
}


def blas_threads() -> int:
    """Number of threads numpy's BLAS uses (threadpoolctl ships with scikit-learn)."""
    try:
        from threadpoolctl import threadpool_info

        infos = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        return int(infos[0]["num_threads"]) if infos else 1
    except Exception:
        return 1


def race(contenders: dict, repeats: int = REPEATS, block: int = 4) -> dict:
    """Times of each contender's run_once(): name -> {"cpu": [seconds], "wall": [seconds]}.

    The contenders take turns in blocks (A x block, B x block, C x block, A x block, ...) so that load from
    other processes on the machine hits every contender alike, while each block runs back to back as real
    training does; the first run of every block is a warm-up and is not recorded. CPU time (this process,
    all threads) is what the ratios use: on a busy machine wall time also counts the time other processes
    held the CPU. On an idle machine the two agree (everything here runs on one thread).
    """
    times = {name: {"cpu": [], "wall": []} for name in contenders}
    rounds = max(1, -(-repeats // block))
    for _ in range(rounds):
        for name, run_once in contenders.items():
            run_once()  # warm-up: caches now hold this contender's data and code
            for _ in range(block):
                wall, cpu = time.perf_counter(), time.process_time()
                run_once()
                times[name]["cpu"].append(time.process_time() - cpu)
                times[name]["wall"].append(time.perf_counter() - wall)
    return times


# ---- 1. MLP ----------------------------------------------------------------------------------------------
def init_mlp_weights(seed: int = 0):
    """The starting weights shared by all three contenders (PyTorch's default init ranges)."""
    rng = np.random.default_rng(seed)
    b1, b2 = 1 / np.sqrt(64), 1 / np.sqrt(128)
    return [rng.uniform(-b1, b1, (128, 64)), rng.uniform(-b1, b1, 128),
            rng.uniform(-b2, b2, (10, 128)), rng.uniform(-b2, b2, 10)]


def engine_mlp(weights):
    """The engine's 64-128-10 MLP with the given weights."""
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    model.load_state_dict(dict(zip(["0.weight", "0.bias", "2.weight", "2.bias"], weights)))
    return model


def engine_epoch(model, opt, loader):
    """One epoch of the ordinary training loop with the engine."""
    for xb, yb in loader:
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()


def numpy_epoch(params, X, y, batches, lr=LR):
    """The floor: the same MLP, forward and backward written out by hand in numpy, updates in place."""
    W1, b1, W2, b2 = params
    for idx in batches:
        x, t = X[idx], y[idx]
        n = len(t)
        h_pre = x @ W1.T
        h_pre += b1
        h = np.maximum(h_pre, 0.0)
        z = h @ W2.T
        z += b2
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        _loss = np.mean(np.log(s[:, 0]) - z[np.arange(n), t])
        dz = e / s
        dz[np.arange(n), t] -= 1.0
        dz /= n
        dW2 = dz.T @ h
        db2 = dz.sum(axis=0)
        dh = dz @ W2
        dh *= h_pre > 0
        dW1 = dh.T @ x
        db1 = dh.sum(axis=0)
        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2


def torch_mlp(weights):
    """The same MLP in PyTorch (float64) with the same weights."""
    model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)).double()
    with torch.no_grad():
        for p, w in zip(model.parameters(), weights):
            p.copy_(torch.from_numpy(w))
    return model


def torch_epoch(model, opt, loss_fn, X, y, batches):
    """One epoch of the same training loop in PyTorch."""
    for idx in batches:
        opt.zero_grad()
        loss = loss_fn(model(X[idx]), y[idx])
        loss.backward()
        opt.step()


class FixedOrderLoader(DataLoader):
    """A DataLoader that replays a precomputed list of batch index arrays (so all three contenders see the
    same batches in the same order); everything else is the ordinary DataLoader path."""

    def __init__(self, X, y, batches):
        super().__init__(X, y, batch_size=BATCH)
        self.batches = batches

    def __iter__(self):
        X, y, wrap = self.X, self.y, self.to_batch
        for idx in self.batches:
            yield wrap(X[idx]), wrap(y[idx])


def bench_mlp(X, y):
    """Epoch times of the MLP for engine, numpy floor and PyTorch (same batches, same starting weights)."""
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(X))
    batches = [perm[i:i + BATCH] for i in range(0, len(X), BATCH)]
    weights = init_mlp_weights()
    rows = {}

    model = engine_mlp(weights)
    opt = optim.SGD(model.parameters(), lr=LR)
    loader = FixedOrderLoader(X, y, batches)
    rows["engine"] = lambda: engine_epoch(model, opt, loader)

    params = [w.copy() for w in weights]
    rows["numpy floor"] = lambda: numpy_epoch(params, X, y, batches)

    if torch is not None:
        tmodel = torch_mlp(weights)
        topt = torch.optim.SGD(tmodel.parameters(), lr=LR)
        loss_fn = torch.nn.CrossEntropyLoss()
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        tbatches = [torch.from_numpy(b) for b in batches]
        rows["pytorch"] = lambda: torch_epoch(tmodel, topt, loss_fn, Xt, yt, tbatches)
    return race(rows), len(batches)


def train_digits_to_accuracy(epochs: int = 20, seed: int = 0):
    """Train the engine MLP on digits (SGD, momentum 0.9) and return (test accuracy, seconds)."""
    X_train, X_test, y_train, y_test = load_digits()
    nn.init.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loader = DataLoader(X_train, y_train, batch_size=BATCH, shuffle=True, rng=seed)
    start = time.perf_counter()
    for _ in range(epochs):
        engine_epoch(model, opt, loader)
    seconds = time.perf_counter() - start
    with bp.no_grad():
        acc = float((model(X_test).data.argmax(axis=1) == y_test).mean())
    return acc, seconds


# ---- 2. CNN ----------------------------------------------------------------------------------------------
def cnn_layers(lib, channels: int, hidden: int | None) -> list:
    """Conv2d(1->channels, 3x3, pad 1), ReLU, MaxPool 2, Flatten, then Linear to 10 classes (through a hidden
    ReLU layer of `hidden` units if given), built from `lib` (backprop.nn or torch.nn)."""
    flat = channels * 4 * 4
    head = [lib.Linear(flat, hidden), lib.ReLU(), lib.Linear(hidden, 10)] if hidden else [lib.Linear(flat, 10)]
    return [lib.Conv2d(1, channels, 3, padding=1), lib.ReLU(), lib.MaxPool2d(2), lib.Flatten(), *head]


def bench_cnn(images, y, channels: int = 8, hidden: int | None = None, batch: int = BATCH, adam: bool = False):
    """Epoch times of a small CNN (cnn_layers) for the engine and PyTorch: same weights, same batches."""
    rng = np.random.default_rng(1)
    perm = rng.permutation(len(images))
    batches = [perm[i:i + batch] for i in range(0, len(images), batch)]
    nn.init.manual_seed(1)
    model = nn.Sequential(*cnn_layers(nn, channels, hidden))
    opt = optim.Adam(model.parameters(), lr=1e-3) if adam else optim.SGD(model.parameters(), lr=LR)
    loader = FixedOrderLoader(images, y, batches)
    rows = {"engine": lambda: engine_epoch(model, opt, loader)}
    if torch is not None:
        tmodel = torch.nn.Sequential(*cnn_layers(torch.nn, channels, hidden)).double()
        tmodel.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
        topt = torch.optim.Adam(tmodel.parameters(), lr=1e-3) if adam else torch.optim.SGD(tmodel.parameters(), lr=LR)
        Xt, yt = torch.from_numpy(images), torch.from_numpy(y)
        tb = [torch.from_numpy(b) for b in batches]
        rows["pytorch"] = lambda: torch_epoch(tmodel, topt, torch.nn.CrossEntropyLoss(), Xt, yt, tb)
    return race(rows, repeats=max(REPEATS // 3, 3), block=3)


# ---- 3. LSTM step ----------------------------------------------------------------------------------------
class EngineSeqClassifier(nn.Module):
    """LSTM over the 8 rows of a digit image, then a Linear layer on the last hidden state."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 32, batch_first=True)
        self.head = nn.Linear(32, 10)

    def forward(self, x):
        _, (h_n, _) = self.lstm(x)
        return self.head(h_n[0])


def bench_lstm(images, y):
    """Time of one LSTM training step for the engine and PyTorch."""
    seq = images.reshape(len(images), 8, 8)
    xb, yb = seq[:BATCH], y[:BATCH]
    nn.init.manual_seed(2)
    model = EngineSeqClassifier()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    xt_engine, yt_engine = bp.Tensor(xb), yb

    def engine_step():
        opt.zero_grad()
        F.cross_entropy(model(xt_engine), yt_engine).backward()
        opt.step()

    rows = {"engine": engine_step}
    if torch is not None:
        class TorchSeq(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = torch.nn.LSTM(8, 32, batch_first=True)
                self.head = torch.nn.Linear(32, 10)

            def forward(self, x):
                _, (h_n, _) = self.lstm(x)
                return self.head(h_n[0])

        tmodel = TorchSeq().double()
        tmodel.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
        topt = torch.optim.Adam(tmodel.parameters(), lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()
        xt, yt = torch.from_numpy(xb), torch.from_numpy(yb)

        def torch_step():
            topt.zero_grad()
            loss_fn(tmodel(xt), yt).backward()
            topt.step()

        rows["pytorch"] = torch_step
    return race(rows, repeats=REPEATS * 4)


def profile_mlp(X, y, epochs: int = 100) -> None:
    """cProfile of the engine MLP epoch, sorted by own time: shows the per-op and backward-pass overheads."""
    import cProfile
    import pstats

    perm = np.random.default_rng(0).permutation(len(X))
    loader = FixedOrderLoader(X, y, [perm[i:i + BATCH] for i in range(0, len(X), BATCH)])
    model = engine_mlp(init_mlp_weights())
    opt = optim.SGD(model.parameters(), lr=LR)
    engine_epoch(model, opt, loader)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(epochs):
        engine_epoch(model, opt, loader)
    profiler.disable()
    print(f"  cProfile of {epochs} engine epochs ({epochs * len(loader)} steps), top entries by own time:")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(12)


# ---- report ----------------------------------------------------------------------------------------------
def verdict(name: str, ratio: float) -> str:
    """One ratio with its target from TARGETS and whether it is met."""
    target = TARGETS[name]
    return f"{name} = {ratio:.2f}x (target <= {target:.2f}x: {'met' if ratio <= target else 'NOT met'})"


def torch_verdict(name: str, times: dict) -> str:
    """The engine/pytorch verdict of a table's median CPU times (or why there is none)."""
    if "pytorch" not in times:
        return f"{name}: no PyTorch to compare with"
    return verdict(name, statistics.median(times["engine"]["cpu"]) / statistics.median(times["pytorch"]["cpu"]))


def table(title: str, times: dict, unit: str, scale: float, base: str) -> str:
    """Median CPU time (the figure to quote) and median wall time per contender, with ratios to `base`."""
    cpu = {name: statistics.median(t["cpu"]) for name, t in times.items()}
    wall = {name: statistics.median(t["wall"]) for name, t in times.items()}
    lines = [title, (f"  {'contender':<14}{'CPU ' + unit:>16}{'ratio to ' + base:>22}{'wall ' + unit:>17}"
                     f"{'wall ratio':>12}")]
    for name in times:
        lines.append(f"  {name:<14}{cpu[name] * scale:>16.3f}{cpu[name] / cpu[base]:>21.2f}x"
                     f"{wall[name] * scale:>17.3f}{wall[name] / wall[base]:>11.2f}x")
    return "\n".join(lines)


def main() -> None:
    """Parse --threads/--profile, run the three workloads and print the tables."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads for numpy (and torch, matched); default 1: these matrices are tiny, so "
                             "extra threads only add synchronisation and make timings erratic on a busy machine; "
                             "0 leaves numpy's BLAS at its own default")
    parser.add_argument("--profile", action="store_true",
                        help="also print a cProfile of 100 engine MLP epochs (where the engine's time goes)")
    args = parser.parse_args()
    if args.threads > 0:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)
    threads = blas_threads()
    print(f"backprop engine benchmark (float64 everywhere; contenders take turns in blocks, "
          f"{REPEATS} timed epochs each for the MLP)")
    print(f"  BLAS threads set by --threads {args.threads}" if args.threads > 0 else "  BLAS threads left at default")
    print(f"  python {platform.python_version()}, numpy {np.__version__}, machine {platform.machine()}, "
          f"cpus {os.cpu_count()}, BLAS threads {threads}")
    load = os.getloadavg()[0]
    busy = " -- busy machine: wall times include other processes' turns; compare the CPU columns" \
        if load > (os.cpu_count() or 1) else ""
    print(f"  load average (1 min) {load:.1f} on {os.cpu_count()} cpus{busy}")
    print(f"  OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(not set)')}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '(not set)')}")
    if torch is not None:
        torch.set_num_threads(threads)
        print(f"  torch {torch.__version__}, torch.set_num_threads({threads}) to match numpy's BLAS")
    else:
        print("  torch not installed: no PyTorch column")
    print()

    X_train, _, y_train, _ = load_digits()
    times, n_batches = bench_mlp(X_train, y_train)
    print(table(f"1. MLP 64-128-10, digits train set ({len(X_train)} rows = {n_batches} batches of {BATCH}), "
                "plain SGD: time per epoch", times, "ms/epoch", 1e3, "numpy floor"))
    floor = statistics.median(times["engine"]["cpu"]) / statistics.median(times["numpy floor"]["cpu"])
    print("  " + verdict("MLP engine/floor", floor) + "; " + torch_verdict("MLP engine/pytorch", times))
    acc, seconds = train_digits_to_accuracy()
    print(f"  engine MLP trained 20 epochs (SGD lr 0.05, momentum 0.9) in {seconds:.2f}s: "
          f"test accuracy {acc:.3f} (target >= 0.95: {'met' if acc >= 0.95 else 'NOT met'})")
    print()

    if args.profile:
        profile_mlp(X_train, y_train)

    images_train, _, yi_train, _ = load_digits(flatten=False)
    times = bench_cnn(images_train, yi_train)
    print(table("2. CNN conv3x3(1->8, pad 1)-ReLU-maxpool2-Linear(128->10), digits, batch 64, SGD: time per epoch",
                times, "ms/epoch", 1e3, "engine"))
    print("  " + torch_verdict("CNN engine/pytorch", times))
    times = bench_cnn(images_train, yi_train, channels=32, hidden=128, batch=32, adam=True)
    print(table("2b. case-study CNN conv3x3(1->32, pad 1)-ReLU-maxpool2-Linear(512->128)-ReLU-Linear(128->10), "
                "batch 32, Adam: time per epoch", times, "ms/epoch", 1e3, "engine"))
    print("  " + torch_verdict("case-study CNN engine/pytorch", times))
    print()
    times = bench_lstm(images_train, yi_train)
    print(table("3. LSTM(8->32) over 8 steps + Linear(32->10), batch 64, one Adam step (forward+backward+update)",
                times, "ms/step", 1e3, "engine"))
    print("  " + torch_verdict("LSTM step engine/pytorch", times))


if __name__ == "__main__":
    main()
