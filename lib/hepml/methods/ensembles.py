"""Ensembles of decision trees: bagging and random forests, AdaBoost, gradient boosting (ch. 6).

- :func:`fit_random_forest`: trees grown on bootstrap resamples (bagging), optionally with a
  random subset of features at each split (a random forest), and the out-of-bag estimate of
  the accuracy; with the same resamples and all features it equals scikit-learn's
  ``RandomForestClassifier(max_features=None)``;
- :func:`fit_adaboost`: AdaBoost in its SAMME form, reweighting the events a tree got wrong;
  its staged decision functions equal ``AdaBoostClassifier``'s to 1e-10;
- :func:`fit_gradient_boosting`: gradient boosting of regression trees for the squared error,
  each tree fitted to the residuals; its staged predictions equal
  ``GradientBoostingRegressor``'s to 1e-8.

The trees are those of :mod:`hepml.methods.trees`. The comparisons are in
``tests/methods/test_ensembles.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hepml.methods.trees import DecisionTree, fit_classification_tree, fit_regression_tree
from hepml.reproducibility import as_generator
from hepml.validation import check_array, check_index_array, check_int, check_real, check_xy


def bootstrap_indices(n: int, seed: int | np.random.Generator = 0) -> np.ndarray:
    """Indices of a bootstrap resample: ``n`` draws with replacement from ``range(n)``.

    About ``1 - 1/e``, 63 %, of the events appear at least once; the rest are "out of bag".
    """
    n = check_int(n, "n", minimum=1)
    return as_generator(seed).integers(0, n, n)


@dataclass(frozen=True)
class RandomForest:
    """Trees fitted to bootstrap resamples, voting with their class fractions.

    Attributes
    ----------
    trees
        The fitted trees.
    bootstraps
        The resample (training indices) of each tree.
    classes
        Sorted class labels.
    oob_proba
        Shape ``(n, n_classes)``: for each training event the mean class fractions of the
        trees that did not see it; NaN for an event that was in every resample.
    oob_score
        Accuracy of the out-of-bag predictions, over the events that have one: an estimate of
        the accuracy on new data that needs no held-out set.
    """

    trees: tuple[DecisionTree, ...]
    bootstraps: tuple[np.ndarray, ...]
    classes: np.ndarray
    oob_proba: np.ndarray
    oob_score: float

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Mean over the trees of their class fractions, shape ``(n, n_classes)``."""
        return sum(tree.predict_proba(X) for tree in self.trees) / len(self.trees)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The class of largest mean fraction."""
        return self.classes[np.argmax(self.predict_proba(X), axis=1)]


def fit_random_forest(
    X: np.ndarray,
    y: np.ndarray,
    *,
    n_trees: int = 100,
    max_features: int | None = None,
    max_depth: int | None = None,
    min_samples_leaf: int = 1,
    bootstraps: Sequence[np.ndarray] | None = None,
    seed: int | np.random.Generator = 0,
) -> RandomForest:
    """Bagging (``max_features=None``) or a random forest of classification trees.

    Each tree is grown on a bootstrap resample, given to it as integer sample weights (an
    event drawn twice counts twice), exactly as scikit-learn does.

    Parameters
    ----------
    X, y
        Training features ``(n, d)`` and class labels ``(n,)``.
    n_trees
        Number of trees, >= 1 (ignored when ``bootstraps`` is given).
    max_features
        Features drawn at each split (see :func:`~hepml.methods.trees.fit_classification_tree`);
        ``None``: all, which is plain bagging.
    max_depth, min_samples_leaf
        Passed to every tree.
    bootstraps
        The resample of each tree, to reuse given ones; ``None`` draws them from ``seed``.
    seed
        Integer seed or NumPy generator for the resamples and the feature draws.
    """
    X, y = check_xy(X, y, finite_y=False)
    rng = as_generator(seed)
    if bootstraps is None:
        n_trees = check_int(n_trees, "n_trees", minimum=1)
        bootstraps = [bootstrap_indices(len(y), rng) for _ in range(n_trees)]
    if len(bootstraps) == 0:
        raise ValueError("bootstraps must hold at least one resample")
    bootstraps = tuple(
        check_index_array(indices, f"bootstraps[{i}]", len(y))
        for i, indices in enumerate(bootstraps)
    )
    classes = np.unique(y)
    trees, oob_sum, oob_count = [], np.zeros((len(y), len(classes))), np.zeros(len(y))
    for indices in bootstraps:
        counts = np.bincount(indices, minlength=len(y)).astype(float)
        tree = fit_classification_tree(
            X,
            y,
            max_depth=max_depth,
            min_samples_leaf=min_samples_leaf,
            max_features=max_features,
            sample_weight=counts,
            seed=rng,
        )
        out_of_bag = counts == 0
        # every tree knows all classes (a class missing from its resample has fraction 0)
        oob_sum[out_of_bag] += tree.predict_proba(X[out_of_bag])
        oob_count[out_of_bag] += 1
        trees.append(tree)
    seen = oob_count > 0
    oob_proba = np.full_like(oob_sum, np.nan)
    oob_proba[seen] = oob_sum[seen] / oob_count[seen, None]
    oob_correct = classes[np.argmax(oob_proba[seen], axis=1)] == y[seen]
    oob_score = float(oob_correct.mean()) if seen.any() else float("nan")
    return RandomForest(tuple(trees), bootstraps, classes, oob_proba, oob_score)


@dataclass(frozen=True)
class AdaBoostResult:
    """AdaBoost (SAMME) for two classes, 0 background and 1 signal.

    Attributes
    ----------
    trees
        The weak learners in the order they were fitted.
    estimator_weights
        The vote ``alpha_m`` of each tree.
    estimator_errors
        The weighted training error ``err_m`` of each tree when it was fitted.
    loss_history
        Training error rate of the ensemble after each tree.
    n_steps
        Number of trees.
    converged
        True if boosting stopped early because a tree classified every event right.
    """

    trees: tuple[DecisionTree, ...]
    estimator_weights: np.ndarray
    estimator_errors: np.ndarray
    loss_history: np.ndarray
    n_steps: int
    converged: bool

    def staged_decision_function(self, X: np.ndarray) -> np.ndarray:
        """Shape ``(n_steps, n)``: the decision function after 1, 2, ... trees.

        SAMME codes a tree's vote for class ``k`` as ``+1`` if it predicts ``k`` and ``-1``
        otherwise; the decision function is the weighted score of signal minus that of
        background, ``2 sum_j alpha_j s_j(x) / sum_j alpha_j`` with ``s_j = +1`` where tree
        ``j`` says signal and ``-1`` where it says background. It lies in ``[-2, 2]``
        (scikit-learn's normalisation) and is positive for signal.
        """
        return _staged_vote(self.trees, self.estimator_weights, X)

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """The weighted vote of all trees, in ``[-2, 2]``."""
        return self.staged_decision_function(X)[-1]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """1 (signal) where the vote is positive, else 0."""
        return (self.decision_function(X) > 0).astype(int)


def fit_adaboost(
    X: np.ndarray,
    y: np.ndarray,
    *,
    n_estimators: int = 50,
    learning_rate: float = 1.0,
    max_depth: int = 1,
) -> AdaBoostResult:
    """AdaBoost with the SAMME update, as ``sklearn.ensemble.AdaBoostClassifier``.

    Start with equal event weights ``w_i = 1/n``. For each of ``n_estimators`` rounds: fit a
    tree of depth ``max_depth`` (a "stump" for 1) with weights ``w``; its weighted error is
    ``err = sum_i w_i [wrong_i]``; its vote is ``alpha = learning_rate * log((1 - err) / err)``;
    multiply the weights of the events it got wrong by ``exp(alpha)`` and normalise.
    Boosting stops early if a tree makes no error (it then gets the vote 1) and refuses a tree
    no better than guessing (``err >= 1/2``).

    Large learning rates make the weights span hundreds of orders of magnitude. As in
    scikit-learn's ``AdaBoostClassifier`` (1.9), the update is done in log space, every weight
    is raised to at least machine epsilon (2.2e-16) before each tree is fitted, and boosting
    stops if the sum of the weights is no longer a positive finite number; so the stages agree
    with scikit-learn's at any learning rate instead of turning into NaN.

    Parameters
    ----------
    X, y
        Features ``(n, d)`` and labels 0/1.
    n_estimators
        Largest number of trees, >= 1.
    learning_rate
        Shrinks every vote, > 0.
    max_depth
        Depth of each tree, >= 1.
    """
    X, y = check_xy(X, y, labels=True)
    n_estimators = check_int(n_estimators, "n_estimators", minimum=1)
    learning_rate = check_real(learning_rate, "learning_rate", minimum=0.0, strict_minimum=True)
    sample_weight = np.full(len(y), 1.0 / len(y))
    trees, weights, errors, converged = [], [], [], False
    for step in range(n_estimators):
        # scikit-learn's floor: a weight never falls below machine epsilon, so weights that
        # would underflow at large learning rates stay positive and the sum stays finite
        sample_weight = np.maximum(sample_weight, np.finfo(float).eps)
        tree = fit_classification_tree(X, y, max_depth=max_depth, sample_weight=sample_weight)
        incorrect = tree.predict(X) != y
        error = float(np.average(incorrect, weights=sample_weight))
        if error <= 0:  # a perfect tree: keep it and stop
            trees.append(tree)
            weights.append(1.0)
            errors.append(0.0)
            converged = True
            break
        if error >= 0.5:  # no better than guessing: discard it and stop
            if not trees:
                raise ValueError(
                    "the first tree is no better than guessing; AdaBoost cannot start"
                )
            break
        alpha = learning_rate * np.log((1.0 - error) / error)
        trees.append(tree)
        weights.append(alpha)
        errors.append(error)
        if step < n_estimators - 1:
            # exp(log w + alpha) rather than w * exp(alpha): scikit-learn's form, same numbers
            sample_weight = np.exp(np.log(sample_weight) + alpha * incorrect)
            total = np.sum(sample_weight)
            if not np.isfinite(total) or total <= 0:  # overflow: stop, as scikit-learn
                break
            sample_weight /= total
    weights = np.array(weights)
    loss_history = np.mean((_staged_vote(trees, weights, X) > 0) != (y == 1), axis=1)
    return AdaBoostResult(
        tuple(trees), weights, np.array(errors), loss_history, len(trees), converged
    )


@dataclass(frozen=True)
class GradientBoostingResult:
    """Gradient-boosted regression trees for the squared error.

    Attributes
    ----------
    init
        The starting prediction, the mean of the training targets.
    trees
        One regression tree per stage, each fitted to the residuals of the stages before.
    learning_rate
        The shrinkage of each tree's contribution.
    loss_history
        Training mean squared error after each stage.
    n_steps
        Number of stages (trees).
    """

    init: float
    trees: tuple[DecisionTree, ...]
    learning_rate: float
    loss_history: np.ndarray
    n_steps: int

    def staged_predict(self, X: np.ndarray) -> np.ndarray:
        """Shape ``(n_steps, n)``: ``F_m(x) = init + learning_rate * sum_{j<=m} tree_j(x)``."""
        X = check_array(X, "X", ndim=2)
        prediction = np.full(len(X), self.init)
        stages = np.empty((len(self.trees), len(X)))
        for m, tree in enumerate(self.trees):
            prediction = prediction + self.learning_rate * tree.predict(X)
            stages[m] = prediction
        return stages

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The prediction after all stages."""
        return self.staged_predict(X)[-1]


def fit_gradient_boosting(
    X: np.ndarray,
    y: np.ndarray,
    *,
    n_estimators: int = 100,
    learning_rate: float = 0.1,
    max_depth: int = 3,
    min_samples_leaf: int = 1,
) -> GradientBoostingResult:
    """Gradient boosting for regression, as ``sklearn.ensemble.GradientBoostingRegressor``.

    For the loss ``(y - F)^2 / 2`` the negative gradient with respect to the prediction ``F``
    is the residual ``y - F``. Start from ``F_0 = mean(y)``; at each stage fit a regression
    tree to the residuals and add ``learning_rate`` times its prediction to ``F``. Each tree
    is a step of gradient descent in the space of functions.

    Parameters
    ----------
    X, y
        Features ``(n, d)`` and real targets ``(n,)``.
    n_estimators
        Number of stages, >= 1.
    learning_rate
        Shrinkage, > 0; smaller values need more trees and usually generalise better.
    max_depth, min_samples_leaf
        Size of each regression tree.
    """
    X, y = check_xy(X, y)
    n_estimators = check_int(n_estimators, "n_estimators", minimum=1)
    learning_rate = check_real(learning_rate, "learning_rate", minimum=0.0, strict_minimum=True)
    init = float(np.average(y))
    prediction = np.full(len(y), init)
    trees, loss_history = [], []
    for _ in range(n_estimators):
        tree = fit_regression_tree(
            X, y - prediction, max_depth=max_depth, min_samples_leaf=min_samples_leaf
        )
        prediction = prediction + learning_rate * tree.predict(X)
        trees.append(tree)
        loss_history.append(np.mean((y - prediction) ** 2))
    return GradientBoostingResult(
        init, tuple(trees), learning_rate, np.array(loss_history), len(trees)
    )


def _staged_vote(trees: Sequence[DecisionTree], weights: np.ndarray, X: np.ndarray) -> np.ndarray:
    votes = np.array([2 * tree.predict(X) - 1 for tree in trees])  # +1 signal, -1 background
    return 2 * np.cumsum(weights[:, None] * votes, axis=0) / np.cumsum(weights)[:, None]
