"""Linear regression written out from scratch, for teaching (chapter 3).

Every function here has a library twin in scikit-learn, and the tests check that both agree:

- :func:`least_squares` solves the normal equations (``LinearRegression``);
- :func:`gradient_descent` minimises the same mean squared error step by step and records the
  loss after every epoch; :func:`mse_gradient` is its gradient;
- :func:`polynomial_features` expands the features into monomials (``PolynomialFeatures``);
- :func:`ridge` (closed form) and :func:`lasso` (coordinate descent) add L2 and L1 penalties
  (``Ridge`` and ``Lasso``, with the same objective scaling as scikit-learn);
- :class:`Standardiser` centres and scales features with statistics of the training set only
  (``StandardScaler``).

A fitted model is a :class:`LinearModel` ``y_hat = X @ weights + bias``. The bias (intercept)
is never penalised: it is fitted by centring the data, as scikit-learn does. The regression
metrics (MSE, MAE, R^2) are in :mod:`hepml.methods.metrics`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from hepml.validation import check_array, check_int, check_real, check_xy

#: :func:`gradient_descent` stops and reports divergence when the training loss exceeds this
#: multiple of its initial value. (A stable step size never increases this quadratic loss.)
DIVERGENCE_FACTOR = 1e6


@dataclass(frozen=True)
class LinearModel:
    """A fitted linear model ``y_hat = X @ weights + bias``.

    Attributes
    ----------
    weights
        One weight per feature, shape ``(n_features,)``.
    bias
        The constant term (intercept; 0 when fitted without one).
    """

    weights: np.ndarray
    bias: float

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predictions for the rows of ``X`` (shape ``(n_samples, n_features)``)."""
        X = check_array(X, "X", ndim=2, columns=len(self.weights))
        return X @ self.weights + self.bias


@dataclass(frozen=True)
class GradientDescentResult(LinearModel):
    """A linear model fitted by gradient descent, with its training history.

    Attributes
    ----------
    loss_history
        Training MSE before the first step and after every step (epoch), shape
        ``(n_steps + 1,)``.
    validation_history
        Validation MSE at the same moments, or ``None`` without validation data.
    n_steps
        Number of steps taken: ``n_epochs``, or fewer if the descent diverged.
    converged
        True if the norm of the gradient after the last step is below the ``tolerance`` of
        :func:`gradient_descent`.
    diverged
        True if the loss grew beyond :data:`DIVERGENCE_FACTOR` times its initial value or
        became infinite (learning rate too large); the descent stops there and ``weights``
        holds the parameters of the last step kept.
    """

    loss_history: np.ndarray
    validation_history: np.ndarray | None
    n_steps: int
    converged: bool
    diverged: bool


def least_squares(X: np.ndarray, y: np.ndarray, *, fit_intercept: bool = True) -> LinearModel:
    """Minimise the mean squared error exactly by solving the normal equations.

    With the design matrix ``A`` (``X`` with a leading column of ones if ``fit_intercept``),
    the gradient of ``|A w - y|^2`` vanishes where ``A.T @ A @ w = A.T @ y``. The system is
    solved with :func:`numpy.linalg.solve`, never by inverting ``A.T @ A``.

    Forming ``A.T @ A`` squares the condition number of ``A``. When that makes the normal
    equations numerically singular although the columns of ``A`` are independent (badly scaled
    features, e.g. one in GeV and one in eV), each column of ``A`` is rescaled to unit length
    and the problem is solved from the rescaled ``A`` with :func:`numpy.linalg.lstsq` (an
    SVD). Columns that are linearly dependent (the rescaled ``A`` has rank below its number of
    columns) have no unique solution and raise a :class:`ValueError`.

    Parameters
    ----------
    X
        Features, shape ``(n_samples, n_features)``.
    y
        Targets, shape ``(n_samples,)``.
    fit_intercept
        Whether to fit a constant term.
    """
    X, y = check_xy(X, y)
    A = _design_matrix(X, fit_intercept)
    gram = A.T @ A
    eigenvalues = np.linalg.eigvalsh(gram)
    if eigenvalues[0] > eigenvalues[-1] * len(A) * np.finfo(float).eps:
        return _split(np.linalg.solve(gram, A.T @ y), fit_intercept)
    # The normal equations are numerically singular. Rescale every column of A to unit length
    # (which removes the ill-conditioning that comes from units alone) and ask the rescaled A
    # itself, through its singular values, whether the columns are independent.
    norms = np.linalg.norm(A, axis=0)
    rank = np.linalg.matrix_rank(A / np.where(norms > 0, norms, 1.0)) if norms.all() else 0
    if rank < A.shape[1]:
        what = "X with the intercept column" if fit_intercept else "X"
        raise ValueError(
            f"{what} has linearly dependent columns: the least-squares solution is not unique"
        )
    w = np.linalg.lstsq(A / norms, y, rcond=None)[0] / norms
    return _split(w, fit_intercept)


