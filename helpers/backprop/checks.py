"""Answer checks used by the graded notebooks: clear messages, explicit tolerances, hard to fool.

Every check says what it expected, what it got and the tolerance. The helpers convert answers with
pristine references captured when this module is imported (the notebooks import it in a locked cell
before any student code runs), so monkeypatching ``np.isclose``, ``float`` or ``str`` inside the kernel,
or handing in a subclass with a rigged ``__eq__``/``__float__``, does not change what is compared.
The checks set ``__tracebackhide__`` so IPython shows the student's cell and the message, not this file.
"""
import builtins as _builtins
import math as _math

import numpy as _np

# Pristine references, captured before any student code runs.
_type = _builtins.type
_isinstance = _builtins.isinstance
_len = _builtins.len
_repr = _builtins.repr
_abs = _builtins.abs
_bool = _builtins.bool
_int = _builtins.int
_float = _builtins.float
_str = _builtins.str
_list = _builtins.list
_tuple = _builtins.tuple
_float_value = _builtins.float.__float__
_int_value = _builtins.int.__index__
_str_value = _builtins.str.__str__
_str_lower = _builtins.str.lower
_str_split = _builtins.str.split
_str_join = _builtins.str.join
_isfinite = _math.isfinite
_ndarray = _np.ndarray
_ndarray_tolist = _np.ndarray.tolist
_np_generic = _np.generic
_np_generic_item = _np.generic.item
_np_bool = _np.bool_

CHOICES = ("a", "b", "c", "d")


class CheckError(AssertionError):
    """A failed answer check; the message says what was expected, what was got and what to do."""


def _describe(value):
    """A short, safe description of a value for error messages."""
    try:
        text = _repr(value)
    except Exception:  # a student's object with a broken __repr__
        text = "<unprintable>"
    if _len(text) > 80:
        text = text[:77] + "..."
    return f"{_type(value).__name__} {text}"


def as_number(value, name="value"):
    """Return ``value`` as an exact Python float, or raise CheckError naming what was wrong.

    Accepts int, float and numpy scalars (and their subclasses, read through the base type so an
    overridden ``__float__`` is ignored); refuses bools, strings, arrays, None and non-finite values.
    """
    __tracebackhide__ = True
    if value is None:
        raise CheckError(f"{name} is None: assign a number to {name} (did you forget to return it?)")
    if _isinstance(value, (_bool, _np_bool)):
        raise CheckError(f"{name} should be a number, got a bool ({value!r})")
    if _isinstance(value, _float):
        number = _float_value(value)
    elif _isinstance(value, _int):
        number = _float(_int_value(value))
    elif _isinstance(value, _np_generic) and not _isinstance(value, (_np.str_, _np.bytes_)):
        item = _np_generic_item(value)
        if _type(item) not in (_float, _int):
            raise CheckError(f"{name} should be a real number, got {_describe(value)}")
        number = _float(item)
    elif _isinstance(value, _ndarray):
        raise CheckError(
            f"{name} should be a single number, got an array of shape {value.shape}; "
            f"use .item() or sum the terms into one number")
    else:
        raise CheckError(f"{name} should be a number (float), got {_describe(value)}")
    if not _isfinite(number):
        raise CheckError(f"{name} should be a finite number, got {number}")
    return number


def as_numbers(value, name="value", length=None):
    """Return a list/tuple/1-D array of numbers as a list of exact floats (optionally of a given length)."""
    __tracebackhide__ = True
    if value is None:
        raise CheckError(f"{name} is None: assign a list of numbers to {name} (did you forget to return it?)")
    if _isinstance(value, _ndarray):
        if value.ndim != 1:
            raise CheckError(f"{name} should be a flat list of numbers, got an array of shape {value.shape}")
        items = _ndarray_tolist(value)
    elif _isinstance(value, _list):
        items = [item for item in _list.__iter__(value)]  # base iteration: ignores an overridden __iter__
    elif _isinstance(value, _tuple):
        items = [item for item in _tuple.__iter__(value)]
    else:
        raise CheckError(f"{name} should be a list (or 1-D array) of numbers, got {_describe(value)}")
    if length is not None and _len(items) != length:
        raise CheckError(f"{name} should hold {length} numbers (one per weight), got {_len(items)}")
    return [as_number(item, f"{name}[{i}]") for i, item in enumerate(items)]


