"""The from-scratch regression of hepml.methods.linear against its scikit-learn twins."""

import mpmath
import numpy as np
import pytest
from sklearn import linear_model, preprocessing
from sklearn import metrics as skmetrics

from hepml.methods import linear, metrics


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(300, 4)) * np.array([1.0, 10.0, 0.1, 3.0]) + np.array(
        [0.0, 50.0, 1.0, -2.0]
    )
    y = X @ np.array([1.5, -0.2, 4.0, 0.0]) + 3.0 + rng.normal(0.0, 0.5, size=300)
    return X, y


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_least_squares_matches_sklearn_linear_regression(data, fit_intercept):
    X, y = data
    ours = linear.least_squares(X, y, fit_intercept=fit_intercept)
    reference = linear_model.LinearRegression(fit_intercept=fit_intercept).fit(X, y)
    assert np.max(np.abs(ours.weights - reference.coef_)) < 1e-8
    assert abs(ours.bias - reference.intercept_) < 1e-8
    assert np.allclose(ours.predict(X), reference.predict(X), rtol=0, atol=1e-8)


def test_least_squares_zeroes_the_gradient_and_recovers_truth(data):
    X, y = data
    model = linear.least_squares(X, y)
    grad_coef, grad_intercept = linear.mse_gradient(X, y, model.weights, model.bias)
    assert np.max(np.abs(grad_coef)) < 1e-8 and abs(grad_intercept) < 1e-8
    assert np.allclose(model.weights, [1.5, -0.2, 4.0, 0.0], atol=0.3)


def test_least_squares_rejects_collinear_features(data):
    X, y = data
    with pytest.raises(ValueError, match="linearly dependent"):
        linear.least_squares(np.column_stack([X, 2 * X[:, 0]]), y)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_least_squares_solves_a_full_rank_badly_scaled_design(fit_intercept):
    # cond(A) ~ 1e10, so cond(A.T A) ~ 1e20: the normal equations are numerically singular
    # although the columns are independent. The reference solves them in 50-digit arithmetic.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2)) * np.array([1.0, 1e10])
    y = X @ np.array([2.0, 3e-10]) + 1.0 + 0.1 * rng.normal(size=50)
    A = np.column_stack([np.ones(50), X]) if fit_intercept else X
    assert np.linalg.cond(A) > 1e9 and np.linalg.matrix_rank(A) == A.shape[1]
    with mpmath.workdps(50):
        exact = mpmath.lu_solve(
            mpmath.matrix(A.tolist()).T * mpmath.matrix(A.tolist()),
            mpmath.matrix(A.tolist()).T * mpmath.matrix(y.tolist()),
        )
        reference = np.array([float(value) for value in exact])
    model = linear.least_squares(X, y, fit_intercept=fit_intercept)
    ours = np.concatenate([[model.bias], model.weights]) if fit_intercept else model.weights
    np.testing.assert_allclose(ours, reference, rtol=1e-10)


def test_mse_gradient_matches_finite_differences(data):
    X, y = data
    coef, intercept = np.array([0.3, -0.1, 2.0, 0.5]), 1.0
    grad_coef, grad_intercept = linear.mse_gradient(X, y, coef, intercept)
    step = 1e-6
    for j in range(4):
        shift = np.zeros(4)
        shift[j] = step
        up = metrics.mean_squared_error(y, X @ (coef + shift) + intercept)
        down = metrics.mean_squared_error(y, X @ (coef - shift) + intercept)
        assert (up - down) / (2 * step) == pytest.approx(grad_coef[j], rel=1e-6)
    up = metrics.mean_squared_error(y, X @ coef + intercept + step)
    down = metrics.mean_squared_error(y, X @ coef + intercept - step)
    assert (up - down) / (2 * step) == pytest.approx(grad_intercept, rel=1e-6)


def test_gradient_descent_converges_to_the_normal_equation_solution(data):
    X, y = data
    Z = preprocessing.StandardScaler().fit_transform(X)
    exact = linear_model.LinearRegression().fit(Z, y)
    fit = linear.gradient_descent(
        Z, y, learning_rate=0.1, n_epochs=2000, X_val=Z[:50], y_val=y[:50]
    )
    assert not fit.diverged
    assert np.allclose(fit.weights, exact.coef_, rtol=0, atol=1e-8)
    assert fit.bias == pytest.approx(exact.intercept_, abs=1e-8)
    assert fit.loss_history.shape == (2001,) and fit.validation_history.shape == (2001,)
    assert np.all(
        np.diff(fit.loss_history) <= 1e-12
    )  # a small enough step never increases the loss
    assert fit.loss_history[0] == pytest.approx(np.mean(y**2))


def test_gradient_descent_diverges_above_two_over_the_largest_curvature(data):
    X, y = data
    Z = preprocessing.StandardScaler().fit_transform(X)
    A = np.column_stack([np.ones(len(Z)), Z])
    critical = 2 / np.linalg.eigvalsh(2 * A.T @ A / len(Z)).max()
    stable = linear.gradient_descent(Z, y, learning_rate=0.95 * critical, n_epochs=3000)
    unstable = linear.gradient_descent(Z, y, learning_rate=1.05 * critical, n_epochs=3000)
    assert not stable.diverged and stable.loss_history[-1] < stable.loss_history[0]
    assert unstable.diverged and len(unstable.loss_history) < 3001
    assert np.all(np.isfinite(unstable.weights))


