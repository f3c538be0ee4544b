"""Check a backward pass against finite differences, and explain what is wrong when it fails.

The numeric gradient of a scalar function f at x, element by element, is the central difference

    (f(x + eps * e_i) - f(x - eps * e_i)) / (2 * eps)

computed in float64. `gradcheck` compares it with the gradient backward() produces; `check_gradient` does
the same for a plain numpy function and a gradient you computed by hand. Where f has a kink (ReLU at 0, a
tie in max, |x| at 0) the two one-sided slopes disagree; such elements are nudged off the kink (about 1e-3)
and checked there, or skipped with a note if they stay on one.
"""
from dataclasses import dataclass, field

import numpy as np

from .grad_mode import no_grad
from .tensor import Tensor

_NUDGE_ATTEMPTS = 2


class GradcheckError(AssertionError):
    """Raised by gradcheck/check_gradient when analytic and numeric gradients disagree (the report is the message)."""


@dataclass
class ElementReport:
    """One gradient element compared: where it is and the two values."""

    input: int
    index: tuple
    analytic: float
    numeric: float
    rel_error: float


@dataclass
class InputReport:
    """The comparison for one input: how many elements failed, its worst element, and a hint."""

    input: int
    shape: tuple
    checked: int
    failed: int
    skipped: int
    max_rel_error: float
    worst: ElementReport | None
    hint: str = ""


@dataclass
class GradcheckResult:
    """Outcome of a gradient check: `ok`, `max_rel_error`, the `worst` element, and a readable `report()`."""

    ok: bool
    max_rel_error: float
    worst: ElementReport | None
    inputs: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    atol: float = 1e-5
    rtol: float = 1e-3
    names: list = field(default_factory=list)
    title: str = "gradcheck"

    def __bool__(self) -> bool:
        return self.ok

    def _name(self, i: int) -> str:
        return self.names[i] if i < len(self.names) else f"input {i}"

    def report(self) -> str:
        """A few lines a student can act on: verdict, worst element, hint, notes."""
        lines = []
        checked = sum(r.checked for r in self.inputs)
        if self.ok:
            lines.append(f"{self.title} passed: {checked} gradient element(s) in {len(self.inputs)} input(s) match "
                         f"finite differences (max relative error {self.max_rel_error:.2e}).")
        else:
            lines.append(f"{self.title} FAILED (tolerance: |analytic - numeric| <= {self.atol:g} + {self.rtol:g} * "
                         f"|numeric|).")
        for r in self.inputs:
            name = self._name(r.input)
            if r.failed and not r.checked:
                lines.append(f"  {name} (shape {r.shape}): could not be compared.")
            elif r.failed:
                lines.append(f"  {name} (shape {r.shape}): {r.failed} of {r.checked} element(s) wrong.")
            else:
                lines.append(f"  {name} (shape {r.shape}): ok, max relative error {r.max_rel_error:.2e}.")
            if r.failed and r.worst is not None:
                w = r.worst
                lines.append(f"    worst element: index {w.index}: analytic = {w.analytic:.6g}, "
                             f"numeric = {w.numeric:.6g}, relative error = {w.rel_error:.3g}")
            if r.hint:
                lines.append(f"    hint: {r.hint}")
        for note in self.notes:
            lines.append(f"  note: {note}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


# ----------------------------------------------------------------------------------------------------------
# numeric differentiation
# ----------------------------------------------------------------------------------------------------------
def _numeric_gradient(f, x: np.ndarray, eps: float, atol: float):
    """Central differences of scalar f() w.r.t. every element of x (changed in place and restored).

    Returns the gradient and a mask of elements where the two one-sided slopes disagree (a kink).
    """
    f0 = f()
    grad = np.zeros(x.shape)
    kink = np.zeros(x.shape, dtype=bool)
    flat = x.reshape(-1)  # a view: writing to it changes x
    if not np.shares_memory(flat, x):
        raise RuntimeError("internal: gradcheck needs a contiguous array")
    grad_flat, kink_flat = grad.reshape(-1), kink.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        f_plus = f()
        flat[i] = original - eps
        f_minus = f()
        flat[i] = original
        grad_flat[i] = (f_plus - f_minus) / (2 * eps)
        forward, backward = (f_plus - f0) / eps, (f0 - f_minus) / eps
        if abs(forward - backward) > atol + 0.1 * max(abs(forward), abs(backward)):
            kink_flat[i] = True
    return grad, kink


def _relative_error(analytic, numeric, atol):
    """|a - n| / max(|a|, |n|, atol), elementwise (so tiny values are compared on the atol scale)."""
    return np.abs(analytic - numeric) / np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), atol)


