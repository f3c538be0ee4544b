"""Every nn layer's backward pass checked against finite differences (backprop.gradcheck), on random shapes,
plus forward values checked against plain numpy and clear errors for wrong input shapes."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop import Tensor, gradcheck, nn
from backprop.nn import functional as F

from _nn_fixtures import gradcheck_module


@pytest.fixture
def gen():
    return np.random.default_rng(7)


# ---- Linear ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("batch,fan_in,fan_out,bias", [(1, 1, 1, True), (5, 3, 4, True), (7, 6, 2, False)])
def test_linear_gradcheck(gen, batch, fan_in, fan_out, bias):
    layer = nn.Linear(fan_in, fan_out, bias=bias, rng=gen)
    gradcheck_module(layer, gen.standard_normal((batch, fan_in)))


def test_linear_on_3d_and_1d_inputs(gen):
    layer = nn.Linear(3, 2, rng=gen)
    gradcheck_module(layer, gen.standard_normal((2, 4, 3)))
    gradcheck_module(layer, gen.standard_normal(3))


def test_linear_forward_matches_numpy_and_pytorch_shapes(gen):
    layer = nn.Linear(4, 3, rng=gen)
    assert layer.weight.shape == (3, 4) and layer.bias.shape == (3,)
    bound = 1 / np.sqrt(4)
    assert np.all(np.abs(layer.weight.data) <= bound) and np.all(np.abs(layer.bias.data) <= bound)
    x = gen.standard_normal((5, 4))
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data.T + layer.bias.data)


def test_linear_wrong_input_names_expected_and_got_shapes():
    layer = nn.Linear(4, 3)
    with pytest.raises(ValueError) as info:
        layer(np.zeros((2, 5)))
    message = str(info.value)
    assert "(..., 4)" in message and "(2, 5)" in message and "in_features" in message


def test_linear_is_one_graph_node(gen):
    layer = nn.Linear(3, 2, rng=gen)
    out = layer(Tensor(gen.standard_normal((4, 3))))
    assert out.grad_fn == "linear"
    assert set(map(id, out._parents)) == {id(p) for p in layer.parameters()} | {id(out._parents[0])}


def test_linear_skips_input_gradient_when_input_needs_none(gen):
    layer = nn.Linear(3, 2, rng=gen)
    x = Tensor(gen.standard_normal((4, 3)))
    layer(x).sum().backward()
    assert x.grad is None and layer.weight.grad is not None


@settings(max_examples=12, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), fan_out=st.integers(1, 4),
       bias=st.booleans(), seed=st.integers(0, 2**16))
def test_linear_gradcheck_random_shapes(shape, fan_out, bias, seed):
    gen = np.random.default_rng(seed)
    layer = nn.Linear(shape[-1], fan_out, bias=bias, rng=gen)
    gradcheck_module(layer, gen.standard_normal(shape))


# ---- activations -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("layer", [nn.ReLU(), nn.LeakyReLU(0.2), nn.Tanh(), nn.Sigmoid(), nn.Softmax(dim=1),
                                   nn.LogSoftmax(dim=-1), nn.Identity()])
def test_activation_gradcheck(gen, layer):
    x = gen.standard_normal((4, 5))
    x[np.abs(x) < 1e-3] = 0.5  # stay off ReLU's kink
    gradcheck_module(layer, x)


def test_activation_values(gen):
    x = gen.standard_normal((3, 4)) * 5
    np.testing.assert_allclose(nn.ReLU()(x).data, np.maximum(x, 0))
    np.testing.assert_allclose(nn.LeakyReLU(0.1)(x).data, np.where(x > 0, x, 0.1 * x))
    np.testing.assert_allclose(nn.Sigmoid()(x).data, 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(nn.Tanh()(x).data, np.tanh(x))
    s = nn.Softmax(dim=1)(x).data
    np.testing.assert_allclose(s, np.exp(x) / np.exp(x).sum(1, keepdims=True))
    big = np.array([[1000.0, 0.0, -1000.0]])
    assert np.all(np.isfinite(nn.Softmax()(big).data)) and np.all(np.isfinite(nn.LogSoftmax()(big).data))
    assert np.all(np.isfinite(nn.Sigmoid()(big).data))


# ---- Conv2d ------------------------------------------------------------------------------------------------
def _numpy_conv(x, w, b, stride, padding):
    """Direct loops: the definition of cross-correlation, independent of the im2col implementation."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ho, wo = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, o, ho, wo))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, :, i, j] = np.einsum("nchw,ochw->no", patch, w) + b
    return out


