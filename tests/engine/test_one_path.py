"""Each op's derivative lives in one place (the Tensor method), `dim` is an alias of `axis` everywhere, and bad
axes give one clear error (compared with torch where torch has the same call)."""
import numpy as np
import pytest

import backprop as bp
from backprop import Tensor
from backprop.nn import functional as F

torch = pytest.importorskip("torch")

DELEGATES = [("relu", ()), ("leaky_relu", (0.2,)), ("tanh", ()), ("sigmoid", ()), ("softmax", (0,)),
             ("log_softmax", (1,))]


@pytest.mark.parametrize("name,args", DELEGATES, ids=[d[0] for d in DELEGATES])
def test_nn_functional_delegates_to_the_tensor_method(monkeypatch, name, args):
    """nn.functional.<op> calls Tensor.<op>: there is no second forward/backward to drift apart."""
    calls = []
    original = getattr(Tensor, name)

    def spy(self, *a, **k):
        calls.append(name)
        return original(self, *a, **k)

    monkeypatch.setattr(Tensor, name, spy)
    x = Tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    out = getattr(F, name)(x, *args)
    assert calls == [name]
    assert out.grad_fn == name


@pytest.mark.parametrize("name,args", DELEGATES, ids=[d[0] for d in DELEGATES])
def test_nn_functional_and_tensor_method_agree_with_torch(name, args):
    x = np.random.default_rng(1).standard_normal((3, 4))
    torch_fn = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
                "leaky_relu": torch.nn.functional.leaky_relu, "softmax": torch.softmax,
                "log_softmax": torch.log_softmax}[name]
    t = torch.tensor(x, requires_grad=True)
    expected = torch_fn(t, *args)
    w = np.random.default_rng(2).standard_normal(x.shape)
    (expected * torch.from_numpy(w)).sum().backward()
    for fn in (lambda a: getattr(F, name)(a, *args), lambda a: getattr(a, name)(*args)):
        a = Tensor(x, requires_grad=True)
        out = fn(a)
        (out * w).sum().backward()
        np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(a.grad, t.grad.numpy(), rtol=1e-13, atol=1e-15)


# ---- dim as an alias of axis ---------------------------------------------------------------------------------
X = np.random.default_rng(3).standard_normal((2, 3, 4))
ALIASES = [
    ("softmax", lambda t: t.softmax(dim=1), lambda t: t.softmax(dim=1)),
    ("log_softmax", lambda t: t.log_softmax(dim=-1), lambda t: t.log_softmax(dim=-1)),
    ("F.softmax", lambda t: F.softmax(t, dim=0), lambda t: torch.softmax(t, dim=0)),
    ("F.log_softmax-axis", lambda t: F.log_softmax(t, axis=2), lambda t: torch.log_softmax(t, dim=2)),
    ("bp.softmax", lambda t: bp.softmax(t, dim=1), lambda t: torch.softmax(t, dim=1)),
    ("sum", lambda t: t.sum(dim=1, keepdim=True), lambda t: t.sum(dim=1, keepdim=True)),
    ("mean", lambda t: t.mean(dim=(0, 2)), lambda t: t.mean(dim=(0, 2))),
    ("max", lambda t: t.max(dim=2, keepdim=True), lambda t: t.amax(dim=2, keepdim=True)),
    ("min", lambda t: t.min(dim=0), lambda t: t.amin(dim=0)),
    ("unsqueeze", lambda t: t.unsqueeze(dim=-1), lambda t: t.unsqueeze(dim=-1)),
    ("squeeze", lambda t: t[:, :1].squeeze(dim=1), lambda t: t[:, :1].squeeze(dim=1)),
    ("cat", lambda t: bp.cat([t, t * 2], dim=1), lambda t: torch.cat([t, t * 2], dim=1)),
    ("stack", lambda t: bp.stack([t, t * 2], dim=-1), lambda t: torch.stack([t, t * 2], dim=-1)),
    ("F.stack", lambda t: F.stack([t, t * 2], dim=2), lambda t: torch.stack([t, t * 2], dim=2)),
    ("bp.sum", lambda t: bp.functional.sum(t, dim=2), lambda t: torch.sum(t, dim=2)),
]


@pytest.mark.parametrize("ours,theirs", [a[1:] for a in ALIASES], ids=[a[0] for a in ALIASES])
def test_dim_is_an_alias_of_axis(ours, theirs):
    a, t = Tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    out, expected = ours(a), theirs(t)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-14, atol=1e-15)
    w = np.random.default_rng(4).standard_normal(out.shape)
    (out * w).sum().backward()
    (expected * torch.from_numpy(w)).sum().backward()
    np.testing.assert_allclose(a.grad, t.grad.numpy(), rtol=1e-13, atol=1e-15)


def test_argmax_accepts_dim():
    t = Tensor(X)
    np.testing.assert_array_equal(t.argmax(dim=1), torch.tensor(X).argmax(dim=1).numpy())
    np.testing.assert_array_equal(t.argmin(dim=-1), torch.tensor(X).argmin(dim=-1).numpy())


def test_axis_and_dim_together_must_agree():
    t = Tensor(X)
    np.testing.assert_array_equal(t.sum(axis=1, dim=1).data, X.sum(axis=1))
    with pytest.raises(TypeError, match="dim is another name for axis"):
        t.softmax(axis=0, dim=1)
    with pytest.raises(TypeError, match="dim is another name for axis"):
        bp.stack([t, t], axis=0, dim=1)


# ---- one clear error for a bad axis ------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda t: F.softmax(t, dim=5), lambda t: F.log_softmax(t, 5), lambda t: t.softmax(axis=-4),
    lambda t: bp.softmax(t, 3), lambda t: t.sum(dim=3), lambda t: t.max(dim=7), lambda t: t.argmax(dim=3),
    lambda t: bp.cat([t, t], dim=3), lambda t: t.squeeze(dim=9),
], ids=["F.softmax", "F.log_softmax", "Tensor.softmax", "bp.softmax", "sum", "max", "argmax", "cat", "squeeze"])
def test_an_axis_out_of_range_is_named(call):
    with pytest.raises(ValueError, match=r"out of range for a tensor with 3 dimension\(s\); valid axes are -3..2"):
        call(Tensor(X))


@pytest.mark.parametrize("call", [lambda t: bp.stack([t, t], axis=5), lambda t: F.stack([t, t], dim=-5),
                                  lambda t: t.unsqueeze(4)], ids=["bp.stack", "F.stack", "unsqueeze"])
def test_a_new_axis_out_of_range_is_named_not_blamed_on_shapes(call):
    with pytest.raises(ValueError, match=r"out of range: the new axis goes into a tensor with 3 dimension\(s\), "
                                         r"so valid positions are -4..3") as error:
        call(Tensor(X))
    assert "equal" not in str(error.value)


def test_stack_and_cat_still_name_mismatched_shapes():
    with pytest.raises(ValueError, match=r"stack: shapes \(2, 3\), \(3,\) must all be equal"):
        bp.stack([Tensor(np.ones((2, 3))), Tensor(np.ones(3))])
    with pytest.raises(ValueError, match="do not fit together"):
        bp.cat([Tensor(np.ones((2, 3))), Tensor(np.ones((3, 2)))], dim=1)
