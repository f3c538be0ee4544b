"""End to end: small networks trained with fit() reach the accuracy they should (fixed seeds, a few seconds),
and the training loop records history, reports progress and fails clearly."""
import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from backprop import data, nn, optim
from backprop.optim.lr_scheduler import StepLR
from backprop.train import accuracy, evaluate, fit


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    """These matrices are tiny: one BLAS thread per test worker avoids oversubscribing the cores under xdist."""
    with threadpool_limits(1):
        yield


def test_mlp_learns_xor_perfectly():
    X, y = data.make_xor()
    nn.init.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    loader = data.DataLoader(X, y, batch_size=4)
    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.05), loader, epochs=300,
                  progress=False)
    assert history["accuracy"][-1] == 1.0
    assert evaluate(model, nn.CrossEntropyLoss(), (X, y))["accuracy"] == 1.0
    assert history["loss"][-1] < history["loss"][0] / 10


def test_mlp_learns_two_moons_with_bce():
    X, y = data.make_moons(400, noise=0.1, seed=0)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.25, seed=0)
    nn.init.manual_seed(1)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
    loss_fn = nn.BCEWithLogitsLoss()
    loader = data.DataLoader(X_train, y_train.reshape(-1, 1).astype(float), batch_size=32, shuffle=True, rng=0)
    history = fit(model, loss_fn, optim.Adam(model.parameters(), lr=0.01), loader, epochs=60,
                  val=(X_test, y_test.reshape(-1, 1).astype(float)), progress=False)
    assert history["val_accuracy"][-1] > 0.95
    assert accuracy(model(X_test), y_test, threshold=0.0) == pytest.approx(history["val_accuracy"][-1])


def test_mlp_reaches_95_percent_on_digits():
    X_train, X_test, y_train, y_test = data.load_digits()
    nn.init.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    loader = data.DataLoader(X_train, y_train, batch_size=64, shuffle=True, rng=0)
    history = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.05, momentum=0.9), loader,
                  epochs=20, val=(X_test, y_test), progress=False)
    assert history["val_accuracy"][-1] >= 0.95


def test_small_cnn_and_lstm_learn_digits():
    images_train, images_test, y_train, y_test = data.load_digits(flatten=False)
    nn.init.manual_seed(0)
    cnn = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(8 * 4 * 4, 10))
    fit(cnn, nn.CrossEntropyLoss(), optim.Adam(cnn.parameters(), lr=0.01),
        data.DataLoader(images_train, y_train, batch_size=64, shuffle=True, rng=0), epochs=4, progress=False)
    assert evaluate(cnn, nn.CrossEntropyLoss(), (images_test, y_test))["accuracy"] > 0.9

    class RowReader(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(8, 32)
            self.head = nn.Linear(32, 10)

        def forward(self, x):
            _, (h_n, _) = self.lstm(x)
            return self.head(h_n[0])

    seq_train, seq_test = images_train.reshape(-1, 8, 8), images_test.reshape(-1, 8, 8)
    rnn = RowReader()
    fit(rnn, nn.CrossEntropyLoss(), optim.Adam(rnn.parameters(), lr=0.01),
        data.DataLoader(seq_train, y_train, batch_size=64, shuffle=True, rng=0), epochs=6, clip_grad_norm=5.0,
        progress=False)
    assert evaluate(rnn, nn.CrossEntropyLoss(), (seq_test, y_test))["accuracy"] > 0.85


def test_fit_history_scheduler_and_text_progress(capsys):
    X, y = data.make_moons(64, seed=2)
    model = nn.Sequential(nn.Linear(2, 4, rng=0), nn.Dropout(0.1, rng=0), nn.Linear(4, 2, rng=1))
    opt = optim.SGD(model.parameters(), lr=0.4)
    history = fit(model, nn.CrossEntropyLoss(), opt, data.DataLoader(X, y, batch_size=16), epochs=3,
                  val=data.DataLoader(X, y, batch_size=64), scheduler=StepLR(opt, step_size=1, gamma=0.5))
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr", "time"}
    assert history.epochs == 3 and history["lr"] == [0.4, 0.2, 0.1]
    assert model.training  # fit leaves the model in training mode after evaluating
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("epoch")]
    assert len(lines) == 3 and lines[-1].startswith("epoch 3/3 [####################]")
    assert "val_accuracy" in lines[0]


def test_fit_regression_has_no_accuracy_and_is_silent_without_progress(capsys):
    X = np.linspace(-1, 1, 32).reshape(-1, 1)
    model = nn.Linear(1, 1, rng=0)
    history = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1),
                  data.DataLoader(X, 3 * X + 1, batch_size=8), epochs=40, progress=False)
    assert "accuracy" not in history and capsys.readouterr().out == ""
    np.testing.assert_allclose([model.weight.data[0, 0], model.bias.data[0]], [3, 1], atol=1e-2)


def test_fit_stops_clearly_when_the_loss_diverges():
    X = np.linspace(-1, 1, 32).reshape(-1, 1) * 100
    model = nn.Linear(1, 1, rng=0)
    with pytest.raises(FloatingPointError, match="learning rate"), np.errstate(over="ignore", invalid="ignore"):
        fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=10.0),
            data.DataLoader(X, X, batch_size=8), epochs=50, progress=False)


def test_fit_and_accuracy_argument_errors():
    model = nn.Linear(2, 2)
    with pytest.raises(ValueError, match="epochs"):
        fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (np.zeros((4, 2)), np.zeros(4)),
            epochs=0)
    with pytest.raises(TypeError, match="DataLoader"):
        evaluate(model, nn.CrossEntropyLoss(), np.zeros((4, 2)))
    data_pair = (np.zeros((4, 2)), np.zeros(4, dtype=int))
    with pytest.raises(TypeError, match=r"loss_fn is the class CrossEntropyLoss.*CrossEntropyLoss\(\.\.\.\)"):
        fit(model, nn.CrossEntropyLoss, optim.SGD(model.parameters(), lr=0.1), data_pair)
    with pytest.raises(TypeError, match="optimizer must be an optimizer"):
        fit(model, nn.CrossEntropyLoss(), model.parameters(), data_pair)
    with pytest.raises(ValueError, match="3 predictions but 2 targets"):
        accuracy(np.zeros((3, 2)), np.zeros(2))
    assert accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 1])) == 0.5


def test_fit_shows_an_ipywidgets_bar_in_a_notebook(monkeypatch):
    import backprop.progress as progress

    shown = []
    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    monkeypatch.setattr("IPython.display.display", lambda *objs: shown.extend(objs))
    X, y = data.make_xor()
    model = nn.Sequential(nn.Linear(2, 4, rng=0), nn.Tanh(), nn.Linear(4, 2, rng=1))
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=2)
    assert len(shown) == 1
    bar, label = shown[0].children
    assert (bar.value, bar.max, bar.description) == (2, 2, "epoch 2/2")
    assert label.value.startswith("loss ") and "accuracy" in label.value
