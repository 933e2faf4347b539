"""Tests of hepml.methods.neighbours against scikit-learn's KNeighborsClassifier."""

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier

from hepml import simulate
from hepml.methods import neighbours


@pytest.mark.parametrize("k", [1, 2, 4, 15, 60])
def test_knn_predicts_like_sklearn(k):
    train = simulate.gaussian_classes(400, seed=k)
    test = simulate.gaussian_classes(300, seed=100 + k)
    ours = neighbours.fit_knn(train.X, train.y, k)
    theirs = KNeighborsClassifier(n_neighbors=k).fit(train.X, train.y)
    np.testing.assert_array_equal(ours.predict(test.X), theirs.predict(test.X))
    np.testing.assert_array_equal(ours.predict_proba(test.X), theirs.predict_proba(test.X))
    _, indices = theirs.kneighbors(test.X)
    np.testing.assert_array_equal(ours.neighbours(test.X), indices)


def test_tied_vote_goes_to_the_smaller_label_and_k1_memorises():
    X = np.array([[0.0], [1.0], [3.0], [4.0]])
    y = np.array([2, 5, 5, 2])
    two = neighbours.fit_knn(X, y, k=2)
    assert two.predict(np.array([[0.4]]))[0] == 2  # one vote each
    assert KNeighborsClassifier(n_neighbors=2).fit(X, y).predict([[0.4]])[0] == 2
    np.testing.assert_array_equal(neighbours.fit_knn(X, y, k=1).predict(X), y)


def test_bad_input():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="k must be <= the number of training events"):
        neighbours.fit_knn(X, np.array([0, 1, 0]), k=4)
    with pytest.raises(ValueError, match="X must have 2 columns"):
        neighbours.fit_knn(X, np.array([0, 1, 0]), k=1).predict(np.zeros((2, 3)))