def check_number(value, name="value"):
    """Visible check: ``value`` is a single finite number. Returns None, so a test cell ending in it has no result."""
    __tracebackhide__ = True
    as_number(value, name)
    print(f"{name} is a number: ok")


def check_numbers(value, name="value", length=None):
    """Visible check: ``value`` is a list of ``length`` finite numbers. Returns None."""
    __tracebackhide__ = True
    numbers = as_numbers(value, name, length)
    print(f"{name} holds {len(numbers)} numbers: ok")


def check_close(value, expected, name="value", tol=1e-6):
    """Check that ``value`` equals ``expected`` within the absolute tolerance ``tol``."""
    __tracebackhide__ = True
    got = as_number(value, name)
    want = as_number(expected, "expected")
    if not _abs(got - want) <= tol:
        raise CheckError(f"{name}: expected {want:.6g} (tolerance {tol:g}), got {got:.6g}")
    return got


def check_all_close(values, expected, name="value", tol=1e-6):
    """Check a list of numbers element by element against ``expected`` within ``tol``."""
    __tracebackhide__ = True
    want = as_numbers(expected, "expected")
    got = as_numbers(values, name, _len(want))
    for i in range(_len(want)):
        if not _abs(got[i] - want[i]) <= tol:
            raise CheckError(
                f"{name}[{i}]: expected {want[i]:.6g} (tolerance {tol:g}), got {got[i]:.6g}; "
                f"all of {name}: {[round(g, 6) for g in got]}")
    return got


def normalise_choice(value, name="answer"):
    """Return a multiple-choice answer as one lower-case letter with spaces removed (e.g. ' B ' -> 'b')."""
    __tracebackhide__ = True
    if value is None:
        raise CheckError(f'{name} is not answered yet: set {name} = "a", "b", "c" or "d"')
    if _type(value) is not _str:
        raise CheckError(f'{name} should be a string such as "b", got {_describe(value)}')
    letters = _str_join("", _str_split(_str_lower(_str_value(value))))
    return letters


def check_choice(value, name="answer"):
    """Visible check: the answer is one of the letters a-d (case and spaces ignored). Returns None."""
    __tracebackhide__ = True
    letter = normalise_choice(value, name)
    if letter not in CHOICES:
        raise CheckError(
            f'{name} = {value!r} is not one of the options: answer with one letter, "a", "b", "c" or "d"')
    print(f'{name} = "{letter}" is a valid option: ok')


def check_choice_is(value, correct, name="answer"):
    """Hidden check: the normalised answer is the ``correct`` letter."""
    __tracebackhide__ = True
    letter = normalise_choice(value, name)
    if letter != correct:
        raise CheckError(f'{name}: "{letter}" is not the right option')
    return letter



def _constant_factor(got, want):
    """The number c with got == c * want at every entry (within 1e-6 relative), or None if there is none."""
    mask = _np.abs(want) > 1e-12
    if not mask.any() or _np.any(_np.abs(got[~mask]) > 1e-12):
        return None
    ratios = got[mask] / want[mask]
    c = _float(_np.median(ratios))
    if not _np.all(_np.abs(ratios - c) <= 1e-6 * _np.maximum(1.0, _np.abs(c))):
        return None
    return c


def _comparable(got, want, name, tail, none_text, type_text, shape_note=""):
    """``got`` as a float array shaped like ``want``, or a CheckError that says what is wrong with it."""
    __tracebackhide__ = True
    if got is None:
        raise CheckError(none_text)
    if _isinstance(got, (_bool, _np_bool, _str)):
        raise CheckError(type_text)
    try:
        have = _np.array(got, dtype=float)
    except (TypeError, ValueError):
        raise CheckError(type_text) from None
    if have.shape != want.shape:
        raise CheckError(f"{name} should have shape {want.shape}{shape_note}, got {have.shape}.{tail}")
    if not _np.all(_np.isfinite(have)):
        raise CheckError(f"{name} contains nan or inf.{tail}")
    return have


