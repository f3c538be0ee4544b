"""Common wrong answers in chapter 02 (models) make a visible check fail with a message that says what to look at."""
import pytest
from visible_mistakes import Mistake, assert_caught

pytestmark = pytest.mark.slow

FF = "02_models/01_feedforward.ipynb"
CNN = "02_models/02_cnn.ipynb"
RNN = "02_models/03_recurrent.ipynb"
AE = "02_models/04_autoencoder.ipynb"
GAN = "02_models/05_gan.ipynb"

MISTAKES = [
    # 02.1 feedforward
    Mistake(FF, "ff-ex1", "grad_b = grad_out.sum(axis=0)", "grad_b = grad_out.mean(axis=0)", "with no 1/N",
            "averages the bias gradient over the batch"),
    Mistake(FF, "ff-ex1", "grad_W = grad_out.T @ x", "grad_W = -grad_out.T @ x", "check the sign",
            "sign error in grad_W"),
    Mistake(FF, "ff-ex1", "grad_x = grad_out @ W", "grad_x = grad_out @ W / len(x)", "check the product",
            "divides grad_x by the batch size"),
    Mistake(FF, "ff-ex2", "return grad_out * (z > 0)", "return grad_out * np.maximum(z, 0)", "not by relu(z)",
            "multiplies by relu(z) instead of its derivative"),
    Mistake(FF, "ff-ex2", "return grad_out * (z > 0)", "return grad_out * (z >= 0)", "derivative 0 at z = 0",
            "lets the gradient through at z = 0 (the convention z >= 0)"),
    Mistake(FF, "ff-ex2", "return grad_out * (z > 0)", "return np.where(z < 0, 0.0, grad_out)",
            "lets all of the gradient through", "blocks only z < 0, so z = 0 passes"),
    Mistake(FF, "ff-ex2", "return grad_out * (z > 0)", "return grad_out * np.heaviside(z, 0.5)",
            "lets half of the gradient through", "takes the derivative 1/2 at z = 0"),
    Mistake(FF, "ff-ex3", "np.tanh(z) ** 2", "z ** 2", "not z itself", "derivative from z instead of tanh(z)"),
    Mistake(FF, "ff-ex3", "return grad_out * ", "return ", "times grad_out", "forgets the upstream gradient"),
    Mistake(FF, "ff-ex4", "return grad / len(y)", "return grad", "divided by the batch size", "forgets the 1/N"),
    Mistake(FF, "ff-ex4", "return grad / len(y)", "return -grad / len(y)", "in that order",
            "one-hot minus probabilities"),
    Mistake(FF, "ff-ex4", "    grad[np.arange(len(y)), y] -= 1.0\n", "", "so does the one-hot",
            "forgets the one-hot term (the derivative of -z_y)"),
    Mistake(FF, "ff-ex4", "return grad / len(y)", "return grad / logits.size", "divided by the batch size",
            "divides by N * C (a mean over every entry) instead of N"),
    # 02.2 CNN
    Mistake(CNN, "cnn-ex1", "grad_x[:, :, i:i + Ho, j:j + Wo] += ", "grad_x[:, :, i:i + Ho, j:j + Wo] = ",
            "instead of overwriting it", "overwrites grad_x instead of accumulating the offsets"),
    Mistake(CNN, "cnn-ex1", "grad_out, w[:, :, i, j])", "grad_out, w[:, :, kh - 1 - i, kw - 1 - j])",
            "no flipped filter", "flips the filter in the input gradient"),
    Mistake(CNN, "cnn-ex1", "grad_b = grad_out.sum(axis=(0, 2, 3))", "grad_b = grad_out.mean(axis=(0, 2, 3))",
            "no averaging", "averages the bias gradient"),
    Mistake(CNN, "cnn-ex1", "einsum(\"nfhw,nchw->fc\", grad_out, patch)",
            "einsum(\"nfhw,nchw->fc\", grad_out, patch) / N", "over the batch", "averages grad_w over the batch"),
    Mistake(CNN, "cnn-ex2", "grad_win = mask * grad_out[..., None]", "grad_win = grad_out[..., None] / (k * k) + 0 * mask",
            "not spread over the window", "average pooling's backward instead of max"),
    Mistake(CNN, "cnn-ex2", "win.argmax(axis=-1)", "win.argmin(axis=-1)", "maximum", "routes to the minimum"),
    Mistake(CNN, "cnn-ex2", "grad_win = mask * grad_out[..., None]", "grad_win = grad_out[..., None] + 0 * mask",
            "exactly one pixel", "copies the window's gradient to every pixel of the window"),
    Mistake(CNN, "cnn-ex2", "return grad_win.reshape(N, C, H // k, W // k, k, k).transpose(0, 1, 2, 4, 3, 5).reshape(N, C, H, W)",
            "return grad_win.reshape(N, C, H, W)", "put the pixels back in the order",
            "reshapes back without undoing the transpose"),
    Mistake(CNN, "cnn-ex3", " + out_channels\n", "\n", "one bias per output channel", "forgets the biases"),
    Mistake(CNN, "cnn-ex3", "out_channels * in_channels * kernel_size", "out_channels * kernel_size",
            "for each pair", "forgets the input channels"),
    Mistake(CNN, "cnn-ex3", "kernel_size * kernel_size", "kernel_size", "k x k filter", "k instead of k*k"),
    # 02.3 recurrent
    Mistake(RNN, "rnn-ex1", "grad_h * (1.0 - h ** 2)", "grad_h * (1.0 - h)", "1 - h**2", "wrong tanh derivative"),
    Mistake(RNN, "rnn-ex1", "grad_z @ Wh, ", "grad_z @ Wh.T, ", "(not Wh.T)", "transposed recurrent weight"),
    Mistake(RNN, "rnn-ex1", "grad_z.T @ h_prev", "grad_z.T @ h", "h_prev (not h)",
            "uses the new state for grad_Wh (off by one step)"),
    Mistake(RNN, "rnn-ex1", "grad_z.sum(axis=0)", "grad_z.mean(axis=0)", "no 1/N", "averages the bias gradient"),
    Mistake(RNN, "rnn-ex2", "return grad_a, dc * f", "return grad_a, dc", "multiply the total cell gradient by f",
            "forgets the forget gate on the cell path"),
    Mistake(RNN, "rnn-ex2", "dc * c_prev, dc * i", "dc * c, dc * i", "c_prev (not c)",
            "forget-gate gradient from the new cell"),
    Mistake(RNN, "rnn-ex2", "d_g * (1 - g ** 2)", "d_g * g * (1 - g)", "not the sigmoid",
            "sigmoid derivative for the tanh candidate"),
    Mistake(RNN, "rnn-ex2", "dc = grad_c + grad_h * o * (1.0 - tanh_c ** 2)", "dc = grad_c",
            "the part that comes through h", "drops the cell gradient that comes through h"),
    # 02.4 autoencoder
    Mistake(AE, "ae-ex1", "2.0 * diff / diff.size", "diff / diff.size", "the factor 2", "forgets the factor 2"),
    Mistake(AE, "ae-ex1", "2.0 * diff / diff.size", "-2.0 * diff / diff.size", "the sign", "x - x_hat"),
    Mistake(AE, "ae-ex1", "2.0 * diff / diff.size", "2.0 * diff / len(diff)", "not by N",
            "divides by the number of images, not of elements"),
    Mistake(AE, "ae-ex1", "np.mean(diff ** 2)", "np.sum(diff ** 2)", "not a sum", "sums instead of averaging"),
    Mistake(AE, "ae-ex2", "* s * (1.0 - s)", "* (1.0 - s)", "s * (1 - s)", "drops the factor s"),
    Mistake(AE, "ae-ex2", "return grad_out * s * (1.0 - s)",
            "return grad_out / (1 + np.exp(-s)) * (1 - 1 / (1 + np.exp(-s)))", "do not apply the sigmoid again",
            "applies the sigmoid to its output again"),
    Mistake(AE, "ae-ex2", "return grad_out * s * (1.0 - s)", "return s * (1.0 - s)", "multiply it by grad_out",
            "forgets the upstream gradient"),
    Mistake(AE, "ae-ex3", "np.linspace(0.0, 1.0, n)", "(np.arange(n) / n)", "the last z_b",
            "leaves out the end point"),
    Mistake(AE, "ae-ex3", "return (1 - t) * np.asarray(z_a, dtype=float) + t * np.asarray(z_b, dtype=float)",
            "return t * np.asarray(z_a, dtype=float) + (1 - t) * np.asarray(z_b, dtype=float)",
            "the first row is z_a", "walks from z_b to z_a"),
    Mistake(AE, "ae-ex3", "np.linspace(0.0, 1.0, n)", "np.linspace(0.0, 1.0, n + 1)[1:]", "equal steps",
            "starts one step after z_a"),
    # 02.5 GAN
    Mistake(GAN, "gan-ex1", "(sigmoid(real_logits) - 1.0) / real_logits.size", "(sigmoid(real_logits) - 1.0)",
            "divide by the real batch size", "forgets the 1/N of the mean"),
    Mistake(GAN, "gan-ex1", "/ real_logits.size, sigmoid(fake_logits) / fake_logits.size",
            "/ (real_logits.size + fake_logits.size), sigmoid(fake_logits) / (real_logits.size + fake_logits.size)",
            "not by M or N + M", "divides both by the total batch size"),
    Mistake(GAN, "gan-ex1", "sigmoid(fake_logits) / fake_logits.size", "(1.0 - sigmoid(fake_logits)) / fake_logits.size",
            "has derivative sigmoid(l)", "1 - sigmoid for the fake logits"),
    Mistake(GAN, "gan-ex1", "(sigmoid(real_logits) - 1.0) / real_logits.size", "(1.0 - sigmoid(real_logits)) / real_logits.size",
            "raise real logits", "sign error on the real logits"),
    Mistake(GAN, "gan-ex2", "(sigmoid(fake_logits) - 1.0) / fake_logits.size", "-sigmoid(fake_logits) / fake_logits.size",
            "minimax", "the saturating minimax gradient"),
    Mistake(GAN, "gan-ex2", "(sigmoid(fake_logits) - 1.0) / fake_logits.size", "(1.0 - sigmoid(fake_logits)) / fake_logits.size",
            "which is negative", "sign error"),
    Mistake(GAN, "gan-ex2", "(sigmoid(fake_logits) - 1.0) / fake_logits.size", "(sigmoid(fake_logits) - 1.0)",
            "/ M", "forgets the 1/M"),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.id)
def test_a_visible_check_catches_the_mistake(mistake):
    assert_caught(mistake)
