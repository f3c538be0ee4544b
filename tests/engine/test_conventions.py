"""One way to do each thing: binary ops share one broadcasting path, one rng convention, public names for notebooks."""
import numpy as np
import pytest

import backprop as bp
from backprop import Tensor, nn
from backprop.data import DataLoader
from backprop.nn import functional as F

BINARY = [("add", lambda a, b: a + b), ("sub", lambda a, b: a - b), ("mul", lambda a, b: a * b),
          ("div", lambda a, b: a / b), ("pow", lambda a, b: a ** b), ("maximum", bp.maximum),
          ("equal", lambda a, b: a == b), ("less", lambda a, b: a < b)]


@pytest.fixture(autouse=True)
def shared_generator_restored():
    """These tests reseed the shared generator: give the next test the state it would have had."""
    saved = bp.random._shared
    yield
    bp.random._shared = saved


@pytest.mark.parametrize("name,op", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("right", ["tensor", "array"])
def test_every_binary_op_names_itself_and_both_shapes_when_they_do_not_broadcast(name, op, right):
    a = Tensor(np.ones((3, 4)), requires_grad=True)
    b = np.ones(3) if right == "array" else Tensor(np.ones(3))
    with pytest.raises(ValueError, match=rf"^{name}: shapes \(3, 4\) and \(3,\) cannot be broadcast together"):
        op(a, b)


@pytest.mark.parametrize("name", ["sub", "div", "pow"])
def test_reflected_ops_use_the_same_derivative_as_two_tensors(name):
    """`c - x` with c a number must give x the gradient that Tensor(c) - x gives it."""
    rng = np.random.default_rng(0)
    x_data, c = rng.uniform(0.5, 2.0, (2, 3)), 1.7
    op = {"sub": lambda a, b: a - b, "div": lambda a, b: a / b, "pow": lambda a, b: a ** b}[name]
    x1, x2 = Tensor(x_data, requires_grad=True), Tensor(x_data, requires_grad=True)
    op(c, x1).sum().backward()
    op(Tensor(c), x2).sum().backward()
    np.testing.assert_array_equal(x1.grad, x2.grad)
    # and the value of the derivative is the textbook one
    want = {"sub": -np.ones_like(x_data), "div": -c / x_data ** 2, "pow": c ** x_data * np.log(c)}[name]
    np.testing.assert_allclose(x1.grad, want, rtol=1e-12)


def test_a_float32_tensor_times_a_python_number_stays_float32():
    t = Tensor(np.ones(3, dtype=np.float32), dtype=np.float32)
    assert (t * 2.0).dtype == np.float32 and (2.0 - t).dtype == np.float32


def test_manual_seed_reproduces_the_masks_of_a_dropout_made_before_it():
    layer = nn.Dropout(0.5)  # rng=None: the shared generator, looked up at each forward
    x = Tensor(np.ones((4, 50)))
    bp.manual_seed(123)
    first = layer(x).data.copy()
    bp.manual_seed(123)
    again = layer(x).data
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(layer(x).data, first)  # without reseeding, the next mask is a new one


def test_an_int_rng_gives_a_layer_its_own_stream_that_manual_seed_does_not_touch():
    a, b = nn.Dropout(0.5, rng=7), nn.Dropout(0.5, rng=7)
    x = Tensor(np.ones((4, 50)))
    first = a(x).data
    bp.manual_seed(0)
    np.testing.assert_array_equal(b(x).data, first)
    assert not np.array_equal(a(x).data, first)  # the stream moves on: successive masks differ


def test_the_same_convention_for_data_loader_randn_and_nn_init():
    X = np.arange(20.0).reshape(10, 2)
    loader = DataLoader(X, batch_size=10, shuffle=True)
    bp.manual_seed(5)
    order = next(iter(loader)).data[:, 0].copy()
    noise = bp.randn(3).data
    bp.manual_seed(5)
    np.testing.assert_array_equal(next(iter(loader)).data[:, 0], order)
    np.testing.assert_array_equal(bp.randn(3).data, noise)
    assert nn.init.manual_seed is bp.manual_seed and nn.init.get_rng is bp.random.get_rng
    with pytest.raises(TypeError, match="rng must be None, an int seed or a numpy Generator"):
        DataLoader(X, rng="seven")


def test_one_progress_bar_for_fit_and_the_training_monitor(capsys):
    from backprop.progress import Progress
    from backprop.widgets.models import TrainingMonitor

    assert bp.train.Progress is Progress and isinstance(TrainingMonitor(4)._progress, Progress)
    bar = Progress(4, unit="step", every=2)
    for step in range(1, 5):
        bar.update(step, {"loss": 1.0 / step, "time": 0.5})
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["step 2/4 [##########..........] loss 0.5000  (0.50s)",
                     "step 4/4 [####################] loss 0.2500  (0.50s)"]


def test_public_names_for_what_notebooks_use():
    from backprop.train import Progress, _Progress

    assert _Progress is Progress
    loader = DataLoader(np.ones((4, 2)), np.arange(4), batch_size=2)
    batch = loader.to_batch(np.ones((2, 2)))
    assert isinstance(batch, Tensor) and not batch.requires_grad
    assert DataLoader._wrap is DataLoader.to_batch
    assert DataLoader(np.ones((4, 2)), as_tensor=False).to_batch(np.ones(2)).__class__ is np.ndarray


def test_optim_is_laid_out_like_torch_optim():
    import backprop.lr_scheduler as old_home
    from backprop import optim

    assert optim.lr_scheduler.StepLR is old_home.StepLR
    assert optim.SGD.__module__ == "backprop.optim.sgd" and optim.Adam.__module__ == "backprop.optim.adam"
    assert issubclass(optim.AdamW, optim.Optimizer)


def _step_lr(step_size):
    return bp.optim.lr_scheduler.StepLR(bp.optim.SGD([Tensor([1.0], requires_grad=True)]), step_size)


@pytest.mark.parametrize("make", [lambda n: nn.Linear(n, 2), lambda n: nn.Embedding(3, n), lambda n: nn.RNN(2, n),
                                  lambda n: DataLoader(np.ones((2, 2)), batch_size=n), _step_lr,
                                  lambda n: bp.train.Progress(n)])
@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_one_positive_integer_check_everywhere(make, bad):
    with pytest.raises(ValueError, match=r"must be a positive integer.*got " + repr(bad).replace(".", r"\.")):
        make(bad)
    make(2)


def test_functional_softmax_matches_the_method():
    x = Tensor(np.random.default_rng(1).normal(size=(3, 4)))
    np.testing.assert_array_equal(F.softmax(x, dim=0).data, x.softmax(axis=0).data)
