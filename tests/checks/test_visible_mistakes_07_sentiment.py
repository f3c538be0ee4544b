"""Case study 7 (sentiment): common wrong answers make a visible check fail, with a message saying what to look at."""
import pytest
from visible_mistakes import Mistake, assert_caught

pytestmark = pytest.mark.slow

SENT = "05_case_studies/07_sentiment.ipynb"

COUNT = "X[row, word_index.get(w, 0)] += 1"
RESIDUAL = "residual = (p - y) / len(y)"
TP_FP_FN = "tp, fp, fn = C[1, 1], C[0, 1], C[1, 0]"
F1 = "f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0"

MISTAKES = [
    # the bag of words with an unknown-word slot
    Mistake(SENT, "bag-of-words", COUNT, "if w in word_index:\n                X[row, word_index[w]] += 1",
            "<unk> slot", "unknown words skipped instead of counted in column 0"),
    Mistake(SENT, "bag-of-words", COUNT, "X[row, word_index.get(w, 0)] = 1", "not counts",
            "presence (0/1) instead of counts"),
    Mistake(SENT, "bag-of-words", COUNT, "X[row, word_index.get(w, len(word_index) - 1)] += 1", "column 0",
            "unknown words counted in the last column instead of the <unk> slot"),
    # the gradient of logistic regression
    Mistake(SENT, "logistic-gradient", RESIDUAL, "residual = (y - p) / len(y)", "sign is reversed",
            "sign error: y - p instead of p - y"),
    Mistake(SENT, "logistic-gradient", RESIDUAL, "residual = p - y", "divide by N", "the 1/N of the mean is missing"),
    Mistake(SENT, "logistic-gradient", RESIDUAL, "residual = (p - y) * p * (1 - p) / len(y)", "applied twice",
            "the sigmoid's derivative multiplied in a second time"),
    Mistake(SENT, "logistic-gradient", "float(residual.sum())", "float(residual.mean())", "slope 1",
            "db as the mean of the residuals, which divides by N twice"),
    # precision, recall and F1 from the confusion matrix
    Mistake(SENT, "f1", TP_FP_FN, "tp, fp, fn = C[1, 1], C[1, 0], C[0, 1]", "transposed",
            "the matrix read with rows as predictions: precision and recall swapped"),
    Mistake(SENT, "f1", F1, "f1 = (precision + recall) / 2", "harmonic mean", "F1 as the arithmetic mean"),
    Mistake(SENT, "f1", TP_FP_FN, "tp, fp, fn = C[0, 0], C[1, 0], C[0, 1]", "positive class is 1",
            "the scores of class 0 instead of class 1"),
    Mistake(SENT, "f1", "precision = tp / (tp + fp) if tp + fp else 0.0", "precision = tp / (tp + fp)",
            "denominator is zero", "no guard against a zero denominator"),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.id)
def test_a_visible_check_catches_the_mistake(mistake):
    assert_caught(mistake)
