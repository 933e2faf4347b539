"""Tests of hepml.methods.naive_bayes against scikit-learn's GaussianNB."""

import numpy as np
import pytest
from sklearn.naive_bayes import GaussianNB

from hepml import simulate
from hepml.methods import naive_bayes


@pytest.mark.parametrize("var_smoothing", [1e-9, 1e-3])
def test_log_probabilities_equal_sklearn(var_smoothing):
    train = simulate.signal_background_events(2000, signal_fraction=0.3, seed=1)
    test = simulate.signal_background_events(500, seed=2)
    ours = naive_bayes.fit_gaussian_naive_bayes(train.X, train.y, var_smoothing=var_smoothing)
    theirs = GaussianNB(var_smoothing=var_smoothing).fit(train.X, train.y)
    np.testing.assert_allclose(
        ours.predict_log_proba(test.X), theirs.predict_log_proba(test.X), rtol=0, atol=1e-10
    )
    np.testing.assert_allclose(ours.variances, theirs.var_, rtol=1e-12)
    np.testing.assert_allclose(ours.priors, theirs.class_prior_, rtol=1e-12)
    np.testing.assert_array_equal(ours.predict(test.X), theirs.predict(test.X))


def test_independent_gaussian_features_give_the_exact_posterior():
    # With a diagonal covariance the naive assumption is true: the posterior approaches
    # the exact one as the training set grows.
    sample = simulate.gaussian_classes(200_000, covariance=np.eye(2), seed=3)
    model = naive_bayes.fit_gaussian_naive_bayes(sample.X, sample.y)
    grid = np.column_stack([np.linspace(-2, 2, 9), np.linspace(1, -1, 9)])
    np.testing.assert_allclose(model.predict_proba(grid)[:, 1], sample.posterior(grid), atol=0.01)


def test_a_constant_feature_within_a_class_is_smoothed():
    X = np.array([[1.0, 0.0], [1.0, 1.0], [2.0, 3.0], [3.0, 5.0]])
    y = np.array([0, 0, 1, 1])
    ours = naive_bayes.fit_gaussian_naive_bayes(X, y)
    assert np.all(ours.variances > 0)
    np.testing.assert_allclose(
        ours.predict_log_proba(X), GaussianNB().fit(X, y).predict_log_proba(X), atol=1e-10
    )
    with pytest.raises(ValueError, match="at least two classes"):
        naive_bayes.fit_gaussian_naive_bayes(X, np.zeros(4))
