"""A scalar reverse-mode automatic-differentiation engine (chapter 8).

Every arithmetic operation on :class:`Value` objects creates a new node that remembers its
inputs (its *parents*) and the local derivative of its output with respect to each of them.
:meth:`Value.backward` then applies the chain rule from the output back to the inputs, in
reverse topological order, so each node's gradient is complete before it is passed on:

    grad(parent) += d(node)/d(parent) * grad(node).

This is Karpathy's micrograd in spirit, with two changes for teaching: the local derivatives
are stored as numbers (so the graph can be listed and drawn, :func:`trace`, :func:`draw_graph`)
and the topological sort is iterative, so graphs thousands of nodes deep do not hit Python's
recursion limit. :func:`vjp` computes a vector-Jacobian product with one backward pass.

Usage::

    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    d = (a * b).log()
    d.backward()
    a.grad, b.grad  # 1/a, 1/b
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from hepml.validation import check_array, check_callable, check_real


class Value:
    """A scalar in a computational graph, with the gradient of the graph's output.

    Parameters
    ----------
    data
        The number (a finite real).
    label
        A name shown when the graph is drawn.

    Attributes
    ----------
    data : float
        The value computed in the forward pass.
    grad : float
        d(output)/d(this node), filled in by :meth:`backward` of the output.
    parents : tuple of Value
        The nodes this one was computed from (empty for an input).
    local_grads : tuple of float
        d(this node)/d(parent) for each parent, in the same order.
    op : str
        The operation that made this node ("" for an input).
    """

    __slots__ = ("data", "grad", "parents", "local_grads", "op", "label")

    def __init__(self, data: float, label: str = ""):
        self.data = check_real(data, "data")
        if not isinstance(label, str):
            raise TypeError(f"label must be a string, got {type(label).__name__}")
        self.grad = 0.0
        self.parents: tuple[Value, ...] = ()
        self.local_grads: tuple[float, ...] = ()
        self.op = ""
        self.label = label

    @classmethod
    def _node(cls, data: float, parents: tuple, local_grads: tuple, op: str) -> Value:
        # Results of operations skip the argument check of __init__ (their inputs passed it).
        node = cls.__new__(cls)
        node.data, node.grad, node.op, node.label = data, 0.0, op, ""
        node.parents, node.local_grads = parents, local_grads
        return node

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    # binary operations: d(x + y) = dx + dy, d(x y) = y dx + x dy
    def __add__(self, other: Value | float) -> Value:
        other = _as_value(other)
        return Value._node(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other: Value | float) -> Value:
        other = _as_value(other)
        return Value._node(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __pow__(self, exponent: float) -> Value:
        if isinstance(exponent, Value) or not isinstance(exponent, numbers.Real):
            raise TypeError(
                f"the exponent must be a constant number, got {type(exponent).__name__}: "
                "write exp(y * log(x)) for a variable exponent"
            )
        exponent = check_real(exponent, "exponent")
        out, local = _power(self.data, exponent)
        return Value._node(out, (self,), (local,), f"**{exponent:g}")

    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: Value | float) -> Value:
        return self + (-_as_value(other))

    def __truediv__(self, other: Value | float) -> Value:
        return self * _as_value(other) ** -1

    def __radd__(self, other: float) -> Value:
        return self + other

    def __rmul__(self, other: float) -> Value:
        return self * other

    def __rsub__(self, other: float) -> Value:
        return _as_value(other) - self

    def __rtruediv__(self, other: float) -> Value:
        return _as_value(other) / self

    # functions of one argument, each with its derivative
    def exp(self) -> Value:
        out = _exp(self.data)
        return Value._node(out, (self,), (out,), "exp")

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(f"log is defined for positive numbers only, got {self.data:g}")
        return Value._node(math.log(self.data), (self,), (1.0 / self.data,), "log")

    def tanh(self) -> Value:
        out = math.tanh(self.data)
        return Value._node(out, (self,), (1.0 - out * out,), "tanh")

    def relu(self) -> Value:
        # the derivative at 0 is taken as 0, as in torch
        positive = self.data > 0
        return Value._node(self.data if positive else 0.0, (self,), (float(positive),), "relu")

    def sigmoid(self) -> Value:
        out = _sigmoid(self.data)
        return Value._node(out, (self,), (out * (1.0 - out),), "sigmoid")

    def backward(self) -> None:
        """Fill in ``grad`` of every node of the graph with d(self)/d(node).

        Gradients from an earlier call are overwritten, not accumulated.
        """
        order = topological_order(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):  # every user of a node comes before it here
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += local * node.grad


def topological_order(output: Value) -> list[Value]:
    """The nodes of ``output``'s graph, each after all the nodes it was computed from.

    Depth-first search with an explicit stack (no recursion); every node appears once, even if
    it is used several times.
    """
    if not isinstance(output, Value):
        raise TypeError(f"output must be a Value, got {type(output).__name__}")
    order: list[Value] = []
    visited: set[int] = set()
    stack: list[tuple[Value, bool]] = [(output, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))  # revisited once all its parents are in the order
        # reversed, so that the first parent is taken from the stack (and listed) first
        stack.extend((p, False) for p in reversed(node.parents) if id(p) not in visited)
    return order


def trace(output: Value) -> tuple[list[Value], list[tuple[Value, Value]]]:
    """List the computational graph that produced ``output``.

    Returns
    -------
    nodes
        Every node, inputs first and ``output`` last (topological order).
    edges
        ``(parent, child)`` pairs: ``child`` was computed from ``parent``.
    """
    nodes = topological_order(output)
    edges = [(parent, node) for node in nodes for parent in node.parents]
    return nodes, edges


def draw_graph(output: Value, ax=None, *, digits: int = 3):
    """Draw the computational graph of ``output`` with matplotlib, inputs on the left.

    Each node shows its label or operation, its value and its gradient (call
    ``output.backward()`` first to see the gradients). Nodes sit in columns by their distance
    from the inputs.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    nodes, edges = trace(output)
    depth: dict[int, int] = {}
    for node in nodes:  # parents come first, so their depth is known
        depth[id(node)] = 1 + max((depth[id(p)] for p in node.parents), default=-1)
    columns: dict[int, list[Value]] = {}
    for node in nodes:
        columns.setdefault(depth[id(node)], []).append(node)
    position = {}
    for column, members in columns.items():
        for row, node in enumerate(members):
            position[id(node)] = (column, (len(members) - 1) / 2 - row)
    if ax is None:
        _, ax = plt.subplots()
    for parent, child in edges:
        ax.annotate(
            "",
            xy=position[id(child)],
            xytext=position[id(parent)],
            arrowprops={"arrowstyle": "->", "shrinkA": 28, "shrinkB": 28, "color": "0.4"},
        )
    for node in nodes:
        name = node.label or node.op
        text = f"{name}\n{node.data:.{digits}g}\ngrad {node.grad:.{digits}g}"
        ax.text(
            *position[id(node)],
            text,
            ha="center",
            va="center",
            bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "0.3"},
        )
    ax.set_xlim(-0.5, max(columns) + 0.5)
    rows = max(len(members) for members in columns.values())
    ax.set_ylim(-rows / 2 - 0.2, rows / 2 + 0.2)
    ax.set_axis_off()
    return ax


