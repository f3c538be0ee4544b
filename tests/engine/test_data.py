"""Offline data sets (shapes, scaling, fixed seeds) and the DataLoader (batching, shuffling, errors)."""
import numpy as np
import pytest

from backprop import Tensor
from backprop import data


def test_digits_split_shapes_scaling_and_determinism():
    X_train, X_test, y_train, y_test = data.load_digits()
    assert X_train.shape == (1437, 64) and X_test.shape == (360, 64)
    assert X_train.dtype == np.float64 and y_train.dtype == np.int64
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    assert set(np.unique(y_test)) == set(range(10))
    again = data.load_digits()
    np.testing.assert_array_equal(again[0], X_train)
    images, _, _, _ = data.load_digits(flatten=False)
    assert images.shape == (1437, 1, 8, 8)
    X, y = data.load_digits(split=False)
    assert X.shape == (1797, 64) and y.shape == (1797,)


@pytest.mark.parametrize("loader,n_features,n_classes", [(data.load_iris, 4, 3), (data.load_breast_cancer, 30, 2)])
def test_tabular_sets_are_standardised_with_training_statistics(loader, n_features, n_classes):
    X_train, X_test, y_train, y_test = loader()
    assert X_train.shape[1] == X_test.shape[1] == n_features
    np.testing.assert_allclose(X_train.mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(X_train.std(axis=0), 1, atol=1e-9)
    assert set(np.unique(y_train)) == set(range(n_classes))


def test_toy_sets():
    X, y = data.make_xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    Xn, yn = data.make_xor(40, noise=0.1, seed=3)
    assert Xn.shape == (40, 2) and np.array_equal(yn, np.tile([0, 1, 1, 0], 10))
    X, y = data.make_moons(100, noise=0.1, seed=0)
    assert X.shape == (100, 2) and np.bincount(y).tolist() == [50, 50]
    X, y = data.make_spirals(90, n_classes=3, seed=1)
    assert X.shape == (90, 2) and np.bincount(y).tolist() == [30, 30, 30]
    np.testing.assert_array_equal(data.make_spirals(90, seed=1)[0], X)
    with pytest.raises(ValueError, match="n_samples"):
        data.make_moons(0)


def test_train_test_split_is_fixed_and_stratified():
    X, y = np.arange(100).reshape(50, 2), np.repeat([0, 1], 25)
    a = data.train_test_split(X, y, test_size=0.2, seed=4)
    b = data.train_test_split(X, y, test_size=0.2, seed=4)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert np.bincount(a[3]).tolist() == [5, 5]
    with pytest.raises(ValueError, match="rows"):
        data.train_test_split(X, y[:10])
    with pytest.raises(ValueError, match="test_size"):
        data.train_test_split(X, y, test_size=1.5)


def test_dataloader_covers_every_row_once_per_epoch():
    X, y = np.arange(23.0).reshape(23, 1), np.arange(23)
    loader = data.DataLoader(X, y, batch_size=5, shuffle=True, rng=0)
    assert len(loader) == 5
    for _ in range(2):
        batches = list(loader)
        assert [len(yb.data) for _, yb in batches] == [5, 5, 5, 5, 3]
        seen = np.concatenate([yb.data for _, yb in batches])
        assert sorted(seen.tolist()) == list(range(23))
        for xb, yb in batches:  # rows stay paired with their labels
            np.testing.assert_array_equal(xb.data[:, 0], yb.data)
    first, second = [np.concatenate([b[1].data for b in loader]) for _ in range(2)]
    assert not np.array_equal(first, second)  # reshuffled each epoch


def test_dataloader_types_order_drop_last_and_seeds():
    X, y = np.zeros((10, 3)), np.arange(10)
    xb, yb = next(iter(data.DataLoader(X, y, batch_size=4)))
    assert isinstance(xb, Tensor) and xb.dtype == np.float64 and yb.dtype == np.int64
    assert not xb.requires_grad
    np.testing.assert_array_equal(yb.data, [0, 1, 2, 3])  # no shuffle: in order
    assert len(data.DataLoader(X, y, batch_size=4, drop_last=True)) == 2
    xb, yb = next(iter(data.DataLoader(X, y, batch_size=4, as_tensor=False)))
    assert isinstance(xb, np.ndarray)
    a = [b[1].data.tolist() for b in data.DataLoader(X, y, 3, shuffle=True, rng=7)]
    b = [b[1].data.tolist() for b in data.DataLoader(X, y, 3, shuffle=True, rng=7)]
    assert a == b
    assert len(list(data.DataLoader(X, batch_size=5))) == 2  # features only


def test_dataloader_errors():
    with pytest.raises(ValueError, match="10 rows but y has 9"):
        data.DataLoader(np.zeros((10, 2)), np.zeros(9))
    with pytest.raises(ValueError, match="batch_size"):
        data.DataLoader(np.zeros((10, 2)), np.zeros(10), batch_size=0)
    with pytest.raises(TypeError, match="rng"):
        data.DataLoader(np.zeros((10, 2)), np.zeros(10), rng="seed")


def test_bundled_sets_equal_scikit_learns_loaders():
    """The CSVs read without importing scikit-learn hold exactly what sklearn.datasets returns."""
    import sklearn.datasets as skd

    from backprop import data_files

    images, target = data_files.read_digits()
    digits = skd.load_digits()
    assert np.array_equal(images, digits.images) and np.array_equal(target, digits.target)
    for name, loader in (("breast_cancer.csv", skd.load_breast_cancer), ("iris.csv", skd.load_iris)):
        values, target = data_files.read_labelled_csv(name)
        bunch = loader()
        assert np.array_equal(values, bunch.data) and np.array_equal(target, bunch.target), name


@pytest.mark.parametrize("stratify", [True, False])
def test_split_draws_exactly_what_scikit_learn_draws(stratify):
    """Same rows, same order as sklearn's train_test_split for many sizes, class balances, fractions and seeds."""
    from sklearn.model_selection import train_test_split as sk_split

    rng = np.random.default_rng(7)
    for case in range(60):
        n = int(rng.integers(12, 300))
        y = rng.choice(int(rng.integers(2, 6)), size=n)
        if stratify and np.bincount(y).min() < 2:
            continue
        X = rng.normal(size=(n, 3))
        test_size, seed = float(rng.choice([0.1, 0.2, 0.25, 1 / 3, 0.5])), int(rng.integers(0, 1000))
        try:
            ref = sk_split(X, y, test_size=test_size, random_state=seed, stratify=y if stratify else None)
        except ValueError:  # e.g. fewer test rows than classes: refused by both
            with pytest.raises(ValueError, match="train_test_split"):
                data.train_test_split(X, y, test_size=test_size, seed=seed, stratify=stratify)
            continue
        ours = data.train_test_split(X, y, test_size=test_size, seed=seed, stratify=stratify)
        assert all(np.array_equal(a, b) for a, b in zip(ours, ref)), (n, test_size, seed)


def test_loading_a_bundled_set_does_not_import_scikit_learn():
    """The point of data_files: a notebook that only loads digits starts about a second faster."""
    import subprocess
    import sys

    code = ("import sys, backprop as bp; bp.data.load_digits(); bp.data.load_breast_cancer(); "
            "print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
