"""How many threads numpy's BLAS may use. The course's matrices are tiny, so one thread is fastest.

With BLAS's default of one thread per core, a small matmul spends more time waking and synchronising threads
than multiplying, and on a busy machine (a class autograding, a test suite on 2 cores) training slows down
5-15x. `import backprop` changes nothing in the process (no thread limit, no environment variable, no warning
filter); call `backprop.limit_blas_threads()` once, at the top of a notebook or script, to use one BLAS thread.
The environment variable BACKPROP_BLAS_THREADS sets what that call does (a number, or "default" to leave
BLAS alone); `limit_blas_threads(n)` / `set_blas_threads(n)` set a number directly (None undoes the limit).
"""
import os
import warnings

_limiter = None

ENV_VAR = "BACKPROP_BLAS_THREADS"


def set_blas_threads(n: int | None):
    """Limit numpy's BLAS to `n` threads (None restores what BLAS chose by itself)."""
    global _limiter
    from threadpoolctl import threadpool_limits

    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 1):
        raise ValueError(f"set_blas_threads: n must be a positive whole number or None, got {n!r}")
    if _limiter is not None:
        _limiter.restore_original_limits()
        _limiter = None
    if n is not None:
        _limiter = threadpool_limits(limits=n, user_api="blas")


def _from_environment(default: int = 1):
    """BACKPROP_BLAS_THREADS as a thread count, None for "default" (leave BLAS alone); a bad value warns and
    gives `default`."""
    setting = os.environ.get(ENV_VAR, str(default)).strip().lower()
    if setting == "default":
        return None
    try:
        n = int(setting)
        if n < 1:
            raise ValueError
    except ValueError:
        warnings.warn(f"{ENV_VAR} must be a positive number or 'default', got {setting!r}; using {default} BLAS "
                      f"thread(s).", RuntimeWarning, stacklevel=3)
        return default
    return n


def limit_blas_threads(n: int | None = None) -> int | None:
    """Limit numpy's BLAS threads for this process: to `n`, or (n=None) to BACKPROP_BLAS_THREADS, default 1.

    Call it once at the top of a notebook or script (`import backprop as bp; bp.limit_blas_threads()`).
    BACKPROP_BLAS_THREADS=default leaves BLAS alone; a bad value of it warns and uses one thread.
    Returns the limit now in force (None: BLAS's own choice). Undo it with set_blas_threads(None).
    """
    if n is None:
        n = _from_environment()
        if n is None:
            return None
    set_blas_threads(n)
    return n


def apply_default():
    """Former import-time hook, kept for old callers: the same as limit_blas_threads()."""
    return limit_blas_threads()
