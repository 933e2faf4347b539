"""Tests of hepml.methods.ensembles against scikit-learn's forests and boosting."""

import numpy as np
import pytest
import sklearn
from sklearn.ensemble import AdaBoostClassifier, GradientBoostingRegressor, RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier

from hepml import simulate
from hepml.methods import ensembles

# AdaBoostClassifier lost its algorithm= argument in 1.8 (SAMME only); before 1.6 the
# default was SAMME.R.
SKLEARN_VERSION = tuple(int(part) for part in sklearn.__version__.split(".")[:2])
SAMME = {"algorithm": "SAMME"} if SKLEARN_VERSION < (1, 6) else {}


def events(n, seed):
    sample = simulate.signal_background_events(n, seed=seed)
    return sample.X, sample.y


def test_bootstrap_leaves_about_one_over_e_out_of_bag():
    indices = ensembles.bootstrap_indices(100_000, seed=1)
    assert indices.min() >= 0 and indices.max() < 100_000
    out_of_bag = 1 - len(np.unique(indices)) / 100_000
    assert out_of_bag == pytest.approx(np.exp(-1), abs=0.005)  # (1 - 1/n)^n


@pytest.mark.parametrize("max_depth", [2, 3])
def test_bagging_equals_a_sklearn_forest_with_the_same_resamples(max_depth):
    X, y = events(2000, seed=1)
    X_test, _ = events(1000, seed=2)
    theirs = RandomForestClassifier(
        n_estimators=30, max_features=None, max_depth=max_depth, oob_score=True, random_state=0
    ).fit(X, y)
    # scikit-learn draws each tree's resample from the tree's own random_state
    resamples = [
        np.random.RandomState(tree.random_state).randint(0, len(y), len(y))
        for tree in theirs.estimators_
    ]
    ours = ensembles.fit_random_forest(X, y, max_depth=max_depth, bootstraps=resamples)
    np.testing.assert_allclose(
        ours.predict_proba(X_test), theirs.predict_proba(X_test), rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(ours.oob_proba, theirs.oob_decision_function_, atol=1e-12)
    assert ours.oob_score == theirs.oob_score_


def test_out_of_bag_accuracy_estimates_the_held_out_accuracy():
    X, y = events(1500, seed=3)
    X_test, y_test = events(5000, seed=4)
    forest = ensembles.fit_random_forest(
        X, y, n_trees=30, max_features=1, min_samples_leaf=5, seed=5
    )
    held_out = np.mean(forest.predict(X_test) == y_test)
    # binomial errors of the two accuracies, on 1500 and 5000 events
    error = np.hypot(np.sqrt(0.1 / 1500), np.sqrt(0.1 / 5000))
    assert abs(forest.oob_score - held_out) < 3 * error
    assert np.isnan(forest.oob_proba).sum() == 0  # 30 trees: every event left out of one


def test_forest_varies_less_than_one_tree():
    # Variance reduction: the forest's prediction changes less between training sets.
    X_test, _ = events(300, seed=6)
    single, forest = [], []
    for seed in range(4):
        X, y = events(400, seed=10 + seed)
        single.append(
            ensembles.fit_random_forest(X, y, n_trees=1, seed=seed).predict_proba(X_test)
        )
        forest.append(
            ensembles.fit_random_forest(X, y, n_trees=25, seed=seed).predict_proba(X_test)
        )
    assert np.var(forest, axis=0).mean() < 0.5 * np.var(single, axis=0).mean()


@pytest.mark.parametrize("max_depth", [1, 3])
@pytest.mark.parametrize("learning_rate", [1.0, 0.3])
def test_adaboost_staged_decision_functions_equal_sklearn(max_depth, learning_rate):
    X, y = events(1500, seed=7)
    X_test, _ = events(800, seed=8)
    ours = ensembles.fit_adaboost(
        X, y, n_estimators=40, learning_rate=learning_rate, max_depth=max_depth
    )
    theirs = AdaBoostClassifier(
        DecisionTreeClassifier(max_depth=max_depth),
        n_estimators=40,
        learning_rate=learning_rate,
        random_state=0,
        **SAMME,
    ).fit(X, y)
    staged = np.array(list(theirs.staged_decision_function(X_test)))
    assert ours.n_steps == len(staged)
    np.testing.assert_allclose(ours.staged_decision_function(X_test), staged, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.estimator_weights, theirs.estimator_weights_, rtol=1e-10)
    np.testing.assert_allclose(ours.estimator_errors, theirs.estimator_errors_, rtol=1e-10)
    np.testing.assert_array_equal(ours.predict(X_test), theirs.predict(X_test))
    training_error = np.array([np.mean(p != y) for p in theirs.staged_predict(X)])
    np.testing.assert_allclose(ours.loss_history, training_error)


def test_adaboost_stops_at_a_perfect_tree_and_refuses_a_useless_first_one():
    X = np.arange(10.0)[:, None]
    perfect = ensembles.fit_adaboost(X, (X[:, 0] > 4).astype(int), n_estimators=10)
    assert perfect.n_steps == 1 and perfect.converged
    np.testing.assert_array_equal(perfect.estimator_weights, [1.0])
    with pytest.raises(ValueError, match="no better than guessing"):
        ensembles.fit_adaboost(np.zeros((4, 1)), np.array([0, 1, 0, 1]))


@pytest.mark.parametrize("learning_rate", [0.1, 0.5])
def test_gradient_boosting_staged_predictions_equal_sklearn(learning_rate):
    showers = simulate.calorimeter_showers(1200, seed=9)
    test = simulate.calorimeter_showers(400, seed=10)
    settings = {"n_estimators": 60, "learning_rate": learning_rate, "max_depth": 3}
    ours = ensembles.fit_gradient_boosting(showers.X, showers.y, min_samples_leaf=5, **settings)
    theirs = GradientBoostingRegressor(min_samples_leaf=5, random_state=0, **settings)
    theirs.fit(showers.X, showers.y)
    staged = np.array(list(theirs.staged_predict(test.X)))
    np.testing.assert_allclose(ours.staged_predict(test.X), staged, rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours.loss_history, theirs.train_score_, rtol=1e-10)
    assert ours.init == pytest.approx(showers.y.mean(), rel=1e-14)
    assert np.all(np.diff(ours.loss_history) <= 0)  # each tree lowers the training loss


def test_bad_input():
    X, y = events(30, seed=11)
    with pytest.raises(ValueError, match=r"bootstraps\[0\] must hold indices into range\(30\)"):
        ensembles.fit_random_forest(X, y, bootstraps=[np.array([0, 30])])
    with pytest.raises(ValueError, match="y must contain only 0 and 1"):
        ensembles.fit_adaboost(X, 2 * y)
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        ensembles.fit_gradient_boosting(X, X[:, 0], learning_rate=0.0)


@pytest.mark.parametrize("max_depth", [1, 2])
@pytest.mark.parametrize("learning_rate", [0.5, 1.0, 2.5, 5.0])
def test_adaboost_at_large_learning_rates_follows_sklearn_for_80_rounds(max_depth, learning_rate):
    # From a learning rate of 2.5 the weights of the events every tree gets right underflow;
    # without scikit-learn's floor at machine epsilon they became NaN.
    X, y = events(1000, seed=7)
    X_test, _ = events(500, seed=107)
    ours = ensembles.fit_adaboost(
        X, y, n_estimators=80, learning_rate=learning_rate, max_depth=max_depth
    )
    theirs = AdaBoostClassifier(
        DecisionTreeClassifier(max_depth=max_depth),
        n_estimators=80,
        learning_rate=learning_rate,
        random_state=0,
        **SAMME,
    ).fit(X, y)
    staged = np.array(list(theirs.staged_decision_function(X_test)))
    assert ours.n_steps == len(staged) == 80
    np.testing.assert_allclose(ours.staged_decision_function(X_test), staged, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.estimator_weights, theirs.estimator_weights_, rtol=1e-10)
