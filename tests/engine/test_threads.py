"""`import backprop` limits numpy's BLAS to one thread unless told otherwise."""
import subprocess
import sys

import pytest

PROBE = ("import backprop, threadpoolctl; "
         "print(max(i['num_threads'] for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas'))")


def _blas_threads(env_value=None):
    import os
    env = dict(os.environ)
    env.pop("BACKPROP_BLAS_THREADS", None)
    env.pop("OPENBLAS_NUM_THREADS", None)
    env.pop("OMP_NUM_THREADS", None)
    if env_value is not None:
        env["BACKPROP_BLAS_THREADS"] = env_value
    return subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True)


def test_import_sets_one_blas_thread():
    result = _blas_threads()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"


def test_environment_variable_can_leave_blas_alone():
    """With BACKPROP_BLAS_THREADS=default, BLAS keeps the thread count it picks without backprop."""
    import os
    env = {k: v for k, v in os.environ.items() if k not in {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"}}
    untouched = subprocess.run([sys.executable, "-c", PROBE.replace("import backprop, ", "import numpy, ")],
                               env=env, capture_output=True, text=True)
    result = _blas_threads("default")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == untouched.stdout.strip()


def test_bad_environment_value_is_named():
    result = _blas_threads("many")
    assert result.returncode != 0
    assert "BACKPROP_BLAS_THREADS must be a positive number or 'default', got 'many'" in result.stderr


def test_set_blas_threads_refuses_nonsense():
    import backprop
    with pytest.raises(ValueError, match="positive whole number"):
        backprop.set_blas_threads(0)
