"""Visible checks of VALUES that also say which classic mistake a wrong answer looks like.

``check_explained`` compares a student's array with a reference the check computed itself and, when the answer
equals one of the wrong answers the check also computed (a transposed matrix, a window with L - 1, ...), names
that mistake. ``check_backward`` runs ``backprop.gradcheck`` on a hand-written backward. ``check_logits`` refuses
a classifier's outputs that are probabilities (a softmax before a loss that applies its own). All three are
re-exported by ``backprop.checks``; they use its pristine references, captured before any student code runs.
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


def check_logits(scores, name="scores", tol=1e-6):
    """Visible check: a classifier's outputs are raw class scores (logits), not the probabilities of a softmax.

    ``nn.CrossEntropyLoss`` applies log-softmax itself, so a network that ends in a softmax applies it twice: its
    scores stay in [0, 1], the loss cannot fall below log(1 + (C - 1)/e) and the gradients shrink, so training
    slows or stalls while the accuracy may still look fine. ``scores`` is an (N, C) array; rows that all lie in
    [0, 1] and sum to 1 (within ``tol``) are refused with that explanation. Returns None.
    """
    __tracebackhide__ = True
    try:
        have = _np.asarray(scores, dtype=float)
    except (TypeError, ValueError):
        raise CheckError(f"{name} should be an array of class scores, got {_describe(scores)}") from None
    if have.ndim != 2 or have.shape[1] < 2:
        raise CheckError(f"{name} should have shape (N, C): one row of C >= 2 class scores per example, "
                         f"got shape {have.shape}")
    if not _np.all(_np.isfinite(have)):
        raise CheckError(f"{name} contains nan or inf")
    rows_off = _float(_np.abs(have.sum(axis=1) - 1.0).max())
    if _np.all((have >= 0.0) & (have <= 1.0)) and rows_off <= tol:
        classes = have.shape[1]
        floor = _float(_np.log1p((classes - 1) / _np.e))
        raise CheckError(
            f"{name} look like probabilities, not raw scores: every entry lies in [0, 1] and every row sums to 1. "
            f"The network ends in a softmax, but nn.CrossEntropyLoss applies (log-)softmax itself, so the softmax "
            f"is applied twice: the scores it sees stay in [0, 1], so with {classes} classes the loss cannot fall "
            f"below {floor:.4g}, and its gradients shrink, which slows or stalls training. Remove the Softmax after "
            f"the last Linear layer: the network must output raw scores (logits).")
    print(f"{name} are raw scores (logits), not probabilities: ok")
