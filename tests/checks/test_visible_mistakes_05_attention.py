"""Case study 5 (attention): common wrong answers make a visible check fail, with a message saying what to look at."""
import pytest
from visible_mistakes import Mistake, assert_caught

pytestmark = pytest.mark.slow

ATT = "05_case_studies/05_attention.ipynb"

MASK_LINE = "return np.tril(np.ones((n, n), dtype=bool))"
SCALED = "    dQ = dS @ K * scale\n    dK = dS.T @ Q * scale"

MISTAKES = [
    # the causal mask
    Mistake(ATT, "causal-mask", MASK_LINE, "return np.triu(np.ones((n, n), dtype=bool))", "EARLIER positions",
            "upper triangle: each position sees the future"),
    Mistake(ATT, "causal-mask", MASK_LINE, "return np.tril(np.ones((n, n), dtype=bool), k=-1)", "attend to itself",
            "diagonal excluded"),
    Mistake(ATT, "causal-mask", MASK_LINE, "return np.tril(np.ones((n, n)))", "boolean",
            "a float 0/1 mask instead of a boolean one"),
    # the backward of softmax attention
    Mistake(ATT, "attention-backward", SCALED, "    dQ = dS @ K\n    dK = dS.T @ Q", "sqrt(d) times too large",
            "forgets the 1/sqrt(d) of the forward in the backward"),
    Mistake(ATT, "attention-backward", "(dA * A).sum(axis=1, keepdims=True)", "(dA * A).sum(axis=0, keepdims=True)",
            "wrong axis", "softmax Jacobian summed over the queries (axis 0) instead of the keys"),
    Mistake(ATT, "attention-backward", "dK = dS.T @ Q * scale", "dK = dS @ Q * scale", "dS^T Q",
            "transposed: dS where dS^T belongs in dK"),
    Mistake(ATT, "attention-backward", "    if mask is not None:\n        S = np.where(mask, S, -np.inf)\n", "",
            "WITHOUT the mask", "recomputes the weights without the mask in the backward"),
    Mistake(ATT, "attention-backward", "dV = A.T @ G", "dV = A @ G", "transpose A", "dV = A G instead of A^T G"),
    Mistake(ATT, "attention-backward", "dS = A * (dA - (dA * A).sum(axis=1, keepdims=True))", "dS = A * dA",
            "sum over the keys j of dA * A", "the softmax Jacobian without its row-sum term"),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.id)
def test_a_visible_check_catches_the_mistake(mistake):
    assert_caught(mistake)
