"""Common wrong answers to 04.6's expected-improvement exercise make a visible check fail with a helpful message."""
import pytest
from visible_mistakes import Mistake, assert_caught

pytestmark = pytest.mark.slow

BO = "04_best_practices/06_bayesian_optimisation.ipynb"
EI_LINE = "ei = gain * norm.cdf(z) + sigma * norm.pdf(z)"

MISTAKES = [
    Mistake(BO, "ei", "gain = mu - best", "gain = best - mu", "MINIMISING",
            "the formula for minimising a loss"),
    Mistake(BO, "ei", EI_LINE, "ei = gain * norm.cdf(z)", "exploration term sigma * pdf(z)",
            "forgets the sigma * pdf(z) term"),
    Mistake(BO, "ei", EI_LINE, "ei = gain * norm.pdf(z) + sigma * norm.cdf(z)", "swapped",
            "cdf and pdf swapped"),
    Mistake(BO, "ei", "z = gain / np.where(sigma > 0, sigma, 1.0)", "z = gain", "not divided by sigma",
            "z not standardised"),
    Mistake(BO, "ei", EI_LINE, "ei = gain * norm.cdf(z) + sigma ** 2 * norm.pdf(z)", "sigma * pdf(z)",
            "the variance instead of the standard deviation"),
    Mistake(BO, "ei",
            "z = gain / np.where(sigma > 0, sigma, 1.0)\n    ei = gain * norm.cdf(z) + sigma * norm.pdf(z)\n"
            "    return np.where(sigma > 0, ei, np.maximum(gain, 0.0))",
            "z = gain / sigma\n    return gain * norm.cdf(z) + sigma * norm.pdf(z)", "safe sigma",
            "divides by sigma = 0 (nan and a warning)"),
    Mistake(BO, "ei", "np.where(sigma > 0, ei, np.maximum(gain, 0.0))", "np.where(sigma > 0, ei, 0.0)",
            "the sure gain", "returns 0 where sigma is 0"),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.id)
def test_a_visible_check_catches_the_mistake(mistake):
    assert_caught(mistake)
