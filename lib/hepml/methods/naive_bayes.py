"""Gaussian naive Bayes, written out (chapter 6).

Naive Bayes assumes that the features are independent *given the class*, so a class density
is a product of one-dimensional densities, here Gaussians:

    log p(x, c) = log P(c) + sum_j log N(x_j; mu_cj, sigma_cj^2).

:func:`fit_gaussian_naive_bayes` estimates the priors, means and variances (with
scikit-learn's ``var_smoothing``: a small fraction of the largest feature variance is added to
every variance); the log-probabilities equal those of ``sklearn.naive_bayes.GaussianNB`` to
1e-10 (``tests/methods/test_naive_bayes.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from hepml.validation import check_array, check_real, check_xy


@dataclass(frozen=True)
class GaussianNaiveBayes:
    """A fitted Gaussian naive Bayes classifier.

    Attributes
    ----------
    classes
        Sorted class labels.
    priors
        ``P(c)``, the class fractions of the training set.
    means, variances
        Shape ``(n_classes, n_features)``: per-class mean and (smoothed) variance of each
        feature.
    """

    classes: np.ndarray
    priors: np.ndarray
    means: np.ndarray
    variances: np.ndarray

    def joint_log_likelihood(self, X: np.ndarray) -> np.ndarray:
        """``log P(c) + log p(x | c)`` under the independence assumption, ``(n, n_classes)``."""
        X = check_array(X, "X", ndim=2, columns=self.means.shape[1])
        log_density = -0.5 * np.sum(np.log(2 * np.pi * self.variances), axis=1)
        squared = (X[:, None, :] - self.means[None]) ** 2 / self.variances[None]
        return np.log(self.priors) + log_density - 0.5 * squared.sum(axis=2)

    def predict_log_proba(self, X: np.ndarray) -> np.ndarray:
        """``log P(c | x)`` by Bayes' theorem, normalised over the classes."""
        joint = self.joint_log_likelihood(X)
        return joint - logsumexp(joint, axis=1, keepdims=True)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """``P(c | x)``, shape ``(n, n_classes)``."""
        return np.exp(self.predict_log_proba(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The class of largest posterior probability."""
        return self.classes[np.argmax(self.joint_log_likelihood(X), axis=1)]


def fit_gaussian_naive_bayes(
    X: np.ndarray, y: np.ndarray, *, var_smoothing: float = 1e-9
) -> GaussianNaiveBayes:
    """Estimate the class priors and per-class feature means and variances.

    Parameters
    ----------
    X, y
        Training features ``(n, d)`` and class labels ``(n,)``.
    var_smoothing
        ``var_smoothing * max_j Var(x_j)`` is added to every variance, so that a feature that
        is constant within a class does not give a zero variance; >= 0.
    """
    X, y = check_xy(X, y, finite_y=False)
    var_smoothing = check_real(var_smoothing, "var_smoothing", minimum=0.0)
    classes = np.unique(y)
    if len(classes) < 2:
        raise ValueError("y must contain at least two classes")
    in_class = [X[y == c] for c in classes]
    epsilon = var_smoothing * np.var(X, axis=0).max()
    return GaussianNaiveBayes(
        classes=classes,
        priors=np.array([len(rows) for rows in in_class]) / len(y),
        means=np.array([rows.mean(axis=0) for rows in in_class]),
        variances=np.array([rows.var(axis=0) for rows in in_class]) + epsilon,
    )
