"""Offline data sets and a minibatch DataLoader.

Everything here works without a network: the real data sets (digits, iris, breast cancer) ship inside
scikit-learn and are read from its folder without importing it (see :mod:`backprop.data_files`), and the toy ones
(moons, xor, spirals) are generated from a seed. Every loader returns
float64 features and int64 class labels, split with a fixed seed so every run sees the same numbers.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from .data_files import read_digits, read_labelled_csv, split_indices
from .random import get_rng, resolve_rng
from .tensor import Tensor
from .validate import positive_int

__all__ = [
    "load_digits",
    "load_iris",
    "load_breast_cancer",
    "make_moons",
    "make_xor",
    "make_spirals",
    "train_test_split",
    "DataLoader",
]


def train_test_split(X, y, test_size: float = 0.2, seed: int = 0, stratify: bool = True):
    """Split X, y into (X_train, X_test, y_train, y_test) with a fixed seed: scikit-learn's split, draw for draw."""
    X = np.asarray(X)
    y = np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"train_test_split: X has {len(X)} rows but y has {len(y)}; they must match")
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"train_test_split: test_size must be a fraction between 0 and 1, got {test_size!r}")
    train, test = split_indices(y, test_size, seed, stratify=stratify and y.dtype.kind in "iub")
    return X[train], X[test], y[train], y[test]


def _sklearn_load(loader: str, field: str):
    """(field, target) through scikit-learn itself: the fallback when its data folder is not where expected."""
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, loader)()
    return getattr(bunch, field), bunch.target


def _finish(X, y, split: bool, test_size: float, seed: int, standardize: bool):
    """Shared tail of the loaders: optional split, optional standardisation with training statistics."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    if not split:
        if standardize:
            X = (X - X.mean(axis=0)) / (X.std(axis=0) + 1e-12)
        return X, y
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, seed=seed)
    if standardize:
        mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-12
        X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    return X_train, X_test, y_train, y_test


def load_digits(split: bool = True, test_size: float = 0.2, seed: int = 0, flatten: bool = True):
    """The 8x8 handwritten digits (1797 images, 10 classes) from scikit-learn, pixels scaled to [0, 1].

    Returns (X_train, X_test, y_train, y_test) when split=True, else (X, y). With flatten=True each image is
    a row of 64 features; with flatten=False images come as (N, 1, 8, 8), the NCHW layout Conv2d expects.
    """
    images, target = read_digits() or _sklearn_load("load_digits", "images")
    X = images.astype(np.float64) / 16.0
    X = X.reshape(len(X), 64) if flatten else X.reshape(len(X), 1, 8, 8)
    return _finish(X, target, split, test_size, seed, standardize=False)


def load_iris(split: bool = True, test_size: float = 0.2, seed: int = 0, standardize: bool = True):
    """Fisher's iris flowers (150 rows, 4 features, 3 classes) from scikit-learn.

    Features are standardised with the training split's mean and standard deviation when standardize=True.
    """
    data, target = read_labelled_csv("iris.csv") or _sklearn_load("load_iris", "data")
    return _finish(data, target, split, test_size, seed, standardize)


def load_breast_cancer(split: bool = True, test_size: float = 0.2, seed: int = 0, standardize: bool = True):
    """Wisconsin breast cancer (569 rows, 30 features, 2 classes: 0 malignant, 1 benign) from scikit-learn."""
    data, target = read_labelled_csv("breast_cancer.csv") or _sklearn_load("load_breast_cancer", "data")
    return _finish(data, target, split, test_size, seed, standardize)


def _check_n(name: str, n_samples) -> int:
    return positive_int(name, "n_samples", n_samples)


def make_moons(n_samples: int = 200, noise: float = 0.1, seed: int = 0):
    """Two interleaving half circles (X of shape (n, 2), y in {0, 1}); scikit-learn's generator, fixed seed."""
    from sklearn.datasets import make_moons as _moons

    n = _check_n("make_moons", n_samples)
    X, y = _moons(n_samples=n, noise=noise, random_state=seed)
    return X.astype(np.float64), y.astype(np.int64)


