"""Optimizers and schedules: update rules checked on cases whose result can be worked out by hand, convergence
on a quadratic, and refusal of unknown or invalid options. (Step-by-step agreement with torch.optim is in
test_torch_nn.py.)"""
import numpy as np
import pytest

from backprop import Tensor, nn, optim
from backprop.optim.lr_scheduler import ExponentialLR, StepLR


def _param(values):
    return nn.Parameter(np.array(values, dtype=float))


def _step_with_grad(opt, p, grad, steps=1):
    for _ in range(steps):
        p.grad = np.array(grad, dtype=float)
        opt.step()


def test_sgd_plain_and_weight_decay():
    p = _param([1.0, -2.0])
    _step_with_grad(optim.SGD([p], lr=0.1), p, [0.5, 0.5])
    np.testing.assert_allclose(p.data, [0.95, -2.05])
    q = _param([1.0, -2.0])
    _step_with_grad(optim.SGD([q], lr=0.1, weight_decay=0.5), q, [0.0, 0.0])
    np.testing.assert_allclose(q.data, [1.0 - 0.1 * 0.5 * 1.0, -2.0 + 0.1 * 0.5 * 2.0])


def test_sgd_momentum_two_steps_by_hand():
    # constant gradient g: step 1 moves lr*g, step 2 moves lr*(mu*g + g)
    p = _param([0.0])
    _step_with_grad(optim.SGD([p], lr=0.1, momentum=0.9), p, [1.0], steps=2)
    np.testing.assert_allclose(p.data, [-0.1 * (1 + 1.9)])


def test_sgd_nesterov_two_steps_by_hand():
    # buffers b1 = g, b2 = mu*g + g; updates g + mu*b1 then g + mu*b2
    p = _param([0.0])
    mu = 0.5
    _step_with_grad(optim.SGD([p], lr=1.0, momentum=mu, nesterov=True), p, [1.0], steps=2)
    np.testing.assert_allclose(p.data, [-((1 + mu) + (1 + mu * (1 + mu)))])


def test_sgd_dampening_scales_later_gradients():
    p = _param([0.0])
    _step_with_grad(optim.SGD([p], lr=1.0, momentum=1.0, dampening=0.5), p, [1.0], steps=2)
    np.testing.assert_allclose(p.data, [-(1.0 + 1.5)])  # b1 = g, b2 = b1 + 0.5*g


def test_adam_first_step_moves_each_weight_by_lr_times_sign():
    p = _param([1.0, 1.0, 1.0])
    _step_with_grad(optim.Adam([p], lr=0.01), p, [3.0, -0.002, 50.0])
    np.testing.assert_allclose(p.data, [0.99, 1.01, 0.99], rtol=1e-6)


def test_rmsprop_first_step_by_hand():
    p = _param([0.0, 0.0])
    _step_with_grad(optim.RMSprop([p], lr=0.01, alpha=0.9), p, [2.0, -4.0])
    np.testing.assert_allclose(p.data, [-0.01 / np.sqrt(0.1), 0.01 / np.sqrt(0.1)], rtol=1e-6)


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.1),
    lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    lambda ps: optim.RMSprop(ps, lr=0.05, momentum=0.5),
    lambda ps: optim.Adam(ps, lr=0.1),
])
def test_optimizers_minimise_a_quadratic(make):
    target = np.array([3.0, -1.0, 0.5])
    p = nn.Parameter(np.zeros(3))
    opt = make([p])
    for _ in range(300):
        opt.zero_grad()
        ((p - Tensor(target)) ** 2).sum().backward()
        opt.step()
    np.testing.assert_allclose(p.data, target, atol=1e-2)


def test_parameters_without_gradient_are_left_alone():
    a, b = _param([1.0]), _param([2.0])
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = np.array([1.0])
    opt.step()
    assert b.data[0] == 2.0 and a.data[0] != 1.0