# ----------------------------------------------------------------------------------------------------------
# hints
# ----------------------------------------------------------------------------------------------------------
def _ratio_hint(analytic, numeric, atol):
    """If analytic is a constant multiple of numeric at EVERY element, say which multiple and what usually causes it.

    The factor is read where the true gradient is clearly non-zero, then checked on all elements: a gradient
    that is r times the true one there but non-zero where the true one is zero is not "r times everywhere".
    """
    significant = np.abs(numeric) > 10 * atol
    if not significant.any():
        return ""
    ratios = analytic[significant] / numeric[significant]
    r = float(np.median(ratios))
    if not np.allclose(ratios, r, rtol=1e-2, atol=1e-3) or abs(r - 1) < 1e-2:
        return ""
    if not np.allclose(analytic, r * numeric, rtol=1e-2, atol=10 * atol):
        return ""
    if abs(r + 1) < 1e-2:
        return ("sign flipped: your gradient is exactly minus the true one everywhere. Check the order of a "
                "subtraction, or a missing/extra minus sign (d(-x)/dx = -1, d(a-b)/db = -1).")
    if abs(r - 2) < 2e-2:
        return ("your gradient is off by a factor of 2 (twice the true value): a term counted twice, or a "
                "gradient accumulated twice?")
    if abs(r - 0.5) < 1e-2:
        return ("your gradient is off by a factor of 2 (half the true value): a missing factor 2, as in "
                "d(x**2)/dx = 2*x, or one of two paths through a reused value not added?")
    if abs(abs(r) - 1) < 1e-2:
        return ""
    sign = " and has the wrong sign" if r < 0 else ""
    return (f"your gradient is {abs(r):.4g} times the true one everywhere{sign}: a constant factor is wrong "
            f"(e.g. a 1/N from a mean, or a scale in the derivative).")


def _hint(i, analytic, numeric, bad, x, all_numeric, atol, rtol):
    """The most specific explanation we can find for input i's failing gradient."""
    if not np.all(np.isfinite(numeric)):
        return ("the numeric gradient contains nan/inf: the function itself is not finite near this point "
                "(log or division at 0? overflow in exp?).")
    if not np.all(np.isfinite(analytic)):
        return "your gradient contains nan/inf while the function is finite here: check divisions and logs in backward."
    num_zero = np.all(np.abs(numeric) <= atol)
    ana_zero = np.all(np.abs(analytic) <= atol)
    if ana_zero and not num_zero:
        return ("your gradient is zero everywhere but the true one is not: is the gradient reaching this input? "
                "(a parent missing from the op, None returned for it, or .data/numpy used inside so the graph is cut)")
    if num_zero and not ana_zero:
        return "the output does not depend on this input at all, yet your backward gives it a nonzero gradient."
    if analytic.ndim == 2 and analytic.shape[0] == analytic.shape[1] > 1 and \
            np.allclose(analytic, numeric.T, atol=atol, rtol=rtol):
        return "your gradient equals the true one TRANSPOSED: swap the operands of a matmul or add/remove a .T."
    for j, other_numeric in enumerate(all_numeric):
        if j != i and other_numeric is not None and other_numeric.shape == analytic.shape and \
                not np.allclose(other_numeric, numeric, atol=atol, rtol=rtol) and \
                np.allclose(analytic, other_numeric, atol=atol, rtol=rtol):
            return (f"this looks like the gradient of a different input (input {j}): are the gradients returned in "
                    f"the wrong order?")
    hint = _ratio_hint(analytic, numeric, atol)
    if hint:
        return hint
    if x is not None and bad.any() and not bad.all():
        for mask, where in ((x < 0, "the input is negative"), (x > 0, "the input is positive"),
                            (x == 0, "the input is zero")):
            if np.array_equal(bad, mask):
                return f"wrong exactly where {where}: look at the branch of your derivative for that case."
        return (f"only some elements are wrong ({int(bad.sum())} of {bad.size}): a broadcasting/indexing mistake, "
                f"or a term missing for some elements?")
    return "the gradient is wrong in a way with no simple pattern: re-derive it on paper for a 1-element input."


