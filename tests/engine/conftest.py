"""Shared helpers for the engine tests: a seeded rng and an independent finite-difference gradient checker.

The checker here is deliberately separate from backprop.gradcheck (a few lines of plain numpy), so op tests
do not depend on the code they would be testing in test_gradcheck.py.
"""
import numpy as np
import pytest

import backprop
from backprop import Tensor


@pytest.fixture(autouse=True, scope="session")
def one_blas_thread_per_worker():
    """`import backprop` no longer limits BLAS: ask for one thread explicitly (tiny matrices, 2 xdist workers)."""
    backprop.limit_blas_threads(1)
    yield
    backprop.set_blas_threads(None)


def numeric_grad(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of scalar f at x (float64), element by element."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        original = x[index]
        x[index] = original + eps
        f_plus = f(x)
        x[index] = original - eps
        f_minus = f(x)
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def check_grads(fn, *arrays, rng=None, rtol=1e-5, atol=1e-7, wrt=None):
    """Assert backward() of fn(*tensors) matches finite differences for each input (or those listed in wrt).

    A non-scalar output is reduced with fixed random weights, so every output element matters.
    Returns the output Tensor for further checks.
    """
    rng = rng or np.random.default_rng(1234)
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    wrt = range(len(arrays)) if wrt is None else wrt
    tensors = [Tensor(a, requires_grad=(i in wrt)) for i, a in enumerate(arrays)]
    out = fn(*tensors)
    weights = rng.standard_normal(out.shape)
    (out * weights).sum().backward()
    for i in wrt:
        def f(xi, i=i):
            args = [Tensor(xi if j == i else a) for j, a in enumerate(arrays)]
            return float(np.sum(fn(*args).data * weights))

        expected = numeric_grad(f, arrays[i])
        assert tensors[i].grad is not None, f"no gradient reached input {i}"
        assert tensors[i].grad.shape == arrays[i].shape, (tensors[i].grad.shape, arrays[i].shape)
        np.testing.assert_allclose(tensors[i].grad, expected, rtol=rtol, atol=atol,
                                   err_msg=f"gradient of input {i} differs from finite differences")
    return out


@pytest.fixture
def rng():
    """A seeded numpy Generator, fresh for each test."""
    return np.random.default_rng(0)


@pytest.fixture(name="check_grads")
def check_grads_fixture():
    """The finite-difference gradient assertion (see check_grads above)."""
    return check_grads


@pytest.fixture(name="numeric_grad")
def numeric_grad_fixture():
    """Central-difference gradient of a scalar numpy function."""
    return numeric_grad
