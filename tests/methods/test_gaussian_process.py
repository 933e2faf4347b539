"""Gaussian-process regression of hepml.methods.gaussian_process against scikit-learn."""

import numpy as np
import pytest
from scipy import stats
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel

from hepml.methods import gaussian_process as gp
from hepml.methods import kernels


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(11)
    X = np.sort(rng.uniform(0, 10, size=(40, 1)), axis=0)
    y = np.sin(X[:, 0]) + 0.5 * X[:, 0] / 10 + rng.normal(0, 0.3, size=40)
    return X, y, np.linspace(-1, 11, 60)[:, None]


def _sklearn(kernel, noise, optimizer=None):
    sk_kernel = ConstantKernel(kernel.amplitude**2) * RBF(kernel.length_scale)
    return GaussianProcessRegressor(sk_kernel, alpha=np.square(noise), optimizer=optimizer)


@pytest.mark.parametrize("noise", [0.3, "per point"])
def test_posterior_mean_and_covariance_equal_sklearn(data, noise):
    X, y, X_test = data
    if noise == "per point":
        noise = np.linspace(0.1, 0.6, len(y))
    kernel = gp.RBFCovariance(amplitude=1.3, length_scale=1.7)
    posterior = gp.gp_posterior(X, y, X_test, kernel, noise)
    reference = _sklearn(kernel, noise).fit(X, y)
    mean, covariance = reference.predict(X_test, return_cov=True)
    _, std = reference.predict(X_test, return_std=True)
    np.testing.assert_allclose(posterior.mean, mean, rtol=0, atol=1e-8)
    np.testing.assert_allclose(posterior.covariance, covariance, rtol=0, atol=1e-8)
    np.testing.assert_allclose(posterior.std, std, rtol=0, atol=1e-8)
    assert gp.log_marginal_likelihood(X, y, kernel, noise) == pytest.approx(
        reference.log_marginal_likelihood_value_, rel=1e-10
    )
    assert gp.log_marginal_likelihood(X, y, kernel, noise) == pytest.approx(
        reference.log_marginal_likelihood(np.log([1.3**2, 1.7])), rel=1e-10
    )


def test_rbf_covariance_is_the_rbf_kernel_with_gamma_one_over_two_length_squared(data):
    X, _, X_test = data
    kernel = gp.RBFCovariance(amplitude=2.0, length_scale=0.5)
    np.testing.assert_allclose(
        kernel(X, X_test), 4.0 * kernels.rbf_kernel(X, X_test, gamma=2.0), rtol=1e-14
    )
    sk_kernel = ConstantKernel(4.0) * RBF(0.5)
    np.testing.assert_allclose(kernel(X, X_test), sk_kernel(X, X_test), rtol=0, atol=1e-12)


def test_log_marginal_likelihood_equals_the_multivariate_normal_density(data):
    X, y, _ = data
    kernel = gp.RBFCovariance(0.8, 2.5)
    covariance = kernel(X, X) + 0.3**2 * np.eye(len(y))
    expected = stats.multivariate_normal(np.zeros(len(y)), covariance).logpdf(y)
    assert gp.log_marginal_likelihood(X, y, kernel, 0.3) == pytest.approx(expected, rel=1e-10)


def test_without_noise_the_posterior_interpolates_the_training_points(data):
    X, y, _ = data
    posterior = gp.gp_posterior(X[::4], y[::4], X[::4], gp.RBFCovariance(1.0, 1.0), 0.0)
    np.testing.assert_allclose(posterior.mean, y[::4], atol=1e-6)
    assert np.all(posterior.std < 1e-4)


def test_fitted_hyperparameters_are_sklearns_optimum(data):
    X, y, _ = data
    fit = gp.fit_gp_hyperparameters(X, y, 0.3)
    reference = _sklearn(gp.RBFCovariance(1.0, 1.0), 0.3, optimizer="fmin_l_bfgs_b").fit(X, y)
    assert fit.converged
    assert fit.kernel.amplitude == pytest.approx(
        np.sqrt(reference.kernel_.k1.constant_value), rel=1e-3
    )
    assert fit.kernel.length_scale == pytest.approx(reference.kernel_.k2.length_scale, rel=1e-3)
    assert fit.log_marginal_likelihood == pytest.approx(
        reference.log_marginal_likelihood_value_, abs=1e-6
    )
    assert fit.log_marginal_likelihood >= gp.log_marginal_likelihood(
        X, y, gp.RBFCovariance(1.0, 1.0), 0.3
    )
    assert fit.loss_history.shape == (fit.n_steps,)
    assert fit.loss_history[-1] == pytest.approx(-fit.log_marginal_likelihood)


def test_fit_recovers_the_length_scale_of_functions_drawn_from_the_prior():
    rng = np.random.default_rng(12)
    X = np.linspace(0, 20, 80)[:, None]
    truth = gp.RBFCovariance(amplitude=1.5, length_scale=2.0)
    f = rng.multivariate_normal(np.zeros(80), truth(X, X) + 1e-10 * np.eye(80))
    fit = gp.fit_gp_hyperparameters(X, f + rng.normal(0, 0.1, 80), 0.1, length_scale=1.0)
    assert fit.kernel.length_scale == pytest.approx(2.0, rel=0.3)


def test_68_percent_band_covers_68_percent_of_the_truth():
    # Truths drawn from the prior itself, one test point per draw: the draws are independent,
    # so the number covered is binomial with p = 0.6827.
    rng = np.random.default_rng(13)
    kernel, noise, n_draws = gp.RBFCovariance(1.0, 1.5), 0.4, 2000
    covered = 0
    for _ in range(n_draws):
        X = rng.uniform(0, 10, size=(16, 1))
        f = rng.multivariate_normal(np.zeros(16), kernel(X, X) + 1e-10 * np.eye(16))
        posterior = gp.gp_posterior(X[1:], f[1:] + rng.normal(0, noise, 15), X[:1], kernel, noise)
        covered += abs(f[0] - posterior.mean[0]) < posterior.std[0]
    p = stats.norm.cdf(1) - stats.norm.cdf(-1)
    assert abs(covered / n_draws - p) < 3 * np.sqrt(p * (1 - p) / n_draws)


def test_bad_input_gets_a_clear_error(data):
    X, y, X_test = data
    kernel = gp.RBFCovariance(1.0, 1.0)
    with pytest.raises(ValueError, match="amplitude must be > 0"):
        gp.RBFCovariance(0.0, 1.0)
    with pytest.raises(ValueError, match="noise must be >= 0"):
        gp.gp_posterior(X, y, X_test, kernel, -0.1)
    with pytest.raises(ValueError, match="noise must hold one standard deviation"):
        gp.gp_posterior(X, y, X_test, kernel, np.ones(3))
    with pytest.raises(ValueError, match="X_test must have 1 columns"):
        gp.gp_posterior(X, y, np.ones((3, 2)), kernel, 0.1)
    with pytest.raises(TypeError, match="kernel must be a covariance function"):
        gp.gp_posterior(X, y, X_test, "rbf", 0.1)
    with pytest.raises(ValueError, match="must have shape"):
        gp.gp_posterior(X, y, X_test, lambda A, B: np.eye(3), 0.1)
    with pytest.raises(ValueError, match="not positive definite"):
        gp.log_marginal_likelihood(X, y, lambda A, B: -np.ones((len(A), len(B))), 0.0)
    with pytest.raises(ValueError, match="y must have one entry per example"):
        gp.log_marginal_likelihood(X, y[:-1], kernel, 0.1)
