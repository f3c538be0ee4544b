"""Hidden-test probes: the question a grader asks a student's kernel, and how it judges the plain-data answer.

A hidden test in ``solutions/`` declares probes instead of asserting inside the student's process::

    ### BEGIN HIDDEN TESTS
    checks.probe("forward([1.5, 2.0], [0.3, -0.7])", name="forward on new inputs")
    checks.probe("q1", compare=checks.choice())
    ### END HIDDEN TESTS

The grader runs that region in its own trusted process (``autograder.probes``) to learn the probes, sends only
each probe's code and input data into the sandboxed kernel, gets back plain data (numbers, strings, lists,
arrays) and judges it with :func:`judge` against the answer of the instructor's solution, run the same way. No
expected value ever enters the student's kernel. In an instructor's own kernel ``probe`` previews instead: it
evaluates the code right there and prints what the grader would receive, so a solution notebook run top to
bottom exercises every probe.
"""
import ast
import base64
import io
import json
import math

import numpy as np

ARRAY, FLOAT, UNSUPPORTED = "__array__", "__float__", "__unsupported__"
MAX_DEPTH = 20


# ---- how to compare: plain-data specs, the same in the grader and in a preview --------------------------------
def close(atol=1e-9, rtol=1e-7):
    """Numbers (and arrays, nested lists) agree with the solution's within ``atol + rtol * |reference|``."""
    return {"compare": "close", "atol": float(atol), "rtol": float(rtol)}


def equal():
    """The answer equals the solution's exactly (ints, strings, booleans, lists of them)."""
    return {"compare": "equal"}


def choice():
    """A multiple-choice letter: equal to the solution's after lower-casing and removing spaces."""
    return {"compare": "choice"}


def at_least(bound):
    """The answer is a finite number >= ``bound`` (no reference needed, e.g. an accuracy)."""
    return {"compare": "at_least", "bound": float(bound)}


def at_most(bound):
    """The answer is a finite number <= ``bound`` (no reference needed, e.g. a loss)."""
    return {"compare": "at_most", "bound": float(bound)}


def accuracy_at_least(bound, labels):
    """The answer is one predicted label per example; the share equal to ``labels`` is >= ``bound``.

    The labels stay in the grader: only the inputs travel to the student's kernel (as probe ``data``).
    """
    return {"compare": "accuracy_at_least", "bound": float(bound), "labels": np.asarray(labels).tolist()}


# ---- evaluating a probe and turning its value into plain data ---------------------------------------------------
def evaluate(code, namespace):
    """Run ``code`` in ``namespace``; the value of its last expression (None if it ends in a statement)."""
    tree = ast.parse(code, "<probe>", "exec")
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<probe>", "exec"), namespace)
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), "<probe>", "eval"), namespace)