def vjp(
    function: Callable[[list[Value]], Sequence[Value]],
    point: Sequence[float],
    cotangent: Sequence[float],
) -> tuple[np.ndarray, np.ndarray]:
    """Vector-Jacobian product u^T J of ``function`` at ``point``, in one backward pass.

    Parameters
    ----------
    function
        Takes a list of n :class:`Value` inputs and returns a sequence of m :class:`Value`
        outputs.
    point
        The n input values.
    cotangent
        The vector u of length m.

    Returns
    -------
    outputs, product
        The m outputs and the n components of u^T J = grad of sum_i u_i f_i.
    """
    check_callable(function, "function")
    point = check_array(point, "point", min_length=1).ravel()
    cotangent = check_array(cotangent, "cotangent", min_length=1).ravel()
    inputs = [Value(x) for x in point]
    outputs = function(inputs)
    if isinstance(outputs, Value) or not isinstance(outputs, Iterable):
        raise TypeError(
            f"function must return a sequence of Values (a list), got "
            f"{type(outputs).__name__}: wrap a single output as [output]"
        )
    outputs = list(outputs)
    if len(outputs) != len(cotangent) or not all(isinstance(o, Value) for o in outputs):
        raise ValueError(
            f"function must return {len(cotangent)} Values (the length of cotangent), "
            f"got {len(outputs)} outputs"
        )
    # d(sum_i u_i f_i)/dx_j = sum_i u_i J_ij: one backward pass from a weighted sum
    total = sum((u * f for u, f in zip(cotangent, outputs)), Value(0.0))
    total.backward()
    return np.array([o.data for o in outputs]), np.array([x.grad for x in inputs])


def _power(x: float, exponent: float) -> tuple[float, float]:
    """``x ** exponent`` and its derivative, with torch's results where they are finite or inf.

    ``x ** 0`` is 1 with slope 0 (also at ``x = 0``); a result too large for a float is
    ``inf`` (IEEE, as in torch) instead of Python's ``OverflowError``. A negative base with a
    fractional exponent (no real result) and a slope that is infinite at ``x = 0`` (exponent
    below 1) raise a :class:`ValueError`.
    """
    if exponent == 0:
        return 1.0, 0.0
    if x < 0 and not exponent.is_integer():
        raise ValueError(f"{x:g} ** {exponent:g} is not real")
    if x == 0 and exponent < 1:
        raise ValueError(f"the derivative of x ** {exponent:g} at x = 0 is not finite")
    return _float_power(x, exponent), exponent * _float_power(x, exponent - 1)


def _float_power(x: float, exponent: float) -> float:
    # Python raises OverflowError where IEEE arithmetic (NumPy, torch) gives +-inf
    try:
        return x**exponent
    except OverflowError:
        odd = exponent.is_integer() and exponent % 2 == 1
        return -math.inf if x < 0 and odd else math.inf


def _exp(x: float) -> float:
    # e^x overflows to inf above about 709.78, as in torch, instead of raising OverflowError
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _as_value(x: Value | float) -> Value:
    return x if isinstance(x, Value) else Value(x)


def _sigmoid(z: float) -> float:
    # written so that exp never overflows
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)
