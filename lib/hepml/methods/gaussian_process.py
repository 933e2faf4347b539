"""Gaussian-process regression written out with a Cholesky factor, for teaching (chapter 6).

A Gaussian process puts a prior on functions: any finite set of values ``f(x_1), ..., f(x_n)``
is jointly Gaussian with mean 0 and covariance ``K[i, j] = k(x_i, x_j)``. Observing
``y = f(x) + noise`` (Gaussian, standard deviation ``noise``) at training points, the values at
test points are again Gaussian, with

``mean = K_*^T (K + noise^2 I)^-1 y``  and  ``cov = K_** - K_*^T (K + noise^2 I)^-1 K_*``,

where ``K_* = k(X_train, X_test)`` and ``K_** = k(X_test, X_test)``. With the Cholesky factor
``K + noise^2 I = L L^T`` both need only triangular solves, and the log marginal likelihood is

``log p(y) = -y^T (K + noise^2 I)^-1 y / 2 - sum_i log L_ii - n log(2 pi) / 2``.

- :func:`gp_posterior` and :func:`log_marginal_likelihood` take any covariance function
  ``kernel(X, Y)``; :class:`RBFCovariance` is the squared-exponential one,
  ``amplitude^2 exp(-|x - x'|^2 / (2 length_scale^2))``;
- :func:`fit_gp_hyperparameters` maximises the log marginal likelihood over the amplitude and
  length scale of an :class:`RBFCovariance` (on their logarithms, with the analytic gradient).

The tests hold all three against ``sklearn.gaussian_process.GaussianProcessRegressor`` with the
kernel ``ConstantKernel(amplitude**2) * RBF(length_scale)`` and ``alpha=noise**2``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import linalg, optimize

from hepml.methods.kernels import _squared_distances, rbf_kernel
from hepml.validation import check_array, check_callable, check_real, check_xy

Kernel = Callable[[np.ndarray, np.ndarray], np.ndarray]

#: Bounds of the amplitude and length scale in :func:`fit_gp_hyperparameters`, as wide as
#: scikit-learn's defaults (1e-5 to 1e5 for the constant, ``amplitude**2``, and the length).
HYPERPARAMETER_BOUNDS = ((np.sqrt(1e-5), np.sqrt(1e5)), (1e-5, 1e5))


@dataclass(frozen=True)
class RBFCovariance:
    """The squared-exponential covariance ``amplitude^2 exp(-|x - x'|^2 / (2 length_scale^2))``.

    ``amplitude`` is the prior standard deviation of ``f`` at any point; ``length_scale`` is
    the distance over which ``f`` changes appreciably. As an RBF kernel,
    ``gamma = 1 / (2 length_scale^2)``; in scikit-learn it is
    ``ConstantKernel(amplitude**2) * RBF(length_scale)``.
    """

    amplitude: float
    length_scale: float

    def __post_init__(self) -> None:
        check_real(self.amplitude, "amplitude", minimum=0.0, strict_minimum=True)
        check_real(self.length_scale, "length_scale", minimum=0.0, strict_minimum=True)

    def __call__(self, X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
        """The covariance matrix ``k(X[i], Y[j])``, shape ``(len(X), len(Y))``."""
        gamma = 1.0 / (2.0 * self.length_scale**2)
        return self.amplitude**2 * rbf_kernel(X, Y, gamma=gamma)


@dataclass(frozen=True)
class GPPosteriorResult:
    """Result of :func:`gp_posterior`: the Gaussian posterior of ``f`` at the test points.

    Attributes
    ----------
    mean
        Posterior mean of ``f``, shape ``(m,)``.
    covariance
        Posterior covariance of ``f`` (without the observation noise), shape ``(m, m)``.
    """

    mean: np.ndarray
    covariance: np.ndarray

    @property
    def std(self) -> np.ndarray:
        """Posterior standard deviation of ``f`` at each test point, shape ``(m,)``."""
        return np.sqrt(np.clip(np.diag(self.covariance), 0.0, None))


def gp_posterior(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    kernel: Kernel,
    noise: float | np.ndarray,
) -> GPPosteriorResult:
    """Posterior mean and covariance of a zero-mean Gaussian process at ``X_test``.

    Parameters
    ----------
    X_train, y_train
        Training inputs, shape ``(n, d)``, and noisy observations of ``f``, shape ``(n,)``.
    X_test
        Points where the posterior is wanted, shape ``(m, d)``.
    kernel
        Covariance function: ``kernel(A, B)`` returns the matrix ``k(A[i], B[j])``, e.g. an
        :class:`RBFCovariance`.
    noise
        Standard deviation of the observation noise, >= 0: one number, or one per training
        point (e.g. ``sqrt(counts)`` of a histogram). scikit-learn's ``alpha`` is ``noise**2``.

    Returns
    -------
    GPPosteriorResult
        ``mean``, ``covariance`` and ``std`` of ``f(X_test)``. The band for a new noisy
        observation is wider: add ``noise**2`` to the variance.
    """
    X_train, y_train, noise = _check_gp_data(X_train, y_train, noise, ("X_train", "y_train"))
    kernel = _check_kernel(kernel)
    X_test = check_array(X_test, "X_test", ndim=2, columns=X_train.shape[1], min_length=1)
    factor = _cholesky(_kernel_matrix(kernel, X_train, X_train, "X_train"), noise)
    cross = _kernel_matrix(kernel, X_train, X_test, "X_train and X_test")
    weights = linalg.cho_solve((factor, True), y_train)
    v = linalg.solve_triangular(factor, cross, lower=True)
    covariance = _kernel_matrix(kernel, X_test, X_test, "X_test") - v.T @ v
    return GPPosteriorResult(cross.T @ weights, covariance)


def log_marginal_likelihood(
    X: np.ndarray, y: np.ndarray, kernel: Kernel, noise: float | np.ndarray
) -> float:
    """Log of the evidence ``p(y | X)`` of a zero-mean Gaussian process (natural log).

    Parameters
    ----------
    X, y
        Inputs, shape ``(n, d)``, and noisy observations, shape ``(n,)``.
    kernel
        Covariance function ``kernel(A, B)``, as in :func:`gp_posterior`.
    noise
        Standard deviation of the observation noise, one number or one per point, >= 0.
    """
    X, y, noise = _check_gp_data(X, y, noise)
    kernel = _check_kernel(kernel)
    factor = _cholesky(_kernel_matrix(kernel, X, X, "X"), noise)
    return _log_marginal_likelihood(factor, y)


@dataclass(frozen=True)
class GPHyperparameterResult:
    """Result of :func:`fit_gp_hyperparameters`.

    Attributes
    ----------
    kernel
        The :class:`RBFCovariance` with the fitted amplitude and length scale.
    log_marginal_likelihood
        Its log marginal likelihood, the maximum found.
    loss_history
        The negative log marginal likelihood at each iteration of the optimiser.
    n_steps
        Number of optimiser iterations.
    converged
        True if the optimiser reported success.
    """

    kernel: RBFCovariance
    log_marginal_likelihood: float
    loss_history: np.ndarray
    n_steps: int
    converged: bool


def fit_gp_hyperparameters(
    X: np.ndarray,
    y: np.ndarray,
    noise: float | np.ndarray,
    *,
    amplitude: float = 1.0,
    length_scale: float = 1.0,
) -> GPHyperparameterResult:
    """Amplitude and length scale of an :class:`RBFCovariance` maximising the evidence.

    L-BFGS-B on ``(log amplitude, log length_scale)`` with the analytic gradient
    ``d log p / d theta = tr((a a^T - K^-1) dK / d theta) / 2``, ``a = K^-1 y`` (here ``K``
    includes the noise), within :data:`HYPERPARAMETER_BOUNDS`. The evidence can have several
    maxima (a short length scale that fits the noise, a long one that smooths it): start
    from sensible values, or try several.

    Parameters
    ----------
    X, y
        Inputs, shape ``(n, d)``, and noisy observations, shape ``(n,)``.
    noise
        Standard deviation of the observation noise (known, not fitted), one number or one per
        point, >= 0.
    amplitude, length_scale
        Starting values, > 0.
    """
    X, y, noise = _check_gp_data(X, y, noise)
    start = RBFCovariance(amplitude, length_scale)
    distances = _squared_distances(X, X)
    losses: list[float] = []

    def negative_evidence(log_parameters: np.ndarray) -> tuple[float, np.ndarray]:
        amplitude, length_scale = np.exp(log_parameters)
        shape = np.exp(-distances / (2.0 * length_scale**2))
        factor = _cholesky(amplitude**2 * shape, noise)
        inverse = linalg.cho_solve((factor, True), np.eye(len(y)))
        a = inverse @ y
        outer = np.outer(a, a) - inverse
        # dK/dlog(amplitude) = 2 K_f; dK/dlog(length) = K_f |x - x'|^2 / length^2.
        kernel_matrix = amplitude**2 * shape
        gradient = 0.5 * np.array(
            [
                np.sum(outer * 2.0 * kernel_matrix),
                np.sum(outer * kernel_matrix * distances / length_scale**2),
            ]
        )
        return -_log_marginal_likelihood(factor, y), -gradient

    solution = optimize.minimize(
        negative_evidence,
        np.log([start.amplitude, start.length_scale]),
        jac=True,
        method="L-BFGS-B",
        bounds=np.log(HYPERPARAMETER_BOUNDS),
        callback=lambda intermediate_result: losses.append(float(intermediate_result.fun)),
    )
    fitted = RBFCovariance(*(float(value) for value in np.exp(solution.x)))
    return GPHyperparameterResult(
        fitted, float(-solution.fun), np.array(losses), int(solution.nit), bool(solution.success)
    )


def _check_gp_data(
    X: object, y: object, noise: object, names: tuple[str, str] = ("X", "y")
) -> tuple[np.ndarray, np.ndarray, float | np.ndarray]:
    X, y = check_xy(X, y, names=names)
    if np.ndim(noise) == 0:
        noise = check_real(noise, "noise", minimum=0.0)
    else:
        noise = check_array(noise, "noise", ndim=1)
        if len(noise) != len(y) or np.any(noise < 0):
            raise ValueError(f"noise must hold one standard deviation >= 0 per point ({len(y)})")
    return X, y, noise


def _check_kernel(kernel: object) -> Kernel:
    return check_callable(kernel, "kernel", "a covariance function kernel(A, B)")


def _kernel_matrix(kernel: Kernel, A: np.ndarray, B: np.ndarray, what: str) -> np.ndarray:
    matrix = check_array(kernel(A, B), f"kernel({what})", ndim=2)
    if matrix.shape != (len(A), len(B)):
        raise ValueError(f"kernel({what}) must have shape {(len(A), len(B))}, got {matrix.shape}")
    return matrix


def _cholesky(kernel_matrix: np.ndarray, noise: float | np.ndarray) -> np.ndarray:
    try:
        return linalg.cholesky(
            kernel_matrix + np.diag(np.broadcast_to(noise**2, len(kernel_matrix))), lower=True
        )
    except linalg.LinAlgError as error:
        raise ValueError(
            "the kernel matrix plus noise**2 is not positive definite: add noise, or check "
            "that the kernel is a valid covariance function"
        ) from error


def _log_marginal_likelihood(factor: np.ndarray, y: np.ndarray) -> float:
    a = linalg.cho_solve((factor, True), y)
    return float(
        -0.5 * y @ a - np.sum(np.log(np.diag(factor))) - 0.5 * len(y) * np.log(2.0 * np.pi)
    )
