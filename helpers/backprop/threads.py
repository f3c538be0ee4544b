"""How many threads numpy's BLAS may use. The course's matrices are tiny, so one thread is fastest.

With BLAS's default of one thread per core, a small matmul spends more time waking and synchronising threads
than multiplying, and on a busy machine (a class autograding, a test suite on 2 cores) training slows down
5-15x. `import backprop` therefore limits BLAS to one thread; set the environment variable
BACKPROP_BLAS_THREADS (a number, or "default" to leave BLAS alone) or call `set_blas_threads(n)` to change it.
"""
import os

_limiter = None


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


def apply_default():
    """Apply BACKPROP_BLAS_THREADS (default 1) when backprop is imported."""
    setting = os.environ.get("BACKPROP_BLAS_THREADS", "1").strip().lower()
    if setting == "default":
        return
    try:
        n = int(setting)
    except ValueError:
        raise ValueError(f"BACKPROP_BLAS_THREADS must be a positive number or 'default', got {setting!r}") from None
    set_blas_threads(n)
