"""Case study 6 (translation): common wrong answers make a visible check fail, with a message saying what to look at."""
import pytest
from visible_mistakes import Mistake, assert_caught

pytestmark = pytest.mark.slow

TR = "05_case_studies/06_translation.ipynb"

SHIFT = "return np.concatenate([start, targets[:, :-1]], axis=1)"
START = "start = np.full((targets.shape[0], 1), start_id, dtype=targets.dtype)"
MASKED = "return bp.where(real[:, None, :], scores, -np.inf).softmax(axis=-1)"
LAST = "scores = np.asarray(next_logits(written))[:, -1]"

MISTAKES = [
    # teacher forcing: the decoder's input
    Mistake(TR, "decoder-inputs", SHIFT, "return targets.copy()", "learns to copy",
            "no shift: each position is fed its own target"),
    Mistake(TR, "decoder-inputs", SHIFT, "return np.concatenate([targets[:, 1:], start], axis=1)", "the wrong way",
            "shifted left: each position is fed the next target"),
    Mistake(TR, "decoder-inputs", SHIFT, "return np.concatenate([targets[:, :-1], start], axis=1)",
            "start symbol is at the end", "the start symbol appended instead of prepended"),
    Mistake(TR, "decoder-inputs", SHIFT, "return np.concatenate([start, targets], axis=1)", "keep T columns",
            "start symbol prepended without dropping the last target"),
    Mistake(TR, "decoder-inputs", SHIFT, "return targets[:, :-1]", "every position needs an input",
            "drops the last target but forgets the start symbol"),
    Mistake(TR, "decoder-inputs", START, "start = np.zeros((targets.shape[0], 1), dtype=targets.dtype)",
            "not the start symbol", "id 0 (the digit '0') as the start symbol"),
    # the softmax that ignores the padding
    Mistake(TR, "masked-softmax", "< lengths[:, None]", "<= lengths[:, None]", "one padding word",
            "off by one: the first padding word counts as real"),
    Mistake(TR, "masked-softmax", MASKED, "return scores.softmax(axis=-1)", "ignores the lengths",
            "no mask: attends to the padding"),
    Mistake(TR, "masked-softmax", MASKED, "return scores.softmax(axis=-1) * real[:, None, :]", "AFTER the softmax",
            "zeroes the padding weights after the softmax (rows sum to less than 1)"),
    Mistake(TR, "masked-softmax", "softmax(axis=-1)", "softmax(axis=1)", "last axis",
            "softmax over the output positions instead of the words"),
    Mistake(TR, "masked-softmax", MASKED,
            "w = np.exp(np.where(real[:, None, :], scores.data, -np.inf))\n    return w / w.sum(axis=-1, keepdims=True)",
            "engine tensor", "numpy instead of engine operations: no gradient reaches the scores"),
    # greedy decoding
    Mistake(TR, "greedy", LAST, "scores = np.asarray(next_logits(written))[:, 0]", "LAST position",
            "reads the first position's scores at every step"),
    Mistake(TR, "greedy", LAST, "scores = np.asarray(next_logits(written[:, :1]))[:, -1]", "LAST position",
            "never feeds its own outputs back in"),
    Mistake(TR, "greedy", "return written[:, 1:]", "return written", "leave out the start symbol",
            "returns the start symbol too"),
    Mistake(TR, "greedy", "for _ in range(length):", "for _ in range(length - 1):", "length steps",
            "one step too few"),
    Mistake(TR, "greedy", "scores.argmax(axis=-1)", "scores.argmin(axis=-1)", "argmax",
            "takes the lowest score"),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.id)
def test_a_visible_check_catches_the_mistake(mistake):
    assert_caught(mistake)
