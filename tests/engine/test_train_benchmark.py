"""The benchmark script is honest: its numpy floor and its PyTorch contender do exactly the engine's work
(same weights after an epoch), its digits MLP reaches 95% test accuracy, and the script runs end to end.
No timing is asserted here (speed targets live in the printed table only)."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))

import run as bench  # noqa: E402

from backprop import optim  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    """Tiny matrices: one BLAS thread per test worker avoids oversubscribing the cores under xdist."""
    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def digits_batches():
    X, _, y, _ = bench.load_digits()
    perm = np.random.default_rng(0).permutation(len(X))
    return X, y, [perm[i:i + bench.BATCH] for i in range(0, len(X), bench.BATCH)]


def test_numpy_floor_does_the_same_work_as_the_engine(digits_batches):
    X, y, batches = digits_batches
    weights = bench.init_mlp_weights()
    model = bench.engine_mlp(weights)
    bench.engine_epoch(model, optim.SGD(model.parameters(), lr=bench.LR), bench.FixedOrderLoader(X, y, batches))
    floor = [w.copy() for w in weights]
    bench.numpy_epoch(floor, X, y, batches)
    for p, q, before in zip(model.parameters(), floor, weights):
        assert not np.allclose(q, before)  # the epoch did move the weights
        np.testing.assert_allclose(p.data, q, rtol=1e-10, atol=1e-12)


def test_pytorch_contender_does_the_same_work(digits_batches):
    torch = pytest.importorskip("torch")
    X, y, batches = digits_batches
    weights = bench.init_mlp_weights()
    model = bench.engine_mlp(weights)
    bench.engine_epoch(model, optim.SGD(model.parameters(), lr=bench.LR), bench.FixedOrderLoader(X, y, batches))
    tmodel = bench.torch_mlp(weights)
    bench.torch_epoch(tmodel, torch.optim.SGD(tmodel.parameters(), lr=bench.LR), torch.nn.CrossEntropyLoss(),
                      torch.from_numpy(X), torch.from_numpy(y), [torch.from_numpy(b) for b in batches])
    for p, q in zip(model.parameters(), tmodel.parameters()):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_benchmark_digits_mlp_reaches_95_percent():
    accuracy, _seconds = bench.train_digits_to_accuracy()
    assert accuracy >= 0.95


def test_benchmark_script_runs_and_prints_the_table():
    env = dict(os.environ, BENCH_REPEATS="1")
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py")], capture_output=True, text=True,
                            env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for needle in ("numpy floor", "engine/floor", "OPENBLAS_CORETYPE", "test accuracy", "2. CNN", "3. LSTM"):
        assert needle in out, needle
    if "torch not installed" not in out:  # every ratio is printed with its target and a verdict
        for name, target in bench.TARGETS.items():
            assert f"{name} = " in out and f"(target <= {target:.2f}x: " in out, name


def test_instruction_count_workers_train_both_contenders(tmp_path, digits_batches):
    """benchmarks/mlp_instructions.py runs these workers under valgrind; here they run plainly (no timing)."""
    X, y, batches = digits_batches
    data = tmp_path / "digits.npz"
    np.savez(data, X=X, y=y)
    for mode in ("engine", "floor"):
        result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "mlp_instructions.py"), "--worker", mode,
                                 "0", str(data)], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split()[-1] == str(len(batches))