def mse_gradient(
    X: np.ndarray, y: np.ndarray, weights: np.ndarray, bias: float = 0.0
) -> tuple[np.ndarray, float]:
    """Gradient of the mean squared error with respect to ``weights`` and ``bias``.

    ``MSE = |X weights + bias - y|^2 / n`` has gradient ``2 X.T r / n`` and ``2 mean(r)``,
    with the residuals ``r = X weights + bias - y``.
    """
    X, y = check_xy(X, y)
    weights = check_array(weights, "weights", ndim=1)
    if len(weights) != X.shape[1]:
        raise ValueError(f"weights must have {X.shape[1]} entries, got {len(weights)}")
    bias = check_real(bias, "bias")
    gradient = _mse_gradient(_design_matrix(X, True), np.r_[bias, weights], y)
    return gradient[1:], float(gradient[0])


def gradient_descent(
    X: np.ndarray,
    y: np.ndarray,
    *,
    learning_rate: float,
    n_epochs: int,
    fit_intercept: bool = True,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    tolerance: float = 1e-8,
) -> GradientDescentResult:
    """Minimise the mean squared error by full-batch gradient descent from zero weights.

    Each epoch takes one step ``w <- w - learning_rate * grad MSE(w)`` using all samples. For
    this quadratic loss the descent converges if and only if
    ``learning_rate < 2 / lambda_max``, where ``lambda_max`` is the largest eigenvalue of the
    Hessian ``2 A.T A / n``.

    Parameters
    ----------
    X, y
        Training features ``(n_samples, n_features)`` and targets ``(n_samples,)``.
    learning_rate
        Step size, > 0.
    n_epochs
        Number of steps, >= 1. The descent always takes them all unless it diverges.
    fit_intercept
        Whether to fit a constant term.
    X_val, y_val
        Optional validation data; its MSE is recorded after every epoch too.
    tolerance
        The result reports ``converged`` if the gradient norm after the last step is below
        this, > 0.
    """
    X, y = check_xy(X, y)
    learning_rate = check_real(learning_rate, "learning_rate", minimum=0.0, strict_minimum=True)
    n_epochs = check_int(n_epochs, "n_epochs", minimum=1)
    tolerance = check_real(tolerance, "tolerance", minimum=0.0, strict_minimum=True)
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    A = _design_matrix(X, fit_intercept)
    A_val = None
    if X_val is not None:
        X_val, y_val = check_xy(X_val, y_val, names=("X_val", "y_val"))
        if X_val.shape[1] != X.shape[1]:
            raise ValueError(
                f"X_val must have {X.shape[1]} columns like X, got shape {X_val.shape}"
            )
        A_val = _design_matrix(X_val, fit_intercept)

    w = np.zeros(A.shape[1])
    losses = [_mse(A, w, y)]
    val_losses = [_mse(A_val, w, y_val)] if A_val is not None else None
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(n_epochs):
            step = w - learning_rate * _mse_gradient(A, w, y)
            loss = _mse(A, step, y)
            if not np.isfinite(loss) or loss > DIVERGENCE_FACTOR * losses[0]:
                diverged = True
                break
            w = step
            losses.append(loss)
            if val_losses is not None:
                val_losses.append(_mse(A_val, w, y_val))
        gradient_norm = float(np.linalg.norm(_mse_gradient(A, w, y)))
    model = _split(w, fit_intercept)
    return GradientDescentResult(
        model.weights,
        model.bias,
        loss_history=np.array(losses),
        validation_history=None if val_losses is None else np.array(val_losses),
        n_steps=len(losses) - 1,
        converged=not diverged and gradient_norm < tolerance,
        diverged=diverged,
    )


