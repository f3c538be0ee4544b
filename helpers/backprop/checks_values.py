"""Visible checks of VALUES that also say which classic mistake a wrong answer looks like.

``check_explained`` compares a student's array with a reference the check computed itself and, when the answer
equals one of the wrong answers the check also computed (a transposed matrix, a window with L - 1, ...), names
that mistake. ``check_backward`` runs ``backprop.gradcheck`` on a hand-written backward. Both are re-exported
by ``backprop.checks``; they use its pristine references, captured before any student code runs.
"""
from .checks import (
    CheckError,
    _abs,
    _describe,
    _float,
    _isinstance,
    _np,
    _str,
    check_matches,
)


def _same(have, wrong, tol):
    """Whether the float array ``have`` equals the array ``wrong`` (same shape, every entry within ``tol``)."""
    try:
        other = _np.asarray(wrong, dtype=float)
    except (TypeError, ValueError):
        return False
    return other.shape == have.shape and _float(_np.abs(have - other).max(initial=0.0)) <= tol


def check_explained(got, expected, name="value", hint="", known=None, tol=1e-6, reference="the reference"):
    """Visible check: ``got`` matches ``expected`` as in ``check_matches``; a known wrong answer is named.

    ``known`` maps a sentence to the wrong answer the check computed on the same inputs, e.g.
    {"It equals the matrix transposed: rows are the TRUE class.": C.T}. When ``got`` equals one of them (within
    ``tol``) the message is that sentence, so a student reads what went wrong rather than a list of numbers;
    otherwise it is ``check_matches``'s summary followed by ``hint``. Returns None.
    """
    __tracebackhide__ = True
    want = _np.asarray(expected, dtype=float)
    try:
        have = _np.asarray(got, dtype=float) if got is not None else None
    except (TypeError, ValueError):
        have = None
    if have is not None and have.shape == want.shape and _np.all(_np.isfinite(have)):
        diff = _np.abs(have - want)
        if not _float(diff.max(initial=0.0)) <= tol:
            for sentence, wrong in (known or {}).items():
                if _same(have, wrong, tol):
                    raise CheckError(f"{name} does not match {reference}. {sentence}")
    check_matches(got, expected, name, hint, tol, reference)


def check_backward(fn, inputs, name="the op", hint=""):
    """Visible check: the backward of ``fn`` agrees with finite differences (``backprop.gradcheck``) on ``inputs``.

    For an exercise's hand-written backward, on inputs the check made itself. The message on failure is
    gradcheck's report (which input, its worst element with both values, a ratio hint) followed by ``hint``;
    an op that crashes is reported with its error. Returns None.
    """
    __tracebackhide__ = True
    from .gradcheck import gradcheck

    tail = f"\nHint: {hint}" if hint else ""
    try:
        result = gradcheck(fn, inputs, raise_exception=False)
    except Exception as error:  # noqa: BLE001 (the student's op may raise anything: report it with the hint)
        raise CheckError(f"{name}: the gradient check could not run it ({type(error).__name__}: {error}).{tail}"
                         ) from None
    if not _isinstance(result.ok, bool) or not result.ok:
        report = _str(result.report()) if hasattr(result, "report") else _describe(result)
        raise CheckError(f"{name}: backward does not agree with finite differences.\n{report}{tail}")
    worst = result.max_rel_error
    shown = f"{worst:.1e}" if _isinstance(worst, float) and _abs(worst) < 1e300 else "small"
    print(f"{name}: backward agrees with finite differences (largest relative error {shown}): ok")
