"""`import backprop` has no side effects; `backprop.limit_blas_threads()` limits numpy's BLAS explicitly.

Every check runs in a fresh Python process, so the test process's own BLAS limits do not matter.
"""
import json
import os
import subprocess
import sys

import pytest

BLAS_VARS = {"BACKPROP_BLAS_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"}

SNAPSHOT = """
import json, os, sys, warnings
import numpy, threadpoolctl
def snapshot():
    return {"environ": dict(os.environ),
            "threads": sorted((i["user_api"], i["internal_api"], i["num_threads"])
                              for i in threadpoolctl.threadpool_info()),
            "filters": [repr(f) for f in warnings.filters]}
"""

IMPORT_PROBE = SNAPSHOT + """
caught = []
warnings.simplefilter("always")  # show every warning (set before the snapshot: only changes by the import count)
warnings.showwarning = lambda message, *args, **kwargs: caught.append(str(message))
PRELOAD
before = snapshot()
IMPORTS
after = snapshot()
print(json.dumps({"before": before, "after": after, "warnings": caught}))
"""

BLAS_PROBE = """
import json, warnings
import backprop, threadpoolctl
def blas():
    return max(i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas")
untouched = blas()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    returned = backprop.limit_blas_threads(*ARGS)
limited = blas()
backprop.set_blas_threads(None)
print(json.dumps({"untouched": untouched, "returned": returned, "limited": limited, "restored": blas(),
                  "warnings": [str(w.message) for w in caught]}))
"""


IMPORTS = {"backprop": "import backprop, backprop.functional, backprop.lr_scheduler\nfrom backprop import nn, optim",
           "autograder": "import autograder, autograder.cli, autograder.config"}
# Third-party packages the grader imports that add warning filters of their own when imported (bleach, urllib3 and
# requests do): imported before the snapshot, so the test measures the course's code, not theirs.
PRELOAD = {"backprop": "", "autograder": "import bleach, requests"}


def _run(code: str, env_value=None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in BLAS_VARS}
    if env_value is not None:
        env["BACKPROP_BLAS_THREADS"] = env_value
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("package,env_value", [("backprop", None), ("backprop", "3"), ("backprop", "default"),
                                               ("backprop", "many"), ("autograder", None)])
def test_import_changes_nothing_in_the_process(package, env_value):
    """Environment, BLAS thread counts (threadpoolctl) and warning filters are the same before and after import
    (of the engine, or of the grader and its CLI: their PATH change and warning filters belong in main());
    importing warns about nothing, not even about a bad BACKPROP_BLAS_THREADS."""
    result = _run(IMPORT_PROBE.replace("PRELOAD", PRELOAD[package]).replace("IMPORTS", IMPORTS[package]), env_value)
    before, after = result["before"], result["after"]
    assert after["environ"] == before["environ"]
    assert after["threads"] == before["threads"]
    assert after["filters"] == before["filters"]
    assert result["warnings"] == []


def test_limit_blas_threads_uses_one_thread_by_default():
    result = _run(BLAS_PROBE.replace("*ARGS", ""))
    assert (result["returned"], result["limited"]) == (1, 1)
    assert result["restored"] == result["untouched"]
    assert result["warnings"] == []


def test_limit_blas_threads_takes_a_number():
    result = _run(BLAS_PROBE.replace("*ARGS", "2"), env_value="default")
    assert (result["returned"], result["limited"]) == (2, min(2, result["untouched"]))


def test_environment_variable_sets_the_limit():
    result = _run(BLAS_PROBE.replace("*ARGS", ""), env_value="2")
    assert (result["returned"], result["limited"]) == (2, min(2, result["untouched"]))


def test_environment_variable_can_leave_blas_alone():
    """With BACKPROP_BLAS_THREADS=default, limit_blas_threads() keeps the thread count BLAS picks by itself."""
    result = _run(BLAS_PROBE.replace("*ARGS", ""), env_value="default")
    assert result["returned"] is None
    assert result["limited"] == result["untouched"]


@pytest.mark.parametrize("bad", ["many", "0", "-2", "1.5"])
def test_bad_environment_value_warns_and_uses_one_thread(bad):
    result = _run(BLAS_PROBE.replace("*ARGS", ""), env_value=bad)
    assert (result["returned"], result["limited"]) == (1, 1)
    assert result["warnings"] == [f"BACKPROP_BLAS_THREADS must be a positive number or 'default', got {bad!r}; "
                                  f"using 1 BLAS thread(s)."]


def test_set_blas_threads_refuses_nonsense():
    import backprop
    with pytest.raises(ValueError, match="positive whole number"):
        backprop.set_blas_threads(0)
    with pytest.raises(ValueError, match="positive whole number"):
        backprop.limit_blas_threads(True)