@pytest.mark.parametrize("kernel,stride,padding", [(3, 1, 0), (3, 1, 1), (3, 2, 1), (2, 2, 0), (1, 1, 0),
                                                    (3, 3, 2), ((2, 3), (1, 2), (1, 0))])
def test_conv2d_gradcheck(gen, kernel, stride, padding):
    layer = nn.Conv2d(2, 3, kernel, stride=stride, padding=padding, rng=gen)
    gradcheck_module(layer, gen.standard_normal((2, 2, 6, 5)))


@settings(max_examples=12, deadline=None)
@given(n=st.integers(1, 2), c=st.integers(1, 3), o=st.integers(1, 3), h=st.integers(1, 6), w=st.integers(1, 6),
       k=st.integers(1, 3), stride=st.integers(1, 3), padding=st.integers(0, 2), seed=st.integers(0, 2**16))
def test_conv2d_gradcheck_random_shapes(n, c, o, h, w, k, stride, padding, seed):
    assume(h + 2 * padding >= k and w + 2 * padding >= k)
    gen = np.random.default_rng(seed)
    layer = nn.Conv2d(c, o, k, stride=stride, padding=padding, rng=gen)
    gradcheck_module(layer, gen.standard_normal((n, c, h, w)))


@settings(max_examples=12, deadline=None)
@given(h=st.integers(2, 7), w=st.integers(2, 7), k=st.integers(1, 3), stride=st.integers(1, 3),
       padding=st.integers(0, 1), seed=st.integers(0, 2**16))
def test_maxpool_gradcheck_random_shapes(h, w, k, stride, padding, seed):
    assume(2 * padding <= k and h + 2 * padding >= k and w + 2 * padding >= k)
    x = np.random.default_rng(seed).permutation(2 * h * w).reshape(1, 2, h, w) / 3.0  # distinct: no ties
    gradcheck_module(nn.MaxPool2d(k, stride, padding), x)


@pytest.mark.parametrize("stride,padding", [(1, 0), (2, 1), (3, 2)])
def test_conv2d_forward_matches_direct_loops(gen, stride, padding):
    layer = nn.Conv2d(3, 4, 3, stride=stride, padding=padding, rng=gen)
    x = gen.standard_normal((2, 3, 7, 8))
    np.testing.assert_allclose(layer(x).data,
                               _numpy_conv(x, layer.weight.data, layer.bias.data, stride, padding), atol=1e-12)


def test_conv2d_without_bias(gen):
    layer = nn.Conv2d(1, 2, 2, bias=False, rng=gen)
    assert layer.bias is None and len(layer.parameters()) == 1
    gradcheck_module(layer, gen.standard_normal((1, 1, 4, 4)))


def test_conv2d_wrong_input_names_expected_and_got_shapes():
    layer = nn.Conv2d(3, 8, 3)
    with pytest.raises(ValueError) as info:
        layer(np.zeros((2, 1, 8, 8)))
    assert "(N, 3, H, W)" in str(info.value) and "(2, 1, 8, 8)" in str(info.value)
    with pytest.raises(ValueError, match=r"got input of shape \(8, 8\)"):
        layer(np.zeros((8, 8)))
    with pytest.raises(ValueError, match="does not fit"):
        nn.Conv2d(1, 1, 5)(np.zeros((1, 1, 3, 3)))


