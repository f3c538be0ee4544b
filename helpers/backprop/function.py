"""`Function`: write your own differentiable operation the PyTorch way, as a forward and a backward on arrays.

    class Square(Function):
        @staticmethod
        def forward(ctx, x):                  # x is a numpy array
            ctx.save_for_backward(x)
            return x ** 2
        @staticmethod
        def backward(ctx, grad_output):       # d loss / d output, same shape as the output
            (x,) = ctx.saved_tensors
            return 2 * x * grad_output        # d loss / d x: one gradient per input of forward

    y = Square.apply(t)                       # t is a Tensor; y is a Tensor that backward() goes through
"""
import numpy as np

from .tensor import Tensor


class Context:
    """Scratch space shared by forward and backward of one call: save arrays here, read them back later."""

    def __init__(self, needs_input_grad: tuple):
        self.saved_tensors = ()
        self.needs_input_grad = needs_input_grad

    def save_for_backward(self, *arrays) -> None:
        """Keep the arrays backward will need (read them back as `ctx.saved_tensors`)."""
        self.saved_tensors = arrays


class Function:
    """Base class for a custom op: subclass it with static `forward(ctx, *arrays)` and `backward(ctx, grad)`."""

    @staticmethod
    def forward(ctx, *arrays):
        """Compute the output array from the input arrays (numpy in, numpy out)."""
        raise NotImplementedError("subclass Function and define @staticmethod forward(ctx, *arrays)")

    @staticmethod
    def backward(ctx, grad_output):
        """Return d loss / d input for every input of forward (a tuple; None for inputs without a gradient)."""
        raise NotImplementedError("subclass Function and define @staticmethod backward(ctx, grad_output)")

    @classmethod
    def apply(cls, *inputs) -> Tensor:
        """Run forward on the inputs' arrays and record the op so backward() can call your backward."""
        ctx = Context(tuple(isinstance(x, Tensor) and x.requires_grad for x in inputs))
        arrays = [x.data if isinstance(x, Tensor) else x for x in inputs]
        out = cls.forward(ctx, *arrays)
        if isinstance(out, Tensor):
            raise TypeError(f"{cls.__name__}.forward must return a numpy array, not a Tensor.")
        out = np.asarray(out)
        if out.dtype.kind not in "fc":
            out = out.astype(np.float64)
        tensor_positions = [i for i, x in enumerate(inputs) if isinstance(x, Tensor)]
        parents = tuple(inputs[i] for i in tensor_positions)
        name = cls.__name__

        def backward(grad_output):
            grads = cls.backward(ctx, grad_output)
            if not isinstance(grads, (tuple, list)):
                grads = (grads,)
            if len(grads) != len(inputs):
                raise RuntimeError(f"{name}.backward returned {len(grads)} gradient(s) but forward took "
                                   f"{len(inputs)} input(s): return one per input (None where there is none).")
            result = []
            for i in tensor_positions:
                g = grads[i]
                # a copy: your backward may return an array it keeps (e.g. grad_output or a saved one)
                result.append(None if g is None else np.array(g, dtype=inputs[i].data.dtype))
            return tuple(result)

        return Tensor._from_op(out, parents, backward, name)