def make_xor(n_samples: int = 4, noise: float = 0.0, seed: int = 0):
    """The XOR problem: points at the corners of the unit square, label = x0 XOR x1.

    n_samples=4, noise=0 gives exactly the truth table (0,0)->0, (0,1)->1, (1,0)->1, (1,1)->0; more samples
    cycle through the corners, each jittered by Gaussian noise of standard deviation `noise`.
    """
    n = _check_n("make_xor", n_samples)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    X = corners[np.arange(n) % 4].copy()
    y = (X[:, 0] != X[:, 1]).astype(np.int64)
    if noise:
        X += get_rng(seed).normal(0.0, noise, size=X.shape)
    return X, y


def make_spirals(n_samples: int = 300, n_classes: int = 3, noise: float = 0.2, seed: int = 0):
    """Interleaved spiral arms, one per class (the CS231n toy problem); n_samples in total, X of shape (n, 2)."""
    n = _check_n("make_spirals", n_samples)
    if n_classes < 2:
        raise ValueError(f"make_spirals: n_classes must be at least 2, got {n_classes}")
    rng = get_rng(seed)
    y = np.arange(n) % n_classes
    t = np.empty(n)
    for k in range(n_classes):  # radius 0..1 evenly along each arm
        idx = np.flatnonzero(y == k)
        t[idx] = np.linspace(0.0, 1.0, len(idx))
    angle = 4.0 * t + y * (2 * np.pi / n_classes) + rng.normal(0.0, noise, size=n)
    X = np.stack([t * np.sin(angle), t * np.cos(angle)], axis=1)
    return X.astype(np.float64), y.astype(np.int64)


class DataLoader:
    """Iterate over (X_batch, y_batch) minibatches, reshuffled every epoch when shuffle=True.

    Like torch.utils.data.DataLoader over a TensorDataset: `len(loader)` is the number of batches; batches are
    backprop Tensors (as_tensor=True, the default) or plain numpy arrays (as_tensor=False). The shuffle order
    comes from `rng` (backprop.random: None = the shared generator, an int = the loader's own seeded one).
    """

    def __init__(self, X, y=None, batch_size: int = 32, shuffle: bool = False, rng=None,
                 drop_last: bool = False, as_tensor: bool = True):
        self.X = np.asarray(getattr(X, "data", X))
        self.y = None if y is None else np.asarray(getattr(y, "data", y))
        if self.y is not None and len(self.y) != len(self.X):
            raise ValueError(f"DataLoader: X has {len(self.X)} rows but y has {len(self.y)}; they must match")
        self.batch_size = positive_int("DataLoader", "batch_size", batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.as_tensor = as_tensor
        self._rng = resolve_rng(rng)

    @property
    def rng(self):
        """The generator that shuffles (and that subclasses may draw from): with rng=None the shared one of
        backprop.random as it is NOW, so `manual_seed` reproduces the next epoch's order."""
        return get_rng(self._rng)

    def __len__(self) -> int:
        n = len(self.X)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def to_batch(self, array):
        """An array as the loader hands out batches: a constant Tensor (as_tensor=True; no copy, integer labels
        stay integer) or the array itself. Subclasses that make their own batches (augmentation) use it."""
        if not self.as_tensor:
            return array
        if array.base is not None:  # a slice of the data set: protect the data set from in-place edits
            array.flags.writeable = False
        return Tensor._from_op(array, (), None, "")

    _wrap = to_batch  # the old private name (kept for notebooks written against it)

    def __iter__(self) -> Iterator:
        n = len(self.X)
        order = self.rng.permutation(n) if self.shuffle else None
        X, y, wrap, size = self.X, self.y, self.to_batch, self.batch_size
        for b in range(len(self)):
            rows = slice(b * size, min((b + 1) * size, n))
            idx = order[rows] if order is not None else rows
            if y is None:
                yield wrap(X[idx])
            else:
                yield wrap(X[idx]), wrap(y[idx])