# ---- MaxPool2d and Flatten ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kernel,stride,padding", [(2, None, 0), (3, 1, 0), (2, 1, 1), (3, 2, 1), ((2, 3), None, 0)])
def test_maxpool_gradcheck_without_ties(gen, kernel, stride, padding):
    x = gen.permutation(2 * 3 * 6 * 6).reshape(2, 3, 6, 6) / 10.0  # distinct values: no ties
    gradcheck_module(nn.MaxPool2d(kernel, stride, padding), x)


def test_maxpool_values_and_gradient_routing():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    t = Tensor(x, requires_grad=True)
    out = nn.MaxPool2d(2)(t)
    np.testing.assert_array_equal(out.data[0, 0], [[5, 7], [13, 15]])
    out.sum().backward()
    expected = np.zeros((4, 4))
    expected[[1, 1, 3, 3], [1, 3, 1, 3]] = 1
    np.testing.assert_array_equal(t.grad[0, 0], expected)


def test_maxpool_refuses_padding_larger_than_half_the_kernel():
    with pytest.raises(ValueError, match="at most half"):
        nn.MaxPool2d(2, padding=2)(np.zeros((1, 1, 4, 4)))


def test_flatten(gen):
    x = gen.standard_normal((2, 3, 4, 5))
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 1)(x).shape == (6, 4, 5)
    gradcheck_module(nn.Flatten(), x)


# ---- Dropout -----------------------------------------------------------------------------------------------
def test_dropout_gradcheck_with_fixed_mask(gen):
    x = gen.standard_normal((4, 6))
    # a fresh generator with the same seed on every call gives the same mask, so the function is deterministic
    gradcheck(lambda t: nn.Dropout(0.3, rng=5)(t), [Tensor(x, requires_grad=True)])


def test_dropout_train_scales_survivors_and_eval_is_identity():
    x = np.ones((200, 50))
    layer = nn.Dropout(0.25, rng=0)
    out = layer(x).data
    kept = out != 0
    np.testing.assert_allclose(out[kept], 1 / 0.75)
    assert abs(kept.mean() - 0.75) < 0.02
    layer.eval()
    np.testing.assert_array_equal(layer(x).data, x)
    assert not layer.training
    layer.train()
    assert layer.training


def test_dropout_mask_passes_gradient_where_kept():
    t = Tensor(np.ones((10, 10)), requires_grad=True)
    out = nn.Dropout(0.5, rng=1)(t)
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, out.data)  # grad = mask / (1 - p) = output for an all-ones input


def test_dropout_rejects_bad_probability():
    with pytest.raises(ValueError, match="probability"):
        nn.Dropout(1.5)


# ---- Embedding ---------------------------------------------------------------------------------------------
def test_embedding_gradcheck_with_repeated_indices(gen):
    layer = nn.Embedding(5, 3, rng=gen)
    idx = np.array([[0, 2, 2], [4, 0, 2]])
    gradcheck_module(layer, idx)


def test_embedding_repeated_index_accumulates():
    layer = nn.Embedding(4, 2, rng=0)
    layer(np.array([1, 1, 1, 3])).sum().backward()
    np.testing.assert_array_equal(layer.weight.grad, [[0, 0], [3, 3], [0, 0], [1, 1]])


def test_embedding_out_of_range_index_is_clear():
    with pytest.raises(IndexError, match=r"0\.\.3"):
        nn.Embedding(4, 2)(np.array([0, 4]))


# ---- recurrent ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_recurrent_gradcheck_through_time(gen, cls, num_layers):
    layer = cls(3, 4, num_layers=num_layers, rng=gen)
    x = gen.standard_normal((2, 3, 3))  # batch 2, 3 time steps, 3 features
    gradcheck_module(layer, x, output=lambda out: out[0])
    # the final state too (for LSTM both h_n and c_n)
    pick = (lambda out: out[1][1]) if cls is nn.LSTM else (lambda out: out[1])
    gradcheck_module(layer, x, output=pick)


