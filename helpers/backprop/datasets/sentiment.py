"""The shipped review sentences for the sentiment case study: loading, a fixed train/test split, tokenising."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

REVIEWS_FILE = Path(__file__).with_name("reviews.tsv")
_WORD = re.compile(r"[a-z']+")


def tokenize(sentence: str) -> list[str]:
    """The words of ``sentence``, lower-cased, punctuation dropped ("Wasn't bad, really!" -> wasn't, bad, really)."""
    if not isinstance(sentence, str):
        raise TypeError(f"tokenize needs a string, got {type(sentence).__name__}")
    return _WORD.findall(sentence.lower())


def _read() -> tuple[list[str], np.ndarray]:
    """Every (sentence, label) row of reviews.tsv, in file order; a malformed row raises with its line number."""
    if not REVIEWS_FILE.exists():
        raise FileNotFoundError(f"the review file {REVIEWS_FILE} is missing: reinstall the backprop package "
                                "(pip install -e .) so its data files are present")
    sentences, labels = [], []
    for number, line in enumerate(REVIEWS_FILE.read_text(encoding="ascii").splitlines(), start=1):
        label, tab, sentence = line.partition("\t")
        if not tab or label not in ("0", "1") or not sentence.strip():
            raise ValueError(f"{REVIEWS_FILE.name} line {number}: expected 'label<TAB>sentence' with label 0 or 1, "
                             f"got {line!r}")
        sentences.append(sentence.strip())
        labels.append(int(label))
    return sentences, np.array(labels, dtype=np.int64)


def load_reviews(split: bool = True, test_size: float = 0.25, seed: int = 0):
    """Short review sentences written for this course, labelled 1 (positive) or 0 (negative); README.md has the rest.

    split=False: (sentences, labels) in file order. split=True: (train_sentences, test_sentences, train_labels,
    test_labels), a split stratified by label with a fixed seed (scikit-learn's order of outputs), so every run and
    every student gets the same held-out sentences. Sentences are lists of str, labels int64 arrays.
    """
    sentences, labels = _read()
    if not split:
        return sentences, labels
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"load_reviews: test_size must be a fraction between 0 and 1, got {test_size!r}")
    from ..data_files import split_indices  # scikit-learn's stratified split, draw for draw, without importing it

    train, test = split_indices(labels, test_size, seed, stratify=True)
    return ([sentences[i] for i in train], [sentences[i] for i in test], labels[train], labels[test])
