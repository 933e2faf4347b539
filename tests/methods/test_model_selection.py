import numpy as np
import pytest
from sklearn import model_selection as skms
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import mean_squared_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from hepml import simulate
from hepml.methods import model_selection as ms


def _polynomial_ridge(degree=8, alpha=1.0):
    return make_pipeline(
        PolynomialFeatures(degree, include_bias=False), StandardScaler(), Ridge(alpha=alpha)
    )


def _turn_on_data(n=53, seed=0):
    sample = simulate.trigger_turn_on(n, seed=seed)
    return sample.pt[:, None] / 100.0, sample.efficiency


@pytest.mark.parametrize("n_samples, n_splits", [(10, 2), (23, 5), (100, 10), (7, 7)])
def test_kfold_indices_equal_sklearn_kfold(n_samples, n_splits):
    ours = ms.kfold_indices(n_samples, n_splits)
    theirs = list(skms.KFold(n_splits).split(np.zeros((n_samples, 1))))
    assert len(ours) == len(theirs) == n_splits
    for (train, validation), (sk_train, sk_validation) in zip(ours, theirs):
        assert np.array_equal(train, sk_train)
        assert np.array_equal(validation, sk_validation)


def test_shuffled_folds_partition_the_data_and_depend_on_the_seed():
    splits = ms.kfold_indices(37, 4, seed=3)
    validations = np.concatenate([validation for _, validation in splits])
    assert np.array_equal(np.sort(validations), np.arange(37))
    for train, validation in splits:
        assert len(np.intersect1d(train, validation)) == 0
        assert len(train) + len(validation) == 37
    assert [len(v) for _, v in splits] == [10, 9, 9, 9]
    assert not np.array_equal(validations, np.arange(37))
    again = ms.kfold_indices(37, 4, seed=3)
    other = ms.kfold_indices(37, 4, seed=4)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(splits, again))
    assert not all(np.array_equal(a[1], b[1]) for a, b in zip(splits, other))


def test_cross_val_score_equals_sklearn_default_scoring():
    X, y = _turn_on_data()
    model = _polynomial_ridge()
    ours = ms.cross_val_score(model, X, y, n_splits=5)
    theirs = skms.cross_val_score(model, X, y, cv=skms.KFold(5))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_cross_val_score_with_a_metric_equals_sklearn_scoring_string():
    X, y = _turn_on_data(seed=1)
    model = LinearRegression()
    ours = ms.cross_val_score(model, X, y, n_splits=4, metric=mean_squared_error)
    theirs = -skms.cross_val_score(model, X, y, cv=skms.KFold(4), scoring="neg_mean_squared_error")
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_cross_val_score_of_a_classifier_is_its_accuracy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] + 0.3 * rng.normal(size=60) > 0).astype(int)
    model = LogisticRegression()
    np.testing.assert_allclose(
        ms.cross_val_score(model, X, y, n_splits=3),
        skms.cross_val_score(model, X, y, cv=skms.KFold(3)),
    )


def test_validation_curve_equals_sklearn():
    X, y = _turn_on_data(n=60, seed=2)
    alphas = [1e-4, 1e-2, 1.0, 100.0]
    ours = ms.validation_curve(_polynomial_ridge(), X, y, "ridge__alpha", alphas, n_splits=5)
    theirs = skms.validation_curve(
        _polynomial_ridge(), X, y, param_name="ridge__alpha", param_range=alphas, cv=skms.KFold(5)
    )
    for a, b in zip(ours, theirs):
        assert a.shape == (4, 5)
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_validation_curve_shows_training_score_falls_with_regularisation():
    X, y = _turn_on_data(n=80, seed=3)
    train, _ = ms.validation_curve(
        _polynomial_ridge(), X, y, "ridge__alpha", [1e-6, 1e-2, 1e2], metric=mean_squared_error
    )
    assert np.all(np.diff(train.mean(axis=1)) > 0)