def check_matches(got, expected, name="value", hint="", tol=1e-6, reference="the reference"):
    """Visible check: the array ``got`` equals ``expected`` (which the check computed itself) within ``tol``.

    Meant for a student's function run on fresh inputs and compared with the engine or an independent formula.
    The message is a short summary: the largest difference, where it is, both values there (6 significant
    digits), how many entries differ, and "every entry is c times the reference" when that holds (a sign error
    gives -1, a forgotten 1/N gives N), followed by ``hint``, which says what to look at. Returns None.
    """
    __tracebackhide__ = True
    want = _np.asarray(expected, dtype=float)
    tail = f" Hint: {hint}" if hint else ""
    have = _comparable(got, want, name, tail, f"{name} is None, not an array of numbers: did you forget to return it?",
                       f"{name} should be an array of numbers, got {_describe(got)}", f" (as {reference})")
    diff = _np.abs(have - want)
    worst = _float(diff.max(initial=0.0))
    if worst <= tol:
        print(f"{name} matches {reference} (largest difference {worst:.1e}): ok")
        return
    where = _np.unravel_index(_int(_np.argmax(diff)), diff.shape) if diff.ndim else ()
    index = f"[{', '.join(_str(_int(k)) for k in where)}]" if where else ""
    bad = _int(_np.count_nonzero(diff > tol))
    text = (f"{name} does not match {reference}: {bad} of {diff.size} entries differ by more than {tol:g}; "
            f"the largest difference, {worst:.3g}, is at {name}{index}: expected {_float(want[where]):.6g}, "
            f"got {_float(have[where]):.6g}.")
    factor = _constant_factor(have, want)
    if factor is not None:
        text += f" Every entry is {factor:.6g} times the reference."
    raise CheckError(text + tail)


def check_parts(got, expected, name="value", hints=None, tol=1e-6, reference="the reference"):
    """Visible check: every named part of ``got`` (a dict, or a tuple in the order of ``expected``) matches.

    ``expected`` is a dict {part: array} the check computed itself; ``hints`` {part: text} says what to look at
    when that part is wrong. Each part is compared as by ``check_matches``; one message lists every wrong part,
    so a student sees at once whether only one gradient is off or all of them. Returns None.
    """
    __tracebackhide__ = True
    import contextlib as _contextlib
    import io as _io

    hints = hints or {}
    keys = _list(expected)
    if _isinstance(got, dict):
        missing = [key for key in keys if key not in got]
        if missing:
            raise CheckError(f"{name} should have the keys {keys}, it lacks {missing}")
        parts = {key: got[key] for key in keys}
    elif _isinstance(got, (_tuple, _list)):
        if _len(got) != _len(keys):
            raise CheckError(f"{name} should be a tuple of {_len(keys)} ({', '.join(keys)}), got {_len(got)} items")
        parts = dict(zip(keys, got))
    else:
        raise CheckError(f"{name} should be a tuple ({', '.join(keys)}) or a dict, got {_describe(got)}")
    failures = []
    with _contextlib.redirect_stdout(_io.StringIO()):
        for key in keys:
            hint = f" Hint: {hints[key]}" if hints.get(key) else ""
            if _np.size(expected[key]) == 1:  # one number: a one-line message
                try:
                    have = _np.asarray(parts[key] if parts[key] is not None else _np.nan, dtype=float)
                except (TypeError, ValueError):
                    raise CheckError(f"{name}[{key}] should be a number, got {_describe(parts[key])}") from None
                want = _float(_np.asarray(expected[key], dtype=float).reshape(-1)[0])
                if have.size != 1 or not _abs(_float(have.reshape(-1)[0]) - want) <= tol:
                    shown = (f"{_float(have.reshape(-1)[0]):.6g}" if have.size == 1 else f"shape {have.shape}"
                             ) if parts[key] is not None else "None"
                    failures.append(f"{name}[{key}]: expected {want:.6g}, got {shown} (tolerance {tol:g}).{hint}")
                continue
            try:
                check_matches(parts[key], expected[key], f"{name}[{key}]", hints.get(key, ""), tol, reference)
            except CheckError as error:
                failures.append(_str(error))
    if failures:
        raise CheckError("\n".join(failures))
    print(f"{name}: all {_len(keys)} parts ({', '.join(keys)}) match {reference}: ok")