def polynomial_features(X: np.ndarray, degree: int, *, include_bias: bool = False) -> np.ndarray:
    """All monomials of the features up to ``degree``, in scikit-learn's column order.

    For two features ``(a, b)`` and degree 2 the columns are ``a, b, a^2, a b, b^2`` (preceded
    by a column of ones if ``include_bias``). A linear model in these columns is a polynomial
    in the original features: still linear in its parameters, so every method of this module
    applies.

    Parameters
    ----------
    X
        Features, shape ``(n_samples, n_features)``; a 1-D array is treated as one feature.
    degree
        Highest total degree, >= 1.
    include_bias
        Whether to include the constant column (degree 0).
    """
    X = check_array(X, "X")
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2:
        raise ValueError(f"X must be 1- or 2-dimensional, got shape {X.shape}")
    degree = check_int(degree, "degree", minimum=1)
    columns = []
    for power in range(0 if include_bias else 1, degree + 1):
        for combination in itertools.combinations_with_replacement(range(X.shape[1]), power):
            columns.append(np.prod(X[:, list(combination)], axis=1))
    return np.column_stack(columns)


def ridge(
    X: np.ndarray, y: np.ndarray, alpha: float, *, fit_intercept: bool = True
) -> LinearModel:
    """L2-regularised least squares in closed form.

    Minimises ``|y - X weights - bias|^2 + alpha |weights|^2`` (scikit-learn's ``Ridge``
    objective: a *sum* of squares, not a mean). Centring removes the unpenalised bias, and the
    minimum solves ``(Xc.T Xc + alpha I) weights = Xc.T yc``.

    Parameters
    ----------
    X, y
        Features ``(n_samples, n_features)`` and targets ``(n_samples,)``.
    alpha
        Penalty strength, >= 0; 0 gives ordinary least squares.
    fit_intercept
        Whether to fit an (unpenalised) constant term.
    """
    X, y = check_xy(X, y)
    alpha = check_real(alpha, "alpha", minimum=0.0)
    Xc, yc, x_mean, y_mean = _centre(X, y, fit_intercept)
    weights = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ yc)
    return LinearModel(weights, float(y_mean - x_mean @ weights))


def soft_threshold(value: np.ndarray | float, threshold: float) -> np.ndarray | float:
    """``sign(value) * max(|value| - threshold, 0)``: the minimiser behind every lasso update.

    ``value`` is a number or an array of finite numbers; ``threshold`` is >= 0.
    """
    threshold = check_real(threshold, "threshold", minimum=0.0)
    if np.ndim(value) == 0:
        value = check_real(value, "value")
    else:
        value = check_array(value, "value")
    return _soft_threshold(value, threshold)


def _soft_threshold(value: np.ndarray | float, threshold: float) -> np.ndarray | float:
    return np.sign(value) * np.maximum(np.abs(value) - threshold, 0.0)


