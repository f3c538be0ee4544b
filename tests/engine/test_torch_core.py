"""The same ops in backprop and in PyTorch (float64): values and gradients must agree. Skipped without torch."""
import numpy as np
import pytest

import backprop as bp
from backprop import Tensor

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

# (name, backprop fn, torch fn, input shapes, domain) ; both fns take the same positional tensors
CASES = [
    ("add-broadcast", lambda a, b: a + b, lambda a, b: a + b, [(3, 1), (4,)], "any"),
    ("sub-broadcast", lambda a, b: a - b, lambda a, b: a - b, [(2, 3, 4), (3, 1)], "any"),
    ("mul-broadcast", lambda a, b: a * b, lambda a, b: a * b, [(2, 3, 4), (3, 1)], "any"),
    ("div-broadcast", lambda a, b: a / b, lambda a, b: a / b, [(4, 1), (1, 5)], "positive"),
    ("pow-tensor", lambda a, b: a ** b, lambda a, b: a ** b, [(3, 4), (4,)], "positive"),
    ("pow-number", lambda a: a ** 3 + a ** -1.5, lambda a: a ** 3 + a ** -1.5, [(5,)], "positive"),
    ("scalars", lambda a: 2.0 / a - 3.0 * a + 1.0 - a / 4.0, lambda a: 2.0 / a - 3.0 * a + 1.0 - a / 4.0,
     [(3, 2)], "positive"),
    ("exp", lambda a: a.exp(), torch.exp, [(3, 4)], "any"),
    ("log", lambda a: a.log(), torch.log, [(3, 4)], "positive"),
    ("tanh", lambda a: a.tanh(), torch.tanh, [(3, 4)], "any"),
    ("sigmoid", lambda a: a.sigmoid(), torch.sigmoid, [(3, 4)], "any"),
    ("relu", lambda a: a.relu(), torch.relu, [(3, 4)], "any"),
    ("leaky_relu", lambda a: a.leaky_relu(0.05), lambda a: torch.nn.functional.leaky_relu(a, 0.05), [(3, 4)], "any"),
    ("abs", lambda a: a.abs(), torch.abs, [(3, 4)], "any"),
    ("sqrt", lambda a: a.sqrt(), torch.sqrt, [(3, 4)], "positive"),
    ("clip", lambda a: a.clip(-0.3, 0.4), lambda a: a.clamp(-0.3, 0.4), [(3, 4)], "any"),
    ("sum-axis", lambda a: a.sum(axis=1), lambda a: a.sum(dim=1), [(2, 3, 4)], "any"),
    ("sum-tuple-keepdims", lambda a: a.sum(axis=(0, 2), keepdims=True),
     lambda a: a.sum(dim=(0, 2), keepdim=True), [(2, 3, 4)], "any"),
    ("mean-all", lambda a: a.mean(), lambda a: a.mean(), [(2, 3, 4)], "any"),
    ("mean-axis", lambda a: a.mean(axis=-1, keepdims=True), lambda a: a.mean(dim=-1, keepdim=True), [(2, 3, 4)],
     "any"),
    ("max-axis", lambda a: a.max(axis=0), lambda a: a.amax(dim=0), [(3, 4)], "any"),
    ("max-all", lambda a: a.max(), lambda a: a.amax(), [(3, 4)], "any"),
    ("min-axis", lambda a: a.min(axis=1, keepdims=True), lambda a: a.amin(dim=1, keepdim=True), [(3, 4)], "any"),
    ("matmul-2d", lambda a, b: a @ b, lambda a, b: a @ b, [(3, 4), (4, 5)], "any"),
    ("matmul-batched", lambda a, b: a @ b, lambda a, b: a @ b, [(2, 3, 4), (4, 5)], "any"),
    ("matmul-broadcast-batch", lambda a, b: a @ b, lambda a, b: a @ b, [(1, 3, 4), (2, 4, 2)], "any"),
    ("matmul-vec-mat", lambda a, b: a @ b, lambda a, b: a @ b, [(4,), (4, 3)], "any"),
    ("matmul-mat-vec", lambda a, b: a @ b, lambda a, b: a @ b, [(3, 4), (4,)], "any"),
    ("dot", lambda a, b: a @ b, lambda a, b: a @ b, [(4,), (4,)], "any"),
    ("reshape-transpose", lambda a: a.reshape(4, 6).T, lambda a: a.reshape(4, 6).T, [(2, 3, 4)], "any"),
    ("transpose-axes", lambda a: a.transpose(2, 0, 1), lambda a: a.permute(2, 0, 1), [(2, 3, 4)], "any"),
    ("slice", lambda a: a[1:, ::2], lambda a: a[1:, ::2], [(3, 4)], "any"),
    ("fancy-repeated", lambda a: a[[0, 2, 0, 0]], lambda a: a[[0, 2, 0, 0]], [(3, 4)], "any"),
    ("fancy-2d", lambda a: a[np.array([0, 1, 1]), np.array([3, 3, 0])],
     lambda a: a[torch.tensor([0, 1, 1]), torch.tensor([3, 3, 0])], [(3, 4)], "any"),
    ("mask", lambda a: a[np.array([True, False, True])], lambda a: a[torch.tensor([True, False, True])], [(3, 4)],
     "any"),
    ("concatenate", lambda a, b: bp.concatenate([a, b], axis=1), lambda a, b: torch.cat([a, b], dim=1),
     [(2, 3), (2, 1)], "any"),
    ("stack", lambda a, b: bp.stack([a, b], axis=1), lambda a, b: torch.stack([a, b], dim=1), [(2, 3), (2, 3)],
     "any"),
    ("softmax", lambda a: bp.softmax(a, axis=1), lambda a: torch.softmax(a, dim=1), [(3, 5)], "any"),
    ("log_softmax", lambda a: bp.log_softmax(a, axis=0), lambda a: torch.log_softmax(a, dim=0), [(3, 5)], "any"),
    ("log_softmax-large", lambda a: bp.log_softmax(a * 1000.0, axis=-1),
     lambda a: torch.log_softmax(a * 1000.0, dim=-1), [(3, 5)], "any"),
    ("maximum", bp.maximum, torch.maximum, [(3, 4), (4,)], "any"),
    ("where", lambda a, b: bp.where(np.array([True, False, True, False]), a, b),
     lambda a, b: torch.where(torch.tensor([True, False, True, False]), a, b), [(3, 4), (3, 4)], "any"),
]


