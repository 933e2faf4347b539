"""Model selection from scratch: k-fold cross-validation, validation curves, bias and variance.

These are teaching implementations of what :mod:`sklearn.model_selection` does, written to be
read. :func:`kfold_indices`, :func:`cross_val_score` and :func:`validation_curve` give the same
folds and scores as scikit-learn's ``KFold``, ``cross_val_score`` and ``validation_curve``
(checked in the tests). :func:`bias_variance_decomposition` measures, by repeating an experiment
many times with a simulator of known truth, how the expected test error of a fitting procedure
splits into bias squared, variance and irreducible noise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone

from hepml.reproducibility import as_generator
from hepml.validation import check_array, check_callable, check_int, check_real, check_xy

#: A metric ``metric(y_true, y_pred) -> float``, for example a mean squared error.
Metric = Callable[[np.ndarray, np.ndarray], float]


def kfold_indices(
    n_samples: int,
    n_splits: int = 5,
    *,
    seed: int | np.random.Generator | None = None,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split ``range(n_samples)`` into ``n_splits`` consecutive folds for cross-validation.

    Fold ``k`` is the validation set of split ``k``, and the other folds form its training set.
    The first ``n_samples % n_splits`` folds hold one example more than the others, as in
    :class:`sklearn.model_selection.KFold`.

    Parameters
    ----------
    n_samples
        Number of examples, >= ``n_splits``.
    n_splits
        Number of folds, >= 2.
    seed
        If given, the indices are shuffled with this seed (integer or NumPy generator) before
        they are cut into folds; use it when the data are ordered. ``None`` keeps the order.

    Returns
    -------
    list of (train_indices, validation_indices)
        One pair of integer arrays per split.
    """
    n_splits = check_int(n_splits, "n_splits", minimum=2)
    n_samples = check_int(n_samples, "n_samples", minimum=n_splits)
    indices = np.arange(n_samples)
    if seed is not None:
        indices = as_generator(seed).permutation(n_samples)
    sizes = np.full(n_splits, n_samples // n_splits)
    sizes[: n_samples % n_splits] += 1
    boundaries = np.concatenate([[0], np.cumsum(sizes)])
    splits = []
    for start, stop in zip(boundaries[:-1], boundaries[1:]):
        validation = indices[start:stop]
        train = np.concatenate([indices[:start], indices[stop:]])
        splits.append((train, validation))
    return splits


def cross_val_score(
    model,
    X: np.ndarray,
    y: np.ndarray,
    *,
    n_splits: int = 5,
    metric: Metric | None = None,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Score of ``model`` on each validation fold of a k-fold cross-validation.

    For every split of :func:`kfold_indices`, a fresh copy of ``model`` (``sklearn.base.clone``)
    is fitted on the training folds and scored on the validation fold.

    Parameters
    ----------
    model
        A scikit-learn style estimator with ``fit`` and ``predict`` (and ``score`` if ``metric``
        is None). It is not modified.
    X
        Features, shape ``(n_samples, n_features)``.
    y
        Targets, shape ``(n_samples,)``.
    n_splits, seed
        Passed to :func:`kfold_indices`.
    metric
        ``metric(y_true, y_pred)``, e.g. a mean squared error. ``None`` uses ``model.score``
        (R^2 for regressors, accuracy for classifiers), like scikit-learn's default.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_splits,)``: the score on each validation fold.
    """
    X, y = _check_data(model, X, y, n_splits)
    scores = []
    for train, validation in kfold_indices(len(y), n_splits, seed=seed):
        fitted = clone(model).fit(X[train], y[train])
        scores.append(_score(fitted, X[validation], y[validation], metric))
    return np.array(scores)


def validation_curve(
    model,
    X: np.ndarray,
    y: np.ndarray,
    param_name: str,
    param_range: Sequence,
    *,
    n_splits: int = 5,
    metric: Metric | None = None,
    seed: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation scores of ``model`` as one hyperparameter is varied.

    For each value in ``param_range`` the hyperparameter ``param_name`` is set with
    ``set_params`` (so pipeline parameters such as ``"ridge__alpha"`` work) and the model is
    cross-validated with :func:`kfold_indices`, recording the score on the training folds and on
    the validation fold of every split.

    Parameters
    ----------
    model
        A scikit-learn style estimator; it is not modified.
    X, y
        Features ``(n_samples, n_features)`` and targets ``(n_samples,)``.
    param_name
        Name of the hyperparameter, as accepted by ``model.set_params``.
    param_range
        The values to try.
    n_splits, metric, seed
        As in :func:`cross_val_score`.

    Returns
    -------
    train_scores, validation_scores
        Arrays of shape ``(len(param_range), n_splits)``, as
        :func:`sklearn.model_selection.validation_curve` returns them.
    """
    X, y = _check_data(model, X, y, n_splits)
    if not isinstance(param_name, str):
        raise TypeError(f"param_name must be a string, got {type(param_name).__name__}")
    values = list(param_range)
    if not values:
        raise ValueError("param_range must hold at least one value")
    splits = kfold_indices(len(y), n_splits, seed=seed)
    train_scores = np.empty((len(values), len(splits)))
    validation_scores = np.empty((len(values), len(splits)))
    for i, value in enumerate(values):
        configured = clone(model).set_params(**{param_name: value})
        for k, (train, validation) in enumerate(splits):
            fitted = clone(configured).fit(X[train], y[train])
            train_scores[i, k] = _score(fitted, X[train], y[train], metric)
            validation_scores[i, k] = _score(fitted, X[validation], y[validation], metric)
    return train_scores, validation_scores


@dataclass(frozen=True)
class BiasVarianceResult:
    """Result of :func:`bias_variance_decomposition`; all errors are averaged over ``x_test``.

    Attributes
    ----------
    bias2
        Squared bias: squared difference between the average prediction and the truth.
    variance
        Variance of the prediction across training sets.
    variance_uncertainty
        Monte Carlo standard error of ``variance``, from the scatter over training sets of each
        fit's mean squared distance to the average fit.
    noise
        Irreducible error, the variance ``noise_sigma**2`` of the measurement noise.
    expected_error
        Expected squared error on new noisy measurements, measured directly.
    expected_error_uncertainty
        Monte Carlo standard error of ``expected_error``.
    deviation_uncertainty
        Monte Carlo standard error of ``expected_error - (bias2 + variance + noise)``. This
        difference only tests the fresh measurement noise (see
        :func:`bias_variance_decomposition`), not the fits.
    predictions
        Shape ``(n_datasets, len(x_test))``: the prediction of each fitted model.
    """

    bias2: float
    variance: float
    variance_uncertainty: float
    noise: float
    expected_error: float
    expected_error_uncertainty: float
    deviation_uncertainty: float
    predictions: np.ndarray

    @property
    def total(self) -> float:
        """``bias2 + variance + noise``, the decomposition's prediction of the expected error."""
        return self.bias2 + self.variance + self.noise

    @property
    def deviation(self) -> float:
        """``(expected_error - total)`` in units of its Monte Carlo uncertainty."""
        return (self.expected_error - self.total) / self.deviation_uncertainty


def bias_variance_decomposition(
    fit: Callable[[np.ndarray, np.ndarray], Callable[[np.ndarray], np.ndarray]],
    true_function: Callable[[np.ndarray], np.ndarray],
    sample_training_set: Callable[[np.random.Generator], tuple[np.ndarray, np.ndarray]],
    x_test: np.ndarray,
    noise_sigma: float,
    *,
    n_datasets: int = 200,
    seed: int | np.random.Generator = 0,
) -> BiasVarianceResult:
    """Measure bias squared, variance and expected test error of a fitting procedure by simulation.

    Repeat ``n_datasets`` times: draw a training set, fit, predict at ``x_test``, and compare with
    fresh measurements ``true_function(x_test) + noise``. With ``h_r(x)`` the prediction of the
    model fitted to dataset ``r`` and ``f`` the truth, averaged over ``x_test``:

    - ``variance`` is the variance of ``h_r(x)`` over datasets (divisor ``n_datasets - 1``);
    - ``bias2`` is ``(mean_r h_r(x) - f(x))**2`` minus ``variance / n_datasets``, which removes
      the Monte Carlo scatter of the mean so the estimate is unbiased (it can come out slightly
      negative when the true bias is zero);
    - ``expected_error`` is the mean of ``(h_r(x) - y)**2`` over fresh noisy ``y``.

    The theory says ``expected_error = bias2 + variance + noise_sigma**2``; the result reports both
    sides and the Monte Carlo uncertainty of their difference. Beware that this comparison is
    weak: with these estimators ``bias2 + variance`` *equals* the mean of ``(h_r(x) - f(x))**2``
    over datasets and ``x_test`` (an algebraic identity, true to rounding for any fits), so the
    difference only checks that the fresh measurements scatter with variance ``noise_sigma**2``.
    To test the fits themselves, compare ``bias2`` and ``variance`` with values known
    independently, for example the closed forms of a linear least-squares fit at fixed inputs
    (the tests do this).

    Parameters
    ----------
    fit
        ``fit(x, y)`` trains on one dataset and returns a function ``predict(x)``.
    true_function
        The noiseless truth ``f(x)``.
    sample_training_set
        ``sample_training_set(rng)`` returns one training set ``(x, y)`` drawn with ``rng``.
    x_test
        Points at which the errors are evaluated and averaged (draw them from the same
        distribution as the training inputs to estimate the error on new data).
    noise_sigma
        Standard deviation of the Gaussian noise on a measurement, >= 0.
    n_datasets
        Number of simulated training sets, >= 2.
    seed
        Integer seed or NumPy generator.
    """
    check_callable(fit, "fit")
    check_callable(true_function, "true_function")
    check_callable(sample_training_set, "sample_training_set")
    x_test = check_array(x_test, "x_test", min_length=1)
    noise_sigma = check_real(noise_sigma, "noise_sigma", minimum=0.0)
    n_datasets = check_int(n_datasets, "n_datasets", minimum=2)
    rng = as_generator(seed)
    truth = _check_curve(true_function(x_test), "true_function", np.empty(len(x_test)))
    predictions = np.empty((n_datasets, len(x_test)))
    test_errors = np.empty(n_datasets)
    for r in range(n_datasets):
        x_train, y_train = sample_training_set(rng)
        predictor = check_callable(
            fit(x_train, y_train), "the result of fit", "a predictor, a function of x"
        )
        predictions[r] = _check_curve(predictor(x_test), "the predictor returned by fit", truth)
        y_test = truth + noise_sigma * rng.standard_normal(truth.shape)
        test_errors[r] = np.mean((predictions[r] - y_test) ** 2)
    variance_at_x = predictions.var(axis=0, ddof=1)
    # each dataset's mean squared distance to the average fit; its mean is the variance
    spread = np.mean((predictions - predictions.mean(axis=0)) ** 2, axis=1)
    correction = n_datasets / (n_datasets - 1)
    bias2_at_x = (predictions.mean(axis=0) - truth) ** 2 - variance_at_x / n_datasets
    # expected_error - (bias2 + variance + noise) is the mean over datasets of this quantity,
    # whose scatter gives the Monte Carlo uncertainty of the difference.
    differences = test_errors - np.mean((predictions - truth) ** 2, axis=1)
    return BiasVarianceResult(
        bias2=float(bias2_at_x.mean()),
        variance=float(variance_at_x.mean()),
        variance_uncertainty=float(correction * spread.std(ddof=1) / np.sqrt(n_datasets)),
        noise=noise_sigma**2,
        expected_error=float(test_errors.mean()),
        expected_error_uncertainty=float(test_errors.std(ddof=1) / np.sqrt(n_datasets)),
        deviation_uncertainty=float(differences.std(ddof=1) / np.sqrt(n_datasets)),
        predictions=predictions,
    )


def _check_curve(values: object, what: str, like: np.ndarray) -> np.ndarray:
    # one finite value per entry of x_test, not a single number that would broadcast silently
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{what} must return real numbers, got {type(values).__name__}") from error
    if array.shape != like.shape:
        raise ValueError(
            f"{what} must return one value per entry of x_test, shape {like.shape}, "
            f"got shape {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what} returned NaN or infinite values")
    return array


def _check_data(
    model, X: np.ndarray, y: np.ndarray, n_splits: int
) -> tuple[np.ndarray, np.ndarray]:
    if not (hasattr(model, "fit") and hasattr(model, "predict")):
        raise TypeError(f"model must have fit and predict methods, got {type(model).__name__}")
    X, y = check_xy(X, y, finite_y=False)
    n_splits = check_int(n_splits, "n_splits", minimum=2)
    if len(y) < n_splits:
        raise ValueError(
            f"n_splits ({n_splits}) must be <= the number of examples in X and y ({len(y)}): "
            "otherwise a validation fold is empty"
        )
    return X, y


def _score(model, X: np.ndarray, y: np.ndarray, metric: Metric | None) -> float:
    if metric is None:
        return float(model.score(X, y))
    return float(metric(y, model.predict(X)))