def test_zero_grad_and_lr_property():
    p = _param([1.0])
    p.grad = np.array([5.0])
    opt = optim.SGD([p], lr=0.3)
    opt.zero_grad()
    assert p.grad is None
    p.grad = np.array([5.0])
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad, [0.0])
    assert opt.lr == 0.3 and opt.param_groups[0]["lr"] == 0.3
    opt.lr = 0.1
    assert opt.param_groups[0]["lr"] == 0.1


def test_param_groups_with_their_own_lr():
    a, b = _param([0.0]), _param([0.0])
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    a.grad, b.grad = np.array([1.0]), np.array([1.0])
    opt.step()
    np.testing.assert_allclose([a.data[0], b.data[0]], [-0.1, -1.0])


def test_state_dict_roundtrip_continues_identically():
    def run(resume: bool):
        p = _param([1.0, 2.0])
        opt = optim.Adam([p], lr=0.1)
        _step_with_grad(opt, p, [0.3, -0.7], steps=2)
        if resume:
            saved, data = opt.state_dict(), p.data.copy()
            p = _param(data)
            opt = optim.Adam([p], lr=0.1)
            opt.load_state_dict(saved)
        _step_with_grad(opt, p, [0.1, 0.2], steps=2)
        return p.data

    np.testing.assert_allclose(run(True), run(False))


def test_unknown_option_is_refused_with_valid_ones_listed():
    with pytest.raises(TypeError) as info:
        optim.SGD([_param([1.0])], lr=0.1, momentun=0.9)
    message = str(info.value)
    assert "'momentun'" in message and "did you mean 'momentum'" in message and "nesterov" in message
    with pytest.raises(TypeError, match="'beta1'.*betas"):
        optim.Adam([_param([1.0])], beta1=0.9)
    with pytest.raises(TypeError, match="'decay'"):
        optim.RMSprop([_param([1.0])], decay=0.9)
    with pytest.raises(TypeError, match="'gama'.*did you mean 'gamma'"):
        StepLR(optim.SGD([_param([1.0])], lr=0.1), step_size=3, gama=0.5)


@pytest.mark.parametrize("make,pattern", [
    (lambda ps: optim.SGD(ps, lr=-0.1), "lr"),
    (lambda ps: optim.SGD(ps, lr=0.1, nesterov=True), "nesterov"),
    (lambda ps: optim.Adam(ps, betas=(0.9, 1.0)), r"betas\[1\]"),
    (lambda ps: optim.Adam(ps, betas=(-0.1, 0.9)), r"betas\[0\]"),
    (lambda ps: optim.Adam(ps, betas=0.9), "pair"),
    (lambda ps: optim.RMSprop(ps, alpha=1.5), "alpha"),
    (lambda ps: optim.SGD(ps, lr="fast"), "number"),
])
def test_invalid_values_are_refused(make, pattern):
    with pytest.raises((ValueError, TypeError), match=pattern):
        make([_param([1.0])])


def test_bad_parameter_lists_are_refused():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="model.parameters"):
        optim.SGD([np.zeros(3)], lr=0.1)
    with pytest.raises(ValueError, match="requires_grad=False"):
        optim.SGD([Tensor([1.0])], lr=0.1)
    model = nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"not the model: pass model.parameters\(\)"):
        optim.Adam(model)
    with pytest.raises(TypeError, match=r"not the method: pass model.parameters\(\)"):
        optim.Adam(model.parameters)


def test_step_lr_and_exponential_lr():
    opt = optim.SGD([_param([1.0])], lr=1.0)
    sched = StepLR(opt, step_size=2, gamma=0.5)
    lrs = []
    for _ in range(6):
        lrs.append(opt.lr)
        sched.step()
    assert lrs == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    opt2 = optim.Adam([_param([1.0])], lr=0.2)
    sched2 = ExponentialLR(opt2, gamma=0.5)
    sched2.step()
    sched2.step()
    assert sched2.get_last_lr() == [pytest.approx(0.05)]
    assert optim.lr_scheduler.StepLR is StepLR
    with pytest.raises(ValueError, match="step_size"):
        StepLR(opt, step_size=0)
