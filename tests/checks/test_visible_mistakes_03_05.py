"""Common wrong answers in chapters 03 (software) and 05 (case studies) make a visible check fail and say why.

03.1 (frameworks) has only a quiz, which a visible check cannot judge without revealing the letter: its
questions are left to the hidden probes.
"""
import pytest
from visible_mistakes import Mistake, assert_caught

pytestmark = pytest.mark.slow

OP = "03_software/02_custom_op.ipynb"
DIGITS = "05_case_studies/01_digits_cnn.ipynb"
CHARS = "05_case_studies/02_char_language_model.ipynb"
VOWELS = "05_case_studies/03_synthetic_vowels.ipynb"
CANCER = "05_case_studies/04_breast_cancer.ipynb"

MISTAKES = [
    # 03.2 custom op
    Mistake(OP, "softplus", "return sig * grad_output", "return sig", "WITHOUT the factor grad_output",
            "forgets to multiply by grad_output"),
    Mistake(OP, "softplus", "np.exp(-np.logaddexp(0.0, -x))", "np.exp(-np.logaddexp(0.0, x))", "sign in the exponent",
            "sigmoid(-x) instead of sigmoid(x)"),
    Mistake(OP, "softplus", "return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))",
            "return np.log1p(np.exp(-np.abs(x)))", "both terms are needed", "drops max(x, 0) from the stable form"),
    Mistake(OP, "hypot", "return a / h * grad_output, b / h * grad_output",
            "return b / h * grad_output, a / h * grad_output", "in the order of forward's inputs",
            "returns the gradients in the wrong order"),
    Mistake(OP, "hypot", "return a / h * grad_output, b / h * grad_output",
            "return a / h * grad_output, b / h", "WITHOUT the factor grad_output", "forgets grad_output for b"),
    Mistake(OP, "hypot", "return a / h * grad_output, b / h * grad_output",
            "return a / h ** 2 * grad_output, b / h ** 2 * grad_output", "derivative of sqrt(a^2 + b^2)",
            "divides by h squared"),
    Mistake(OP, "hypot", "(Hypot.apply, (a_check, b_check), raise_exception=False)",
            "(lambda a: Hypot.apply(a, b_check), (a_check,), raise_exception=False)", "pass both a_check and b_check",
            "proves only the gradient of a"),
    # 05.1 digits
    Mistake(DIGITS, "confusion", "np.add.at(C, (np.asarray(y_true), np.asarray(y_pred)), 1)",
            "np.add.at(C, (np.asarray(y_pred), np.asarray(y_true)), 1)", "TRUE class", "transposed matrix"),
    Mistake(DIGITS, "confusion", "np.add.at(C, (np.asarray(y_true), np.asarray(y_pred)), 1)",
            "C[np.asarray(y_true), np.asarray(y_pred)] += 1", "each time",
            "fancy-index += counts a repeated pair once"),
    Mistake(DIGITS, "confusion", "np.zeros((n_classes, n_classes), dtype=np.int64)",
            "np.zeros((max(np.max(y_true), np.max(y_pred)) + 1,) * 2, dtype=np.int64)", "even for a class that never",
            "sizes the matrix from the labels seen"),
    Mistake(DIGITS, "build-cnn", "nn.Conv2d(1, 32, kernel_size=3, padding=1)", "nn.Conv2d(1, 32, kernel_size=3)",
            "input size", "no padding, so the first Linear gets the wrong size"),
    Mistake(DIGITS, "build-cnn", "nn.Flatten(), ", "", "Flatten gives", "forgets to flatten the feature maps"),
    Mistake(DIGITS, "build-cnn", "nn.Linear(128, 10))", "nn.Linear(128, 9))", "should have shape (5, 10)",
            "one class score too few"),
    Mistake(DIGITS, "build-cnn", "nn.Linear(128, 10))", "nn.Linear(128, 10), nn.Softmax(dim=1))",
            "applies (log-)softmax itself", "a softmax after the last layer, before CrossEntropyLoss"),
    # 05.2 character language model
    Mistake(CHARS, "windows", "y = ids[context:]", "y = ids[context - 1:-1]", "right after the window",
            "targets shifted by one"),
    Mistake(CHARS, "windows", "np.arange(context)[None, :]]", "np.arange(context)[None, ::-1]]", "reversed",
            "context in reverse order"),
    Mistake(CHARS, "windows", "X = ids[np.arange(n)[:, None] + np.arange(context)[None, :]]",
            "X = ids[np.arange(n)[None, :] + np.arange(context)[:, None]]", "shape (3, 2)", "X transposed"),
    Mistake(CHARS, "perplexity", "np.exp(nll.mean())", "np.exp(nll.sum())", "MEAN cross-entropy",
            "exp of the sum, not the mean"),
    Mistake(CHARS, "perplexity", "np.exp(nll.mean())", "2 ** nll.mean()", "natural log", "2 ** H instead of e ** H"),
    Mistake(CHARS, "perplexity", "z = z - z.max(axis=1, keepdims=True)", "z = z", "logits of 1000",
            "no max subtraction: overflows"),
    # 05.3 synthetic vowels
    Mistake(VOWELS, "stft", "window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(frame_length) / frame_length)",
            "window = np.hanning(frame_length)", "L - 1 in the cosine", "np.hanning's symmetric window"),
    Mistake(VOWELS, "stft", "np.fft.rfft(frames * window, axis=1)", "np.fft.rfft(frames, axis=1)", "without a window",
            "forgets the window"),
    Mistake(VOWELS, "stft", "return np.abs(np.fft.rfft(frames * window, axis=1))",
            "return np.abs(np.fft.rfft(frames * window, axis=1)) ** 2", "squared magnitude", "power spectrum"),
    Mistake(VOWELS, "classifier", "nn.Linear(n_features, 32)", "nn.Linear(64, 32)", "n_features inputs",
            "hard-codes the number of features"),
    # 05.4 breast cancer
    Mistake(CANCER, "precision-recall", "return float(precision), float(recall)",
            "return float(recall), float(precision)", "precision first", "returns (recall, precision)"),
    Mistake(CANCER, "precision-recall", "precision = tp / (tp + fp) if tp + fp else 0.0", "precision = tp / (tp + fp)",
            "denominator is zero", "divides by zero when nothing is flagged"),
    Mistake(CANCER, "precision-recall", "recall = tp / (tp + fn) if tp + fn else 0.0",
            "recall = tp / (tp + fp) if tp + fp else 0.0", "recall divides TP by TP + FN",
            "recall computed with the false positives"),
    Mistake(CANCER, "choose", "            best = t\n", "            return float(t)\n", "largest",
            "returns the first (smallest) threshold that qualifies"),
    Mistake(CANCER, "choose", "found = np.sum((probs >= t) & (y_true == 1))",
            "found = np.sum((probs > t) & (y_true == 1))", "positive when probs >= t", "> instead of >="),
    Mistake(CANCER, "choose", "for t in np.unique(probs):", "for t in np.linspace(0.0, 1.0, 101):",
            "np.unique(probs)", "candidates from a grid, not the probabilities"),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.id)
def test_a_visible_check_catches_the_mistake(mistake):
    assert_caught(mistake)
