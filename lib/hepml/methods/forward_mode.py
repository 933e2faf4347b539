"""Forward-mode automatic differentiation with dual numbers (chapter 8).

A dual number ``x + x' eps`` with ``eps**2 = 0`` carries a value and a tangent (a directional
derivative) through a computation: ``f(x + x' eps) = f(x) + f'(x) x' eps``. Seeding the inputs
with a tangent vector v and reading the outputs' tangents gives the Jacobian-vector product
J v in one forward pass (:func:`jvp`), alongside the ordinary evaluation. One pass per input
direction gives the whole Jacobian (:func:`jacobian`), so forward mode costs n passes for a
function of n inputs, whatever the number of outputs.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from hepml.methods.autodiff import _exp, _power
from hepml.validation import check_array, check_callable, check_real


class Dual:
    """A number with a tangent: ``value + tangent * eps``, ``eps**2 = 0``.

    Parameters
    ----------
    value
        The ordinary value (a finite real).
    tangent
        Its derivative along the chosen input direction.
    """

    __slots__ = ("value", "tangent")

    def __init__(self, value: float, tangent: float = 0.0):
        self.value = check_real(value, "value")
        self.tangent = check_real(tangent, "tangent")

    @classmethod
    def _make(cls, value: float, tangent: float) -> Dual:
        # results of operations skip the argument checks of __init__
        dual = cls.__new__(cls)
        dual.value, dual.tangent = value, tangent
        return dual

    def __repr__(self) -> str:
        return f"Dual(value={self.value:.6g}, tangent={self.tangent:.6g})"

    def __add__(self, other: Dual | float) -> Dual:
        other = _as_dual(other)
        return Dual._make(self.value + other.value, self.tangent + other.tangent)

    def __mul__(self, other: Dual | float) -> Dual:
        other = _as_dual(other)
        return Dual._make(
            self.value * other.value, self.tangent * other.value + self.value * other.tangent
        )

    def __pow__(self, exponent: float) -> Dual:
        if isinstance(exponent, Dual) or not isinstance(exponent, numbers.Real):
            raise TypeError(
                f"the exponent must be a constant number, got {type(exponent).__name__}"
            )
        exponent = check_real(exponent, "exponent")
        out, derivative = _power(self.value, exponent)
        return Dual._make(out, derivative * self.tangent)

    def __neg__(self) -> Dual:
        return Dual._make(-self.value, -self.tangent)

    def __sub__(self, other: Dual | float) -> Dual:
        return self + (-_as_dual(other))

    def __truediv__(self, other: Dual | float) -> Dual:
        return self * _as_dual(other) ** -1

    def __radd__(self, other: float) -> Dual:
        return self + other

    def __rmul__(self, other: float) -> Dual:
        return self * other

    def __rsub__(self, other: float) -> Dual:
        return _as_dual(other) - self

    def __rtruediv__(self, other: float) -> Dual:
        return _as_dual(other) / self

    def exp(self) -> Dual:
        out = _exp(self.value)
        return Dual._make(out, out * self.tangent)

    def log(self) -> Dual:
        if self.value <= 0:
            raise ValueError(f"log is defined for positive numbers only, got {self.value:g}")
        return Dual._make(math.log(self.value), self.tangent / self.value)

    def tanh(self) -> Dual:
        out = math.tanh(self.value)
        return Dual._make(out, (1.0 - out * out) * self.tangent)

    def relu(self) -> Dual:
        positive = self.value > 0  # derivative 0 at 0, as in torch
        return Dual._make(self.value if positive else 0.0, self.tangent if positive else 0.0)

    def sigmoid(self) -> Dual:
        if self.value >= 0:
            out = 1.0 / (1.0 + math.exp(-self.value))
        else:
            e = math.exp(self.value)
            out = e / (1.0 + e)
        return Dual._make(out, out * (1.0 - out) * self.tangent)


def jvp(
    function: Callable[[list[Dual]], Sequence[Dual]],
    point: Sequence[float],
    tangent: Sequence[float],
) -> tuple[np.ndarray, np.ndarray]:
    """Jacobian-vector product J v of ``function`` at ``point``, in one forward pass.

    Parameters
    ----------
    function
        Takes a list of n :class:`Dual` inputs and returns a sequence of m :class:`Dual`
        outputs (written with the operations of :class:`Dual`, as for
        :class:`~hepml.methods.autodiff.Value`).
    point
        The n input values.
    tangent
        The direction v, of length n.

    Returns
    -------
    outputs, product
        The m outputs and the m components of J v.
    """
    check_callable(function, "function")
    point = check_array(point, "point", min_length=1).ravel()
    tangent = check_array(tangent, "tangent").ravel()
    if point.shape != tangent.shape:
        raise ValueError(
            f"point and tangent must have the same length, got {point.size} and {tangent.size}"
        )
    outputs = function([Dual(x, t) for x, t in zip(point, tangent)])
    if isinstance(outputs, Dual) or not isinstance(outputs, Iterable):
        raise TypeError(
            f"function must return a sequence of Dual numbers (a list), got "
            f"{type(outputs).__name__}: wrap a single output as [output]"
        )
    outputs = list(outputs)
    if not all(isinstance(o, Dual) for o in outputs):
        raise TypeError("function must return a sequence of Dual numbers")
    return np.array([o.value for o in outputs]), np.array([o.tangent for o in outputs])


def jacobian(
    function: Callable[[list[Dual]], Sequence[Dual]], point: Sequence[float]
) -> np.ndarray:
    """The m x n Jacobian of ``function`` at ``point``: one forward pass per input (column)."""
    check_callable(function, "function")
    point = check_array(point, "point", min_length=1).ravel()
    if point.size == 0:
        raise ValueError("point must have at least one entry, got an empty array")
    columns = [jvp(function, point, direction)[1] for direction in np.eye(point.size)]
    return np.column_stack(columns)


def _as_dual(x: Dual | float) -> Dual:
    return x if isinstance(x, Dual) else Dual(x)
