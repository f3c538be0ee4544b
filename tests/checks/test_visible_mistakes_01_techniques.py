"""Common wrong answers in chapter 01 (techniques) make a visible check fail with a message that says what to look at.

Each mistake is injected into the instructor notebook's solution cell and run as a student would (see
visible_mistakes.py); the quiz is left to the hidden probes (a visible check cannot judge a letter without
revealing it).
"""
import pytest
from visible_mistakes import Mistake, assert_caught

pytestmark = pytest.mark.slow

CHAIN = "01_techniques/01_chain_rule.ipynb"
GRADCHECK = "01_techniques/02_gradient_checking.ipynb"
DESCENT = "01_techniques/03_gradient_descent.ipynb"
OPTIM = "01_techniques/04_optimizers.ipynb"
BPTT = "01_techniques/05_bptt.ipynb"

_LOOP = """point = x.copy()
    grad = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        old = point[index]
        point[index] = old + h
        f_plus = f(point)
        point[index] = old - h
        f_minus = f(point)
        point[index] = old
"""  # numerical_gradient's loop, for a mistake that spans it

MISTAKES = [
    # 01.1 chain rule
    Mistake(CHAIN, "sigmoid_backward", "* s * (1.0 - s)", "* (1.0 - s)", "sigmoid", "drops the factor s"),
    Mistake(CHAIN, "sigmoid_backward", "return grad_out * s * (1.0 - s)", "return s * (1.0 - s)", "grad_out",
            "forgets the upstream gradient"),
    Mistake(CHAIN, "sigmoid_backward", "return grad_out * s * (1.0 - s)", "return grad_out * v * (1.0 - v)",
            "not with v itself", "writes the derivative with v instead of sigmoid(v)"),
    Mistake(CHAIN, "expression_backward", "dL_da = dL_da + dL_du * b", "dL_da = dL_du * b", "used twice",
            "drops the direct path L = s * a from dL/da"),
    Mistake(CHAIN, "expression_backward", "dL_db = dL_du * a", "dL_db = dL_du * b", "with respect to b",
            "multiplies by b instead of a in dL/db"),
    Mistake(CHAIN, "expression_backward", "dL_ds = a", "dL_ds = 1.0", "dL/ds", "forgets dL/ds = a"),
    # 01.2 gradient checking
    Mistake(GRADCHECK, "numerical_gradient", "grad[index] = (f_plus - f_minus) / (2 * h)",
            "grad[index] = (f_plus - f(x)) / h", "central difference", "a forward difference"),
    Mistake(GRADCHECK, "numerical_gradient", "(f_plus - f_minus) / (2 * h)", "(f_plus - f_minus) / h", "(2h)",
            "divides by h instead of 2h"),
    Mistake(GRADCHECK, "numerical_gradient", "        point[index] = old\n", "", "restore the element",
            "does not restore the nudged element"),
    Mistake(GRADCHECK, "numerical_gradient", _LOOP, _LOOP.replace("x.copy()", "x").replace("        point[index] = old\n", ""),
            "leave x unchanged", "nudges the caller's array in place and never restores it"),
    Mistake(GRADCHECK, "relative_error", "np.max(np.abs(a - b) /", "np.mean(np.abs(a - b) /", "not a mean",
            "averages instead of taking the largest ratio"),
    Mistake(GRADCHECK, "relative_error", "np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12))",
            "np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12)", "ratio of norms",
            "a ratio of norms instead of the largest element-wise ratio"),
    Mistake(GRADCHECK, "relative_error", "np.abs(a) + np.abs(b)", "np.abs(a + b)", "not |a_i + b_i|",
            "|a + b| in the denominator"),
    Mistake(GRADCHECK, "relative_error", "np.maximum(np.abs(a) + np.abs(b), 1e-12)", "(np.abs(a) + np.abs(b))",
            "pair of zeros", "no floor: 0 / 0 for a pair of zeros"),
    # 01.3 gradient descent
    Mistake(DESCENT, "mse_loss_and_grad", "2.0 / n * (X.T @ r)", "1.0 / n * (X.T @ r)", "factor 2",
            "drops the 2 of the square"),
    Mistake(DESCENT, "mse_loss_and_grad", "2.0 / n * (X.T @ r)", "2.0 * (X.T @ r)", "1/N", "forgets the 1/N"),
    Mistake(DESCENT, "mse_loss_and_grad", "r = X @ w + b - y", "r = y - X @ w - b", "sign",
            "residual y - prediction: both gradients change sign"),
    Mistake(DESCENT, "mse_loss_and_grad", "float(np.mean(r ** 2))", "float(np.sum(r ** 2))", "MEAN",
            "sums the squared residuals"),
    Mistake(DESCENT, "minibatches", "order = rng.permutation(n)", "order = np.arange(n)", "shuffle first",
            "does not shuffle"),
    Mistake(DESCENT, "minibatches", "range(0, n, batch_size)", "range(0, n - batch_size + 1, batch_size)",
            "the last one shorter", "drops the last, shorter batch"),
    Mistake(DESCENT, "minibatches", "[order[start:start + batch_size] for",
            "[rng.permutation(n)[start:start + batch_size] for", "ONCE", "a new permutation for every batch"),
    Mistake(DESCENT, "train_linear", "w = w - lr * grad_w", "w = w + lr * grad_w", "against the gradient",
            "steps up the gradient"),
    Mistake(DESCENT, "train_linear", "mse_loss_and_grad(w, b, X[idx], y[idx])", "mse_loss_and_grad(w, b, X, y)",
            "that batch alone", "uses the full-data gradient for every update"),
    Mistake(DESCENT, "train_linear", "losses.append(mse_loss_and_grad(w, b, X, y)[0])",
            "losses.append(mse_loss_and_grad(w, b, X[idx], y[idx])[0])", "whole data set",
            "records the batch loss instead of the full-data loss"),
    Mistake(DESCENT, "train_linear", "b = b - lr * grad_b", "b = b", "update the bias", "never updates b"),
    # 01.4 optimizers
    Mistake(OPTIM, "momentum_update", "velocity = beta * velocity + grad", "velocity = beta * velocity + (1 - beta) * grad",
            "moving-average form", "momentum as a moving average of the gradient"),
    Mistake(OPTIM, "momentum_update", "return param - lr * velocity", "return param + lr * velocity", "-lr * grad",
            "steps up the gradient"),
    Mistake(OPTIM, "momentum_update", 'velocity = state.get("velocity", np.zeros_like(param))',
            "velocity = np.zeros_like(param)", "state['velocity']", "never reads the velocity back from the state"),
    Mistake(OPTIM, "momentum_update", "return param - lr * velocity", "param -= lr * velocity\n    return param",
            "in place", "updates param in place"),
    Mistake(OPTIM, "rmsprop_update", "np.sqrt(square_avg) + eps", "np.sqrt(square_avg + eps)", "AFTER the square root",
            "eps inside the square root"),
    Mistake(OPTIM, "rmsprop_update", "alpha * square_avg + (1 - alpha) * grad ** 2", "alpha * square_avg + grad ** 2",
            "(1 - alpha)", "drops the (1 - alpha) of the running average"),
    Mistake(OPTIM, "rmsprop_update", "alpha * square_avg + (1 - alpha) * grad ** 2",
            "0.99 * square_avg + (1 - 0.99) * grad ** 2", "alpha you are given", "ignores the alpha argument"),
    Mistake(OPTIM, "adam_update", "m_hat = m / (1 - beta1 ** t)\n    v_hat = v / (1 - beta2 ** t)",
            "m_hat = m\n    v_hat = v", "bias correction", "Adam without bias correction"),
    Mistake(OPTIM, "adam_update", "np.sqrt(v_hat) + eps", "np.sqrt(v_hat + eps)", "AFTER the square root",
            "eps inside the square root"),
    Mistake(OPTIM, "adam_update", 't = state.get("t", 0) + 1', 't = state.get("t", 0)', "increase t before",
            "uses t = 0 at the first step"),
    Mistake(OPTIM, "adam_update", "state.update(t=t, m=m, v=v)", "state.update(m=m, v=v)", "t grows by 1",
            "never stores the step counter"),
    # 01.5 BPTT
    Mistake(BPTT, "rnn_backward", 'grads["Wx"] += np.outer(delta, xs[t])', 'grads["Wx"] = np.outer(delta, xs[t])',
            "+=, not =", "overwrites the Wx gradient instead of summing over time"),
    Mistake(BPTT, "rnn_backward", 'grads["Wh"] += np.outer(delta, hs[t])', 'grads["Wh"] += np.outer(delta, hs[t + 1])',
            "went INTO step t", "off by one: h_t instead of h_(t-1) in the Wh gradient"),
    Mistake(BPTT, "rnn_backward", "delta = dhs[t + 1] * (1 - hs[t + 1] ** 2)", "delta = dhs[t + 1] * (1 - hs[t] ** 2)",
            "the state that step produced", "off by one in the tanh derivative"),
    Mistake(BPTT, "rnn_backward", 'dhs[t] = params["Wh"].T @ delta', 'dhs[t] = params["Wh"] @ delta',
            "mind the transpose", "forgets the transpose of Wh"),
    Mistake(BPTT, "rnn_backward", "delta = dhs[t + 1] * (1 - hs[t + 1] ** 2)", "delta = dhs[t + 1]",
            "1 - h_t^2", "forgets the tanh derivative"),
    Mistake(BPTT, "clip_gradients", "return {name: g * factor for name, g in grads.items()}, total",
            "return {name: g * min(1.0, max_norm / np.linalg.norm(g)) for name, g in grads.items()}, total",
            "SAME factor", "clips every array on its own"),
    Mistake(BPTT, "clip_gradients", "for name, g in grads.items()}, total", "for name, g in grads.items()}, "
            "min(total, max_norm)", "BEFORE clipping", "returns the norm after clipping"),
    Mistake(BPTT, "clip_gradients", "factor = max_norm / total if total > max_norm else 1.0", "factor = max_norm / total",
            "come back unchanged", "scales up gradients that were within the limit"),
    Mistake(BPTT, "clip_gradients", "return {name: g * factor for name, g in grads.items()}, total",
            "for g in grads.values():\n        g *= factor\n    return grads, total", "NEW dict",
            "scales the caller's arrays in place"),
    Mistake(BPTT, "clip_gradients", "total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))",
            "total = float(sum(np.linalg.norm(g) for g in grads.values()))", "ALL arrays together",
            "adds the norms of the arrays"),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.id)
def test_a_visible_check_catches_the_mistake(mistake, tmp_path):
    assert_caught(mistake, tmp_path)
