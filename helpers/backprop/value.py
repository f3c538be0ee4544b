"""`Value`: one number that remembers how it was computed, for learning the chain rule (micrograd-style).

Each operation creates a new Value holding the result, its inputs (`_prev`), the name of the operation
(`_op`) and the LOCAL derivatives d result / d input (`_local_grads`). `backward()` then walks the graph
from the output back to the inputs and applies the chain rule:

    input.grad += local derivative * output.grad
"""
import math

from ._math import sigmoid as _sigmoid
from .autograd import topological_order


class Value:
    """A scalar with a gradient: build expressions with + - * / ** exp log tanh sigmoid relu, then backward()."""

    __slots__ = ("data", "grad", "label", "_prev", "_op", "_local_grads")

    def __init__(self, data, label: str = "", _prev: tuple = (), _op: str = "", _local_grads: tuple = ()):
        if isinstance(data, Value):
            data = data.data
        try:
            self.data = float(data)
        except (TypeError, ValueError):
            raise TypeError(f"Value(data): data must be a number, got {type(data).__name__} {data!r}.") from None
        self.grad = 0.0
        self.label = label
        self._prev = tuple(_prev)
        self._op = _op
        self._local_grads = tuple(_local_grads)

    def __repr__(self) -> str:
        name = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{name})"

    # ------------------------------------------------------------------------------------------------------
    # arithmetic: each returns a new Value with its inputs and the local derivatives
    # ------------------------------------------------------------------------------------------------------
    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, _prev=(self, other), _op="+", _local_grads=(1.0, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, _prev=(self, other), _op="*", _local_grads=(other.data, self.data))

    def __pow__(self, exponent):
        if isinstance(exponent, Value):
            raise TypeError("Value ** Value is not supported: the exponent must be a plain number. "
                            "For x ** y with y a Value, write (y * x.log()).exp().")
        if not isinstance(exponent, (int, float)):
            raise TypeError(f"the exponent must be an int or float, got {type(exponent).__name__}.")
        if self.data == 0 and exponent < 1:
            raise ValueError(f"0 ** {exponent} has no finite derivative; avoid raising 0 to a power below 1.")
        if self.data < 0 and not float(exponent).is_integer():
            raise ValueError(f"({self.data}) ** {exponent}: a negative number to a fractional power is not a real "
                             f"number.")
        return Value(self.data ** exponent, _prev=(self,), _op=f"**{exponent}",
                     _local_grads=(exponent * self.data ** (exponent - 1),))

    def __rpow__(self, base):
        if not isinstance(base, (int, float)) or base <= 0:
            raise ValueError(f"number ** Value needs a positive number as base, got {base!r}.")
        out = base ** self.data
        return Value(out, _prev=(self,), _op=f"{base}**", _local_grads=(out * math.log(base),))

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __truediv__(self, other):
        if not isinstance(other, Value) and other == 0:
            raise ZeroDivisionError("division of a Value by zero.")
        if isinstance(other, Value) and other.data == 0:
            raise ZeroDivisionError("division by a Value that is zero.")
        return self * other ** -1

    def __radd__(self, other):
        return self + other

    def __rsub__(self, other):
        return (-self) + other

    def __rmul__(self, other):
        return self * other

    def __rtruediv__(self, other):
        return Value(other) / self

    # ------------------------------------------------------------------------------------------------------
    # functions
    # ------------------------------------------------------------------------------------------------------
    def exp(self):
        """e ** x; its derivative is itself."""
        try:
            out = math.exp(self.data)
        except OverflowError:
            raise OverflowError(f"exp({self.data}) is too large for a float (inputs above ~709 overflow).") from None
        return Value(out, _prev=(self,), _op="exp", _local_grads=(out,))

    def log(self):
        """Natural logarithm (only for positive numbers); derivative 1 / x."""
        if self.data <= 0:
            raise ValueError(f"log of a non-positive number ({self.data}): log is only defined for x > 0. "
                             f"If this is a probability, clip it away from 0 first.")
        return Value(math.log(self.data), _prev=(self,), _op="log", _local_grads=(1.0 / self.data,))

    def tanh(self):
        """Hyperbolic tangent; derivative 1 - tanh(x) ** 2."""
        t = math.tanh(self.data)
        return Value(t, _prev=(self,), _op="tanh", _local_grads=(1.0 - t * t,))

    def sigmoid(self):
        """1 / (1 + e ** -x), computed without overflow; derivative s * (1 - s)."""
        s = float(_sigmoid(self.data))  # the one sigmoid formula of the engine (backprop._math)
        return Value(s, _prev=(self,), _op="sigmoid", _local_grads=(s * (1.0 - s),))

    def relu(self):
        """max(x, 0); the derivative at exactly 0 is taken as 0."""
        return Value(max(self.data, 0.0), _prev=(self,), _op="relu", _local_grads=(1.0 if self.data > 0 else 0.0,))

    # ------------------------------------------------------------------------------------------------------
    # the backward pass
    # ------------------------------------------------------------------------------------------------------
    def topological_order(self) -> list:
        """Every Value this one depends on (and itself), each listed after all of its inputs. No recursion.

        The same depth-first search as Tensor's backward pass (backprop.autograd), visiting a node's inputs
        last-first (the order Value has always listed).
        """
        return topological_order(self, lambda node: reversed(node._prev))

    def _backward(self) -> None:
        """One step of the backward pass: pass this node's gradient on to its inputs (the chain rule).

        Call it on the nodes of reversed(out.topological_order()), after setting every grad to 0 and
        out.grad to 1, to walk through backward() one node at a time.
        """
        for parent, local in zip(self._prev, self._local_grads):
            parent.grad += local * self.grad

    def zero_grad(self) -> None:
        """Set .grad to 0 on this Value and on everything it was computed from."""
        for node in self.topological_order():
            node.grad = 0.0

    def backward(self) -> None:
        """Fill .grad of every Value in the graph with d self / d that Value.

        Starts from zero each time (so calling it twice gives the same answer) and adds the contributions of
        every path, so a Value used several times (x * x) gets the sum of them.
        """
        order = self.topological_order()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
