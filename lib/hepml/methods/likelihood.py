"""Information, divergences and maximum-likelihood fits.

- :func:`self_information`, :func:`entropy` and :func:`kl_divergence` for discrete distributions,
  and :func:`gaussian_entropy` and :func:`gaussian_kl` in closed form for normal densities;
- :func:`minimize_nll` minimises a negative log-likelihood and estimates the parameters'
  covariance from its curvature (:func:`nll_hessian`), returning a :class:`LikelihoodFitResult`;
- :func:`pulls` and :func:`pull_summary` check such uncertainties over many pseudo-experiments.

All logarithms are natural, so information is measured in nats.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from hepml.validation import check_array, check_real


def self_information(probability: np.ndarray | float) -> np.ndarray:
    """Self-information ``-ln p`` in nats of outcomes with probability ``probability``.

    Parameters
    ----------
    probability
        Probabilities in [0, 1]; an impossible outcome (p = 0) carries infinite information.
    """
    p = check_array(probability, "probability")
    if np.any((p < 0) | (p > 1)):
        raise ValueError("probability must lie in [0, 1]")
    with np.errstate(divide="ignore"):
        return -np.log(p)


def entropy(p: np.ndarray) -> float:
    """Shannon entropy ``H(p) = -sum_k p_k ln p_k`` in nats of a discrete distribution.

    Parameters
    ----------
    p
        Non-negative weights of the outcomes, 1-dimensional; they are normalised to sum to one.
        Outcomes with zero probability contribute nothing (``0 ln 0 = 0``).
    """
    p = _check_distribution(p, "p")
    nonzero = p > 0
    return float(-np.sum(p[nonzero] * np.log(p[nonzero])))


def kl_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """Kullback-Leibler divergence ``D(p || q) = sum_k p_k ln(p_k / q_k)`` in nats.

    Parameters
    ----------
    p, q
        Non-negative weights over the same outcomes, 1-dimensional and of equal length; each is
        normalised to sum to one. Terms with ``p_k = 0`` contribute nothing; an outcome with
        ``p_k > 0`` but ``q_k = 0`` makes the divergence infinite.

    Returns
    -------
    float
        ``D(p || q) >= 0``, zero only if ``p == q``. In general ``D(p || q) != D(q || p)``.
    """
    p = _check_distribution(p, "p")
    q = _check_distribution(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same length, got {p.shape[0]} and {q.shape[0]}")
    support = p > 0
    if np.any(q[support] == 0):
        return float("inf")
    return float(np.sum(p[support] * np.log(p[support] / q[support])))


def gaussian_entropy(sigma: float) -> float:
    """Differential entropy ``ln(sigma sqrt(2 pi e))`` in nats of a normal density.

    Parameters
    ----------
    sigma
        Standard deviation, > 0.
    """
    sigma = check_real(sigma, "sigma", minimum=0.0, strict_minimum=True)
    # ln sigma rather than ln(sigma^2) / 2: sigma^2 overflows above 1e154 and underflows below
    # 1e-162, ln sigma is finite for every positive float
    return float(0.5 * np.log(2 * np.pi * np.e) + np.log(sigma))


def gaussian_kl(mu_p: float, sigma_p: float, mu_q: float, sigma_q: float) -> float:
    """Closed-form ``D(p || q)`` in nats between two normal densities.

    The densities are ``p = N(mu_p, sigma_p^2)`` and ``q = N(mu_q, sigma_q^2)``.

    .. math::
        D(p \\,\\|\\, q) = \\ln\\frac{\\sigma_q}{\\sigma_p}
        + \\frac{\\sigma_p^2 + (\\mu_p - \\mu_q)^2}{2\\sigma_q^2} - \\frac{1}{2}

    Parameters
    ----------
    mu_p, sigma_p, mu_q, sigma_q
        Means and standard deviations (> 0) of the two densities.
    """
    mu_p = check_real(mu_p, "mu_p")
    mu_q = check_real(mu_q, "mu_q")
    sigma_p = check_real(sigma_p, "sigma_p", minimum=0.0, strict_minimum=True)
    sigma_q = check_real(sigma_q, "sigma_q", minimum=0.0, strict_minimum=True)
    # ratios rather than squares, so that widths of 1e200 or 1e-200 neither overflow nor vanish
    ratio, shift = sigma_p / sigma_q, (mu_p - mu_q) / sigma_q
    return float(np.log(sigma_q) - np.log(sigma_p) + (ratio**2 + shift**2) / 2 - 0.5)


@dataclass(frozen=True)
class LikelihoodFitResult:
    """The outcome of :func:`minimize_nll`.

    Attributes
    ----------
    values
        Parameter values at the minimum of the negative log-likelihood.
    errors
        Standard errors, the square roots of the diagonal of ``covariance``.
    covariance
        Inverse of the Hessian of the negative log-likelihood at the minimum.
    nll
        The minimum value of the negative log-likelihood.
    names
        Parameter names.
    converged
        True if the minimiser converged and the Hessian is positive definite.
    """

    values: np.ndarray
    errors: np.ndarray
    covariance: np.ndarray
    nll: float
    names: tuple[str, ...]
    converged: bool

    def value(self, name: str) -> float:
        """Fitted value of the parameter called ``name``."""
        return float(self.values[self._index(name)])

    def error(self, name: str) -> float:
        """Standard error of the parameter called ``name``."""
        return float(self.errors[self._index(name)])

    def correlation(self) -> np.ndarray:
        """Correlation matrix of the parameters."""
        return self.covariance / np.outer(self.errors, self.errors)

    def summary(self, digits: int = 4) -> str:
        """One line per parameter: ``name = value +- error``.

        The value is shown to ``digits`` significant digits, the error to 2.
        """
        width = max(len(name) for name in self.names)
        return "\n".join(
            f"{name:<{width}} = {value:.{digits}g} +- {error:#.2g}"
            for name, value, error in zip(self.names, self.values, self.errors)
        )

    def _index(self, name: str) -> int:
        if name not in self.names:
            raise KeyError(
                f"no parameter called {name!r}; the parameters are {', '.join(self.names)}"
            )
        return self.names.index(name)


def nll_hessian(
    nll: Callable[[np.ndarray], float], x: np.ndarray, step: np.ndarray | float | None = None
) -> np.ndarray:
    """Hessian matrix of ``nll`` at ``x`` by central finite differences.

    Parameters
    ----------
    nll
        Function of a 1-dimensional parameter array returning a float.
    x
        Point at which to evaluate the second derivatives.
    step
        Finite-difference step per parameter (or one for all). The default,
        ``1e-4 * max(|x_i|, 1)``, suits parameters whose uncertainties are well above that scale.

    Returns
    -------
    numpy.ndarray
        Symmetric matrix of shape ``(len(x), len(x))``.
    """
    x = check_array(x, "x", ndim=1, min_length=1)
    n = len(x)
    if step is None:
        steps = 1e-4 * np.maximum(np.abs(x), 1.0)
    else:
        steps = np.broadcast_to(check_array(step, "step"), (n,)).astype(float)
        if np.any(steps <= 0):
            raise ValueError("step must be > 0")
    f0 = float(nll(x))
    hessian = np.empty((n, n))
    shifts = np.diag(steps)
    for i in range(n):
        f_plus, f_minus = float(nll(x + shifts[i])), float(nll(x - shifts[i]))
        hessian[i, i] = (f_plus - 2 * f0 + f_minus) / steps[i] ** 2
        for j in range(i):
            f_pp = float(nll(x + shifts[i] + shifts[j]))
            f_pm = float(nll(x + shifts[i] - shifts[j]))
            f_mp = float(nll(x - shifts[i] + shifts[j]))
            f_mm = float(nll(x - shifts[i] - shifts[j]))
            hessian[i, j] = hessian[j, i] = (f_pp - f_pm - f_mp + f_mm) / (4 * steps[i] * steps[j])
    return hessian


def minimize_nll(
    nll: Callable[[np.ndarray], float],
    x0: Sequence[float] | np.ndarray,
    *,
    names: Sequence[str] | None = None,
    bounds: Sequence[tuple[float | None, float | None]] | None = None,
    step: np.ndarray | float | None = None,
) -> LikelihoodFitResult:
    """Maximum-likelihood fit: minimise ``nll`` and take uncertainties from its curvature.

    Near its minimum a negative log-likelihood is approximately quadratic,
    ``NLL(theta) ~ NLL(theta_hat) + (theta - theta_hat)^T H (theta - theta_hat) / 2``, and the
    covariance of the estimate is approximately ``H^{-1}`` (one standard error is where the NLL
    has risen by 1/2).

    Parameters
    ----------
    nll
        Negative log-likelihood, a function of a 1-dimensional parameter array.
    x0
        Starting values.
    names
        Parameter names (default ``p0, p1, ...``).
    bounds
        Optional ``(min, max)`` per parameter (``None`` for no bound); then SLSQP is used,
        otherwise BFGS (both from :func:`scipy.optimize.minimize`). Keep the minimum away from
        the bounds, where the curvature says nothing about the uncertainty.
    step
        Finite-difference step for the Hessian, see :func:`nll_hessian`.

    Returns
    -------
    LikelihoodFitResult
        Values, errors, covariance and the minimum NLL.
    """
    if not callable(nll):
        raise TypeError(f"nll must be a function of the parameter array, got {type(nll).__name__}")
    x0 = check_array(x0, "x0", ndim=1, min_length=1)
    if names is None:
        names = tuple(f"p{i}" for i in range(len(x0)))
    names = tuple(names)
    if len(names) != len(x0) or not all(isinstance(name, str) for name in names):
        raise ValueError(f"names must be {len(x0)} strings, one per parameter, got {names!r}")
    if bounds is not None and len(bounds) != len(x0):
        raise ValueError(
            f"bounds must hold one (min, max) pair per parameter, got {len(bounds)} for {len(x0)}"
        )
    initial = float(nll(x0))
    if not np.isfinite(initial):
        raise ValueError(
            f"nll(x0) must be finite, got {initial}: "
            "choose starting values where the model is valid"
        )
    if bounds is not None:
        result = optimize.minimize(
            nll, x0, method="SLSQP", bounds=bounds, options={"ftol": 1e-10, "maxiter": 500}
        )
    else:
        result = optimize.minimize(nll, x0, method="BFGS", options={"gtol": 1e-6})
    values = np.asarray(result.x, dtype=float)
    hessian = nll_hessian(nll, values, step)
    try:
        np.linalg.cholesky(hessian)
        covariance = np.linalg.inv(hessian)
        positive_definite = True
    except np.linalg.LinAlgError:
        covariance = np.full_like(hessian, np.nan)
        positive_definite = False
    errors = np.sqrt(np.diag(covariance))
    return LikelihoodFitResult(
        values,
        errors,
        covariance,
        float(result.fun),
        names,
        bool(result.success) and positive_definite,
    )


def pulls(estimates: np.ndarray, errors: np.ndarray, truth: np.ndarray | float) -> np.ndarray:
    """Pulls ``(estimate - truth) / error``: standard normal if estimates and errors are right.

    Parameters
    ----------
    estimates, errors
        Fitted values and their standard errors (> 0) over pseudo-experiments, same shape.
    truth
        The true value(s), broadcastable to ``estimates``.
    """
    estimates = check_array(estimates, "estimates")
    errors = check_array(errors, "errors")
    truth = check_array(truth, "truth")
    if estimates.shape != errors.shape:
        raise ValueError(
            f"estimates and errors must have the same shape, "
            f"got {estimates.shape} and {errors.shape}"
        )
    if np.any(errors <= 0):
        raise ValueError("errors must be > 0")
    return (estimates - truth) / errors


@dataclass(frozen=True)
class PullResult:
    """Mean and width of a set of pulls, each with its statistical uncertainty."""

    mean: float
    mean_error: float
    width: float
    width_error: float
    n: int

    def __str__(self) -> str:
        return (
            f"mean {self.mean:+.3f} +- {self.mean_error:.3f}, "
            f"width {self.width:.3f} +- {self.width_error:.3f}"
        )


def pull_summary(values: np.ndarray) -> PullResult:
    """Mean and standard deviation of pulls with their standard errors.

    For ``n`` pulls the standard error of the mean is ``s / sqrt(n)`` and, for roughly normal
    pulls, that of the standard deviation ``s`` is ``s / sqrt(2 (n - 1))``.

    Parameters
    ----------
    values
        1-dimensional array of at least 2 pulls.
    """
    values = check_array(values, "values", ndim=1, min_length=2)
    n = len(values)
    width = float(np.std(values, ddof=1))
    return PullResult(
        float(np.mean(values)), width / np.sqrt(n), width, width / np.sqrt(2 * (n - 1)), n
    )


def _check_distribution(weights: np.ndarray, name: str) -> np.ndarray:
    weights = check_array(weights, name, ndim=1, min_length=1)
    if np.any(weights < 0):
        raise ValueError(f"{name} must be non-negative")
    total = weights.sum()
    if total <= 0:
        raise ValueError(f"{name} must have a positive sum")
    return weights / total
