"""Chapter 05 widgets: threshold metrics agree with scikit-learn, temperature softmax with its formula; both widgets
build and recompute without a browser."""
import math

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, precision_recall_curve as sk_pr_curve, precision_score, recall_score

from backprop.widgets.case_studies import (_draw, describe_threshold, precision_recall_curve, temperature_explorer,
                                           temperature_softmax, threshold_explorer, threshold_metrics)


def _random_case(seed, n=80):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    scores = np.clip(0.35 * y + 0.65 * rng.random(n), 0, 1)
    return scores, y


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 0.77, 1.0])
def test_metrics_match_sklearn(seed, threshold):
    scores, y = _random_case(seed)
    m = threshold_metrics(scores, y, threshold)
    pred = (scores >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
    assert (m["tp"], m["fp"], m["fn"], m["tn"]) == (tp, fp, fn, tn)
    assert m["recall"] == pytest.approx(recall_score(y, pred, zero_division=np.nan), nan_ok=True)
    assert m["precision"] == pytest.approx(precision_score(y, pred, zero_division=np.nan), nan_ok=True)
    assert m["accuracy"] == pytest.approx(np.mean(pred == y))
    assert m["specificity"] == pytest.approx(tn / (tn + fp))


def test_nothing_flagged_gives_nan_precision_not_an_error():
    m = threshold_metrics([0.1, 0.2, 0.3], [0, 1, 1], threshold=0.9)
    assert m["tp"] == 0 and m["fn"] == 2 and math.isnan(m["precision"]) and m["recall"] == 0.0


def test_curve_matches_sklearn():
    scores, y = _random_case(7)
    thresholds, precision, recall = precision_recall_curve(scores, y)
    sk_p, sk_r, sk_t = sk_pr_curve(y, scores)
    # sklearn drops thresholds beyond full recall and appends (1, 0); compare on its thresholds
    lookup = {t: (p, r) for t, p, r in zip(thresholds, precision, recall)}
    for t, p, r in zip(sk_t, sk_p[:-1], sk_r[:-1]):
        assert lookup[t] == pytest.approx((p, r))
    assert np.all(np.diff(recall) <= 1e-12)  # recall never rises as the threshold rises


def test_bad_inputs_are_refused_with_clear_messages():
    with pytest.raises(ValueError, match="3 scores but 2 labels"):
        threshold_metrics([0.1, 0.2, 0.3], [0, 1], 0.5)
    with pytest.raises(ValueError, match="labels must be 0"):
        threshold_metrics([0.1, 0.2], [0, 2], 0.5)


def test_description_states_the_counts():
    scores, y = _random_case(1)
    m = threshold_metrics(scores, y, 0.4)
    text = describe_threshold(scores, y, 0.4)
    assert f"{m['tp']} of {m['tp'] + m['fn']} malignant" in text and f"{m['fn']} missed" in text


def test_draw_has_titles_and_labels():
    import matplotlib.pyplot as plt

    scores, y = _random_case(2)
    fig, m = _draw(scores, y, 0.6, ("benign", "malignant"))
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert m == threshold_metrics(scores, y, 0.6)
    plt.close(fig)


def test_widget_builds_and_recomputes_without_a_browser():
    import matplotlib.pyplot as plt

    scores, y = _random_case(3)
    box = threshold_explorer(scores, y, threshold=0.5)
    slider, out = box.children
    assert slider.continuous_update is False and (slider.min, slider.max) == (0.0, 1.0)
    slider.value = 0.2  # triggers the callback; must not raise
    assert slider.value == 0.2
    plt.close("all")
    with pytest.raises(ValueError):
        threshold_explorer([0.1, 0.2], [1])


@pytest.mark.parametrize("temperature", [0.1, 0.5, 1.0, 2.0])
def test_temperature_softmax_matches_the_formula(temperature):
    logits = np.random.default_rng(0).normal(size=9) * 3 + 500.0   # large logits must not overflow
    p = temperature_softmax(logits, temperature)
    shifted = (logits - 500.0) / temperature
    expected = np.exp(shifted) / np.exp(shifted).sum()
    np.testing.assert_allclose(p, expected, rtol=1e-12)


def test_lower_temperature_sharpens_the_distribution():
    logits = np.random.default_rng(1).normal(size=20)
    entropies = [-(p * np.log(p)).sum() for p in (temperature_softmax(logits, t) for t in (0.3, 1.0, 3.0))]
    assert entropies[0] < entropies[1] < entropies[2]
    with pytest.raises(ValueError, match="positive"):
        temperature_softmax(logits, 0.0)


def test_temperature_widget_builds_and_checks_its_model():
    import matplotlib.pyplot as plt

    vocab = list(" abc")
    box = temperature_explorer(lambda prompt: np.array([0.5, 2.0, -1.0, 0.0]), vocab, "ab", temperature=1.0)
    slider, _ = box.children
    assert slider.continuous_update is False and slider.min > 0
    slider.value = 0.5
    plt.close("all")
    with pytest.raises(ValueError, match="4 logits"):
        temperature_explorer(lambda prompt: np.zeros(3), vocab, "ab")
