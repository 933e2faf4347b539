"""Kernel functions written out from scratch, for teaching (chapter 6).

A kernel ``k(x, x')`` is an inner product of feature maps, ``phi(x) . phi(x')``, computed
without ever building ``phi``. Support-vector machines and Gaussian processes only ever see the
data through the Gram matrix ``K[i, j] = k(x_i, x'_j)``. Both kernels here follow the
conventions of ``sklearn.metrics.pairwise`` (the tests check the Gram matrices agree):

- :func:`rbf_kernel`: ``exp(-gamma |x - x'|^2)``. A Gaussian process writes the same kernel
  with a length scale, ``exp(-|x - x'|^2 / (2 l^2))``, so ``gamma = 1 / (2 l^2)``;
- :func:`polynomial_kernel`: ``(gamma x . x' + coef0)^degree``, the inner product of all
  monomials of the features up to ``degree``.

In both, ``gamma=None`` means ``1 / n_features``, as in scikit-learn.
"""

from __future__ import annotations

import numpy as np

from hepml.validation import check_array, check_int, check_real


def rbf_kernel(
    X: np.ndarray, Y: np.ndarray | None = None, gamma: float | None = 1.0
) -> np.ndarray:
    """Gram matrix of the radial basis function (Gaussian) kernel ``exp(-gamma |x - y|^2)``.

    Parameters
    ----------
    X
        First set of points, shape ``(n, d)``.
    Y
        Second set of points, shape ``(m, d)``; ``None`` (default) means ``X``.
    gamma
        Inverse squared width, > 0; ``None`` means ``1 / d``. It is ``1 / (2 l^2)`` for the
        length scale ``l`` of a Gaussian process.

    Returns
    -------
    numpy.ndarray
        ``K[i, j] = exp(-gamma |X[i] - Y[j]|^2)``, shape ``(n, m)``, entries in (0, 1].
    """
    X, Y = _check_pair(X, Y)
    gamma = _check_gamma(gamma, X.shape[1])
    return np.exp(-gamma * _squared_distances(X, Y))


def polynomial_kernel(
    X: np.ndarray,
    Y: np.ndarray | None = None,
    degree: int = 3,
    gamma: float | None = None,
    coef0: float = 1.0,
) -> np.ndarray:
    """Gram matrix of the polynomial kernel ``(gamma x . y + coef0)^degree``.

    Parameters
    ----------
    X
        First set of points, shape ``(n, d)``.
    Y
        Second set of points, shape ``(m, d)``; ``None`` (default) means ``X``.
    degree
        Degree of the polynomial, >= 1.
    gamma
        Scale of the inner product, > 0; ``None`` (default) means ``1 / d``.
    coef0
        Constant term, >= 0; with ``coef0 = 0`` only monomials of exactly ``degree`` remain.

    Returns
    -------
    numpy.ndarray
        The Gram matrix, shape ``(n, m)``.
    """
    X, Y = _check_pair(X, Y)
    degree = check_int(degree, "degree", minimum=1)
    gamma = _check_gamma(gamma, X.shape[1])
    coef0 = check_real(coef0, "coef0", minimum=0.0)
    return (gamma * X @ Y.T + coef0) ** degree


def _squared_distances(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    # |x - y|^2 = |x|^2 + |y|^2 - 2 x . y needs no (n, m, d) array; rounding can make it
    # slightly negative, so clip.
    distances = (X**2).sum(axis=1)[:, None] + (Y**2).sum(axis=1)[None, :] - 2.0 * X @ Y.T
    np.maximum(distances, 0.0, out=distances)
    if X is Y:
        # The distance of a point to itself is exactly zero, not a rounding residue.
        np.fill_diagonal(distances, 0.0)
    return distances


def _check_pair(X: object, Y: object) -> tuple[np.ndarray, np.ndarray]:
    X = check_array(X, "X", ndim=2, min_length=1)
    if Y is None:
        return X, X
    Y = check_array(Y, "Y", ndim=2, min_length=1)
    if Y.shape[1] != X.shape[1]:
        raise ValueError(
            f"Y must have as many columns (features) as X ({X.shape[1]}), got {Y.shape[1]}"
        )
    return X, Y


def _check_gamma(gamma: object, n_features: int) -> float:
    if gamma is None:
        return 1.0 / n_features
    return check_real(gamma, "gamma", minimum=0.0, strict_minimum=True)
