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
