"""Synthetic dates: deterministic by seed, every sentence reads back to its ISO date, valid dates, disjoint splits."""
import datetime

import pytest

from backprop.datasets import ISO_CHARS, date_to_words, make_date_pairs
from backprop.datasets.dates import tokenize, vocabulary

# An independent reader of the sentences (its own word lists), to check the generator's words against `datetime`.
_MONTHS = "january february march april may june july august september october november december".split()
_SMALL = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen").split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
             "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth").split()


def _number(word):
    """'eighty-four' -> 84, 'twelve' -> 12."""
    if word in _SMALL:
        return _SMALL.index(word)
    tens, _, units = word.partition("-")
    return _TENS[tens] + (_SMALL.index(units) if units else 0)


def _day(word):
    """'twenty-first' -> 21, 'thirtieth' -> 30, 'third' -> 3."""
    if word in _ORDINALS:
        return _ORDINALS.index(word) + 1
    if word in ("twentieth", "thirtieth"):
        return 20 if word == "twentieth" else 30
    tens, _, units = word.partition("-")
    return _TENS[tens] + _ORDINALS.index(units) + 1


def _read(sentence):
    """The date a generated sentence names, read word by word."""
    words = [w for w in sentence.replace(",", " ").split() if w not in ("the", "of")]
    month = next(_MONTHS.index(w) + 1 for w in words if w in _MONTHS)
    rest = [w for w in words if w not in _MONTHS]
    day, year_words = _day(rest[0]), rest[1:]
    if year_words[0] == "nineteen":
        year = 1900 + _number(year_words[1])
    elif year_words[:2] == ["two", "thousand"]:
        year = 2000 + (_number(year_words[3]) if len(year_words) > 2 else 0)
    else:
        assert year_words[0] == "twenty"
        year = 2000 + _number(year_words[1])
    return datetime.date(year, month, day)


@pytest.mark.parametrize("date,template,short,words", [
    (datetime.date(2005, 3, 3), 0, False, "the third of march, two thousand and five"),
    (datetime.date(1984, 11, 21), 2, False, "november twenty-first nineteen eighty-four"),
    (datetime.date(2012, 2, 29), 1, True, "february the twenty-ninth, twenty twelve"),
    (datetime.date(2000, 1, 1), 3, True, "first january two thousand"),
    (datetime.date(2049, 12, 30), 4, False, "the thirtieth of december two thousand and forty-nine"),
    (datetime.date(1950, 7, 12), 0, True, "the twelfth of july, nineteen fifty"),
])
def test_known_dates_in_words(date, template, short, words):
    assert date_to_words(date, template, short) == words
    assert _read(words) == date


def test_same_seed_same_pairs_other_seed_other_pairs():
    assert make_date_pairs(50, 20, seed=3) == make_date_pairs(50, 20, seed=3)
    assert make_date_pairs(50, 20, seed=3) != make_date_pairs(50, 20, seed=4)


def test_every_sentence_reads_back_to_its_valid_iso_date():
    train, test = make_date_pairs(3000, 1000, seed=0)
    for sentence, iso in train + test:
        date = datetime.date.fromisoformat(iso)          # a valid calendar date (no 31 April, no 29 Feb 2001)
        assert date.isoformat() == iso and len(iso) == 10 and set(iso) <= set(ISO_CHARS)
        assert 1950 <= date.year <= 2049
        assert _read(sentence) == date, sentence
        assert set(tokenize(sentence)) <= set(vocabulary())
    templates = {_shape(sentence) for sentence, _ in train}
    assert len(templates) >= 5                           # the word orders all occur


def _shape(sentence):
    """The sentence's word order: the month as M, each run of day and year words as one x."""
    kinds = ["M" if w in _MONTHS else w if w in ("the", "of", ",") else "x" for w in tokenize(sentence)]
    return tuple(kind for i, kind in enumerate(kinds) if i == 0 or kind != kinds[i - 1])   # runs of "x" as one


def test_train_and_test_dates_are_distinct_and_disjoint():
    train, test = make_date_pairs(4000, 1500, seed=1)
    assert len(train) == 4000 and len(test) == 1500
    train_dates, test_dates = [iso for _, iso in train], [iso for _, iso in test]
    assert len(set(train_dates)) == len(train_dates) and len(set(test_dates)) == len(test_dates)
    assert not set(train_dates) & set(test_dates)


def test_bad_requests_are_refused():
    days = (datetime.date(2049, 12, 31) - datetime.date(1950, 1, 1)).days + 1
    with pytest.raises(ValueError, match="distinct dates"):
        make_date_pairs(days, 1)
    with pytest.raises(ValueError, match="non-negative integer"):
        make_date_pairs(-1, 5)
    with pytest.raises(ValueError, match="template"):
        date_to_words(datetime.date(2000, 1, 1), template=9)
    with pytest.raises(ValueError, match="year"):
        date_to_words(datetime.date(1949, 12, 31))