def _input_report(i, analytic, numeric, skip, x, all_numeric, atol, rtol):
    """Compare analytic and numeric gradients of input i (elements in `skip` are not compared)."""
    rel = _relative_error(analytic, numeric, atol)
    excess = np.abs(analytic - numeric) / (atol + rtol * np.abs(numeric))
    excess = np.where(np.isnan(excess), np.inf, excess)
    rel = np.where(np.isnan(rel), np.inf, rel)
    rel[skip] = 0.0
    excess[skip] = 0.0
    bad = excess > 1.0
    checked = int(rel.size - skip.sum())
    worst = None
    if rel.size:
        flat = int(np.argmax(excess))
        index = np.unravel_index(flat, rel.shape) if rel.ndim else ()
        worst = ElementReport(i, tuple(int(k) for k in index), float(analytic.reshape(-1)[flat]),
                              float(numeric.reshape(-1)[flat]), float(rel.reshape(-1)[flat]))
    hint = _hint(i, analytic, numeric, bad, x, all_numeric, atol, rtol) if bad.any() else ""
    return InputReport(i, tuple(analytic.shape), checked, int(bad.sum()), int(skip.sum()),
                       float(rel.max()) if rel.size else 0.0, worst, hint)


def _finish(reports, notes, atol, rtol, raise_exception, names=(), title="gradcheck"):
    """Build the result; raise GradcheckError with its report if asked to and something failed."""
    ok = all(r.failed == 0 for r in reports) and not any(n.startswith("FAILED") for n in notes)
    candidates = [r for r in reports if r.failed and r.worst is not None] or \
        [r for r in reports if r.worst is not None]
    worst = max(candidates, key=lambda r: r.worst.rel_error).worst if candidates else None
    result = GradcheckResult(ok, max((r.max_rel_error for r in reports), default=0.0), worst, list(reports),
                             list(notes), atol, rtol, list(names), title)
    if raise_exception and not ok:
        raise GradcheckError(result.report())
    return result


def _shape_failure(i, got_shape, want_shape, atol, rtol, raise_exception, names=(), title="gradcheck"):
    """The failure for a gradient of the wrong shape."""
    hint = f"a gradient must have the shape of its input {want_shape}, got {got_shape}"
    if tuple(got_shape) == tuple(want_shape)[::-1]:
        hint += " (reversed: a missing transpose?)"
    report = InputReport(i, tuple(want_shape), 0, 1, 0, float("inf"), None, hint + ".")
    return _finish([report], [], atol, rtol, raise_exception, names, title)


