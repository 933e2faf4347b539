"""k-nearest-neighbour classification, written out (chapter 6).

:func:`fit_knn` stores the training events; :class:`KNNClassifier` predicts, for each new
event, the majority class of its ``k`` nearest training events in Euclidean distance, the
class with the smaller label on a tied vote. Predictions and class fractions are those of
``sklearn.neighbors.KNeighborsClassifier(n_neighbors=k)`` (``tests/methods/test_neighbours.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hepml.validation import check_array, check_int, check_xy


@dataclass(frozen=True)
class KNNClassifier:
    """A "fitted" kNN classifier: the training data and ``k``.

    Attributes
    ----------
    X, y
        The training events and their labels.
    k
        Number of neighbours that vote.
    classes
        The sorted class labels, the column order of :meth:`predict_proba`.
    """

    X: np.ndarray
    y: np.ndarray
    k: int
    classes: np.ndarray

    def neighbours(self, X: np.ndarray) -> np.ndarray:
        """Indices of the ``k`` nearest training events of each row, nearest first."""
        X = check_array(X, "X", ndim=2, columns=self.X.shape[1])
        squared = ((X[:, None, :] - self.X[None, :, :]) ** 2).sum(axis=2)
        return np.argsort(squared, axis=1, kind="stable")[:, : self.k]

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Fraction of the ``k`` neighbours in each class, shape ``(n, n_classes)``."""
        votes = np.searchsorted(self.classes, self.y[self.neighbours(X)])
        counts = np.stack([(votes == c).sum(axis=1) for c in range(len(self.classes))], axis=1)
        return counts / self.k

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The majority class of the neighbours (the smaller label on a tie)."""
        return self.classes[np.argmax(self.predict_proba(X), axis=1)]


def fit_knn(X: np.ndarray, y: np.ndarray, k: int = 5) -> KNNClassifier:
    """Store the training set of a k-nearest-neighbour classifier; there is nothing to fit.

    Parameters
    ----------
    X, y
        Training features ``(n, d)`` and class labels ``(n,)``.
    k
        Number of neighbours, 1 <= k <= n.
    """
    X, y = check_xy(X, y, finite_y=False)
    k = check_int(k, "k", minimum=1)
    if k > len(y):
        raise ValueError(f"k must be <= the number of training events ({len(y)}), got {k}")
    return KNNClassifier(X.copy(), y.copy(), k, np.unique(y))
