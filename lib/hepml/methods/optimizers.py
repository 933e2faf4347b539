"""Gradient-descent optimisers on NumPy arrays, written as torch.optim writes them (chapter 8).

Each optimiser holds references to the parameter arrays and updates them in place from a list
of gradients, ``optimizer.step(grads)``, like its ``torch.optim`` twin; ``tests/methods``
checks every one against torch step for step. With g the gradient and t the step number:

- :class:`SGD`: ``theta -= lr * g``; with ``momentum`` mu a velocity buffer
  ``b = mu * b + g`` (``b = g`` on the first step) and ``theta -= lr * b``; with
  ``nesterov=True`` the step is ``lr * (g + mu * b)``, Nesterov's look-ahead rewritten so that
  no gradient is needed away from the current parameters (the parameters are then the
  look-ahead point of the textbook form, see chapter 8);
- :class:`Adagrad`: ``G += g**2``, ``theta -= lr * g / (sqrt(G) + eps)``;
- :class:`RMSprop`: ``s = alpha * s + (1 - alpha) * g**2``, ``theta -= lr * g / (sqrt(s) + eps)``;
- :class:`Adam`: ``m = b1 * m + (1 - b1) * g``, ``v = b2 * v + (1 - b2) * g**2``,
  ``theta -= lr * m_hat / (sqrt(v_hat) + eps)`` with ``m_hat = m / (1 - b1**t)`` and
  ``v_hat = v / (1 - b2**t)``; with ``amsgrad=True`` (AMSGrad) ``v_hat`` uses the running
  maximum of ``v``, bias-corrected as torch does (the paper does not correct it).

The defaults are torch's. :func:`descend` runs an optimiser on a function of a few variables
and records the path, for drawing trajectories on a loss surface.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from hepml.validation import check_array, check_callable, check_int, check_real


class Optimizer:
    """Base class: holds the parameters and checks the gradients of each step.

    Parameters
    ----------
    params
        The parameter arrays (float, writeable), updated in place by :meth:`step`.
    lr
        The learning rate.
    """

    def __init__(self, params: Sequence[np.ndarray], lr: float):
        if isinstance(params, np.ndarray):
            params = [params]
        self.params = list(params)
        for i, p in enumerate(self.params):
            if not (isinstance(p, np.ndarray) and p.dtype.kind == "f" and p.flags.writeable):
                raise TypeError(
                    f"params[{i}] must be a writeable float NumPy array (it is updated in "
                    f"place), got {type(p).__name__}"
                )
        if not self.params:
            raise ValueError("params is empty: there is nothing to optimise")
        self.lr = check_real(lr, "lr", minimum=0.0, strict_minimum=True)
        self.n_steps = 0

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """Update every parameter in place from its gradient (same order as ``params``)."""
        if isinstance(grads, np.ndarray) and len(self.params) == 1:
            grads = [grads]
        grads = list(grads)
        if len(grads) != len(self.params):
            raise ValueError(f"got {len(grads)} gradients for {len(self.params)} parameters")
        checked = []
        for i, (p, g) in enumerate(zip(self.params, grads)):
            g = check_array(g, f"grads[{i}]")
            if g.shape != p.shape:
                raise ValueError(f"grads[{i}] has shape {g.shape}, params[{i}] {p.shape}")
            checked.append(g)
        self.n_steps += 1
        for i, (p, g) in enumerate(zip(self.params, checked)):
            p -= self._update(i, g)

    def _update(self, i: int, g: np.ndarray) -> np.ndarray:
        """The amount subtracted from parameter ``i`` at this step."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum, as ``torch.optim.SGD``.

    Parameters
    ----------
    params, lr
        As for :class:`Optimizer`.
    momentum
        The momentum coefficient mu in [0, 1).
    nesterov
        Use Nesterov's momentum (needs ``momentum > 0``).
    """

    def __init__(
        self,
        params: Sequence[np.ndarray],
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
    ):
        super().__init__(params, lr)
        self.momentum = check_real(momentum, "momentum", minimum=0.0)
        if self.momentum >= 1:
            raise ValueError(f"momentum must lie in [0, 1), got {self.momentum}")
        if nesterov and self.momentum == 0:
            raise ValueError("nesterov=True needs a momentum > 0")
        self.nesterov = bool(nesterov)
        self._buffers: list[np.ndarray | None] = [None] * len(self.params)

    def _update(self, i: int, g: np.ndarray) -> np.ndarray:
        if self.momentum == 0:
            return self.lr * g
        previous = self._buffers[i]
        buffer = g.copy() if previous is None else self.momentum * previous + g
        self._buffers[i] = buffer
        return self.lr * (g + self.momentum * buffer if self.nesterov else buffer)


class Adagrad(Optimizer):
    """Adagrad, as ``torch.optim.Adagrad``: each coordinate's rate shrinks with its history."""

    def __init__(self, params: Sequence[np.ndarray], lr: float = 0.01, eps: float = 1e-10):
        super().__init__(params, lr)
        self.eps = check_real(eps, "eps", minimum=0.0)
        self._sums = [np.zeros_like(p) for p in self.params]

    def _update(self, i: int, g: np.ndarray) -> np.ndarray:
        self._sums[i] = self._sums[i] + g * g
        return self.lr * g / (np.sqrt(self._sums[i]) + self.eps)


