"""Read the small data sets that ship inside scikit-learn, and split them, without importing scikit-learn.

Importing scikit-learn costs about a second in every fresh kernel (it pulls in SciPy), and most notebooks only
need three CSV files from its package and a seeded split. The files are read where scikit-learn installed them,
and the split repeats scikit-learn's algorithm and random draws exactly, so the numbers are the same as through
``sklearn.datasets`` and ``sklearn.model_selection.train_test_split`` (tests/engine/test_data.py compares them).
If scikit-learn's data folder is not where it is expected, the loaders fall back to scikit-learn itself.
"""
from __future__ import annotations

import csv
import gzip
import importlib.util
import math
from pathlib import Path

import numpy as np


def sklearn_data_file(name: str) -> Path | None:
    """The path of one of scikit-learn's bundled data files, found without importing scikit-learn; None if absent."""
    spec = importlib.util.find_spec("sklearn")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "datasets" / "data" / name
        if path.is_file():
            return path
    return None


def read_digits():
    """(images (1797, 8, 8) float, target (1797,) int) from scikit-learn's digits.csv.gz, or None if absent."""
    path = sklearn_data_file("digits.csv.gz")
    if path is None:
        return None
    with gzip.open(path, mode="rt", encoding="utf-8") as f:
        data = np.loadtxt(f, delimiter=",")
    return data[:, :-1].reshape(-1, 8, 8), data[:, -1].astype(int)


def read_labelled_csv(name: str):
    """(data, target) of a scikit-learn CSV whose first row is 'n_samples,n_features,class names...'; None if absent."""
    path = sklearn_data_file(name)
    if path is None:
        return None
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        header = next(rows)
        n_samples, n_features = int(header[0]), int(header[1])
        data = np.empty((n_samples, n_features))
        target = np.empty((n_samples,), dtype=int)
        for i, row in enumerate(rows):
            data[i] = np.asarray(row[:-1], dtype=np.float64)
            target[i] = int(row[-1])
    return data, target


def _approximate_mode(class_counts, n_draws, rng):
    """scikit-learn's _approximate_mode: per-class draws closest to the class shares, ties broken by ``rng``."""
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous)
    need_to_add = int(n_draws - floored.sum())
    if need_to_add > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (inds,) = np.where(remainder == value)
            add_now = min(len(inds), need_to_add)
            inds = rng.choice(inds, size=add_now, replace=False)
            floored[inds] += 1
            need_to_add -= add_now
            if need_to_add == 0:
                break
    return floored.astype(int)


def split_indices(y, test_size: float, seed: int, stratify: bool):
    """(train, test) row indices exactly as scikit-learn's train_test_split(random_state=seed) draws them."""
    n = len(y)
    n_test = math.ceil(test_size * n)
    n_train = n - n_test
    if n_train == 0 or n_test == 0:
        raise ValueError(f"train_test_split: test_size={test_size} leaves an empty split of {n} rows; "
                         "use a fraction that keeps at least one row on each side")
    rng = np.random.RandomState(seed)
    if not stratify:
        permutation = rng.permutation(n)
        return permutation[n_test:n_test + n_train], permutation[:n_test]
    classes, y_indices = np.unique(y, return_inverse=True)
    class_counts = np.bincount(y_indices)
    if class_counts.min() < 2:
        raise ValueError("train_test_split: a stratified split needs at least 2 rows of every class; "
                         f"class {classes[class_counts.argmin()]!r} has 1 (pass stratify=False)")
    if n_train < len(classes) or n_test < len(classes):
        raise ValueError(f"train_test_split: each side of a stratified split needs one row per class "
                         f"({len(classes)} classes, {n_train} train / {n_test} test rows); change test_size")
    class_indices = np.split(np.argsort(y_indices, kind="mergesort"), np.cumsum(class_counts)[:-1])
    n_i = _approximate_mode(class_counts, n_train, rng)
    t_i = _approximate_mode(class_counts - n_i, n_test, rng)
    train, test = [], []
    for i in range(len(classes)):
        permutation = rng.permutation(class_counts[i])
        members = class_indices[i].take(permutation, mode="clip")
        train.extend(members[:n_i[i]])
        test.extend(members[n_i[i]:n_i[i] + t_i[i]])
    return rng.permutation(train), rng.permutation(test)
