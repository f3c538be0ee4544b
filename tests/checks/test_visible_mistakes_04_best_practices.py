"""Chapter 04's common wrong answers make a visible check fail, with a message saying what to look at."""
import pytest
from visible_mistakes import Mistake, assert_caught

pytestmark = pytest.mark.slow

PRE = "04_best_practices/01_preprocessing.ipynb"
HYP = "04_best_practices/02_hyperparameter_search.ipynb"
REG = "04_best_practices/03_regularisation.ipynb"
MON = "04_best_practices/04_monitoring.ipynb"
INI = "04_best_practices/05_initialisation.ipynb"

MISTAKES = [
    # 04.1 preprocessing
    Mistake(PRE, "fit-standardizer", "std = X_train.std(axis=0)", "std = X_train.std(axis=0, ddof=1)", "ddof=0",
            "sample std (divides by n - 1)"),
    Mistake(PRE, "fit-standardizer", "    std = np.where(std == 0, 1.0, std)\n", "", "constant column",
            "keeps std 0 for a constant column"),
    Mistake(PRE, "fit-standardizer", "mean = X_train.mean(axis=0)", "mean = X_train.mean()", "axis=0",
            "one mean over the whole matrix"),
    Mistake(PRE, "standardize", "return (np.asarray(X, dtype=np.float64) - mean) / std",
            "return np.asarray(X, dtype=np.float64) - mean / std", "mind the brackets", "operator precedence"),
    Mistake(PRE, "standardize", "return (np.asarray(X, dtype=np.float64) - mean) / std",
            "return (np.asarray(X, dtype=np.float64) - mean) * std", "divide the difference by the std",
            "multiplies by the std"),
    Mistake(PRE, "standardize", "return (np.asarray(X, dtype=np.float64) - mean) / std",
            "X = np.asarray(X, dtype=np.float64)\n    X -= mean\n    X /= std\n    return X",
            "leave its input unchanged", "standardises the input in place"),
    Mistake(PRE, "one-hot", "(labels >= n_classes)", "(labels > n_classes)", "5 itself is out of range",
            "lets a label equal to n_classes through"),
    Mistake(PRE, "one-hot", "bad = (labels < 0) | (labels >= n_classes)", "bad = labels >= n_classes",
            "negative label", "lets negative labels through (numpy wraps them around)"),
    Mistake(PRE, "one-hot", "encoded[np.arange(len(labels)), labels] = 1.0", "encoded[:, labels] = 1.0",
            "a single 1.0", "sets whole columns"),
    Mistake(PRE, "one-hot",
            "encoded = np.zeros((len(labels), n_classes))\n    encoded[np.arange(len(labels)), labels]",
            "encoded = np.zeros((n_classes, len(labels)))\n    encoded[labels, np.arange(len(labels))]",
            "one row per label", "transposed: one column per label"),
    # 04.2 hyperparameter search
    Mistake(HYP, "grid", "for lr in lrs for width in widths", "for width in widths for lr in lrs", "outer loop",
            "width in the outer loop"),
    Mistake(HYP, "grid", "return [(lr, width) for lr in lrs for width in widths]", "return list(zip(lrs, widths))",
            "every combination", "zip pairs the lists up instead of combining them"),
    Mistake(HYP, "grid", "return [(lr, width) for", "return [(width, lr) for", "(lr, width), in that order",
            "pairs in the wrong order"),
    Mistake(HYP, "random", "log_lr = rng.uniform(np.log(lr_range[0]), np.log(lr_range[1]), size=n)",
            "log_lr = np.log(rng.uniform(lr_range[0], lr_range[1], size=n))", "each factor of ten",
            "uniform, not log-uniform, learning rates"),
    Mistake(HYP, "random", "int(round(float(np.exp(b))))", "int(float(np.exp(b)))", "nearest integer",
            "truncates the width instead of rounding"),
    Mistake(HYP, "random", "log_lr = rng.uniform(", "log_lr = np.random.uniform(", "not with np.random",
            "ignores the generator it is given"),
    Mistake(HYP, "best", 'return max(results, key=lambda r: r["val_accuracy"])',
            'return min(results, key=lambda r: r["val_accuracy"])', "not the lowest", "picks the lowest score"),
    Mistake(HYP, "best", 'return max(results, key=lambda r: r["val_accuracy"])',
            'return max(results, key=lambda r: r.get("test_accuracy", r["val_accuracy"]))',
            "never look at test_accuracy", "chooses by the test score"),
    Mistake(HYP, "best", 'return max(results, key=lambda r: r["val_accuracy"])',
            'return max(reversed(results), key=lambda r: r["val_accuracy"])', "on a tie", "last entry on a tie"),
    # 04.3 regularisation
    Mistake(REG, "l2", "float(0.5 * lam * np.sum(np.square(w)))", "float(lam * np.sum(np.square(w)))",
            "check the 1/2", "forgets the 1/2 of the penalty"),
    Mistake(REG, "l2", "np.sum(np.square(w))", "np.sum(np.abs(w))", "the square", "an L1 penalty"),
    Mistake(REG, "l2", "return lam * np.asarray(w, dtype=np.float64)",
            "return 2 * lam * np.asarray(w, dtype=np.float64)",
            "cancels the 1/2", "keeps the 2 of the square"),
    Mistake(REG, "l2", "return lam * np.asarray(w, dtype=np.float64)",
            "return -lam * np.asarray(w, dtype=np.float64)",
            "the sign is +", "sign error in the gradient"),
    Mistake(REG, "dropout", "mask = keep / (1.0 - p)", "mask = keep * 1.0", "1/(1 - p)",
            "plain (not inverted) dropout"),
    Mistake(REG, "dropout", "keep = rng.random(np.shape(x)) >= p", "keep = rng.random(np.shape(x)) < p",
            "with probability p", "keeps with probability p instead of dropping"),
    Mistake(REG, "dropout", "    return grad_out * mask\n", "    return grad_out\n", "same mask entry",
            "backward ignores the mask"),
    Mistake(REG, "dropout", "    return grad_out * mask\n", "    return grad_out * (mask > 0)\n", "scaling included",
            "backward drops the 1/(1 - p) scaling"),
    Mistake(REG, "early", "if loss < best_loss:", "if loss <= best_loss:", "strictly lower",
            "an equal loss counts as an improvement"),
    Mistake(REG, "early", "if waited >= patience:", "if waited > patience:", "reaches patience",
            "off by one: waits patience + 1 epochs"),
    Mistake(REG, "early", "best_loss, best_epoch, waited = loss, epoch, 0", "best_loss, best_epoch = loss, epoch",
            "restarts at 0", "does not reset the count on an improvement"),
    Mistake(REG, "early", "return best_epoch, len(val_losses) - 1", "return best_epoch, len(val_losses)",
            "len(val_losses) - 1", "off by one at the end"),
    # 04.4 monitoring
    Mistake(MON, "split", "int(round(n * val_fraction)), int(round(n * test_fraction))",
            "int(n * val_fraction), int(n * test_fraction)", "nearest integer", "truncates the sizes"),
    Mistake(MON, "split", "order = rng.permutation(n)", "order = np.arange(n)", "shuffle them", "does not shuffle"),
    Mistake(MON, "split", "order = rng.permutation(n)", "order = np.random.permutation(n)", "not with np.random",
            "ignores the generator it is given"),
    Mistake(MON, "split", "order[n_val:n_val + n_test]", "order[:n_test]", "must not overlap",
            "test indices overlap the validation ones"),
    Mistake(MON, "smooth", "/ (ends - starts)", "/ window", "not by window", "divides by window at the start"),
    Mistake(MON, "smooth", "starts = np.maximum(ends - window, 0)", "starts = np.maximum(ends - window - 1, 0)",
            "exactly `window` values", "averages window + 1 values"),
    Mistake(MON, "smooth", "starts = np.maximum(ends - window, 0)", "starts = np.maximum(ends - window + 1, 0)",
            "exactly `window` values", "averages window - 1 values"),
    # 04.5 initialisation
    Mistake(INI, "formulas", "float(np.sqrt(2.0 / (fan_in + fan_out)))", "float(2.0 / (fan_in + fan_out))",
            "square root", "returns the Xavier variance"),
    Mistake(INI, "formulas", "np.sqrt(2.0 / (fan_in + fan_out))", "np.sqrt(1.0 / (fan_in + fan_out))",
            "average of fan_in", "forgets the 2 of the average"),
    Mistake(INI, "formulas", "np.sqrt(2.0 / (fan_in + fan_out))", "np.sqrt(1.0 / fan_in)", "average of fan_in",
            "ignores the fan-out"),
    Mistake(INI, "formulas", "float(np.sqrt(2.0 / fan_in))", "float(np.sqrt(1.0 / fan_in))", "factor of 2",
            "the 1/fan_in rule for ReLU"),
    Mistake(INI, "formulas", "float(np.sqrt(2.0 / fan_in))", "float(2.0 / fan_in)", "not the variance",
            "returns the He variance"),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.id)
def test_a_visible_check_catches_the_mistake(mistake):
    assert_caught(mistake)
