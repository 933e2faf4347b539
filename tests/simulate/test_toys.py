"""Tests of :mod:`hepml.simulate.toys`."""

import numpy as np
import pytest

from hepml import simulate


def test_gaussian_classes_have_the_requested_moments_and_exact_posterior():
    data = simulate.gaussian_classes(60_000, signal_fraction=0.3, seed=9)
    assert data.X.shape == (60_000, 2) and len(data) == 60_000
    assert abs(data.y.mean() - 0.3) < 0.01
    signal, background = data.X[data.y == 1], data.X[data.y == 0]
    np.testing.assert_allclose(signal.mean(axis=0), [1.0, 0.5], atol=0.03)
    np.testing.assert_allclose(background.mean(axis=0), [-0.5, -0.5], atol=0.03)
    np.testing.assert_allclose(np.cov(signal, rowvar=False), [[1.0, 0.3], [0.3, 1.0]], atol=0.04)
    # Bayes' theorem in odds form: posterior odds = likelihood ratio * prior odds.
    points = data.X[:500]
    posterior = data.posterior(points)
    odds = np.exp(data.log_likelihood_ratio(points)) * 0.3 / 0.7
    np.testing.assert_allclose(posterior, odds / (1 + odds), rtol=1e-10)
    # Calibration: among events with posterior near 0.8, about 80 % are signal.
    near = np.abs(data.posterior(data.X) - 0.8) < 0.05
    assert abs(data.y[near].mean() - 0.8) < 0.03


def test_gaussian_classes_with_different_covariances():
    data = simulate.gaussian_classes(
        20_000,
        covariance=np.eye(2),
        background_covariance=4 * np.eye(2),
        signal_mean=(0, 0),
        background_mean=(0, 0),
        seed=1,
    )
    assert np.var(data.X[data.y == 0]) == pytest.approx(4.0, rel=0.05)
    assert data.log_likelihood_ratio(np.zeros((1, 2)))[0] == pytest.approx(np.log(4.0))


def test_truth_tables_of_logic_gates():
    inputs, outputs = simulate.truth_table("xor")
    assert inputs.shape == (4, 2) and np.array_equal(outputs, [0, 1, 1, 0])
    assert np.array_equal(outputs, np.logical_xor(inputs[:, 0], inputs[:, 1]))
    assert np.array_equal(simulate.truth_table("OR")[1], np.logical_or(inputs[:, 0], inputs[:, 1]))
    assert np.array_equal(
        simulate.truth_table("and")[1], np.logical_and(inputs[:, 0], inputs[:, 1])
    )
    with pytest.raises(ValueError, match="gate must be one of"):
        simulate.truth_table("xnor")
    with pytest.raises(ValueError, match="symmetric positive definite"):
        simulate.gaussian_classes(10, covariance=[[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match="signal_fraction must be < 1"):
        simulate.gaussian_classes(10, signal_fraction=1.0)
