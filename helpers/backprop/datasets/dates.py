"""Synthetic "translation" pairs: calendar dates written in English words, and the same dates in ISO format.

Rule-generated from a seed, nothing is stored or downloaded: ``"the third of march, two thousand and five"`` ->
``"2005-03-03"``. The words come in several orders (day first, month first, with or without "the" and "of") and a
year after 2009 may be read "two thousand and twelve" or "twenty twelve", so a model has to read the words, not
count positions. Numbers below a hundred are one hyphenated word ("twenty-first", "eighty-four").
"""
from __future__ import annotations

import datetime

import numpy as np

FIRST_YEAR, LAST_YEAR = 1950, 2049
ISO_CHARS = "0123456789-"
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_ORDINAL_UNITS = ("", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
                  "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
                  "eighteenth", "nineteenth")
_ORDINAL_TENS = {2: "twentieth", 3: "thirtieth"}

# How a sentence orders day, month and year ({d} the day's ordinal, {m} the month, {y} the year in words).
TEMPLATES = ("the {d} of {m}, {y}", "{m} the {d}, {y}", "{m} {d} {y}", "{d} {m} {y}", "the {d} of {m} {y}")


def cardinal(n: int) -> str:
    """An integer 1-99 in words, one hyphenated word: 5 -> 'five', 84 -> 'eighty-four'."""
    if not 1 <= n <= 99:
        raise ValueError(f"cardinal: expected an integer from 1 to 99, got {n!r}")
    if n < 20:
        return _UNITS[n]
    tens, units = divmod(n, 10)
    return _TENS[tens] + (f"-{_UNITS[units]}" if units else "")


def ordinal(n: int) -> str:
    """A day of the month 1-31 as an ordinal word: 3 -> 'third', 21 -> 'twenty-first', 30 -> 'thirtieth'."""
    if not 1 <= n <= 31:
        raise ValueError(f"ordinal: expected a day from 1 to 31, got {n!r}")
    if n < 20:
        return _ORDINAL_UNITS[n]
    tens, units = divmod(n, 10)
    return f"{_TENS[tens]}-{_ORDINAL_UNITS[units]}" if units else _ORDINAL_TENS[tens]


def year_words(year: int, short: bool = False) -> str:
    """A year from 1950 to 2049 in words: 1984 -> 'nineteen eighty-four', 2005 -> 'two thousand and five'.

    ``short`` reads a year from 2010 on as two numbers, 2012 -> 'twenty twelve' (ignored for earlier years, which
    have one reading here).
    """
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year_words: expected a year from {FIRST_YEAR} to {LAST_YEAR}, got {year!r}")
    century, rest = divmod(year, 100)
    if century == 19:
        return f"nineteen {cardinal(rest)}"
    if rest == 0:
        return "two thousand"
    if short and rest >= 10:
        return f"twenty {cardinal(rest)}"
    return f"two thousand and {cardinal(rest)}"


def date_to_words(date: datetime.date, template: int = 0, short_year: bool = False) -> str:
    """``date`` in words with sentence order ``TEMPLATES[template]``: 'the third of march, two thousand and five'."""
    if not 0 <= template < len(TEMPLATES):
        raise ValueError(f"date_to_words: template must be 0..{len(TEMPLATES) - 1}, got {template!r}")
    return TEMPLATES[template].format(d=ordinal(date.day), m=MONTHS[date.month - 1],
                                      y=year_words(date.year, short_year))


def tokenize(text: str) -> list[str]:
    """The words of a sentence, the comma a word of its own: 'may the first, two thousand' -> 'may', 'the', ..."""
    return text.replace(",", " ,").split()


def vocabulary() -> list[str]:
    """Every word a generated sentence can contain, sorted (the encoder's input vocabulary)."""
    words = {",", "the", "of", "and", "thousand", *MONTHS}
    words.update(ordinal(d) for d in range(1, 32))
    words.update(cardinal(n) for n in range(1, 100))
    return sorted(words)


def make_date_pairs(n_train: int, n_test: int, seed: int = 0):
    """Two lists of (sentence, iso) pairs for distinct, valid dates from 1950 to 2049: (train, test).

    No date appears twice, so the test dates are never seen in training (a sentence's wording is drawn at random
    for each date, from ``TEMPLATES`` and the two readings of a year after 2009). The same seed gives the same pairs.
    """
    for name, value in (("n_train", n_train), ("n_test", n_test)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"make_date_pairs: {name} must be a non-negative integer, got {value!r}")
    first = datetime.date(FIRST_YEAR, 1, 1).toordinal()
    days = datetime.date(LAST_YEAR, 12, 31).toordinal() - first + 1
    if n_train + n_test > days:
        raise ValueError(f"make_date_pairs: only {days} distinct dates exist from {FIRST_YEAR} to {LAST_YEAR}, "
                         f"asked for {n_train} + {n_test}")
    rng = np.random.default_rng(seed)
    picked = rng.choice(days, size=n_train + n_test, replace=False)
    templates = rng.integers(0, len(TEMPLATES), size=len(picked))
    short = rng.random(len(picked)) < 0.5
    pairs = []
    for offset, template, short_year in zip(picked.tolist(), templates.tolist(), short.tolist()):
        date = datetime.date.fromordinal(first + offset)
        pairs.append((date_to_words(date, template, short_year), date.isoformat()))
    return pairs[:n_train], pairs[n_train:]
