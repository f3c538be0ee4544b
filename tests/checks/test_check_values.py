"""backprop.checks.check_explained and check_backward: value checks that name a known mistake, and gradcheck."""
import backprop as bp
import numpy as np
import pytest
from backprop import Tensor, checks
from backprop.checks import CheckError

C = np.array([[3.0, 1.0, 0.0], [0.0, 2.0, 4.0], [1.0, 0.0, 5.0]])
KNOWN = {"It is the matrix transposed: rows are the TRUE class.": C.T, "It counts each pair once.": (C > 0) * 1.0}


def test_a_right_answer_passes_and_says_so(capsys):
    assert checks.check_explained(C.tolist(), C, "C", known=KNOWN, tol=0, reference="a counting loop") is None
    assert "C matches a counting loop (largest difference 0.0e+00): ok" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, sentence", [(C.T, "It is the matrix transposed"), ((C > 0) * 1, "counts each pair")])
def test_a_known_wrong_answer_is_named_instead_of_a_list_of_numbers(wrong, sentence):
    with pytest.raises(CheckError) as exc:
        checks.check_explained(wrong, C, "C", hint="generic hint", known=KNOWN, tol=0, reference="a counting loop")
    text = str(exc.value)
    assert text.startswith("C does not match a counting loop. ") and sentence in text
    assert "generic hint" not in text and "expected" not in text


def test_an_unknown_wrong_answer_gets_the_summary_and_the_hint():
    with pytest.raises(CheckError) as exc:
        checks.check_explained(2 * C, C, "C", hint="count every example once.", known=KNOWN, tol=0)
    text = str(exc.value)
    assert "Every entry is 2 times the reference" in text and text.endswith("Hint: count every example once.")


def test_wrong_shapes_nan_and_none_fall_back_to_check_matches_messages():
    with pytest.raises(CheckError, match=r"should have shape \(3, 3\)"):
        checks.check_explained(C[:2], C, "C", known={"never": C[:2]})
    with pytest.raises(CheckError, match="contains nan or inf"):
        checks.check_explained(np.full((3, 3), np.nan), C, "C", known={"never": np.full((3, 3), np.nan)})
    with pytest.raises(CheckError, match="is None"):
        checks.check_explained(None, C, "C", known=KNOWN)


class _Square(bp.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 2 * x * grad_output


class _HalfSquare(_Square):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return x * grad_output                      # the factor 2 is missing


class _Crashes(_Square):
    @staticmethod
    def backward(ctx, grad_output):
        raise ValueError("not written yet")


def _inputs():
    return (Tensor(np.random.default_rng(0).normal(size=(2, 3)), requires_grad=True),)


def test_check_backward_passes_a_right_backward(capsys):
    assert checks.check_backward(_Square.apply, _inputs(), "Square") is None
    assert "Square: backward agrees with finite differences" in capsys.readouterr().out


def test_check_backward_shows_gradchecks_report_and_the_hint():
    with pytest.raises(CheckError) as exc:
        checks.check_backward(_HalfSquare.apply, _inputs(), "HalfSquare", hint="d(x^2)/dx = 2x.")
    text = str(exc.value)
    assert "HalfSquare: backward does not agree with finite differences" in text
    assert "gradcheck FAILED" in text and "6 of 6 element(s) wrong" in text and text.endswith("Hint: d(x^2)/dx = 2x.")


def test_check_backward_reports_an_op_that_crashes_with_the_hint():
    with pytest.raises(CheckError, match=r"could not run it \(ValueError: not written yet\)\.\nHint: write it"):
        checks.check_backward(_Crashes.apply, _inputs(), "Crashes", hint="write it")


def test_check_logits_passes_raw_scores(capsys):
    scores = np.random.default_rng(0).normal(size=(5, 10))
    assert checks.check_logits(scores, "cnn(x)") is None
    assert "cnn(x) are raw scores (logits), not probabilities: ok" in capsys.readouterr().out


def test_check_logits_passes_scores_that_are_in_0_1_but_do_not_sum_to_1():
    checks.check_logits(np.full((3, 4), 0.5), "scores")             # in [0, 1], rows sum to 2
    checks.check_logits(np.array([[1.5, -0.5], [0.2, 0.8]]), "s")  # rows sum to 1, entries outside [0, 1]


def test_check_logits_refuses_softmax_outputs_and_says_why():
    logits = bp.tensor(np.random.default_rng(1).normal(size=(5, 10)))
    probabilities = bp.nn.functional.softmax(logits, dim=1).data
    with pytest.raises(CheckError) as exc:
        checks.check_logits(probabilities, "cnn(x)")
    text = str(exc.value)
    assert "look like probabilities" in text and "CrossEntropyLoss applies (log-)softmax itself" in text
    # the floor of the loss with 10 classes, log(1 + 9/e), worked out by hand: log(4.3109) = 1.4612
    assert "cannot fall below 1.461" in text


def test_check_logits_floor_is_the_smallest_cross_entropy_of_probabilities_used_as_logits():
    # The best a softmax-then-cross-entropy network can do: probability 1 on the right class, 0 elsewhere.
    best = np.array([[1.0, 0.0, 0.0]])
    loss = bp.nn.functional.cross_entropy(bp.tensor(best), np.array([0])).item()
    with pytest.raises(CheckError, match=f"cannot fall below {loss:.4g}"):
        checks.check_logits(best, "scores")


@pytest.mark.parametrize("bad, message", [(np.ones(4) / 4, r"shape \(N, C\)"), (np.ones((3, 1)), r"shape \(N, C\)"),
                                          (np.full((2, 2), np.nan), "nan or inf"), ("abc", "array of class scores")])
def test_check_logits_refuses_what_is_not_a_table_of_scores(bad, message):
    with pytest.raises(CheckError, match=message):
        checks.check_logits(bad, "scores")
