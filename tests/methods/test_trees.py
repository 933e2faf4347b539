"""Tests of hepml.methods.trees against scikit-learn's DecisionTreeClassifier/Regressor."""

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from hepml import simulate
from hepml.methods import trees


def assert_same_tree(ours, theirs, *, value_tolerance=1e-12):
    reference = theirs.tree_
    assert ours.node_count == reference.node_count
    np.testing.assert_array_equal(ours.children_left, reference.children_left)
    np.testing.assert_array_equal(ours.children_right, reference.children_right)
    np.testing.assert_array_equal(ours.feature, reference.feature)
    np.testing.assert_array_equal(ours.threshold, reference.threshold)
    np.testing.assert_array_equal(ours.n_node_samples, reference.n_node_samples)
    values = reference.value.reshape(reference.node_count, -1)
    np.testing.assert_allclose(ours.value, values, rtol=0, atol=value_tolerance)
    np.testing.assert_allclose(ours.impurity, reference.impurity, rtol=value_tolerance, atol=1e-12)
    np.testing.assert_allclose(
        ours.weighted_n_node_samples, reference.weighted_n_node_samples, rtol=1e-12
    )
    assert ours.max_depth == theirs.get_depth()
    assert ours.n_leaves == theirs.get_n_leaves()


def events(n, seed):
    sample = simulate.signal_background_events(n, seed=seed)
    return sample.X, sample.y


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("max_depth", [1, 2, 4])
def test_classification_tree_has_sklearns_structure(criterion, max_depth):
    X, y = events(1500, seed=max_depth)
    X_test, _ = events(500, seed=100 + max_depth)
    ours = trees.fit_classification_tree(X, y, criterion=criterion, max_depth=max_depth)
    theirs = DecisionTreeClassifier(criterion=criterion, max_depth=max_depth, random_state=0)
    theirs.fit(X, y)
    assert_same_tree(ours, theirs)
    np.testing.assert_array_equal(ours.predict(X_test), theirs.predict(X_test))
    np.testing.assert_allclose(
        ours.predict_proba(X_test), theirs.predict_proba(X_test), atol=1e-12
    )
    np.testing.assert_array_equal(ours.apply(X_test), theirs.apply(X_test))


def test_classification_tree_with_weights_leaf_size_and_three_classes():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(800, 4))
    y = np.digitize(X[:, 0] + 0.5 * X[:, 2] + rng.normal(size=800), [-0.5, 0.7])
    weights = rng.random(800)
    weights[:50] = 0.0  # left out of the tree, as in scikit-learn
    ours = trees.fit_classification_tree(
        X, y, max_depth=4, min_samples_leaf=7, min_samples_split=20, sample_weight=weights
    )
    theirs = DecisionTreeClassifier(
        max_depth=4, min_samples_leaf=7, min_samples_split=20, random_state=0
    ).fit(X, y, sample_weight=weights)
    assert_same_tree(ours, theirs)
    np.testing.assert_array_equal(ours.classes, [0, 1, 2])


def test_integer_features_tie_between_thresholds_like_sklearn():
    # Repeated values: thresholds only between distinct values, smallest of equal splits.
    rng = np.random.default_rng(4)
    X = rng.integers(0, 4, size=(300, 3)).astype(float)
    y = (X.sum(axis=1) + rng.integers(0, 3, 300) > 5).astype(int)
    for seed in range(3):
        theirs = DecisionTreeClassifier(max_depth=4, random_state=seed).fit(X, y)
        assert_same_tree(trees.fit_classification_tree(X, y, max_depth=4), theirs)


def test_the_one_allowed_difference_is_a_tie_between_features():
    # A copy of feature 0: every split on it is exactly as good as on feature 0. scikit-learn
    # picks one of the two at random, we always pick the lower index; nothing else differs.
    X, y = events(600, seed=5)
    X = np.column_stack([X, X[:, 0]])
    ours = trees.fit_classification_tree(X, y, max_depth=3)
    chosen = set()
    for seed in range(6):
        theirs = DecisionTreeClassifier(max_depth=3, random_state=seed).fit(X, y)
        features = theirs.tree_.feature.copy()
        chosen.update(features[features >= 0].tolist())
        features[features == 3] = 0
        np.testing.assert_array_equal(ours.feature, features)
        np.testing.assert_array_equal(ours.threshold, theirs.tree_.threshold)
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert 3 not in ours.feature
    assert {0, 3} <= chosen  # scikit-learn really does use both copies


