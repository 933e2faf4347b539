"""Toy classification problems with exact answers: Gaussian classes and logic gates (chapter 4).

- :func:`gaussian_classes`: two multivariate Gaussian classes, with the exact posterior;
- :func:`truth_table`: the AND, OR, NAND and XOR gates, the perceptron's test problems.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from hepml.reproducibility import as_generator
from hepml.simulate.sample import Sample
from hepml.validation import check_array, check_int, check_real


@dataclass(frozen=True)
class GaussianClassSample(Sample):
    """Two classes of events (``y``: 1 signal, 0 background), each a multivariate Gaussian.

    Because the class densities and the prior are known, the exact posterior
    ``P(signal | x)`` (the best any classifier can do) is available for comparison.

    Attributes
    ----------
    signal_mean, background_mean
        Class means, shape ``(d,)``.
    signal_covariance, background_covariance
        Class covariance matrices, shape ``(d, d)``.
    signal_fraction
        Prior probability ``P(signal)``.
    """

    signal_mean: np.ndarray
    background_mean: np.ndarray
    signal_covariance: np.ndarray
    background_covariance: np.ndarray
    signal_fraction: float

    def densities(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The class densities ``(p(x | signal), p(x | background))`` at each row of ``X``."""
        signal, background = self._distributions()
        X = self._check_X(X)
        return signal.pdf(X).reshape(-1), background.pdf(X).reshape(-1)

    def log_likelihood_ratio(self, X: np.ndarray) -> np.ndarray:
        """Exact ``log p(x | signal) - log p(x | background)`` at each row of ``X``."""
        signal, background = self._distributions()
        X = self._check_X(X)
        return (signal.logpdf(X) - background.logpdf(X)).reshape(-1)

    def posterior(self, X: np.ndarray) -> np.ndarray:
        """Exact ``P(signal | x)`` from Bayes' theorem with the densities and the prior."""
        p_signal, p_background = self.densities(X)
        numerator = self.signal_fraction * p_signal
        return numerator / (numerator + (1 - self.signal_fraction) * p_background)

    def _distributions(self):
        return (
            stats.multivariate_normal(self.signal_mean, self.signal_covariance),
            stats.multivariate_normal(self.background_mean, self.background_covariance),
        )

    def _check_X(self, X: np.ndarray) -> np.ndarray:
        return check_array(X, "X", ndim=2, columns=len(self.signal_mean))


def gaussian_classes(
    n: int,
    signal_mean=(1.0, 0.5),
    background_mean=(-0.5, -0.5),
    covariance=((1.0, 0.3), (0.3, 1.0)),
    background_covariance=None,
    signal_fraction: float = 0.5,
    seed: int | np.random.Generator = 0,
) -> GaussianClassSample:
    """Simulate signal and background events from two multivariate Gaussians.

    With one shared covariance matrix the log-likelihood ratio is linear in ``x``, so logistic
    regression is exactly the right model; with different covariances it is quadratic.

    Parameters
    ----------
    n
        Number of events, >= 1.
    signal_mean, background_mean
        Class means, sequences of the same length ``d`` (default: two features).
    covariance
        Covariance matrix of the signal class, ``(d, d)``, symmetric positive definite.
    background_covariance
        Covariance matrix of the background class; ``None`` (default) means the same as
        ``covariance``.
    signal_fraction
        Probability that an event is signal, in (0, 1).
    seed
        Integer seed or NumPy generator.
    """
    n = check_int(n, "n", minimum=1)
    signal_mean = check_array(signal_mean, "signal_mean", ndim=1, min_length=1)
    background_mean = check_array(background_mean, "background_mean", ndim=1, min_length=1)
    if background_mean.shape != signal_mean.shape:
        raise ValueError(
            f"background_mean must have shape {signal_mean.shape}, got {background_mean.shape}"
        )
    dimension = len(signal_mean)
    signal_covariance = _check_covariance(covariance, "covariance", dimension)
    if background_covariance is None:
        background_covariance = signal_covariance
    else:
        background_covariance = _check_covariance(
            background_covariance, "background_covariance", dimension
        )
    signal_fraction = check_real(
        signal_fraction, "signal_fraction", minimum=0.0, maximum=1.0, strict_minimum=True
    )
    if signal_fraction >= 1.0:
        raise ValueError(f"signal_fraction must be < 1, got {signal_fraction}")
    rng = as_generator(seed)
    y = (rng.random(n) < signal_fraction).astype(int)
    signal = rng.multivariate_normal(signal_mean, signal_covariance, size=n)
    background = rng.multivariate_normal(background_mean, background_covariance, size=n)
    X = np.where(y[:, None] == 1, signal, background)
    return GaussianClassSample(
        X,
        y,
        tuple(f"x{i + 1}" for i in range(dimension)),
        signal_mean,
        background_mean,
        signal_covariance,
        background_covariance,
        signal_fraction,
    )


def _check_covariance(matrix: object, name: str, dimension: int) -> np.ndarray:
    matrix = check_array(matrix, name, ndim=2)
    if matrix.shape != (dimension, dimension):
        raise ValueError(f"{name} must have shape ({dimension}, {dimension}), got {matrix.shape}")
    if not np.allclose(matrix, matrix.T) or np.any(np.linalg.eigvalsh(matrix) <= 0):
        raise ValueError(f"{name} must be symmetric positive definite")
    return matrix


#: Output column of each two-input logic gate for :func:`truth_table`.
_GATES = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
    "xor": (0, 1, 1, 0),
}


def truth_table(gate: str) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and output of a two-input logic gate, the classic perceptron test problems.

    Parameters
    ----------
    gate
        ``"and"``, ``"or"``, ``"nand"`` or ``"xor"``.

    Returns
    -------
    tuple
        ``(X, y)``: inputs of shape ``(4, 2)`` in the order (0, 0), (0, 1), (1, 0), (1, 1) as
        floats, outputs of shape ``(4,)`` as integers 0/1.
    """
    if not isinstance(gate, str):
        raise TypeError(f"gate must be a string, got {type(gate).__name__}")
    if gate.lower() not in _GATES:
        raise ValueError(f"gate must be one of {', '.join(_GATES)}; got {gate!r}")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    return X, np.array(_GATES[gate.lower()], dtype=int)
