"""The same layers, losses, optimizers and schedules in backprop and in PyTorch (float64, weights copied across
by name): outputs, input gradients and parameter gradients must agree. Skipped when torch is not installed."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from backprop import Tensor, nn, optim  # noqa: E402
from backprop.optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, LambdaLR, MultiStepLR, StepLR  # noqa: E402
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


@pytest.mark.parametrize("options", [
    dict(dilation=2), dict(dilation=(2, 3), stride=2, padding=1), dict(groups=2), dict(groups=4),
    dict(groups=4, dilation=2, padding=2), dict(groups=2, stride=(1, 2), padding=(0, 1), bias=False),
], ids=str)
def test_conv2d_dilation_and_groups(gen, options):
    compare(nn.Conv2d(4, 8, 3, rng=gen, **options), torch.nn.Conv2d(4, 8, 3, **options),
            gen.standard_normal((2, 4, 9, 8)))


def test_conv2d_refuses_groups_that_do_not_divide_the_channels():
    with pytest.raises(ValueError, match="groups=3 must divide in_channels=4"):
        nn.Conv2d(4, 6, 3, groups=3)


@pytest.mark.parametrize("kernel,stride,padding", [(2, 2, 0), (3, 2, 1), (3, 3, 0), (2, 3, 1), (3, 2, 0)])
def test_maxpool2d_ceil_mode(gen, kernel, stride, padding):
    """ceil_mode=True keeps the partial windows at the bottom/right edge (7 x 8 inputs leave a remainder)."""
    x = gen.permutation(2 * 2 * 7 * 8).reshape(2, 2, 7, 8) / 7.0
    ours, theirs = nn.MaxPool2d(kernel, stride, padding, ceil_mode=True), torch.nn.MaxPool2d(kernel, stride, padding,
                                                                                            ceil_mode=True)
    assert ours(Tensor(x)).shape == tuple(theirs(torch.from_numpy(x)).shape)
    compare(ours, theirs, x)


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


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("batch_first", [True, False])
def test_bidirectional_recurrent_layers(gen, name, batch_first):
    ours = getattr(nn, name)(3, 4, num_layers=2, bidirectional=True, batch_first=batch_first, rng=gen)
    theirs = getattr(torch.nn, name)(3, 4, num_layers=2, bidirectional=True, batch_first=batch_first)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    x = gen.standard_normal((2, 5, 3))
    compare(ours, theirs, x, pick=lambda out: out[0])
    final = (lambda out: out[1][1]) if name == "LSTM" else (lambda out: out[1])
    ours.zero_grad()
    theirs.zero_grad()
    compare(ours, theirs, x, pick=final)


def test_bidirectional_with_initial_state(gen):
    ours, theirs = nn.GRU(3, 4, bidirectional=True, rng=gen), torch.nn.GRU(3, 4, bidirectional=True, batch_first=True)
    compare(ours, theirs, gen.standard_normal((2, 5, 3)), gen.standard_normal((2, 2, 4)), pick=lambda out: out[1])
    ours, theirs = nn.LSTM(3, 4, bidirectional=True, rng=gen), torch.nn.LSTM(3, 4, bidirectional=True, batch_first=True)
    copy_weights(ours, theirs)
    x, h0, c0 = gen.standard_normal((2, 5, 3)), gen.standard_normal((2, 2, 4)), gen.standard_normal((2, 2, 4))
    out, (h, c) = ours(x, (h0, c0))
    tout, (th, tc) = theirs(torch.tensor(x), (torch.tensor(h0), torch.tensor(c0)))
    for a, b in ((out, tout), (h, th), (c, tc)):
        np.testing.assert_allclose(a.data, b.detach().numpy(), **TOL)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_dropout_between_recurrent_layers(gen, name):
    """torch draws other random numbers, so compare where the result is deterministic: dropout=1 in training
    (layer 2 sees zeros) and any dropout in eval mode (no dropout at all)."""
    ours = getattr(nn, name)(3, 4, num_layers=3, dropout=1.0, rng=gen)
    theirs = getattr(torch.nn, name)(3, 4, num_layers=3, dropout=1.0, batch_first=True)
    x = gen.standard_normal((2, 5, 3))
    compare(ours, theirs, x, pick=lambda out: out[0])
    ours.zero_grad()
    theirs.zero_grad()
    ours.eval()
    theirs.eval()
    compare(ours, theirs, x, pick=lambda out: out[0])
    # in training, p = 0.5: some activations between layers are zeroed, so the output changes
    half = getattr(nn, name)(3, 4, num_layers=2, dropout=0.5, rng=np.random.default_rng(0))
    train_out = half(x)[0].data
    half.eval()
    assert not np.allclose(train_out, half(x)[0].data)


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
    ("Adam", dict(lr=0.05, amsgrad=True)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.05, betas=(0.8, 0.9), weight_decay=0.2)),
    ("AdamW", dict(lr=0.05, weight_decay=0.1, amsgrad=True)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.8, centered=True, momentum=0.7, weight_decay=0.02)),
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
    (MultiStepLR, torch.optim.lr_scheduler.MultiStepLR, dict(milestones=[2, 5, 5, 9], gamma=0.5)),
    (MultiStepLR, torch.optim.lr_scheduler.MultiStepLR, dict(milestones=[7, 3])),
    (CosineAnnealingLR, torch.optim.lr_scheduler.CosineAnnealingLR, dict(T_max=7)),
    (CosineAnnealingLR, torch.optim.lr_scheduler.CosineAnnealingLR, dict(T_max=5, eta_min=0.01)),
    (LambdaLR, torch.optim.lr_scheduler.LambdaLR, dict(lr_lambda=lambda epoch: 0.5 + 1.0 / (epoch + 1))),
], ids=lambda v: v.__name__ if isinstance(v, type) else None)
def test_schedules_match_torch(ours_cls, theirs_cls, kwargs):
    opt = optim.SGD([nn.Parameter(np.zeros(1))], lr=0.2)
    topt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.2)
    sched, tsched = ours_cls(opt, **kwargs), theirs_cls(topt, **kwargs)
    assert opt.lr == pytest.approx(topt.param_groups[0]["lr"], rel=1e-12)  # LambdaLR sets f(0) at once
    for _ in range(16):  # past T_max, where the cosine turns back up
        topt.step()  # torch warns if the scheduler steps before the optimizer
        sched.step()
        tsched.step()
        assert opt.lr == pytest.approx(topt.param_groups[0]["lr"], rel=1e-12, abs=1e-15)
        assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-12, abs=1e-15)


def test_lambda_lr_with_one_function_per_group_matches_torch():
    params = [nn.Parameter(np.zeros(1)), nn.Parameter(np.zeros(1))]
    tparams = [torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))]
    opt = optim.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.5}], lr=0.1)
    topt = torch.optim.SGD([{"params": [tparams[0]]}, {"params": [tparams[1]], "lr": 0.5}], lr=0.1)
    fns = [lambda e: 0.9 ** e, lambda e: 1.0 / (1 + e)]
    sched, tsched = LambdaLR(opt, fns), torch.optim.lr_scheduler.LambdaLR(topt, fns)
    for _ in range(5):
        topt.step()
        sched.step()
        tsched.step()
        assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-12)


def test_adamw_is_not_adam_with_l2():
    """Decoupled decay differs from L2 in the gradient: the point of AdamW (both checked against torch above)."""
    a, b = nn.Parameter(np.ones(3)), nn.Parameter(np.ones(3))
    opt_w, opt_l2 = optim.AdamW([a], lr=0.1, weight_decay=0.5), optim.Adam([b], lr=0.1, weight_decay=0.5)
    for p, o in ((a, opt_w), (b, opt_l2)):
        p.grad = np.array([1e-3, 0.0, -1e-3])
        o.step()
    assert not np.allclose(a.data, b.data)
    assert optim.AdamW([a]).param_groups[0]["weight_decay"] == 0.01  # torch's default


def test_maxpool2d_ties_route_the_gradient_like_torch(gen):
    x = gen.integers(0, 3, (2, 2, 6, 6)).astype(float)  # many ties inside each window
    compare(nn.MaxPool2d(2), torch.nn.MaxPool2d(2), x)
    compare(nn.MaxPool2d(3, 1, 1), torch.nn.MaxPool2d(3, 1, 1), x)


# ---- cross-entropy: label smoothing, (N, C, d1, ...) inputs ---------------------------------------------------
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5), (2, 4, 3, 2)], ids=["NC", "NCL", "NCHW"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 1.0])
def test_cross_entropy_smoothing_and_extra_dims_match_torch(gen, shape, reduction, label_smoothing):
    z = gen.standard_normal(shape) * 3
    t = gen.integers(0, shape[1], (shape[0],) + shape[2:])
    a, b = Tensor(z, requires_grad=True), torch.tensor(z, requires_grad=True)
    loss_fn = nn.CrossEntropyLoss(reduction=reduction, label_smoothing=label_smoothing)
    tloss_fn = torch.nn.CrossEntropyLoss(reduction=reduction, label_smoothing=label_smoothing)
    out, tout = loss_fn(a, t), tloss_fn(b, torch.from_numpy(t))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), **TOL)
    w = gen.standard_normal(out.shape)
    (out * Tensor(w)).sum().backward()
    (tout * torch.from_numpy(w)).sum().backward()
    np.testing.assert_allclose(a.grad, b.grad.numpy(), **TOL)
    if label_smoothing == 0.0:  # nll_loss of log_softmax reads (N, C, d1, ...) the same way
        a2, b2 = Tensor(z, requires_grad=True), torch.tensor(z, requires_grad=True)
        out = F.nll_loss(F.log_softmax(a2, dim=1), t, reduction)
        tout = torch.nn.functional.nll_loss(b2.log_softmax(1), torch.from_numpy(t), reduction=reduction)
        np.testing.assert_allclose(out.data, tout.detach().numpy(), **TOL)
        (out * Tensor(w)).sum().backward()
        (tout * torch.from_numpy(w)).sum().backward()
        np.testing.assert_allclose(a2.grad, b2.grad.numpy(), **TOL)


def test_cross_entropy_refuses_bad_smoothing_and_mismatched_targets():
    with pytest.raises(ValueError, match="label_smoothing must be a number in"):
        nn.CrossEntropyLoss(label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"expected target of shape \(2, 4\)"):
        F.cross_entropy(Tensor(np.zeros((2, 3, 4))), np.zeros((2, 3), dtype=int))
