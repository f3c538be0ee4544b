"""The shipped corpus: present, small, documented, and the vocabulary helpers round-trip."""
from pathlib import Path

import numpy as np
import pytest

import backprop.datasets as ds


def test_corpus_loads_and_is_plain_lowercase_ascii():
    text = ds.load_corpus()
    assert len(text) > 5000
    assert text == text.lower() and text.isascii() and "\n" not in text
    assert "river" in text
    assert ds.load_corpus(lowercase=False).lower() == text


def test_shipped_files_are_small_and_documented():
    folder = Path(ds.__file__).parent
    data_files = [p for p in folder.iterdir() if p.suffix in (".txt", ".md")]
    assert sum(p.stat().st_size for p in data_files) < 1_000_000
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert ds.CORPUS_FILE.name in readme and "License" in readme and "Source" in readme
    assert "synthetic" in readme.lower()


def test_encode_decode_round_trip():
    text = ds.load_corpus()
    vocab = ds.build_vocab(text)
    assert vocab == sorted(set(text))
    ids = ds.encode(text, vocab)
    assert ids.dtype == np.int64 and ids.min() == 0 and ids.max() == len(vocab) - 1
    assert ds.decode(ids, vocab) == text


def test_unknown_characters_and_empty_text_are_refused():
    with pytest.raises(ValueError, match="not in the vocabulary"):
        ds.encode("abc!", ["a", "b", "c"])
    with pytest.raises(ValueError):
        ds.build_vocab("")