# ----------------------------------------------------------------------------------------------------------
# public entry points
# ----------------------------------------------------------------------------------------------------------
def _projection(shape, rng):
    """Random weights with |w| in [0.5, 1.5]: a non-scalar output is checked through sum(w * output)."""
    if shape == ():
        return np.ones(())
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 1.5, size=shape)


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, seed: int = 0) -> GradcheckResult:
    """Compare backward() of `fn(*inputs)` with central finite differences for every input that requires grad.

    `fn` returns a Tensor; a non-scalar output is reduced to sum(w * output) with fixed random weights w.
    The inputs are copied (float64), so your tensors and their .grad are left untouched.
    Returns a GradcheckResult (truthy when ok); raises GradcheckError with the report on failure unless
    raise_exception=False.
    """
    if isinstance(inputs, Tensor) or not isinstance(inputs, (tuple, list)):
        inputs = (inputs,)
    work = []
    for x in inputs:
        if isinstance(x, Tensor):
            work.append(Tensor(np.array(x.data, dtype=np.float64), requires_grad=x.requires_grad))
        else:
            work.append(x)
    checked = [i for i, x in enumerate(work) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input has requires_grad=True, so there is no gradient to check. Create the "
                         "inputs with Tensor(..., requires_grad=True).")
    rng = np.random.default_rng(seed)
    notes = []
    out = fn(*work)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}. (For a numpy function and a "
                        f"hand-computed gradient use check_gradient(f, x, analytic_grad).)")
    weights = _projection(out.shape, rng)
    if out.shape != ():
        notes.append(f"the output has shape {out.shape}; it was checked through sum(w * output) with fixed random w.")

    def f():
        with no_grad():
            value = fn(*work)
        return float(np.sum(value.data * weights))

    for attempt in range(_NUDGE_ATTEMPTS + 1):
        for i in checked:
            work[i].grad = None
        out = fn(*work)
        if not out.requires_grad:
            report = InputReport(checked[0], work[checked[0]].shape, 0, 1, 0, float("inf"), None,
                                 "the output is not connected to any input that requires grad: fn builds no graph "
                                 "(does it use .data, numpy functions or no_grad() on the way?).")
            return _finish([report], notes, atol, rtol, raise_exception)
        try:
            out.backward(weights)
        except RuntimeError as error:
            report = InputReport(checked[0], work[checked[0]].shape, 0, 1, 0, float("inf"), None,
                                 f"backward() failed: {error}")
            return _finish([report], notes, atol, rtol, raise_exception)
        analytic = {}
        for i in checked:
            g = work[i].grad
            if g is None:
                g = np.zeros(work[i].shape)
                note = f"no gradient reached input {i}; it is treated as zero."
                if note not in notes:
                    notes.append(note)
            elif g.shape != work[i].shape:
                return _shape_failure(i, g.shape, work[i].shape, atol, rtol, raise_exception)
            analytic[i] = np.array(g, dtype=np.float64)
        numeric, kinks = {}, {}
        for i in checked:
            numeric[i], kinks[i] = _numeric_gradient(f, work[i].data, eps, atol)
        total_kinks = sum(int(k.sum()) for k in kinks.values())
        if total_kinks == 0 or attempt == _NUDGE_ATTEMPTS:
            break
        for i in checked:
            k = kinks[i]
            if k.any():
                x = work[i].data
                step = rng.uniform(1e-3, 2e-3, size=int(k.sum())) * rng.choice([-1.0, 1.0], size=int(k.sum()))
                x[k] += step * np.maximum(1.0, np.abs(x[k]))
        notes.append(f"{total_kinks} element(s) sat on a kink (ReLU or |x| at 0, a tie in max, ...), where the "
                     f"gradient is not defined; they were nudged by about 1e-3 and checked again.")
    skipped = sum(int(k.sum()) for k in kinks.values())
    if skipped:
        notes.append(f"{skipped} element(s) still sit on a kink after nudging and were skipped.")
    all_numeric = [numeric.get(i) for i in range(len(work))]
    reports = [_input_report(i, analytic[i], numeric[i], kinks[i], work[i].data, all_numeric,
                             atol, rtol) for i in checked]
    return _finish(reports, notes, atol, rtol, raise_exception)


def check_gradient(f, x, analytic_grad, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                   raise_exception: bool = True) -> GradcheckResult:
    """Check a hand-computed gradient of a numpy function: f(x) -> float, analytic_grad an array or x -> array.

    Elements on a kink are nudged off it when analytic_grad is a function (so it can be re-evaluated), and
    skipped with a note otherwise. Returns a GradcheckResult or raises GradcheckError (see gradcheck).
    """
    point = np.array(x, dtype=np.float64)
    notes = []

    def value():
        result = f(point)
        try:
            return float(np.asarray(result).item())
        except (TypeError, ValueError):
            raise TypeError(f"check_gradient: f must return a single number, got shape {np.shape(result)}.") from None

    for attempt in range(_NUDGE_ATTEMPTS + 1):
        given = analytic_grad(point.copy()) if callable(analytic_grad) else analytic_grad
        given = np.asarray(given, dtype=np.float64)
        if given.shape != point.shape:
            return _shape_failure(0, given.shape, point.shape, atol, rtol, raise_exception, ["x"], "check_gradient")
        numeric, kink = _numeric_gradient(value, point, eps, atol)
        if not kink.any() or not callable(analytic_grad) or attempt == _NUDGE_ATTEMPTS:
            break
        rng = np.random.default_rng(attempt)
        n = int(kink.sum())
        point[kink] += rng.uniform(1e-3, 2e-3, n) * rng.choice([-1.0, 1.0], n) * np.maximum(1.0, np.abs(point[kink]))
        notes.append(f"{n} element(s) sat on a kink; they were nudged by about 1e-3 and checked again.")
    if kink.any():
        notes.append(f"{int(kink.sum())} element(s) sit on a kink (the function's slope jumps there) and were skipped.")
    report = _input_report(0, given, numeric, kink, point, [numeric], atol, rtol)
    return _finish([report], notes, atol, rtol, raise_exception, ["x"], "check_gradient")
