"""Chapter 02 widgets (backprop.widgets.models): the playground's compute parts, gradient norms over time (checked
against PyTorch), the training monitor, and that every widget builds without training or blocking."""
import warnings

import numpy as np
import pytest

import backprop as bp
from backprop import nn
from backprop.widgets import models as M


# ---- playground: data, model, training, decision grid ------------------------------------------------------
@pytest.mark.parametrize("name", M.DATASETS)
def test_playground_data_is_two_balanced_classes_in_the_plane(name):
    X, y = M.playground_data(name, n_samples=120, seed=3)
    assert X.shape == (120, 2) and y.shape == (120,)
    assert set(np.unique(y)) == {0, 1}
    assert abs(np.mean(y) - 0.5) < 0.1
    assert np.all(np.abs(X) < 4)


def test_playground_data_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown data set 'blobs'"):
        M.playground_data("blobs")


@pytest.mark.parametrize("depth,width", [(0, 5), (1, 3), (3, 7)])
def test_build_mlp_has_the_requested_shape(depth, width):
    model = M.build_mlp(depth, width, "relu")
    n_params = sum(p.data.size for p in model.parameters())
    sizes = [2] + [width] * depth + [2]
    assert n_params == sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def test_linear_activation_gives_an_affine_model_and_tanh_does_not():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    for activation, affine in (("linear", True), ("tanh", False)):
        model = M.build_mlp(3, 8, activation, seed=1)
        f = lambda x: model(bp.tensor(x)).data  # noqa: E731
        assert np.allclose(f((a + b) / 2), (f(a) + f(b)) / 2) == affine


def test_build_mlp_rejects_bad_arguments():
    with pytest.raises(ValueError, match="unknown activation"):
        M.build_mlp(1, 4, "swish")
    with pytest.raises(ValueError, match="depth"):
        M.build_mlp(-1, 4)
    with pytest.raises(ValueError, match="width"):
        M.build_mlp(1, 0)


def test_train_steps_first_loss_is_the_cross_entropy_and_training_lowers_it():
    X, y = M.playground_data("moons", n_samples=100)
    model = M.build_mlp(1, 8, "tanh", seed=2)
    W1, b1 = model[0].weight.data.copy(), model[0].bias.data.copy()
    W2, b2 = model[2].weight.data.copy(), model[2].bias.data.copy()
    logits = np.tanh(X @ W1.T + b1) @ W2.T + b2                     # plain numpy forward pass
    z = logits - logits.max(axis=1, keepdims=True)
    expected = np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y])
    losses, opt = M.train_steps(model, X, y, lr=0.2, steps=150)
    assert len(losses) == 150
    assert losses[0] == pytest.approx(expected, rel=1e-10)
    assert losses[-1] < 0.5 * losses[0]
    more, opt2 = M.train_steps(model, X, y, lr=0.2, steps=10, optimizer=opt)
    assert opt2 is opt and len(more) == 10 and more[0] < losses[0]


def test_train_steps_stops_when_the_loss_explodes_and_rejects_bad_arguments():
    X, y = M.playground_data("xor", n_samples=40)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                       # diverging must stop quietly, without warnings
        losses, _ = M.train_steps(M.build_mlp(2, 16, "linear"), X, y, lr=1e3, steps=200)
    assert len(losses) < 200
    with pytest.raises(ValueError, match="steps"):
        M.train_steps(M.build_mlp(1, 2), X, y, lr=0.1, steps=10_000)
    with pytest.raises(ValueError, match="learning rate"):
        M.train_steps(M.build_mlp(1, 2), X, y, lr=-1.0, steps=1)


def test_decision_grid_is_the_softmax_probability_of_class_one():
    X, _ = M.playground_data("circles", n_samples=50)
    model = M.build_mlp(2, 4, "tanh", seed=5)
    xx, yy, p = M.decision_grid(model, X, resolution=11)
    assert xx.shape == yy.shape == p.shape == (11, 11)
    assert xx.min() < X[:, 0].min() and xx.max() > X[:, 0].max()
    logits = model(bp.tensor(np.array([[xx[3, 7], yy[3, 7]]]))).data[0]
    assert p[3, 7] == pytest.approx(1 / (1 + np.exp(logits[0] - logits[1])))