def test_rnn_relu_and_time_major_layout(gen):
    layer = nn.RNN(2, 3, nonlinearity="relu", batch_first=False, rng=gen)
    x = gen.standard_normal((4, 2, 2))  # (seq_len, batch, features)
    out, h_n = layer(x)
    assert out.shape == (4, 2, 3) and h_n.shape == (1, 2, 3)
    np.testing.assert_allclose(out.data[-1], h_n.data[0])
    gradcheck_module(layer, x, output=lambda o: o[0])


@pytest.mark.parametrize("cls", [nn.RNNCell, nn.LSTMCell, nn.GRUCell])
def test_cells_gradcheck_with_given_state(gen, cls):
    cell = cls(3, 2, rng=gen)
    x = gen.standard_normal((4, 3))
    h = gen.standard_normal((4, 2))
    if cls is nn.LSTMCell:
        c = gen.standard_normal((4, 2))
        gradcheck_module(cell, x, output=lambda out: out[0])  # zero initial state
        tensors = [Tensor(a, requires_grad=True) for a in (x, h, c)]
        gradcheck(lambda a, b, d: cell(a, (b, d))[1], tensors)
    else:
        gradcheck_module(cell, x)
        gradcheck(lambda a, b: cell(a, b), [Tensor(x, requires_grad=True), Tensor(h, requires_grad=True)])


def test_recurrent_matches_a_hand_unrolled_numpy_lstm(gen):
    """The LSTM equations written out in numpy (PyTorch's documented gate order i, f, g, o)."""
    layer = nn.LSTM(3, 2, rng=gen)
    x = gen.standard_normal((2, 4, 3))
    out, (h_n, c_n) = layer(x)
    sd = layer.state_dict()
    w_ih, w_hh, b = sd["weight_ih_l0"], sd["weight_hh_l0"], sd["bias_ih_l0"] + sd["bias_hh_l0"]
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    h = c = np.zeros((2, 2))
    for t in range(4):
        gates = x[:, t] @ w_ih.T + h @ w_hh.T + b
        i, f, g, o = sig(gates[:, 0:2]), sig(gates[:, 2:4]), np.tanh(gates[:, 4:6]), sig(gates[:, 6:8])
        c = f * c + i * g
        h = o * np.tanh(c)
        np.testing.assert_allclose(out.data[:, t], h, atol=1e-12)
    np.testing.assert_allclose(c_n.data[0], c, atol=1e-12)


def test_recurrent_parameter_names_and_shapes_follow_pytorch():
    lstm = nn.LSTM(5, 7, num_layers=2)
    shapes = {name: p.shape for name, p in lstm.named_parameters()}
    assert shapes == {"weight_ih_l0": (28, 5), "weight_hh_l0": (28, 7), "bias_ih_l0": (28,), "bias_hh_l0": (28,),
                      "weight_ih_l1": (28, 7), "weight_hh_l1": (28, 7), "bias_ih_l1": (28,), "bias_hh_l1": (28,)}
    assert nn.GRU(5, 7).weight_ih_l0.shape == (21, 5)


def test_recurrent_wrong_input_shape_is_clear():
    with pytest.raises(ValueError, match=r"input_size=3.*got \(2, 5, 4\)"):
        nn.GRU(3, 4)(np.zeros((2, 5, 4)))
    with pytest.raises(ValueError, match=r"\(1, 2, 4\)"):
        nn.RNN(3, 4)(np.zeros((2, 5, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"expected hx of shape \(4, 2, 4\) \(num_layers \* 2"):
        nn.GRU(3, 4, num_layers=2, bidirectional=True)(np.zeros((2, 5, 3)), np.zeros((2, 2, 4)))
    with pytest.raises(ValueError, match="dropout must be a probability"):
        nn.LSTM(3, 4, num_layers=2, dropout=1.5)


def test_gradient_clipping_by_norm_and_value(gen):
    layer = nn.Linear(3, 3, rng=gen)
    layer(gen.standard_normal((4, 3)) * 100).sum().backward()
    grads = [p.grad.copy() for p in layer.parameters()]
    norm = np.sqrt(sum((g ** 2).sum() for g in grads))
    returned = nn.utils.clip_grad_norm_(layer.parameters(), 1.0)
    assert returned == pytest.approx(norm)
    new_norm = np.sqrt(sum((p.grad ** 2).sum() for p in layer.parameters()))
    assert new_norm == pytest.approx(1.0, rel=1e-5)
    for p, g in zip(layer.parameters(), grads):  # same direction
        np.testing.assert_allclose(p.grad, g / norm, rtol=1e-5)
    nn.utils.clip_grad_value_(layer.parameters(), 0.1)
    assert all(np.abs(p.grad).max() <= 0.1 for p in layer.parameters())


# ---- Module, Sequential ------------------------------------------------------------------------------------
class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8, rng=0), nn.ReLU(), nn.Dropout(0.5))
        self.head = nn.Linear(8, 2, rng=1)
        self.not_a_param = np.zeros(3)

    def forward(self, x):
        return self.head(self.body(x))


