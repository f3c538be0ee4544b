"""The shipped text corpus and a character vocabulary for the character-level language model."""
from __future__ import annotations

from pathlib import Path

import numpy as np

CORPUS_FILE = Path(__file__).with_name("river_village.txt")


def load_corpus(lowercase: bool = True) -> str:
    """The course's small original corpus ("The river village", about 7 600 characters; README.md has the license).

    Lines are joined with single spaces (paragraph breaks become one space), so the text is one long string.
    """
    if not CORPUS_FILE.exists():
        raise FileNotFoundError(f"the corpus file {CORPUS_FILE} is missing: reinstall the backprop package "
                                "(pip install -e .) so its data files are present")
    text = " ".join(line.strip() for line in CORPUS_FILE.read_text(encoding="utf-8").splitlines() if line.strip())
    return text.lower() if lowercase else text


def build_vocab(text: str) -> list[str]:
    """The sorted list of distinct characters in ``text`` (index = character id)."""
    if not isinstance(text, str) or not text:
        raise ValueError("build_vocab needs a non-empty string")
    return sorted(set(text))


def encode(text: str, vocab) -> np.ndarray:
    """Character ids (int64 array) of ``text`` under ``vocab``; unknown characters raise a clear error."""
    index = {ch: i for i, ch in enumerate(vocab)}
    missing = sorted(set(text) - index.keys())
    if missing:
        raise ValueError(f"encode: characters {missing!r} are not in the vocabulary")
    return np.array([index[ch] for ch in text], dtype=np.int64)


def decode(ids, vocab) -> str:
    """The text whose character ids are ``ids``."""
    return "".join(vocab[int(i)] for i in np.asarray(ids).reshape(-1))