def check_agrees(got, expected, name="value", hint="", tol=1e-6, reference="the reference"):
    """Visible check: ``got`` (a number or an array) equals ``expected`` within ``tol``, without showing ``expected``.

    For an exercise's own answer, which the hidden tests grade: the check computes the reference itself (with the
    engine, say) and its message shows only the student's value, how many entries are off, whether the sign is
    reversed, and ``hint`` (what to look at). Returns None.
    """
    __tracebackhide__ = True
    want = _np.asarray(expected, dtype=float)
    tail = f" Hint: {hint}" if hint else ""
    have = _comparable(got, want, name, tail,
                       f"{name} is None: assign your answer to {name} (did you forget to return it?)",
                       f"{name} should be a number or a list of numbers, got {_describe(got)}")
    diff = _np.abs(have - want)
    if _float(diff.max(initial=0.0)) <= tol:
        print(f"{name} agrees with {reference} (tolerance {tol:g}): ok")
        return
    where = _np.unravel_index(_int(_np.argmax(diff)), diff.shape) if diff.ndim else ()
    index = f"[{', '.join(_str(_int(k)) for k in where)}]" if where else ""
    bad = _int(_np.count_nonzero(diff > tol))
    count = f"{bad} of {diff.size} entries differ" if diff.size > 1 else "it differs"
    text = (f"{name} does not agree with {reference}: {count} by more than {tol:g} "
            f"(you have {name}{index} = {_float(have[where]):.6g}).")
    if _np.all(_np.abs(have + want) <= tol) and _np.any(_np.abs(want) > tol):
        text += " Its sign is reversed."
    raise CheckError(text + tail)



def _plain(value):
    """``value`` as plain Python data (numbers, strings, None, nested lists), or raise TypeError for anything else."""
    if value is None or _type(value) in (_bool, _int, _float, _str):
        return value
    if _isinstance(value, _np_generic):
        return _np_generic_item(value)
    if _isinstance(value, _ndarray):
        return _ndarray_tolist(value)
    if _isinstance(value, _list):
        return [_plain(item) for item in _list.__iter__(value)]
    if _isinstance(value, _tuple):
        return [_plain(item) for item in _tuple.__iter__(value)]
    raise TypeError(_type(value).__name__)


def check_equal(got, expected, name="value", hint="", reference="the answer worked out by the check"):
    """Visible check: ``got`` equals ``expected`` exactly, for small answers with no tolerance (indices, pairs, sizes).

    ``expected`` is computed or worked out by the check on its own case (never a hidden test's answer). Numbers,
    strings, None, lists, tuples and arrays compare by value (a tuple equals the list with the same items, a numpy
    int the same Python int); anything else is refused, so an object with a rigged ``__eq__`` cannot pass. The
    message shows both values (shortened) and ends with ``hint``. Returns None.
    """
    __tracebackhide__ = True
    want = _plain(expected)
    tail = f" {hint}" if hint else ""
    if got is None and want is not None:
        raise CheckError(f"{name} is None: did you forget to return it?{tail}")
    try:
        have = _plain(got)
    except TypeError:
        raise CheckError(f"{name} should be made of numbers, lists or tuples, got {_describe(got)}.{tail}") from None
    if have == want:
        print(f"{name} equals {reference}: ok")
        return

    def short(data):
        text = _repr(data)
        return text if _len(text) <= 120 else text[:117] + "..."

    raise CheckError(f"{name}: expected {short(want)} ({reference}), got {short(have)}.{tail}")



def check_near(value, expected, name="value", tol=1e-6, hint="", reference="the reference"):
    """Visible check: the number ``value`` is within ``tol`` of ``expected``, a figure the check computed or measured.

    The one-number counterpart of ``check_matches``, with a short message: both values (6 significant digits), the
    tolerance, how many times the expected value the answer is (a forgotten 1/2 shows as 2, a sign error as -1),
    and ``hint``. Returns None.
    """
    __tracebackhide__ = True
    got = as_number(value, name)
    want = as_number(expected, "expected")
    if _abs(got - want) <= tol:
        print(f"{name} = {got:.6g}, within {tol:g} of {reference}: ok")
        return
    text = f"{name}: expected {want:.6g} ({reference}, tolerance {tol:g}), got {got:.6g}"
    if want != 0.0:
        text += f", {got / want:.3g} times the expected value"
    raise CheckError(f"{text}.{' ' + hint if hint else ''}")


# Value checks that name a known mistake, the gradient check of a hand-written backward, and the check that a
# classifier outputs logits (see checks_values).
from .checks_values import check_backward, check_explained, check_logits  # noqa: E402,F401

# Hidden tests declare probes; the grader asks the student's kernel and judges outside it (see backprop.probes).
from .probes import accuracy_at_least, at_least, at_most, choice, close, equal, probe  # noqa: E402,F401
