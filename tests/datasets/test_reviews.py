"""The shipped review sentences: counts, balance, no duplicates, a fixed split without overlap, ASCII, packaged."""
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import numpy as np
import pytest

import backprop.datasets as ds
from backprop.datasets import sentiment

REPO = Path(__file__).resolve().parents[2]


def test_whole_file_is_balanced_labelled_ascii_without_duplicates():
    sentences, labels = ds.load_reviews(split=False)
    assert 400 <= len(sentences) <= 600 and len(labels) == len(sentences)
    assert labels.dtype == np.int64 and set(labels.tolist()) == {0, 1}
    assert labels.sum() == len(labels) // 2, "as many positive as negative sentences"
    assert len(set(sentences)) == len(sentences), "a sentence occurs twice"
    raw = ds.REVIEWS_FILE.read_bytes()
    assert raw.isascii() and b"\r" not in raw
    assert all(s == s.strip() and s and "\t" not in s for s in sentences)
    assert all(len(sentiment.tokenize(s)) >= 3 for s in sentences)


def test_the_corpus_holds_negations_and_contrasts_of_both_labels():
    sentences, labels = ds.load_reviews(split=False)
    for cue in ("not", "never", "but"):
        with_cue = labels[[cue in sentiment.tokenize(s) for s in sentences]]
        assert with_cue.size >= 20 and 0 < with_cue.mean() < 1, f"too few sentences with {cue!r}, or one label only"


def test_split_is_fixed_stratified_and_disjoint():
    train_s, test_s, train_y, test_y = ds.load_reviews()
    sentences, labels = ds.load_reviews(split=False)
    assert len(train_s) + len(test_s) == len(sentences) and len(test_s) == round(0.25 * len(sentences))
    assert not set(train_s) & set(test_s), "a sentence is in both the training and the test set"
    assert sorted(train_s + test_s) == sorted(sentences)
    lookup = dict(zip(sentences, labels.tolist()))
    assert [lookup[s] for s in train_s] == train_y.tolist() and [lookup[s] for s in test_s] == test_y.tolist()
    assert abs(train_y.mean() - 0.5) < 0.01 and abs(test_y.mean() - 0.5) < 0.01
    again = ds.load_reviews()
    assert again[0] == train_s and again[1] == test_s
    assert ds.load_reviews(seed=1)[1] != test_s
    with pytest.raises(ValueError, match="test_size"):
        ds.load_reviews(test_size=1.5)


def test_tokenize_keeps_contractions_and_drops_punctuation():
    assert sentiment.tokenize("Wasn't bad, really!") == ["wasn't", "bad", "really"]
    assert sentiment.tokenize("") == []
    with pytest.raises(TypeError):
        sentiment.tokenize(None)


def test_a_malformed_row_is_reported_with_its_line(tmp_path, monkeypatch):
    broken = tmp_path / "reviews.tsv"
    broken.write_text("1\tfine sentence here\n2\tbad label\n", encoding="ascii")
    monkeypatch.setattr(sentiment, "REVIEWS_FILE", broken)
    with pytest.raises(ValueError, match="line 2"):
        ds.load_reviews(split=False)


def test_documented_and_shipped_as_package_data():
    folder = Path(ds.__file__).parent
    readme = (folder / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"`{ds.REVIEWS_FILE.name}`", 1)[1].split("\n## ", 1)[0]
    assert "Source" in section and "License" in section and "not real" in section
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["backprop"]
    for data_file in folder.iterdir():
        if data_file.is_file() and data_file.suffix not in (".py", ".pyc"):
            relative = f"datasets/{data_file.name}"
            assert any(fnmatch(relative, p) for p in patterns), f"{relative} is not in pyproject's package-data"


def test_the_script_that_made_the_corpus_rebuilds_it_byte_for_byte(tmp_path):
    """scripts/make_reviews.py documents how reviews.tsv was made; its seeded output is the shipped file."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "reviews.tsv"
    subprocess.run([sys.executable, str(root / "scripts" / "make_reviews.py"), str(out)], check=True,
                   capture_output=True)
    assert out.read_bytes() == (root / "helpers" / "backprop" / "datasets" / "reviews.tsv").read_bytes()
