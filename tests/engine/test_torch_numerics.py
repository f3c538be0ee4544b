"""Numerical corner cases where backprop once disagreed with PyTorch 2.13 (float64): each compared with torch."""
import numpy as np
import pytest

from backprop import Tensor, Value, nn
from backprop.nn import functional as F

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def _grads(fn_ours, fn_torch, *arrays):
    """Values and gradients of sum(fn(*inputs)) in both engines."""
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out, tout = fn_ours(*ours), fn_torch(*theirs)
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-14, atol=0)
    return [t.grad for t in ours], [t.grad.numpy() for t in theirs]


# ---- x ** 0 -------------------------------------------------------------------------------------------------
POWERS = [(lambda x: x ** 0, lambda x: x ** 0), (lambda x: x ** 0.0, lambda x: x ** 0.0),
          (lambda x: x ** np.array([0.0, 1.0, 0.0]), lambda x: x ** torch.tensor([0.0, 1.0, 0.0]))]


@pytest.mark.parametrize("fns", POWERS, ids=["int", "float", "array"])
def test_power_zero_has_gradient_zero_at_zero(fns):
    x = np.array([0.0, 0.0, 2.0])
    ours, theirs = _grads(*fns, x)
    assert np.all(np.isfinite(ours[0]))
    np.testing.assert_array_equal(ours[0], theirs[0])


def test_tensor_power_gradients_at_zero_base_match_torch():
    base = np.array([0.0, 0.0, 0.0, 2.0, 3.0])
    expo = np.array([0.0, 2.0, 1.0, 0.0, -1.0])
    ours, theirs = _grads(lambda b, e: b ** e, lambda b, e: b ** e, base, expo)
    for mine, yours in zip(ours, theirs):
        np.testing.assert_allclose(mine, yours, rtol=1e-14, atol=0)


def test_number_to_a_tensor_power_at_zero_base_matches_torch():
    x = np.array([0.0, 1.0, 2.5])
    ours, theirs = _grads(lambda e: 0.0 ** e, lambda e: 0.0 ** e, x)
    np.testing.assert_array_equal(ours[0], theirs[0])
    ours, theirs = _grads(lambda e: 2.0 ** e, lambda e: 2.0 ** e, x)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-14)


# ---- retain_grad over several backward calls ------------------------------------------------------------------
def test_retained_gradient_accumulates_over_backward_calls_like_torch():
    x = Tensor([1.0, -2.0, 0.5], requires_grad=True)
    tx = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    y, ty = x * 3.0, tx * 3.0
    y.retain_grad()
    ty.retain_grad()
    z, tz = (y * y).sum(), (ty * ty).sum()
    for _ in range(3):
        z.backward()
        tz.backward(retain_graph=True)
        np.testing.assert_allclose(y.grad, ty.grad.numpy(), rtol=1e-15)
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-15)
    np.testing.assert_allclose(y.grad, 3 * 2 * y.data)


def test_retained_gradient_is_not_shared_with_a_leaf_gradient():
    a = Tensor([1.0, 2.0], requires_grad=True)
    s = a + 0.0  # add hands its parent the very array it received
    s.retain_grad()
    out = s.sum()
    out.backward()
    out.backward()
    np.testing.assert_array_equal(s.grad, [2.0, 2.0])
    np.testing.assert_array_equal(a.grad, [2.0, 2.0])
    a.grad[0] = 99.0
    assert s.grad[0] == 2.0


# ---- sigmoid -------------------------------------------------------------------------------------------------
TAILS = np.array([-800.0, -745.0, -100.0, -40.0, -35.0, -20.0, -1e-9, 0.0, 1e-9, 3.0, 20.0, 40.0, 800.0])


def test_sigmoid_matches_torch_on_both_tails():
    ours, theirs = Tensor(TAILS).sigmoid().data, torch.sigmoid(torch.tensor(TAILS)).numpy()
    # relative precision everywhere torch's value is a normal number (down to exp(-745), a subnormal)
    normal = theirs > 1e-300
    np.testing.assert_allclose(ours[normal], theirs[normal], rtol=5e-16, atol=0)  # one rounding
    np.testing.assert_allclose(ours, theirs, rtol=5e-16, atol=1e-300)
    assert ours[TAILS == -40.0][0] == pytest.approx(4.248354255291589e-18, rel=1e-15)


def test_sigmoid_gradient_matches_torch_on_both_tails():
    ours, theirs = _grads(lambda x: x.sigmoid(), torch.sigmoid, TAILS[2:-1])
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-15, atol=1e-300)


def test_every_sigmoid_of_the_engine_is_the_same_formula():
    """Tensor.sigmoid, nn.functional.sigmoid, nn.Sigmoid and Value.sigmoid give bit-identical results."""
    reference = Tensor(TAILS).sigmoid().data
    np.testing.assert_array_equal(F.sigmoid(Tensor(TAILS)).data, reference)
    np.testing.assert_array_equal(nn.Sigmoid()(Tensor(TAILS)).data, reference)
    np.testing.assert_array_equal([Value(float(v)).sigmoid().data for v in TAILS], reference)
    for v in TAILS:  # and the derivatives
        value, tensor = Value(float(v)), Tensor([v], requires_grad=True)
        value.sigmoid().backward()
        tensor.sigmoid().sum().backward()
        assert value.grad == tensor.grad[0]


def test_sigmoid_keeps_float32():
    assert Tensor(np.array([-40.0, 1.0], dtype=np.float32), dtype=np.float32).sigmoid().dtype == np.float32


def test_lstm_gates_use_the_accurate_sigmoid():
    """The recurrent layers go through nn.functional.sigmoid, hence the same formula (checked against torch)."""
    torch.manual_seed(0)
    ours, theirs = nn.LSTMCell(2, 3, rng=np.random.default_rng(0)), torch.nn.LSTMCell(2, 3).double()
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    x = np.array([[-60.0, 45.0], [30.0, -50.0]])
    h, c = ours(Tensor(x))
    th, tc = theirs(torch.tensor(x))
    np.testing.assert_allclose(c.data, tc.detach().numpy(), rtol=1e-13, atol=1e-300)


# ---- binary cross-entropy of a sigmoid -------------------------------------------------------------------------
@pytest.mark.parametrize("z", [-120.0, -40.0, -35.0, -5.0, 0.0, 5.0, 35.0, 40.0])
@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_bce_of_sigmoid_matches_torch(z, y):
    """BCELoss(sigmoid(z), y): log is clamped at -100 as in torch, so z = -40, y = 1 costs 40 (not 100)."""
    zt, tzt = Tensor([z], requires_grad=True), torch.tensor([z], dtype=torch.float64, requires_grad=True)
    loss = nn.BCELoss()(zt.sigmoid(), np.array([y]))
    tloss = torch.nn.BCELoss()(tzt.sigmoid(), torch.tensor([y], dtype=torch.float64))
    loss.backward()
    tloss.backward()
    assert loss.item() == pytest.approx(tloss.item(), rel=1e-13, abs=1e-300)
    np.testing.assert_allclose(zt.grad, tzt.grad.numpy(), rtol=1e-12, atol=1e-300)


def test_bce_of_sigmoid_at_minus_40_costs_40():
    loss = nn.BCELoss()(Tensor([-40.0]).sigmoid(), np.array([1.0]))
    assert loss.item() == pytest.approx(40.0, rel=1e-15)
    assert nn.BCELoss()(Tensor([-120.0]).sigmoid(), np.array([1.0])).item() == 100.0  # torch's clamp