def test_model_selection_arguments_are_checked():
    X, y = _turn_on_data()
    with pytest.raises(ValueError, match="n_samples"):
        ms.kfold_indices(3, 5)
    with pytest.raises(ValueError, match="n_splits"):
        ms.kfold_indices(10, 1)
    with pytest.raises(ValueError, match="X"):
        ms.cross_val_score(LinearRegression(), X[:, 0], y)
    with pytest.raises(ValueError, match="y"):
        ms.cross_val_score(LinearRegression(), X, y[:-1])
    with pytest.raises(TypeError, match="model"):
        ms.cross_val_score(object(), X, y)
    with pytest.raises(ValueError, match="param_range"):
        ms.validation_curve(LinearRegression(), X, y, "fit_intercept", [])


def _uniform_sampler(n, slope, sigma):
    def sample(rng):
        x = rng.uniform(0, 1, n)
        return x, slope * x + sigma * rng.standard_normal(n)

    return sample


def test_bias_variance_of_the_sample_mean_matches_the_analytic_result():
    # Model: predict the mean of the training targets. Truth f(x) = x on U[0, 1], so
    # bias^2 = mean over x_test of (1/2 - x)^2 and
    # variance = (Var f(x) + sigma^2) / n = (1/12 + sigma^2) / n.
    n, sigma = 10, 0.3
    x_test = np.linspace(0, 1, 101)

    def fit(x, y):
        return lambda x_new: np.full(len(x_new), y.mean())

    result = ms.bias_variance_decomposition(
        fit, lambda x: x, _uniform_sampler(n, 1.0, sigma), x_test, sigma, n_datasets=4000, seed=5
    )
    assert result.bias2 == pytest.approx(np.mean((0.5 - x_test) ** 2), rel=0.02)
    assert result.variance == pytest.approx((1 / 12 + sigma**2) / n, rel=0.08)
    assert result.noise == pytest.approx(sigma**2)
    assert result.predictions.shape == (4000, 101)
    assert abs(result.deviation) < 4


def test_bias_variance_of_a_straight_line_fit_matches_least_squares_theory():
    # Fixed design, unbiased model: bias^2 = 0 and
    # Var h(x0) = sigma^2 [1, x0] (A^T A)^-1 [1, x0]^T.
    sigma = 0.5
    x_train = np.linspace(0, 1, 12)
    x_test = np.linspace(-0.5, 1.5, 41)

    def sample(rng):
        return x_train, 2.0 - 3.0 * x_train + sigma * rng.standard_normal(len(x_train))

    def fit(x, y):
        coefficients = np.polynomial.polynomial.polyfit(x, y, 1)
        return lambda x_new: np.polynomial.polynomial.polyval(x_new, coefficients)

    result = ms.bias_variance_decomposition(
        fit, lambda x: 2.0 - 3.0 * x, sample, x_test, sigma, n_datasets=3000, seed=6
    )
    design = np.column_stack([np.ones_like(x_train), x_train])
    rows = np.column_stack([np.ones_like(x_test), x_test])
    expected_variance = sigma**2 * np.mean(
        np.einsum("ij,jk,ik->i", rows, np.linalg.inv(design.T @ design), rows)
    )
    assert result.variance == pytest.approx(expected_variance, rel=0.08)
    assert abs(result.bias2) < 0.05 * expected_variance
    assert result.expected_error == pytest.approx(expected_variance + sigma**2, rel=0.03)


def _least_squares_mean_and_variance(x_train, x_test, truth, degree, sigma):
    """Closed forms for a polynomial least-squares fit at fixed inputs ``x_train``.

    The fit is h(x) = a(x)^T (A^T A)^-1 A^T y with y = f(x_train) + noise, so
    E[h(x)] = a(x)^T (A^T A)^-1 A^T f(x_train) and Var h(x) = sigma^2 a(x)^T (A^T A)^-1 a(x).
    Legendre columns on [-1, 1] keep A well conditioned; the column space, hence h, is that of
    any polynomial basis of the same degree.
    """
    low, high = x_train.min(), x_train.max()

    def columns(x):
        return np.polynomial.legendre.legvander((2 * x - low - high) / (high - low), degree)

    q, r = np.linalg.qr(columns(x_train))
    z = np.linalg.solve(r.T, columns(x_test).T)  # R^-T a(x): |z|^2 = a^T (A^T A)^-1 a
    mean = z.T @ (q.T @ truth(x_train))
    return mean, sigma**2 * np.sum(z**2, axis=0)


