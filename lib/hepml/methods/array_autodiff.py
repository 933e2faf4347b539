"""Reverse-mode automatic differentiation on NumPy arrays (chapter 8).

The same idea as the scalar engine :mod:`hepml.methods.autodiff`, one array per node instead
of one number, so a network of a few thousand weights trains in a second. Each operation
stores, instead of its local derivatives, a function that turns the gradient of its output into
the gradients of its inputs (its vector-Jacobian product):

- ``z = x + y``: ``gx = gz``, ``gy = gz``;   ``z = x * y``: ``gx = gz * y``, ``gy = gz * x``;
- ``z = x @ w``: ``gx = gz @ w.T``, ``gw = x.T @ gz``;
- ``z = f(x)`` element-wise: ``gx = gz * f'(x)``;   ``z = x.sum()``: ``gx = gz`` broadcast.

When NumPy broadcasts an input to a larger shape (a bias of shape ``(h,)`` added to every row
of an ``(N, h)`` array), the input was used once per copy, so its gradient sums over the copies
(:func:`_unbroadcast`).

Usage::

    w = Tensor(rng.normal(size=(3, 1)))
    loss = ((Tensor(X) @ w - Tensor(y[:, None])) ** 2).mean()
    loss.backward()
    w.grad  # d loss / d w, shape (3, 1)
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

from hepml.validation import check_array, check_real

Backward = Callable[[np.ndarray], tuple[np.ndarray, ...]]


class Tensor:
    """A float64 array in a computational graph, with the gradient of the graph's output.

    Parameters
    ----------
    data
        The array (any shape, finite values), or a number.

    Attributes
    ----------
    data : numpy.ndarray
        The values of the forward pass.
    grad : numpy.ndarray
        d(output)/d(data), the same shape as ``data``, filled in by :meth:`backward`.
    parents : tuple of Tensor
        The nodes this one was computed from.
    op : str
        The operation that made this node ("" for an input).
    """

    __slots__ = ("data", "grad", "parents", "op", "_backward")
    # NumPy's protocol: an ndarray on the left of an operator (w * x) returns NotImplemented,
    # so Python calls the Tensor's reflected operator (x.__rmul__(w)) and the product is a
    # Tensor in the graph, not an object array of Tensors that gives wrong gradients.
    __array_ufunc__ = None

    def __init__(self, data: np.ndarray | float):
        # a copy: updating the caller's array later does not change the graph
        self.data = check_array(data, "data").copy()
        self.grad = np.zeros_like(self.data)
        self.parents: tuple[Tensor, ...] = ()
        self.op = ""
        self._backward: Backward | None = None

    @classmethod
    def _node(cls, data: np.ndarray, parents: tuple, backward: Backward, op: str) -> Tensor:
        node = cls.__new__(cls)
        node.data, node.grad, node.parents, node.op = data, np.zeros_like(data), parents, op
        node._backward = backward
        return node

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    def __repr__(self) -> str:
        return f"Tensor(shape={self.data.shape}, op={self.op!r})"

    def __add__(self, other: Tensor | float) -> Tensor:
        other = _as_tensor(other)
        return Tensor._node(self.data + other.data, (self, other), lambda g: (g, g), "+")

    def __mul__(self, other: Tensor | float) -> Tensor:
        other = _as_tensor(other)
        x, y = self.data, other.data
        return Tensor._node(x * y, (self, other), lambda g: (g * y, g * x), "*")

    def __matmul__(self, other: Tensor) -> Tensor:
        other = _as_tensor(other)
        x, w = self.data, other.data
        if x.ndim != 2 or w.ndim != 2:
            raise ValueError(
                f"@ multiplies two 2-d arrays, got shapes {x.shape} and {w.shape}: "
                "reshape vectors to (1, n) or (n, 1)"
            )
        if x.shape[1] != w.shape[0]:
            raise ValueError(f"shapes {x.shape} and {w.shape} do not fit for @")
        return Tensor._node(x @ w, (self, other), lambda g: (g @ w.T, x.T @ g), "@")

    def __pow__(self, exponent: float) -> Tensor:
        if isinstance(exponent, Tensor) or not isinstance(exponent, numbers.Real):
            raise TypeError(
                f"the exponent must be a constant number, got {type(exponent).__name__}"
            )
        p, x = check_real(exponent, "exponent"), self.data
        if p == 0:  # x ** 0 = 1 with slope 0 everywhere, also at x = 0 (as torch)
            return Tensor._node(np.ones_like(x), (self,), lambda g: (g * 0.0,), "**0")
        if not p.is_integer() and np.any(x < 0):
            raise ValueError(f"negative entries have no real power {p:g}")
        if p < 1 and np.any(x == 0):
            raise ValueError(f"the derivative of x ** {p:g} at x = 0 is not finite")
        with np.errstate(over="ignore"):  # overflow gives inf, as in torch
            out = x**p

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            with np.errstate(over="ignore", divide="ignore"):
                return (g * p * x ** (p - 1),)

        return Tensor._node(out, (self,), backward, f"**{p:g}")

    def __neg__(self) -> Tensor:
        return self * -1.0

    def __sub__(self, other: Tensor | float) -> Tensor:
        return self + (-_as_tensor(other))

    def __truediv__(self, other: Tensor | float) -> Tensor:
        return self * _as_tensor(other) ** -1

    def __radd__(self, other: float) -> Tensor:
        return self + other

    def __rmul__(self, other: float) -> Tensor:
        return self * other

    def __rsub__(self, other: float) -> Tensor:
        return _as_tensor(other) - self

    def __rtruediv__(self, other: float) -> Tensor:
        return _as_tensor(other) / self

    def __rmatmul__(self, other: np.ndarray) -> Tensor:
        return _as_tensor(other) @ self

    def exp(self) -> Tensor:
        with np.errstate(over="ignore"):  # e^x above about 709.78 is inf, as in torch
            out = np.exp(self.data)
        return Tensor._node(out, (self,), lambda g: (g * out,), "exp")

    def log(self) -> Tensor:
        x = self.data
        if np.any(x <= 0):
            raise ValueError("log is defined for positive entries only")
        return Tensor._node(np.log(x), (self,), lambda g: (g / x,), "log")

    def tanh(self) -> Tensor:
        out = np.tanh(self.data)
        return Tensor._node(out, (self,), lambda g: (g * (1 - out**2),), "tanh")

    def relu(self) -> Tensor:
        positive = self.data > 0  # derivative 0 at 0, as in torch
        return Tensor._node(self.data * positive, (self,), lambda g: (g * positive,), "relu")

    def sigmoid(self) -> Tensor:
        # 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) below: exp never overflows
        e = np.exp(-np.abs(self.data))
        out = np.where(self.data >= 0, 1 / (1 + e), e / (1 + e))
        return Tensor._node(out, (self,), lambda g: (g * out * (1 - out),), "sigmoid")

    def softplus(self) -> Tensor:
        """log(1 + e^x), written so that it neither overflows nor loses small values."""
        x = self.data
        out = np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
        slope = np.exp(-np.logaddexp(0, -x))  # the sigmoid, d softplus / dx
        return Tensor._node(out, (self,), lambda g: (g * slope,), "softplus")

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        shape = self.data.shape

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            return (np.broadcast_to(g, shape),)

        return Tensor._node(self.data.sum(axis=axis, keepdims=keepdims), (self,), backward, "sum")

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        total = self.sum(axis=axis, keepdims=keepdims)  # NumPy checks axis (int or tuple)
        count = self.data.size // max(total.data.size, 1)
        if count == 0:
            raise ValueError(f"mean over axis {axis} of an empty array, shape {self.data.shape}")
        return total * (1.0 / count)

    def backward(self, gradient: np.ndarray | None = None) -> None:
        """Fill in ``grad`` of every node of the graph.

        Parameters
        ----------
        gradient
            d(loss)/d(self), needed when ``self`` is not a single number; its shape is
            ``self.shape``. Omit it for a scalar loss (it is then 1).

        Gradients from an earlier call are overwritten, not accumulated.
        """
        if gradient is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward() without a gradient needs a single number, got shape "
                    f"{self.data.shape}: reduce it with .sum() or .mean(), or pass gradient"
                )
            gradient = np.ones_like(self.data)
        gradient = check_array(gradient, "gradient")
        if gradient.shape != self.data.shape:
            raise ValueError(f"gradient has shape {gradient.shape}, expected {self.data.shape}")
        order = _topological_order(self)
        for node in order:
            node.grad = np.zeros_like(node.data)
        self.grad = gradient.copy()
        for node in reversed(order):
            if node._backward is None:
                continue
            for parent, g in zip(node.parents, node._backward(node.grad)):
                parent.grad = parent.grad + _unbroadcast(g, parent.data.shape)


def _topological_order(output: Tensor) -> list[Tensor]:
    # iterative depth-first search, as in autodiff.topological_order
    order, visited, stack = [], set(), [(output, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif id(node) not in visited:
            visited.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(node.parents) if id(p) not in visited)
    return order


def _unbroadcast(gradient: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``gradient`` over the axes along which an input of ``shape`` was broadcast."""
    extra = gradient.ndim - len(shape)
    gradient = gradient.sum(axis=tuple(range(extra))) if extra else gradient
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and gradient.shape[i] != 1)
    return gradient.sum(axis=stretched, keepdims=True) if stretched else gradient


def _as_tensor(x: Tensor | float) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)