def test_gradient_descent_validates_arguments(data):
    X, y = data
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        linear.gradient_descent(X, y, learning_rate=0.0, n_epochs=10)
    with pytest.raises(ValueError, match="X_val and y_val"):
        linear.gradient_descent(X, y, learning_rate=0.1, n_epochs=10, X_val=X)
    with pytest.raises(ValueError, match="one entry per example of X"):
        linear.gradient_descent(X, y[:-1], learning_rate=0.1, n_epochs=10)


@pytest.mark.parametrize("degree", [1, 2, 3])
@pytest.mark.parametrize("include_bias", [True, False])
def test_polynomial_features_match_sklearn(data, degree, include_bias):
    X = data[0][:20, :3]
    reference = preprocessing.PolynomialFeatures(degree, include_bias=include_bias).fit_transform(
        X
    )
    assert np.allclose(
        linear.polynomial_features(X, degree, include_bias=include_bias), reference, rtol=1e-12
    )


def test_polynomial_features_of_one_variable_are_powers():
    x = np.array([1.0, 2.0, 3.0])
    assert np.array_equal(linear.polynomial_features(x, 3), np.column_stack([x, x**2, x**3]))


@pytest.mark.parametrize("alpha", [0.0, 0.1, 10.0, 1000.0])
def test_ridge_matches_sklearn(data, alpha):
    X, y = data
    ours = linear.ridge(X, y, alpha)
    reference = linear_model.Ridge(alpha=alpha, solver="cholesky").fit(X, y)
    assert np.max(np.abs(ours.weights - reference.coef_)) < 1e-8
    assert ours.bias == pytest.approx(reference.intercept_, abs=1e-8)


def test_ridge_shrinks_the_weights(data):
    X, y = data
    norms = [np.linalg.norm(linear.ridge(X, y, alpha).weights) for alpha in (0.0, 10.0, 1e3, 1e5)]
    assert all(a > b for a, b in zip(norms, norms[1:]))


@pytest.mark.parametrize("alpha", [0.001, 0.05, 0.5])
def test_lasso_matches_sklearn_with_its_one_over_2n_scaling(data, alpha):
    X, y = data
    Z = preprocessing.StandardScaler().fit_transform(X)
    ours = linear.lasso(Z, y, alpha, tol=1e-12)
    reference = linear_model.Lasso(alpha=alpha, tol=1e-14, max_iter=100_000).fit(Z, y)
    assert np.max(np.abs(ours.weights - reference.coef_)) < 1e-7
    assert ours.bias == pytest.approx(reference.intercept_, abs=1e-7)


def test_lasso_sets_weights_exactly_to_zero(data):
    X, y = data
    Z = preprocessing.StandardScaler().fit_transform(X)
    assert np.sum(linear.lasso(Z, y, 0.05).weights == 0.0) >= 1  # the irrelevant fourth feature
    assert np.all(linear.lasso(Z, y, 100.0).weights == 0.0)  # alpha above max |x_j . y| / n


def test_soft_threshold():
    assert np.array_equal(
        linear.soft_threshold(np.array([-3.0, -0.5, 0.0, 0.5, 3.0]), 1.0),
        [-2.0, 0.0, 0.0, 0.0, 2.0],
    )


def test_lasso_raises_when_not_converged(data):
    X, y = data
    with pytest.raises(RuntimeError, match="did not converge"):
        linear.lasso(X, y, 0.01, max_iter=1)


def test_standardiser_matches_sklearn_and_uses_training_statistics_only(data):
    X, _ = data
    train, test = X[:200], X[200:]
    ours = linear.Standardiser().fit(train)
    reference = preprocessing.StandardScaler().fit(train)
    assert np.allclose(ours.transform(test), reference.transform(test), rtol=1e-12)
    assert np.allclose(ours.inverse_transform(ours.transform(test)), test, rtol=1e-12)
    Z = ours.transform(train)
    assert np.allclose(Z.mean(axis=0), 0, atol=1e-12) and np.allclose(Z.std(axis=0), 1)
    assert not np.allclose(ours.transform(test).mean(axis=0), 0, atol=1e-3)


def test_standardiser_keeps_constant_features_finite_and_needs_fitting():
    X = np.column_stack([np.ones(5), np.arange(5.0)])
    assert np.all(np.isfinite(linear.Standardiser().fit_transform(X)))
    with pytest.raises(RuntimeError, match="call fit"):
        linear.Standardiser().transform(X)
    with pytest.raises(ValueError, match="2 columns"):
        linear.Standardiser().fit(X).transform(np.ones((3, 3)))


def test_metrics_match_sklearn(data):
    _, y = data
    prediction = y + np.random.default_rng(1).normal(0.0, 2.0, size=len(y))
    assert metrics.mean_absolute_error(y, prediction) == pytest.approx(
        skmetrics.mean_absolute_error(y, prediction), rel=1e-12
    )
    assert metrics.mean_squared_error(y, prediction) == pytest.approx(
        skmetrics.mean_squared_error(y, prediction), rel=1e-12
    )
    assert metrics.r2_score(y, prediction) == pytest.approx(
        skmetrics.r2_score(y, prediction), rel=1e-12
    )


def test_r2_is_one_for_perfect_and_zero_for_the_mean():
    y = np.array([1.0, 2.0, 4.0])
    assert metrics.r2_score(y, y) == 1.0
    assert metrics.r2_score(y, np.full(3, y.mean())) == pytest.approx(0.0, abs=1e-15)
    with pytest.raises(ValueError, match="same shape"):
        metrics.r2_score(y, y[:2])
    with pytest.raises(ValueError, match="constant"):
        metrics.r2_score(np.ones(3), y)


def test_predict_checks_the_number_of_columns(data):
    X, y = data
    with pytest.raises(ValueError, match="4 columns"):
        linear.least_squares(X, y).predict(X[:, :2])
