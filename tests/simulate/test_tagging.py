"""Tests of :mod:`hepml.simulate.tagging`."""

import numpy as np
import pytest

from hepml import simulate


def test_tagged_jets_match_their_probabilities_and_bayes():
    jets = simulate.tagged_jets(400_000, b_fraction=0.2, efficiency=0.7, mistag_rate=0.01, seed=5)
    assert abs(jets.is_b.mean() - 0.2) < 0.003
    assert abs(jets.tagged[jets.is_b].mean() - 0.7) < 0.005
    assert abs(jets.tagged[~jets.is_b].mean() - 0.01) < 0.001
    assert jets.posterior_b_given_tag() == pytest.approx(0.14 / (0.14 + 0.008))
    assert abs(jets.is_b[jets.tagged].mean() - jets.posterior_b_given_tag()) < 0.005


def test_btag_features_are_seeded_positive_and_have_the_b_fraction():
    jets = simulate.btag_features(50_000, b_fraction=0.3, seed=1)
    again = simulate.btag_features(50_000, b_fraction=0.3, seed=1)
    np.testing.assert_array_equal(jets.X, again.X)
    assert jets.X.shape == (50_000, 4) and jets.feature_names == simulate.BTAG_FEATURES
    assert np.all(jets.X > 0)
    assert abs(jets.is_b.mean() - 0.3) < 3 * np.sqrt(0.3 * 0.7 / 50_000)


@pytest.mark.parametrize("correlation", [0.0, 0.5, 1.0])
def test_btag_log_features_have_the_stated_covariance(correlation):
    jets = simulate.btag_features(100_000, correlation=correlation, seed=2)
    for flavour in (0, 1):
        logs = np.log(jets.X[jets.y == flavour])
        expected = jets.log_covariance(flavour)
        # standard error of a sample covariance is below 2 sigma_i sigma_j / sqrt(n)
        scale = 2 * np.outer(np.sqrt(np.diag(expected)), np.sqrt(np.diag(expected)))
        np.testing.assert_array_less(
            np.abs(np.cov(logs.T) - expected), 4 * scale / np.sqrt(len(logs))
        )
    b_logs = jets.log_covariance(1)
    assert b_logs[0, 1] / np.sqrt(b_logs[0, 0] * b_logs[1, 1]) == pytest.approx(0.85 * correlation)


def test_btag_likelihood_ratio_without_correlation_is_a_product_of_log_normals():
    # An independent formula: scipy's one-dimensional log-normal densities, Jacobians and all.
    from scipy import stats

    from hepml.simulate import tagging

    jets = simulate.btag_features(2000, correlation=0.0, seed=3)
    expected = np.zeros(len(jets))
    for j in range(4):
        for flavour, sign in ((1, 1), (0, -1)):
            mu, sigma = tagging._LOG_MEANS[flavour][j], tagging._LOG_WIDTHS[flavour][j]
            expected += sign * stats.lognorm(s=sigma, scale=np.exp(mu)).logpdf(jets.X[:, j])
    np.testing.assert_allclose(jets.log_likelihood_ratio(jets.X), expected, rtol=1e-10)


def test_btag_posterior_is_calibrated():
    jets = simulate.btag_features(200_000, b_fraction=0.4, seed=4)
    posterior = jets.posterior(jets.X)
    bins = np.digitize(posterior, np.linspace(0.1, 0.9, 9))
    for b in np.unique(bins):
        chosen = bins == b
        expected = posterior[chosen].mean()
        error = np.sqrt(expected * (1 - expected) / chosen.sum())
        assert abs(jets.is_b[chosen].mean() - expected) < 4 * error


def test_btag_bad_input():
    with pytest.raises(ValueError, match="b_fraction must be < 1"):
        simulate.btag_features(10, b_fraction=1.0)
    with pytest.raises(ValueError, match="correlation must be <= 1"):
        simulate.btag_features(10, correlation=1.5)
    jets = simulate.btag_features(10, seed=5)
    with pytest.raises(ValueError, match="X must hold positive features"):
        jets.log_likelihood_ratio(-jets.X)