def encode(value, depth=0):
    """``value`` as JSON-ready plain data; arrays (and engine tensors) keep their shape."""
    if depth > MAX_DEPTH:
        raise ValueError("the answer is nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else {FLOAT: repr(float(value))}
    if isinstance(value, np.generic):
        return encode(value.item(), depth + 1)
    data = getattr(value, "data", None) if type(value).__name__ in ("Tensor", "Parameter") else None
    if isinstance(data, np.ndarray):
        value = data
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise ValueError(f"an array of dtype {value.dtype} (numbers or booleans only)")
        flat = [encode(item, depth + 1) for item in value.ravel().tolist()]
        return {ARRAY: flat, "shape": list(value.shape)}
    if isinstance(value, (list, tuple)):
        return [encode(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {str(key): encode(item, depth + 1) for key, item in value.items()}
    return {UNSUPPORTED: type(value).__name__}


def decode(data):
    """The inverse of :func:`encode`: arrays back as numpy arrays, non-finite floats as floats."""
    if isinstance(data, list):
        return [decode(item) for item in data]
    if isinstance(data, dict):
        if ARRAY in data:
            flat = [decode(item) for item in data[ARRAY]]
            shape = tuple(int(n) for n in data.get("shape", [len(flat)]))
            return np.array(flat, dtype=float if any(isinstance(v, float) for v in flat) else None).reshape(shape)
        if FLOAT in data:
            return float(data[FLOAT])
        return {key: decode(item) for key, item in data.items()}
    return data


def run_probe(code_b64, marker, data_path=None, namespace=None):
    """Kernel side of one probe: evaluate, encode, print one line ``marker + JSON``.

    Raises only KeyboardInterrupt (the grader's interrupt after a cell timeout), so a student's endless loop
    costs one timeout, not one per probe.
    """
    try:
        scratch = dict(namespace if namespace is not None else {})
        scratch.setdefault("np", np)
        if data_path:
            with np.load(data_path, allow_pickle=False) as archive:
                scratch.update({name: archive[name] for name in archive.files})
        answer = {"value": encode(evaluate(base64.b64decode(code_b64).decode(), scratch))}
    except KeyboardInterrupt:  # the grader's interrupt after a timeout: stop asking, do not swallow it
        raise
    except BaseException as exc:  # noqa: BLE001 - any other failure of the student's code is an answer too
        answer = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
    print(marker + json.dumps(answer, allow_nan=False), flush=True)


def run_probes(items, namespace=None):
    """Kernel side of a test cell's probes: ``items`` are (code_b64, marker, data_path); one answer line each."""
    for code_b64, marker, data_path in items:
        run_probe(code_b64, marker, data_path, namespace)


def pack_data(data):
    """Probe input data as the bytes of an ``.npz`` archive (arrays only: no pickles cross into the kernel)."""
    buffer = io.BytesIO()
    np.savez(buffer, **{name: np.asarray(value) for name, value in data.items()})
    return buffer.getvalue()


# ---- judging --------------------------------------------------------------------------------------------------
def _summary(value, width=60):
    if isinstance(value, np.ndarray):
        text = f"array of shape {value.shape}"
        if value.size <= 6:
            text += " " + np.array2string(value, precision=10, separator=", ")
        return text
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def _close(got, ref, atol, rtol, where):
    """None if ``got`` matches ``ref``, else a message that never states the reference value."""
    if isinstance(ref, (bool, str)) or ref is None:
        if type(got) is type(ref) and got == ref:
            return None
        return f"{where}: got {_summary(got)}, which is not the expected value"
    if isinstance(ref, (int, float)) and not isinstance(got, bool) and isinstance(got, (int, float)):
        if math.isnan(ref) and math.isnan(got):
            return None
        return None if abs(got - ref) <= atol + rtol * abs(ref) else (
            f"{where}: got {got!r}, which is not within {atol:g} + {rtol:g}*|expected| of the expected value")
    if isinstance(ref, np.ndarray):
        if not isinstance(got, np.ndarray):
            got_arr = np.asarray(got, dtype=float) if _numeric_list(got) else None
            if got_arr is None:
                return f"{where}: expected an array of numbers, got {_summary(got)}"
            got = got_arr
        if got.shape != ref.shape:
            return f"{where}: shape {got.shape}, expected shape {ref.shape}"
        bad = ~np.isclose(got.astype(float), ref.astype(float), atol=atol, rtol=rtol, equal_nan=True)
        if bad.any():
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            return (f"{where}: {int(bad.sum())} of {bad.size} entries are wrong (the first at index {first}, "
                    f"where you have {got[first]!r})")
        return None
    if isinstance(ref, list):
        if isinstance(got, np.ndarray) and _numeric_list(ref):
            return _close(got, np.asarray(ref, dtype=float), atol, rtol, where)
        if not isinstance(got, list):
            return f"{where}: expected a list, got {_summary(got)}"
        if len(got) != len(ref):
            return f"{where}: {len(got)} items, expected {len(ref)}"
        for i, (g, r) in enumerate(zip(got, ref)):
            message = _close(g, r, atol, rtol, f"{where}[{i}]")
            if message:
                return message
        return None
    if isinstance(ref, dict):
        if not isinstance(got, dict) or set(got) != set(ref):
            return f"{where}: expected a dict with keys {sorted(ref)}, got {_summary(got)}"
        for key in ref:
            message = _close(got[key], ref[key], atol, rtol, f"{where}[{key!r}]")
            if message:
                return message
        return None
    return f"{where}: got {_summary(got)}, which is not the expected value"


def _numeric_list(value):
    try:
        np.asarray(value, dtype=float)
        return isinstance(value, (list, tuple))
    except (TypeError, ValueError):
        return False


def _number(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        return float(value.reshape(()))
    return None


def judge(answer, reference, spec, name="the answer"):
    """(passed, message) for one probe: ``answer`` and ``reference`` are decoded plain data, ``spec`` a compare spec.

    Messages say what was wrong with the answer; they never state the expected value.
    """
    spec = spec or close()
    kind = spec.get("compare", "close")
    if isinstance(answer, dict) and UNSUPPORTED in answer and len(answer) == 1:
        return False, f"{name}: a {answer[UNSUPPORTED]} came back; the answer must be numbers, text or arrays"
    if kind == "close":
        message = _close(answer, reference, spec["atol"], spec["rtol"], name)
    elif kind == "equal":
        message = None if _plain_equal(answer, reference) else \
            f"{name}: got {_summary(answer)}, which is not the expected value"
    elif kind == "choice":
        letter, right = (_letter(value) for value in (answer, reference))
        message = None if letter == right else f"{name}: {_summary(answer)} is not the right option"
    elif kind in ("at_least", "at_most"):
        number, bound = _number(answer), spec["bound"]
        if number is None:
            message = f"{name}: expected one finite number, got {_summary(answer)}"
        elif (number >= bound) if kind == "at_least" else (number <= bound):
            message = None
        else:
            message = f"{name}: {number:.6g} is {'below' if kind == 'at_least' else 'above'} the required {bound:g}"
    elif kind == "accuracy_at_least":
        labels = np.asarray(spec["labels"])
        predicted = np.asarray(answer) if isinstance(answer, (list, np.ndarray)) else None
        if predicted is None or predicted.shape != labels.shape:
            shape = None if predicted is None else predicted.shape
            message = f"{name}: expected one predicted label per example, shape {labels.shape}, got {shape}"
        else:
            accuracy = float(np.mean(predicted == labels))
            message = None if accuracy >= spec["bound"] else (
                f"{name}: accuracy {accuracy:.4f} on the held-out examples is below the required {spec['bound']:g}")
    else:
        raise ValueError(f"unknown compare kind {kind!r}")
    return message is None, message or ""


def _letter(value):
    """A multiple-choice answer lower-cased with spaces removed (anything but text is left as it is)."""
    return "".join(value.lower().split()) if isinstance(value, str) else value


def _plain_equal(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_plain_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return set(a) == set(b) and all(_plain_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b if isinstance(a, (bool, str)) or isinstance(b, (bool, str)) else a == b


# ---- the preview in an instructor's kernel --------------------------------------------------------------------
def probe(code, *, name=None, compare=None, data=None, explain=None):
    """Preview a probe where it is written (an instructor running a solution notebook): evaluate and print it.

    In grading, the grader reads this call from the hidden region instead and asks the student's kernel;
    ``explain`` is text the instructor chooses to show in feedback once the cell is graded. With the
    environment variable BACKPROP_PROBE_LOG set to a file, each preview also appends its answer there (JSON
    lines), which lets an author compare a solution's answers with a wrong solution's.
    """
    import os
    import sys

    caller = sys._getframe(1).f_globals
    scratch = dict(caller)
    scratch.update(data or {})
    label = name or code.strip().splitlines()[0][:60]
    answer = decode(json.loads(json.dumps(encode(evaluate(code, scratch)))))
    spec = compare or close()
    passed, message = judge(answer, answer, spec, label)
    log = os.environ.get("BACKPROP_PROBE_LOG")
    if log:
        with open(log, "a") as fh:
            fh.write(json.dumps({"name": label, "code": code, "answer": encode(answer), "compare": spec}) + "\n")
    if not passed:
        raise AssertionError(f"probe {label!r} fails: {message}")
    print(f"probe {label!r}: {_summary(answer)}")