class RMSprop(Optimizer):
    """RMSprop, as ``torch.optim.RMSprop``: Adagrad with a forgetting running mean of g**2."""

    def __init__(
        self,
        params: Sequence[np.ndarray],
        lr: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-8,
    ):
        super().__init__(params, lr)
        self.alpha = check_real(alpha, "alpha", minimum=0.0, maximum=1.0)
        self.eps = check_real(eps, "eps", minimum=0.0)
        self._squares = [np.zeros_like(p) for p in self.params]

    def _update(self, i: int, g: np.ndarray) -> np.ndarray:
        self._squares[i] = self.alpha * self._squares[i] + (1 - self.alpha) * g * g
        return self.lr * g / (np.sqrt(self._squares[i]) + self.eps)


class Adam(Optimizer):
    """Adam (and AMSGrad with ``amsgrad=True``), as ``torch.optim.Adam``.

    Parameters
    ----------
    params, lr
        As for :class:`Optimizer`.
    betas
        Decay rates (b1, b2) of the running means of g and g**2, each in [0, 1).
    eps
        Added to the square root in the denominator.
    amsgrad
        Divide by the running maximum of the second moment instead (AMSGrad).
    """

    def __init__(
        self,
        params: Sequence[np.ndarray],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        amsgrad: bool = False,
    ):
        super().__init__(params, lr)
        if not (isinstance(betas, tuple) and len(betas) == 2):
            raise TypeError(f"betas must be a tuple (beta1, beta2), got {betas!r}")
        self.betas = tuple(check_real(b, f"betas[{k}]", minimum=0.0) for k, b in enumerate(betas))
        if max(self.betas) >= 1:
            raise ValueError(f"betas must lie in [0, 1), got {betas!r}")
        self.eps = check_real(eps, "eps", minimum=0.0)
        self.amsgrad = bool(amsgrad)
        self._means = [np.zeros_like(p) for p in self.params]
        self._squares = [np.zeros_like(p) for p in self.params]
        self._max_squares = [np.zeros_like(p) for p in self.params]

    def _update(self, i: int, g: np.ndarray) -> np.ndarray:
        beta1, beta2 = self.betas
        t = self.n_steps
        self._means[i] = beta1 * self._means[i] + (1 - beta1) * g
        self._squares[i] = beta2 * self._squares[i] + (1 - beta2) * g * g
        second = self._squares[i]
        if self.amsgrad:
            self._max_squares[i] = np.maximum(self._max_squares[i], second)
            second = self._max_squares[i]
        m_hat = self._means[i] / (1 - beta1**t)
        v_hat_sqrt = np.sqrt(second) / np.sqrt(1 - beta2**t)
        return self.lr * m_hat / (v_hat_sqrt + self.eps)


@dataclass(frozen=True)
class DescentResult:
    """The path of an optimiser on a function, from :func:`descend`.

    Attributes
    ----------
    path : numpy.ndarray
        The points visited, shape ``(n_steps + 1, n_variables)``, the start first.
    loss_history : numpy.ndarray
        The function at each point of ``path``.
    n_steps : int
        Steps taken.
    converged : bool
        Whether the gradient's norm fell below the tolerance.
    diverged : bool
        Whether the function or the point became infinite or NaN (the descent then stops).
    """

    path: np.ndarray
    loss_history: np.ndarray
    n_steps: int
    converged: bool
    diverged: bool


def descend(
    function: Callable[[np.ndarray], float],
    gradient: Callable[[np.ndarray], np.ndarray],
    start: Sequence[float],
    make_optimizer: Callable[[list[np.ndarray]], Optimizer],
    n_steps: int,
    *,
    tolerance: float = 1e-8,
) -> DescentResult:
    """Minimise ``function`` from ``start`` with an optimiser, recording every point.

    Parameters
    ----------
    function, gradient
        The function of a point (a 1-d array) and its gradient.
    start
        The first point.
    make_optimizer
        Builds the optimiser from the parameter list, e.g.
        ``lambda params: Adam(params, lr=0.1)``.
    n_steps
        The largest number of steps.
    tolerance
        Stop when the gradient's norm falls below it.
    """
    check_callable(function, "function")
    check_callable(gradient, "gradient")
    check_callable(make_optimizer, "make_optimizer", "a function of the parameter list")
    n_steps = check_int(n_steps, "n_steps", minimum=0)
    tolerance = check_real(tolerance, "tolerance", minimum=0.0)
    point = check_array(start, "start", ndim=1, min_length=1).copy()
    optimizer = make_optimizer([point])
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"make_optimizer must return an Optimizer, got {type(optimizer).__name__}")
    path, losses = [point.copy()], [float(function(point))]
    converged = diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(n_steps):
            g = np.asarray(gradient(point), dtype=float)
            if not np.all(np.isfinite(g)):
                diverged = True
                break
            if np.linalg.norm(g) < tolerance:
                converged = True
                break
            optimizer.step([g])
            path.append(point.copy())
            losses.append(float(function(point)))
            if not (np.all(np.isfinite(point)) and np.isfinite(losses[-1])):
                diverged = True
                break
    return DescentResult(np.array(path), np.array(losses), len(path) - 1, converged, diverged)