def lasso(
    X: np.ndarray,
    y: np.ndarray,
    alpha: float,
    *,
    fit_intercept: bool = True,
    max_iter: int = 10_000,
    tol: float = 1e-10,
) -> LinearModel:
    """L1-regularised least squares by cyclic coordinate descent.

    Minimises ``|y - X weights - bias|^2 / (2 n) + alpha |weights|_1`` (scikit-learn's
    ``Lasso`` objective, note the ``1 / (2 n)``). With all other weights fixed the objective is
    a parabola plus ``alpha |w_j|`` in ``w_j``, minimised by soft thresholding:
    ``w_j = S(x_j . r_j / n, alpha) / (x_j . x_j / n)``, where ``r_j`` is the residual without
    feature ``j``. Sweeps over the features repeat until no weight moves by more than ``tol``.

    Parameters
    ----------
    X, y
        Features ``(n_samples, n_features)`` and targets ``(n_samples,)``.
    alpha
        Penalty strength, >= 0.
    fit_intercept
        Whether to fit an (unpenalised) constant term.
    max_iter
        Largest number of sweeps over all features.
    tol
        Stop when the largest change of a weight in one sweep is below ``tol``.

    Raises
    ------
    RuntimeError
        If the weights have not converged after ``max_iter`` sweeps.
    """
    X, y = check_xy(X, y)
    alpha = check_real(alpha, "alpha", minimum=0.0)
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    tol = check_real(tol, "tol", minimum=0.0, strict_minimum=True)
    Xc, yc, x_mean, y_mean = _centre(X, y, fit_intercept)
    n = len(yc)
    # Work with the Gram matrix:
    # x_j . r_j / n = (X.T y / n)_j - (X.T X / n)_j . w + G_jj w_j,
    # so one update costs O(n_features) instead of O(n_samples).
    gram = Xc.T @ Xc / n
    correlation = Xc.T @ yc / n
    weights = np.zeros(X.shape[1])
    for _ in range(max_iter):
        largest_change = 0.0
        for j in range(X.shape[1]):
            if gram[j, j] == 0.0:
                continue
            old = weights[j]
            rho = correlation[j] - gram[j] @ weights + gram[j, j] * old
            weights[j] = _soft_threshold(rho, alpha) / gram[j, j]
            largest_change = max(largest_change, abs(weights[j] - old))
        if largest_change < tol:
            return LinearModel(weights, float(y_mean - x_mean @ weights))
    raise RuntimeError(
        f"lasso did not converge in {max_iter} sweeps; standardise X or raise max_iter"
    )


class Standardiser:
    """Centre each feature to mean 0 and scale it to standard deviation 1.

    The mean and standard deviation are learned by :meth:`fit` from the *training* set only
    and then applied unchanged to validation and test data, so nothing about those sets leaks
    into the model. Constant features keep scale 1 (as in scikit-learn's ``StandardScaler``).
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def fit(self, X: np.ndarray) -> Standardiser:
        """Learn per-feature mean and standard deviation (``ddof=0``) from ``X``."""
        X = check_array(X, "X", ndim=2, min_length=1)
        self.mean_ = X.mean(axis=0)
        scale = X.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Standardise ``X`` with the statistics learned by :meth:`fit`."""
        X = self._check_fitted(X)
        return (X - self.mean_) / self.scale_

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        """:meth:`fit` on ``X``, then :meth:`transform` it."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Z: np.ndarray) -> np.ndarray:
        """Undo :meth:`transform`: back to the original units."""
        Z = self._check_fitted(Z, name="Z")
        return Z * self.scale_ + self.mean_

    def _check_fitted(self, X: np.ndarray, name: str = "X") -> np.ndarray:
        if self.mean_ is None:
            raise RuntimeError("call fit on the training features before transform")
        return check_array(X, name, ndim=2, columns=len(self.mean_))


def _design_matrix(X: np.ndarray, fit_intercept: bool) -> np.ndarray:
    return np.column_stack([np.ones(len(X)), X]) if fit_intercept else X


def _split(w: np.ndarray, fit_intercept: bool) -> LinearModel:
    if fit_intercept:
        return LinearModel(w[1:].copy(), float(w[0]))
    return LinearModel(w.copy(), 0.0)


def _mse(A: np.ndarray, w: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((A @ w - y) ** 2))


def _mse_gradient(A: np.ndarray, w: np.ndarray, y: np.ndarray) -> np.ndarray:
    # d/dw mean((A w - y)^2) = 2 A^T (A w - y) / n
    return 2 * A.T @ (A @ w - y) / len(y)


def _centre(
    X: np.ndarray, y: np.ndarray, fit_intercept: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    if not fit_intercept:
        return X, y, np.zeros(X.shape[1]), 0.0
    x_mean, y_mean = X.mean(axis=0), float(y.mean())
    return X - x_mean, y - y_mean, x_mean, y_mean
