"""Argument checks shared by layers, optimizers, schedulers and data loaders, so each message is written once."""
from __future__ import annotations

import difflib
import math

import numpy as np


def positive_int(owner: str, name: str, value, unit: str = "") -> int:
    """`value` as an int if it is a whole number >= 1 (not a bool), else a ValueError naming owner and argument."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive integer{unit and ' number of ' + unit}, got {value!r}")
    return int(value)


def check_number(owner: str, name: str, value, low: float = 0.0, high: float | None = None,
                 high_open: bool = False) -> float:
    """Refuse a hyperparameter that is not a real number in [low, high] (or [low, high) when high_open)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{owner}: {name} must be a number, got {value!r}")
    value = float(value)
    too_high = high is not None and (value >= high if high_open else value > high)
    if not math.isfinite(value) or value < low or too_high:
        bracket = "" if high is None else f" and {'below' if high_open else 'at most'} {high}"
        raise ValueError(f"{owner}: invalid {name} {value!r}; it must be at least {low}{bracket}")
    return value


def refuse_unknown_options(owner: str, unknown: dict, valid) -> None:
    """Raise a TypeError naming each unknown keyword option, a close match if any, and the valid options."""
    if not unknown:
        return
    valid = list(valid)
    parts = []
    for name in unknown:
        close = difflib.get_close_matches(name, valid, n=1)
        parts.append(f"'{name}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    raise TypeError(f"{owner} got unknown option{'s' if len(parts) > 1 else ''} {', '.join(parts)}; "
                    f"valid options are: {', '.join(valid)}")
