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


# Hidden tests declare probes; the grader asks the student's kernel and judges outside it (see backprop.probes).
from .probes import accuracy_at_least, at_least, at_most, choice, close, equal, probe  # noqa: E402,F401