def weighted_gini(labels, goes_left):
    def gini(part):
        return 1 - np.mean(part) ** 2 - (1 - np.mean(part)) ** 2

    left, right = labels[goes_left], labels[~goes_left]
    return (len(left) * gini(left) + len(right) * gini(right)) / len(labels)


def test_fully_grown_trees_differ_only_at_ties():
    # In small nodes two features often cut off the same events. Walk both trees from the
    # root: wherever the splits differ, they must be equally good (a tie).
    X, y = events(400, seed=6)
    ours = trees.fit_classification_tree(X, y)
    theirs = DecisionTreeClassifier(random_state=0).fit(X, y).tree_
    X32 = X.astype(np.float32)
    ties, compared = 0, 0
    stack = [(0, 0, np.arange(len(y)))]
    while stack:
        a, b, rows = stack.pop()
        compared += 1
        assert (ours.children_left[a] == -1) == (theirs.children_left[b] == -1)
        if ours.children_left[a] == -1:
            continue
        left_ours = X32[rows, ours.feature[a]] <= ours.threshold[a]
        left_theirs = X32[rows, theirs.feature[b]] <= theirs.threshold[b]
        if (ours.feature[a], ours.threshold[a]) != (theirs.feature[b], theirs.threshold[b]):
            ties += 1
            assert weighted_gini(y[rows], left_ours) == pytest.approx(
                weighted_gini(y[rows], left_theirs), abs=1e-12
            )
            if not np.array_equal(left_ours, left_theirs):
                continue  # different events go left: the subtrees are not comparable
        stack.append((ours.children_left[a], theirs.children_left[b], rows[left_ours]))
        stack.append((ours.children_right[a], theirs.children_right[b], rows[~left_ours]))
    assert ties > 0 and compared > 30


@pytest.mark.parametrize("max_depth", [1, 3, 4])
def test_regression_tree_has_sklearns_structure(max_depth):
    shower = simulate.calorimeter_showers(1000, seed=max_depth)
    ours = trees.fit_regression_tree(shower.X, shower.y, max_depth=max_depth)
    theirs = DecisionTreeRegressor(max_depth=max_depth, random_state=0).fit(shower.X, shower.y)
    assert_same_tree(ours, theirs, value_tolerance=1e-9)
    np.testing.assert_allclose(ours.predict(shower.X), theirs.predict(shower.X), atol=1e-9)


def test_float32_rounding_and_near_equal_values_follow_sklearn():
    # Values 1e-8 apart are equal in float32: no threshold may separate them.
    X = np.array([[1.0], [1.0 + 1e-8], [2.0], [3.0]])
    y = np.array([0, 1, 1, 1])
    ours = trees.fit_classification_tree(X, y, max_depth=1)
    theirs = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y)
    assert_same_tree(ours, theirs)
    assert ours.threshold[0] == 1.5


def test_constant_features_and_pure_nodes_make_leaves():
    X = np.ones((10, 2))
    tree = trees.fit_classification_tree(X, np.r_[np.zeros(5), np.ones(5)])
    assert tree.node_count == 1
    np.testing.assert_array_equal(tree.predict(X), np.zeros(10))  # first class on a tie
    pure = trees.fit_classification_tree(np.arange(6.0)[:, None], np.ones(6))
    assert pure.node_count == 1 and pure.max_depth == 0


def test_max_features_draws_features_from_the_seed():
    X, y = events(500, seed=7)
    first = trees.fit_classification_tree(X, y, max_depth=3, max_features=1, seed=1)
    again = trees.fit_classification_tree(X, y, max_depth=3, max_features=1, seed=1)
    np.testing.assert_array_equal(first.feature, again.feature)
    all_features = trees.fit_classification_tree(X, y, max_depth=3, max_features=3, seed=9)
    assert_same_tree(all_features, DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y))


def test_bad_input_raises_clear_errors():
    X, y = events(50, seed=8)
    with pytest.raises(ValueError, match="criterion must be one of"):
        trees.fit_classification_tree(X, y, criterion="mse")
    with pytest.raises(ValueError, match="max_depth must be >= 1"):
        trees.fit_classification_tree(X, y, max_depth=0)
    with pytest.raises(ValueError, match="max_features must be <= 3"):
        trees.fit_classification_tree(X, y, max_features=4)
    with pytest.raises(ValueError, match="sample_weight must be >= 0"):
        trees.fit_classification_tree(X, y, sample_weight=-np.ones(50))
    with pytest.raises(ValueError, match="X has 1 features"):
        trees.fit_classification_tree(X, y, max_depth=3).apply(X[:, :1])
    with pytest.raises(TypeError, match="needs a classification tree"):
        trees.fit_regression_tree(X, X[:, 0]).predict_proba(X)