def test_module_registers_parameters_and_children():
    model = TwoLayer()
    names = [n for n, _ in model.named_parameters()]
    assert names == ["body.0.weight", "body.0.bias", "head.weight", "head.bias"]
    assert model.num_parameters() == 4 * 8 + 8 + 8 * 2 + 2
    assert [type(m).__name__ for m in model.modules()] == ["TwoLayer", "Sequential", "Linear", "ReLU", "Dropout",
                                                           "Linear"]
    model.eval()
    assert not any(m.training for m in model.modules())
    assert "(head): Linear(in_features=8, out_features=2, bias=True)" in repr(model)


def test_module_state_dict_roundtrip_and_errors():
    a, b = TwoLayer(), TwoLayer()
    b.head.weight.data += 1
    b.load_state_dict(a.state_dict())
    for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    sd = a.state_dict()
    sd["head.weight"] = np.zeros((3, 3))
    with pytest.raises(ValueError, match=r"head.weight.*\(2, 8\).*\(3, 3\)"):
        b.load_state_dict(sd)
    with pytest.raises(KeyError, match="missing"):
        b.load_state_dict({"head.weight": np.zeros((2, 8))})


def test_module_zero_grad_and_sequential_indexing():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=1))
    model(np.ones((4, 2))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    assert isinstance(model[1], nn.Tanh) and len(model) == 3 and len(model[:2]) == 2
    with pytest.raises(TypeError, match="nn.ReLU"):
        nn.Sequential(nn.ReLU)


def test_assigning_a_plain_tensor_over_a_parameter_is_refused():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="nn.Parameter"):
        layer.weight = Tensor(np.zeros((2, 2)))
    layer.weight = nn.Parameter(np.zeros((2, 2)))
    assert layer.parameters()[0] is layer.weight


def test_module_without_super_init_still_registers():
    class Lazy(nn.Module):
        def __init__(self):  # forgot super().__init__()
            self.fc = nn.Linear(2, 2)

        def forward(self, x):
            return self.fc(x)

    assert len(Lazy().parameters()) == 2


def test_module_call_passes_every_argument_form_to_forward():
    class Probe(nn.Module):
        def forward(self, input=None, *rest, scale=1, **options):
            return input, rest, scale, options

    m = Probe()
    assert m(5) == (5, (), 1, {})
    assert m(5, 6, scale=2) == (5, (6,), 2, {})
    assert m(input=5) == (5, (), 1, {})  # a keyword with the name of __call__'s positional-only slot
    assert m(scale=3) == (None, (), 3, {})
    assert m() == (None, (), 1, {})
    assert m(None) == (None, (), 1, {})


def test_relu_layer_accepts_arrays_and_lists():
    np.testing.assert_array_equal(nn.ReLU()([-1.0, 2.0]).data, [0.0, 2.0])
    np.testing.assert_array_equal(nn.ReLU()(np.array([[3.0, -4.0]])).data, [[3.0, 0.0]])


def test_functional_stack_gradcheck(gen):
    a, b = (Tensor(gen.standard_normal((2, 3)), requires_grad=True) for _ in range(2))
    gradcheck(lambda x, y: F.stack([x, y], dim=1), [a, b])
