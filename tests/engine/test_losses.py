"""Losses: values against plain-numpy formulas, gradients against finite differences, numerical stability,
and clear errors (out-of-range class index, mismatched shapes, probabilities outside [0, 1])."""
import numpy as np
import pytest

from backprop import Tensor, gradcheck, nn
from backprop.nn import functional as F


@pytest.fixture
def gen():
    return np.random.default_rng(11)


def _log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_value_and_gradient(gen, reduction):
    z = gen.standard_normal((6, 4))
    t = np.array([0, 3, 1, 1, 2, 3])
    per = -_log_softmax(z)[np.arange(6), t]
    expected = {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]
    np.testing.assert_allclose(nn.CrossEntropyLoss(reduction=reduction)(z, t).data, expected)
    gradcheck(lambda x: F.cross_entropy(x, t, reduction), [Tensor(z, requires_grad=True)])


def test_cross_entropy_gradient_is_softmax_minus_onehot(gen):
    z = Tensor(gen.standard_normal((5, 3)), requires_grad=True)
    t = np.array([2, 0, 1, 1, 0])
    F.cross_entropy(z, t).backward()
    p = np.exp(_log_softmax(z.data))
    np.testing.assert_allclose(z.grad, (p - np.eye(3)[t]) / 5)


def test_cross_entropy_is_stable_for_huge_logits():
    z = Tensor(np.array([[1000.0, -1000.0, 0.0], [-5e4, 5e4, 0.0]]), requires_grad=True)
    loss = F.cross_entropy(z, np.array([0, 0]))
    assert np.isfinite(loss.item()) and loss.item() == pytest.approx(1e5 / 2)
    loss.backward()
    assert np.all(np.isfinite(z.grad))


def test_cross_entropy_accepts_tensor_and_float_targets(gen):
    z = gen.standard_normal((3, 4))
    a = F.cross_entropy(z, np.array([1, 2, 3])).item()
    assert F.cross_entropy(z, Tensor(np.array([1.0, 2.0, 3.0]))).item() == a
    assert F.cross_entropy(z, [1, 2, 3]).item() == a


@pytest.mark.parametrize("bad", [3, 7, -1, -3, np.iinfo(np.int64).min, np.iinfo(np.int64).max])
def test_cross_entropy_out_of_range_class_is_clear(bad):
    with pytest.raises(IndexError) as info:
        F.cross_entropy(np.zeros((2, 3)), np.array([0, bad]))
    assert f"class index {bad}" in str(info.value) and "0..2" in str(info.value)


def test_cross_entropy_accepts_every_class_index_in_range(gen):
    z = gen.standard_normal((3, 3))
    t = np.array([2, 0, 2])  # the largest valid index, first and last in the batch
    shifted = z - z.max(axis=1, keepdims=True)
    expected = np.mean(np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(3), t])
    np.testing.assert_allclose(F.cross_entropy(z, t).item(), expected, rtol=1e-12)
    strided = np.array([2, 9, 0, 9, 2])[::2]  # the same labels as a non-contiguous view
    assert F.cross_entropy(z, strided).item() == F.cross_entropy(z, t).item()


def test_cross_entropy_right_for_every_batch_size_in_turn(gen):
    # the row indices are made once per batch size (and at most 64 sizes kept): each size must still be right
    for n in [3, 1, 70, 3, *range(2, 80, 7), 1]:
        z, t = gen.standard_normal((n, 4)), gen.integers(0, 4, n)
        shifted = z - z.max(axis=1, keepdims=True)
        per = np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(n), t]
        np.testing.assert_allclose(F.cross_entropy(z, t, "none").data, per, rtol=1e-12)
        np.testing.assert_allclose(F.nll_loss(shifted, t, "sum").item(), -shifted[np.arange(n), t].sum())


def test_cross_entropy_other_bad_targets_are_clear():
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        F.cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"one-hot.*argmax"):
        F.cross_entropy(np.zeros((2, 3)), np.eye(3)[[0, 2]])
    with pytest.raises(ValueError, match="integer class indices"):
        F.cross_entropy(np.zeros((2, 3)), np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match=r"\(batch, classes\)"):
        F.cross_entropy(np.zeros(3), np.array([0]))
    with pytest.raises(ValueError, match="reduction"):
        nn.CrossEntropyLoss(reduction="average")


def test_nll_loss_after_log_softmax_equals_cross_entropy(gen):
    z = gen.standard_normal((4, 5))
    t = np.array([4, 0, 2, 2])
    np.testing.assert_allclose(nn.NLLLoss()(nn.LogSoftmax(dim=1)(z), t).data, F.cross_entropy(z, t).data)
    gradcheck(lambda x: F.nll_loss(x, t), [Tensor(z, requires_grad=True)])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_value_and_gradient_wrt_both_sides(gen, reduction):
    a, b = gen.standard_normal((3, 2)), gen.standard_normal((3, 2))
    per = (a - b) ** 2
    np.testing.assert_allclose(nn.MSELoss(reduction)(a, b).data, {"mean": per.mean(), "sum": per.sum(),
                                                                   "none": per}[reduction])
    gradcheck(lambda x, y: F.mse_loss(x, y, reduction), [Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)])


def test_mse_refuses_silent_broadcasting():
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
        F.mse_loss(np.zeros((4, 1)), np.zeros(4))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_value_and_gradient(gen, reduction):
    p = gen.uniform(0.05, 0.95, (5, 1))
    y = gen.integers(0, 2, (5, 1)).astype(float)
    per = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    np.testing.assert_allclose(nn.BCELoss(reduction)(p, y).data, {"mean": per.mean(), "sum": per.sum(),
                                                                  "none": per}[reduction])
    gradcheck(lambda x: F.binary_cross_entropy(x, y, reduction), [Tensor(p, requires_grad=True)])


def test_bce_clamps_log_and_rejects_non_probabilities():
    loss = F.binary_cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0]))
    assert loss.item() == pytest.approx(100.0)  # log clamped at -100, as in PyTorch
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*sigmoid"):
        F.binary_cross_entropy(np.array([1.5]), np.array([1.0]))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_matches_sigmoid_then_bce_and_is_stable(gen, reduction):
    z = gen.standard_normal((6,)) * 3
    y = gen.integers(0, 2, 6).astype(float)
    p = 1 / (1 + np.exp(-z))
    per = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    np.testing.assert_allclose(nn.BCEWithLogitsLoss(reduction)(z, y).data,
                               {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction])
    gradcheck(lambda x: F.binary_cross_entropy_with_logits(x, y, reduction), [Tensor(z, requires_grad=True)])
    big = Tensor(np.array([800.0, -800.0]), requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(big, np.array([0.0, 1.0]))
    assert loss.item() == pytest.approx(800.0)
    loss.backward()
    np.testing.assert_allclose(big.grad, [0.5, -0.5])
