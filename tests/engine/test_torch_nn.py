"""The same layers, losses, optimizers and schedules in backprop and in PyTorch (float64, weights copied across
by name): outputs, input gradients and parameter gradients must agree. Skipped when torch is not installed."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from backprop import Tensor, nn, optim  # noqa: E402
from backprop.lr_scheduler import ExponentialLR, StepLR  # noqa: E402
from backprop.nn import functional as F  # noqa: E402

pytestmark = pytest.mark.torch
TOL = dict(rtol=1e-9, atol=1e-11)


@pytest.fixture(autouse=True, scope="module")
def float64_torch():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


@pytest.fixture
def gen():
    return np.random.default_rng(3)


def copy_weights(ours, theirs):
    """Load our parameters into the torch module by name (the names match by design)."""
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})


def compare(ours, theirs, *inputs, pick=lambda out: out, grad_inputs=True):
    """Run both modules on the same inputs; compare outputs, input gradients and parameter gradients."""
    copy_weights(ours, theirs)
    float_inputs = [isinstance(x, np.ndarray) and x.dtype.kind == "f" for x in inputs]
    our_in = [Tensor(x, requires_grad=grad_inputs) if f else x for x, f in zip(inputs, float_inputs)]
    their_in = [torch.tensor(x, requires_grad=grad_inputs and f) for x, f in zip(inputs, float_inputs)]
    our_out, their_out = pick(ours(*our_in)), pick(theirs(*their_in))
    np.testing.assert_allclose(our_out.data, their_out.detach().numpy(), **TOL)
    weights = np.random.default_rng(0).standard_normal(our_out.shape)
    (our_out * Tensor(weights)).sum().backward()
    (their_out * torch.from_numpy(weights)).sum().backward()
    for mine, yours, f in zip(our_in, their_in, float_inputs):
        if f and grad_inputs:
            np.testing.assert_allclose(mine.grad, yours.grad.numpy(), **TOL)
    their_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, their_params[name].grad.numpy(), **TOL, err_msg=name)


# ---- layers ------------------------------------------------------------------------------------------------
def test_linear(gen):
    compare(nn.Linear(5, 3, rng=gen), torch.nn.Linear(5, 3), gen.standard_normal((4, 5)))
    compare(nn.Linear(5, 3, bias=False, rng=gen), torch.nn.Linear(5, 3, bias=False), gen.standard_normal((2, 6, 5)))


def test_mlp_sequential(gen):
    ours = nn.Sequential(nn.Linear(4, 8, rng=gen), nn.ReLU(), nn.Linear(8, 8, rng=gen), nn.Tanh(),
                         nn.Linear(8, 6, rng=gen), nn.LeakyReLU(0.1), nn.Linear(6, 3, rng=gen), nn.Sigmoid())
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 8), torch.nn.Tanh(),
                                 torch.nn.Linear(8, 6), torch.nn.LeakyReLU(0.1), torch.nn.Linear(6, 3),
                                 torch.nn.Sigmoid())
    compare(ours, theirs, gen.standard_normal((5, 4)))


@pytest.mark.parametrize("dim", [0, 1])
def test_softmax_family(gen, dim):
    x = gen.standard_normal((3, 4))
    compare(nn.Softmax(dim=dim), torch.nn.Softmax(dim=dim), x)
    compare(nn.LogSoftmax(dim=dim), torch.nn.LogSoftmax(dim=dim), x)


@pytest.mark.parametrize("kernel,stride,padding",
                         [(3, 1, 0), (3, 1, 1), (3, 2, 1), (2, 2, 0), ((3, 2), (2, 1), (1, 0))])
def test_conv2d(gen, kernel, stride, padding):
    compare(nn.Conv2d(3, 4, kernel, stride, padding, rng=gen), torch.nn.Conv2d(3, 4, kernel, stride, padding),
            gen.standard_normal((2, 3, 7, 6)))


@pytest.mark.parametrize("kernel,stride,padding", [(2, None, 0), (3, 1, 1), (3, 2, 1), (2, 1, 0)])
def test_maxpool2d(gen, kernel, stride, padding):
    x = gen.permutation(2 * 2 * 7 * 6).reshape(2, 2, 7, 6) / 7.0  # distinct values: no ties
    compare(nn.MaxPool2d(kernel, stride, padding), torch.nn.MaxPool2d(kernel, stride, padding), x)


def test_small_cnn(gen):
    ours = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, rng=gen), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(4 * 4 * 4, 5, rng=gen))
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                 torch.nn.Flatten(), torch.nn.Linear(4 * 4 * 4, 5))
    compare(ours, theirs, gen.standard_normal((3, 1, 8, 8)))


def test_embedding_with_repeated_indices(gen):
    idx = np.array([[1, 1, 4], [0, 4, 4]])
    compare(nn.Embedding(5, 3, rng=gen), torch.nn.Embedding(5, 3), idx, grad_inputs=False)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_recurrent_layers(gen, name, num_layers):
    ours = getattr(nn, name)(3, 5, num_layers=num_layers, batch_first=True, rng=gen)
    theirs = getattr(torch.nn, name)(3, 5, num_layers=num_layers, batch_first=True)
    x = gen.standard_normal((2, 4, 3))
    compare(ours, theirs, x, pick=lambda out: out[0])
    final = (lambda out: out[1][1]) if name == "LSTM" else (lambda out: out[1])
    ours.zero_grad()
    theirs.zero_grad()
    compare(ours, theirs, x, pick=final)


@pytest.mark.parametrize("name", ["RNN", "GRU"])
def test_recurrent_with_initial_state(gen, name):
    ours = getattr(nn, name)(3, 4, num_layers=2, rng=gen)
    theirs = getattr(torch.nn, name)(3, 4, num_layers=2, batch_first=True)
    compare(ours, theirs, gen.standard_normal((2, 5, 3)), gen.standard_normal((2, 2, 4)), pick=lambda out: out[0])


def test_lstm_with_initial_state(gen):
    ours, theirs = nn.LSTM(3, 4, rng=gen), torch.nn.LSTM(3, 4, batch_first=True)
    copy_weights(ours, theirs)
    x, h0, c0 = gen.standard_normal((2, 5, 3)), gen.standard_normal((1, 2, 4)), gen.standard_normal((1, 2, 4))
    out, (h, c) = ours(x, (h0, c0))
    tout, (th, tc) = theirs(torch.tensor(x), (torch.tensor(h0), torch.tensor(c0)))
    for a, b in ((out, tout), (h, th), (c, tc)):
        np.testing.assert_allclose(a.data, b.detach().numpy(), **TOL)


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells(gen, name):
    ours, theirs = getattr(nn, name)(3, 4, rng=gen), getattr(torch.nn, name)(3, 4)
    compare(ours, theirs, gen.standard_normal((5, 3)), pick=lambda out: out[1] if name == "LSTMCell" else out)


# ---- losses ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses(gen, reduction):
    z = gen.standard_normal((6, 4)) * 3
    t = gen.integers(0, 4, 6)
    p = gen.uniform(0.01, 0.99, (6, 4))
    y01 = gen.integers(0, 2, (6, 4)).astype(float)
    target = gen.standard_normal((6, 4))
    cases = [
        (F.cross_entropy, torch.nn.functional.cross_entropy, z, t),
        (F.nll_loss, torch.nn.functional.nll_loss, z, t),
        (F.mse_loss, torch.nn.functional.mse_loss, z, target),
        (F.binary_cross_entropy, torch.nn.functional.binary_cross_entropy, p, y01),
        (F.binary_cross_entropy_with_logits, torch.nn.functional.binary_cross_entropy_with_logits, z, y01),
    ]
    for ours, theirs, x, y in cases:
        a = Tensor(x, requires_grad=True)
        b = torch.tensor(x, requires_grad=True)
        out, tout = ours(a, y, reduction=reduction), theirs(b, torch.from_numpy(y), reduction=reduction)
        np.testing.assert_allclose(out.data, tout.detach().numpy(), **TOL, err_msg=ours.__name__)
        w = np.random.default_rng(1).standard_normal(out.shape)
        (out * Tensor(w)).sum().backward()
        (tout * torch.from_numpy(w)).sum().backward()
        np.testing.assert_allclose(a.grad, b.grad.numpy(), **TOL, err_msg=ours.__name__)


def test_clip_grad_norm(gen):
    ours = nn.Linear(4, 3, rng=gen)
    theirs = torch.nn.Linear(4, 3)
    compare(ours, theirs, gen.standard_normal((5, 4)) * 10)
    total = nn.utils.clip_grad_norm_(ours.parameters(), 0.5)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs.parameters(), 0.5)
    assert total == pytest.approx(float(ttotal), rel=1e-12)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-9)


# ---- optimizers and schedules ------------------------------------------------------------------------------
OPTIMIZERS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.8, dampening=0.3)),
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5, weight_decay=0.01)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.05)),
]


@pytest.mark.parametrize("name,options", OPTIMIZERS, ids=[f"{n}-{o}" for n, o in OPTIMIZERS])
def test_optimizer_steps_match_torch(gen, name, options):
    ours = nn.Sequential(nn.Linear(3, 5, rng=gen), nn.Tanh(), nn.Linear(5, 2, rng=gen))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2))
    copy_weights(ours, theirs)
    opt = getattr(optim, name)(ours.parameters(), **options)
    topt = getattr(torch.optim, name)(theirs.parameters(), **options)
    X, y = gen.standard_normal((8, 3)), gen.integers(0, 2, 8)
    for step in range(6):
        opt.zero_grad()
        topt.zero_grad()
        F.cross_entropy(ours(X), y).backward()
        torch.nn.functional.cross_entropy(theirs(torch.from_numpy(X)), torch.from_numpy(y)).backward()
        opt.step()
        topt.step()
        for (pname, p), q in zip(ours.named_parameters(), theirs.parameters()):
            np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-9, atol=1e-12,
                                       err_msg=f"{pname} after step {step + 1}")


@pytest.mark.parametrize("ours_cls,theirs_cls,kwargs", [
    (StepLR, torch.optim.lr_scheduler.StepLR, dict(step_size=3, gamma=0.5)),
    (ExponentialLR, torch.optim.lr_scheduler.ExponentialLR, dict(gamma=0.9)),
])
def test_schedules_match_torch(ours_cls, theirs_cls, kwargs):
    opt = optim.SGD([nn.Parameter(np.zeros(1))], lr=0.2)
    topt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.2)
    sched, tsched = ours_cls(opt, **kwargs), theirs_cls(topt, **kwargs)
    for _ in range(10):
        topt.step()  # torch warns if the scheduler steps before the optimizer
        sched.step()
        tsched.step()
        assert opt.lr == pytest.approx(topt.param_groups[0]["lr"], rel=1e-12)
        assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-12)


def test_maxpool2d_ties_route_the_gradient_like_torch(gen):
    x = gen.integers(0, 3, (2, 2, 6, 6)).astype(float)  # many ties inside each window
    compare(nn.MaxPool2d(2), torch.nn.MaxPool2d(2), x)
    compare(nn.MaxPool2d(3, 1, 1), torch.nn.MaxPool2d(3, 1, 1), x)