@pytest.mark.parametrize("degree", [1, 4, 9])
def test_bias_and_variance_of_turn_on_fits_match_the_least_squares_closed_forms(degree):
    # A polynomial does not contain the turn-on curve, so the fit is biased; at fixed inputs both
    # terms still have closed forms, computed without any simulation.
    sigma = 0.05
    truth = simulate.trigger_turn_on(25, seed=0)
    x_train, x_test = truth.pt, np.linspace(10, 100, 60)

    def sample(rng):
        return x_train, truth.true_efficiency(x_train) + sigma * rng.standard_normal(25)

    def fit(x, y):
        return np.polynomial.Polynomial.fit(x, y, degree)

    result = ms.bias_variance_decomposition(
        fit, truth.true_efficiency, sample, x_test, sigma, n_datasets=2000, seed=degree
    )
    mean, variance = _least_squares_mean_and_variance(
        x_train, x_test, truth.true_efficiency, degree, sigma
    )
    expected_bias2 = np.mean((mean - truth.true_efficiency(x_test)) ** 2)
    pull = (result.variance - variance.mean()) / result.variance_uncertainty
    assert abs(pull) < 4
    assert result.variance == pytest.approx(variance.mean(), rel=0.1)
    # the average fit scatters around E[h] with standard error sqrt(Var h / n_datasets)
    mean_pulls = (result.predictions.mean(axis=0) - mean) / np.sqrt(variance / 2000)
    assert np.max(np.abs(mean_pulls)) < 4.5
    assert result.bias2 == pytest.approx(expected_bias2, rel=0.05, abs=variance.mean() / 200)
    # the check has power: a noise 10 % too large in the closed form is seen
    wrong = (result.variance - 1.21 * variance.mean()) / result.variance_uncertainty
    assert abs(wrong) > 4


def test_bias2_plus_variance_is_an_identity_so_the_direct_comparison_only_tests_the_noise():
    # For *any* fits, bias2 + variance equals the mean squared distance of the fits from the
    # truth; comparing with the directly measured error therefore cannot find a wrong fit.
    # Here the "fit" ignores the data and returns garbage, and the sum still agrees.
    x_test = np.linspace(0, 1, 50)
    garbage = np.random.default_rng(1)

    def fit(x, y):
        offset = garbage.normal(3.0, 2.0)
        return lambda x_new: np.sin(7 * x_new) + offset

    result = ms.bias_variance_decomposition(
        fit, np.cos, _uniform_sampler(5, 1.0, 0.2), x_test, 0.2, n_datasets=400, seed=2
    )
    distance = np.mean((result.predictions - np.cos(x_test)) ** 2)
    assert result.bias2 + result.variance == pytest.approx(distance, rel=1e-12)
    assert abs(result.deviation) < 4


def test_bias_variance_arguments_are_checked():
    with pytest.raises(TypeError, match="fit"):
        ms.bias_variance_decomposition(None, np.sin, _uniform_sampler(5, 1, 1), [0.0], 1.0)
    with pytest.raises(ValueError, match="noise_sigma"):
        ms.bias_variance_decomposition(
            lambda x, y: np.sin, np.sin, _uniform_sampler(5, 1, 1), [0.0], -1.0
        )
    with pytest.raises(ValueError, match="n_datasets"):
        ms.bias_variance_decomposition(
            lambda x, y: np.sin, np.sin, _uniform_sampler(5, 1, 1), [0.0], 1.0, n_datasets=1
        )