def _inputs(shapes, domain, rng):
    if domain == "positive":
        return [rng.uniform(0.5, 2.0, size=s) for s in shapes]
    arrays = [rng.standard_normal(s) for s in shapes]
    return [np.where(np.abs(a) < 1e-3, 0.5, a) for a in arrays]  # no exact kinks


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_torch(case, rng):
    name, ours, theirs, shapes, domain = case
    arrays = _inputs(shapes, domain, rng)
    mine = [Tensor(a, requires_grad=True) for a in arrays]
    ref = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out, ref_out = ours(*mine), theirs(*ref)
    np.testing.assert_allclose(out.data, ref_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    ref_out.backward(torch.tensor(upstream))
    for i, (m, r) in enumerate(zip(mine, ref)):
        np.testing.assert_allclose(m.grad, r.grad.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=f"{name}: gradient of input {i}")


def test_max_ties_split_like_torch_amax():
    data = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    x = Tensor(data, requires_grad=True)
    t = torch.tensor(data, requires_grad=True)
    x.max(axis=1).sum().backward()
    t.amax(dim=1).sum().backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy())


def test_relu_at_zero_like_torch():
    data = np.array([-1.0, 0.0, 1.0])
    x = Tensor(data, requires_grad=True)
    t = torch.tensor(data, requires_grad=True)
    x.relu().sum().backward()
    torch.relu(t).sum().backward()
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


def test_mlp_with_cross_entropy_matches_torch(rng):
    x = rng.standard_normal((8, 5))
    targets = rng.integers(0, 3, size=8)
    params = [rng.standard_normal((5, 6)) * 0.5, rng.standard_normal(6), rng.standard_normal((6, 3)) * 0.5,
              rng.standard_normal(3)]
    mine = [Tensor(p, requires_grad=True) for p in params]
    ref = [torch.tensor(p, requires_grad=True) for p in params]

    w1, b1, w2, b2 = mine
    hidden = (Tensor(x) @ w1 + b1).relu()
    loss = -bp.log_softmax(hidden @ w2 + b2, axis=1)[np.arange(8), targets].mean()
    loss.backward()

    tw1, tb1, tw2, tb2 = ref
    th = torch.relu(torch.tensor(x) @ tw1 + tb1)
    tloss = torch.nn.functional.cross_entropy(th @ tw2 + tb2, torch.tensor(targets))
    tloss.backward()

    assert loss.item() == pytest.approx(tloss.item(), rel=1e-12)
    for m, r in zip(mine, ref):
        np.testing.assert_allclose(m.grad, r.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_value_matches_torch_scalars():
    a, b = bp.Value(0.7), bp.Value(-1.2)
    out = ((a * b).tanh() + (a / b).exp() - (a ** 2).log() + (b.sigmoid() * a).relu()) * a
    out.backward()
    ta = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(-1.2, dtype=torch.float64, requires_grad=True)
    tout = ((ta * tb).tanh() + (ta / tb).exp() - (ta ** 2).log() + torch.relu(tb.sigmoid() * ta)) * ta
    tout.backward()
    assert out.data == pytest.approx(tout.item(), rel=1e-12)
    assert a.grad == pytest.approx(ta.grad.item(), rel=1e-10)
    assert b.grad == pytest.approx(tb.grad.item(), rel=1e-10)