# ---- gradient norms over time --------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_gradient_norms_over_time_match_pytorch(kind):
    torch = pytest.importorskip("torch")
    layer = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}[kind](1, 5, rng=np.random.default_rng(4))
    norms = M.gradient_norms_over_time(kind, 12, batch=3, seed=9, layer=layer)
    ref = {"RNN": torch.nn.RNN, "LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}[kind](1, 5, batch_first=True).double()
    with torch.no_grad():
        for name, param in ref.named_parameters():
            param.copy_(torch.from_numpy(getattr(layer, name).data))
    x = torch.from_numpy(np.random.default_rng(9).normal(size=(3, 12, 1))).requires_grad_(True)
    out, _ = ref(x)
    out[:, -1].sum().backward()
    np.testing.assert_allclose(norms, np.sqrt((x.grad.numpy() ** 2).sum(axis=(0, 2))), rtol=1e-9, atol=1e-14)


def test_plain_rnn_gradient_vanishes_and_a_forget_bias_keeps_the_lstm_gradient():
    rnn = M.gradient_norms_over_time("RNN", 40)
    lstm_open = M.gradient_norms_over_time("LSTM", 40, gate_bias=3.0)
    lstm_plain = M.gradient_norms_over_time("LSTM", 40, gate_bias=0.0)
    assert rnn.shape == (40,)
    assert rnn[0] / rnn[-1] < 1e-4
    assert lstm_open[0] / lstm_open[-1] > 100 * (lstm_plain[0] / lstm_plain[-1])


def test_gradient_norms_reject_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        M.gradient_norms_over_time("Transformer", 5)
    with pytest.raises(ValueError, match="seq_len"):
        M.gradient_norms_over_time("RNN", 0)


# ---- training monitor and fit_live -----------------------------------------------------------------------------
def test_training_monitor_records_and_prints_a_bar_outside_jupyter(capsys):
    monitor = M.TrainingMonitor(10, every=5)
    for step in range(1, 11):
        monitor.update(step, loss=1.0 / step, other=step)
    monitor.close()
    assert monitor.steps == list(range(1, 11))
    assert monitor.history["loss"][-1] == pytest.approx(0.1)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and "10/10" in lines[-1] and "loss 0.1000" in lines[-1]
    with pytest.raises(ValueError, match="total"):
        M.TrainingMonitor(0)


def test_fit_live_trains_and_returns_the_history(capsys):
    X, y = M.playground_data("moons", n_samples=80)
    model = M.build_mlp(1, 8, "tanh")
    from backprop import optim

    history = M.fit_live(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.05), (X, y), epochs=6,
                         val=(X, y))
    assert len(history["loss"]) == len(history["val_loss"]) == 6
    assert history["loss"][-1] < history["loss"][0]
    assert "epoch 6/6" in capsys.readouterr().out


# ---- the widgets build (headless) and train only on a click ----------------------------------------------------
def _find_buttons(widget):
    import ipywidgets as widgets

    found = []
    if isinstance(widget, widgets.Button):
        found.append(widget)
    for child in getattr(widget, "children", ()):
        found += _find_buttons(child)
    return found


def _find_html(widget):
    import ipywidgets as widgets

    if isinstance(widget, widgets.HTML):
        return [widget]
    return [h for child in getattr(widget, "children", ()) for h in _find_html(child)]


def test_playground_does_not_train_until_the_button_is_pressed():
    box = M.playground("xor", depth=1, width=4, steps=30)
    status = _find_html(box)[0]
    assert "untrained" in status.value
    train, reset = _find_buttons(box)
    train.click()
    assert "after 30 steps" in status.value
    train.click()
    assert "after 60 steps" in status.value
    reset.click()
    assert "untrained" in status.value


def test_explorers_build_and_check_their_inputs():
    rng = np.random.default_rng(0)
    M.image_explorer(rng.uniform(size=(3, 8, 8)), rng.uniform(size=(3, 2, 8, 8)))
    with pytest.raises(ValueError, match="same N"):
        M.image_explorer(rng.uniform(size=(3, 8, 8)), rng.uniform(size=(2, 2, 8, 8)))
    M.gradient_norm_explorer(seq_len=10)
    codes = rng.normal(size=(20, 2))
    M.code_space_explorer(lambda z: np.full((len(z), 64), 0.5), codes, np.arange(20) % 10)
    grid = np.linspace(-3, 3, 30)
    M.snapshot_explorer([0, 10], [rng.normal(size=50), rng.normal(size=50)], np.exp(-grid ** 2), grid,
                        disc=np.full((2, 30), 0.5))
