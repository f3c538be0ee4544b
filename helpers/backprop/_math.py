"""Numerical formulas shared by Value, Tensor and nn.functional, so each exists exactly once."""
import numpy as np


def sigmoid(z):
    """The logistic function 1 / (1 + e**-z), accurate on both tails (arrays, numpy or Python scalars).

    With e = exp(-|z|) <= 1 nothing overflows: z >= 0 gives 1 / (1 + e), z < 0 gives e / (1 + e), which keeps
    full relative precision for very negative z (sigmoid(-40) = 4.25e-18, not 0). The dtype of an array input
    is kept (float32 stays float32).
    """
    z = np.asarray(z)
    if z.dtype.kind not in "fc":
        z = z.astype(np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)
