"""Decision trees grown by CART, the greedy recursive split search (chapter 6).

:func:`fit_classification_tree` (Gini or entropy) and :func:`fit_regression_tree` (squared
error) grow the same trees as scikit-learn's ``DecisionTreeClassifier`` and
``DecisionTreeRegressor``: the same nodes in the same order, the same features, thresholds,
impurities and leaf values (``tests/methods/test_trees.py``). To get there they copy three
conventions of scikit-learn's splitter:

- features are rounded to float32 first, as scikit-learn stores them;
- a threshold lies half-way between two consecutive distinct sorted values, and values closer
  than :data:`FEATURE_THRESHOLD` count as equal;
- among equally good splits of one feature the smallest threshold wins.

The one allowed difference: when two *features* give exactly the same impurity decrease,
scikit-learn takes the first one in a random order of the features (drawn from its
``random_state``), this module the one with the smaller index. Both splits are equally good
on the training data, and when they send the same training events left (the usual case in a
small node) the rest of the tree is the same too; but ``feature`` and ``threshold`` of that
node differ, so a new event near the cut may land in another leaf. A copy of a feature makes
every split a tie; in a fully grown tree ties are common (``tests/methods/test_trees.py``).

The fitted :class:`DecisionTree` keeps its nodes in flat arrays named like scikit-learn's
``tree_`` (``children_left``, ``feature``, ``threshold``, ``value``, ...), with ``-1`` for the
children and ``-2`` for the feature and threshold of a leaf.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hepml.reproducibility import as_generator
from hepml.validation import check_array, check_consistent_length, check_int, check_xy

#: Feature values closer than this are treated as equal (scikit-learn's float32 constant).
FEATURE_THRESHOLD = np.float32(1e-7)

#: Impurity below which a node is pure and becomes a leaf (scikit-learn's tolerance).
EPSILON = np.finfo(float).eps

#: Split criteria of classification and of regression trees.
CLASSIFICATION_CRITERIA = ("gini", "entropy")
REGRESSION_CRITERIA = ("squared_error",)

_LEAF = -1
_UNDEFINED = -2


@dataclass(frozen=True)
class DecisionTree:
    """A fitted binary tree; node 0 is the root and the nodes are in depth-first order.

    Attributes
    ----------
    children_left, children_right
        Index of each node's children, ``-1`` for a leaf.
    feature, threshold
        The test of an internal node: go left when ``x[feature] <= threshold``; ``-2`` at
        leaves.
    value
        Shape ``(n_nodes, n_outputs)``: the class fractions in each node (classification,
        weighted by ``sample_weight``) or the mean target (regression, one column).
    impurity
        Gini impurity, entropy in bits, or variance of the target in each node.
    n_node_samples, weighted_n_node_samples
        Number and total weight of the training samples that reach each node.
    classes
        The class labels in the order of the columns of ``value``; ``None`` for regression.
    n_features
        Number of features of the training data.
    """

    children_left: np.ndarray
    children_right: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    value: np.ndarray
    impurity: np.ndarray
    n_node_samples: np.ndarray
    weighted_n_node_samples: np.ndarray
    classes: np.ndarray | None
    n_features: int

    @property
    def node_count(self) -> int:
        """Number of nodes, internal and leaves."""
        return len(self.feature)

    @property
    def n_leaves(self) -> int:
        """Number of leaves."""
        return int(np.sum(self.children_left == _LEAF))

    @property
    def max_depth(self) -> int:
        """Length of the longest path from the root to a leaf (0 for a single leaf)."""
        depth = np.zeros(self.node_count, dtype=int)
        for node in range(self.node_count):  # parents come before their children
            if self.children_left[node] != _LEAF:
                depth[self.children_left[node]] = depth[self.children_right[node]] = (
                    depth[node] + 1
                )
        return int(depth.max())

    def apply(self, X: np.ndarray) -> np.ndarray:
        """Index of the leaf that each row of ``X`` falls into."""
        X = check_array(X, "X", ndim=2)
        if X.shape[1] != self.n_features:
            raise ValueError(
                f"X has {X.shape[1]} features, the tree was fitted with {self.n_features}"
            )
        return _apply(self, _as_float32(X))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class fractions of the leaf of each row, shape ``(n, n_classes)``."""
        if self.classes is None:
            raise TypeError("predict_proba needs a classification tree; this is a regression tree")
        return self.value[self.apply(X)]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The majority class (first class on a tie) or the mean target of each row's leaf."""
        values = self.value[self.apply(X)]
        if self.classes is None:
            return values[:, 0]
        return self.classes[np.argmax(values, axis=1)]


def fit_classification_tree(
    X: np.ndarray,
    y: np.ndarray,
    *,
    criterion: str = "gini",
    max_depth: int | None = None,
    min_samples_split: int = 2,
    min_samples_leaf: int = 1,
    max_features: int | None = None,
    sample_weight: np.ndarray | None = None,
    seed: int | np.random.Generator = 0,
) -> DecisionTree:
    """Grow a classification tree by CART, as ``sklearn.tree.DecisionTreeClassifier``.

    Each node is split where the weighted impurity of its two children is smallest, over every
    feature and every threshold, until a node is pure, reaches ``max_depth`` or is too small.

    Parameters
    ----------
    X, y
        Features ``(n, d)`` and class labels ``(n,)`` (any sortable values).
    criterion
        ``"gini"``: impurity ``1 - sum_k p_k^2``; ``"entropy"``: ``-sum_k p_k log2 p_k``.
    max_depth
        Largest depth of a leaf; ``None`` grows until the leaves are pure.
    min_samples_split
        A node with fewer samples is not split, >= 2.
    min_samples_leaf
        Each child must keep at least this many samples, >= 1.
    max_features
        Number of features drawn at random (without replacement) at each node, as in a random
        forest; ``None`` searches all of them, and then ``seed`` plays no role.
    sample_weight
        Non-negative weight of each sample (``None``: all one); samples of weight zero are
        left out, as scikit-learn does.
    seed
        Integer seed or NumPy generator for the feature draws.
    """
    X, y = check_xy(X, y, finite_y=False)
    if criterion not in CLASSIFICATION_CRITERIA:
        raise ValueError(f"criterion must be one of {CLASSIFICATION_CRITERIA}, got {criterion!r}")
    classes, y_index = np.unique(y, return_inverse=True)
    limits = _Limits(max_depth, min_samples_split, min_samples_leaf, max_features)
    return _fit(X, y_index, classes, criterion, limits, sample_weight, seed)


def fit_regression_tree(
    X: np.ndarray,
    y: np.ndarray,
    *,
    max_depth: int | None = None,
    min_samples_split: int = 2,
    min_samples_leaf: int = 1,
    max_features: int | None = None,
    sample_weight: np.ndarray | None = None,
    seed: int | np.random.Generator = 0,
) -> DecisionTree:
    """Grow a regression tree by CART, as ``sklearn.tree.DecisionTreeRegressor``.

    Each split minimises the summed squared error of the two children about their means, and a
    leaf predicts the (weighted) mean target of its samples. The arguments are those of
    :func:`fit_classification_tree`, with real targets ``y``.
    """
    X, y = check_xy(X, y)
    limits = _Limits(max_depth, min_samples_split, min_samples_leaf, max_features)
    return _fit(X, y, None, "squared_error", limits, sample_weight, seed)


@dataclass(frozen=True)
class _Limits:
    """When to stop splitting, and how many features each split may look at."""

    max_depth: int | None
    min_samples_split: int
    min_samples_leaf: int
    max_features: int | None

    def checked(self, n_features: int) -> _Limits:
        max_depth = self.max_depth
        if max_depth is None:
            max_depth = np.iinfo(np.int32).max
        max_depth = check_int(max_depth, "max_depth")
        if max_depth < 1:
            raise ValueError(f"max_depth must be >= 1 or None, got {max_depth}")
        max_features = self.max_features
        if max_features is not None:
            max_features = check_int(max_features, "max_features", minimum=1)
            if max_features > n_features:
                raise ValueError(f"max_features must be <= {n_features}, got {max_features}")
        return _Limits(
            max_depth,
            check_int(self.min_samples_split, "min_samples_split", minimum=2),
            check_int(self.min_samples_leaf, "min_samples_leaf", minimum=1),
            max_features,
        )


def _fit(X, y, classes, criterion, limits: _Limits, sample_weight, seed) -> DecisionTree:
    limits = limits.checked(X.shape[1])
    if sample_weight is None:
        sample_weight = np.ones(len(y))
    else:
        sample_weight = check_array(sample_weight, "sample_weight", ndim=1)
        check_consistent_length([X, sample_weight], ["X", "sample_weight"])
        if np.any(sample_weight < 0) or not np.any(sample_weight > 0):
            raise ValueError("sample_weight must be >= 0 with at least one positive weight")
    keep = sample_weight > 0
    targets = np.eye(len(classes))[y] if classes is not None else y[:, None]
    X32 = _as_float32(X)[keep]
    grower = _Grower(X32, targets[keep], sample_weight[keep], criterion, limits, seed)
    return grower.grow(classes)


class _Grower:
    """Grows one tree depth-first, left child first, numbering nodes as they are created."""

    def __init__(self, X, targets, weights, criterion, limits: _Limits, seed) -> None:
        self.X, self.targets, self.weights = X, targets, weights
        self.criterion, self.limits, self.rng = criterion, limits, as_generator(seed)
        self.nodes: list[list] = []

    def grow(self, classes) -> DecisionTree:
        root = np.arange(len(self.weights))
        stack = [(root, 0, -1, False, _node_impurity(*self._sums(root), self.criterion))]
        while stack:
            samples, depth, parent, is_left, impurity = stack.pop()
            node = len(self.nodes)
            if parent >= 0:
                self.nodes[parent][0 if is_left else 1] = node
            sums, weight = self._sums(samples)
            value = sums[:1] / weight if classes is None else sums / weight
            self.nodes.append(
                [_LEAF, _LEAF, _UNDEFINED, _UNDEFINED, value, impurity, len(samples), weight]
            )
            split = None
            if not (
                depth >= self.limits.max_depth
                or len(samples) < self.limits.min_samples_split
                or len(samples) < 2 * self.limits.min_samples_leaf
                or impurity <= EPSILON
            ):
                split = self._best_split(samples)
            if split is None:
                continue
            feature, threshold, impurity_left, impurity_right = split
            self.nodes[node][2:4] = [feature, threshold]
            goes_left = self.X[samples, feature] <= threshold
            stack.append((samples[~goes_left], depth + 1, node, False, impurity_right))
            stack.append((samples[goes_left], depth + 1, node, True, impurity_left))
        columns = list(zip(*self.nodes))
        return DecisionTree(
            children_left=np.array(columns[0], dtype=np.intp),
            children_right=np.array(columns[1], dtype=np.intp),
            feature=np.array(columns[2], dtype=np.intp),
            threshold=np.array(columns[3], dtype=float),
            value=np.array(columns[4]),
            impurity=np.array(columns[5]),
            n_node_samples=np.array(columns[6], dtype=np.intp),
            weighted_n_node_samples=np.array(columns[7]),
            classes=classes,
            n_features=self.X.shape[1],
        )

    def _sums(self, samples: np.ndarray) -> tuple[np.ndarray, float]:
        # Running (sequential) sums, the order in which scikit-learn accumulates them.
        weights = self.weights[samples]
        sums = np.cumsum(self.targets[samples] * weights[:, None], axis=0)[-1]
        if self.criterion == "squared_error":
            y = self.targets[samples, 0]
            return np.array([sums[0], np.cumsum(weights * y * y)[-1]]), np.cumsum(weights)[-1]
        return sums, np.cumsum(weights)[-1]

    def _best_split(self, samples: np.ndarray) -> tuple[int, float, float, float] | None:
        n_features = self.X.shape[1]
        features = range(n_features)
        if self.limits.max_features is not None:
            features = np.sort(
                self.rng.choice(n_features, self.limits.max_features, replace=False)
            )
        best, best_proxy = None, -np.inf
        for feature in features:
            candidate = self._best_threshold(samples, feature)
            # strict '>': on a tie between features the smaller index is kept
            if candidate is not None and candidate[0] > best_proxy:
                best_proxy, best = candidate[0], (feature, *candidate[1:])
        return best

    def _best_threshold(self, samples: np.ndarray, feature: int):
        order = np.argsort(self.X[samples, feature], kind="stable")
        values = self.X[samples[order], feature]
        if values[-1] <= values[0] + FEATURE_THRESHOLD:
            return None  # constant feature
        weights = self.weights[samples[order]]
        targets = self.targets[samples[order]]
        # Position p puts sorted samples [0, p) left and [p, n) right.
        n = len(values)
        position = np.arange(1, n)
        allowed = values[1:] > values[:-1] + FEATURE_THRESHOLD
        allowed &= (position >= self.limits.min_samples_leaf) & (
            n - position >= self.limits.min_samples_leaf
        )
        if not allowed.any():
            return None
        weight_left = np.cumsum(weights)[:-1]
        weight_right = np.cumsum(weights)[-1] - weight_left
        sums_left = np.cumsum(targets * weights[:, None], axis=0)[:-1]
        sums_right = np.cumsum(targets * weights[:, None], axis=0)[-1] - sums_left
        if self.criterion == "squared_error":
            proxy = sums_left[:, 0] ** 2 / weight_left + sums_right[:, 0] ** 2 / weight_right
            squares = np.cumsum(weights * targets[:, 0] ** 2)
            impurity_left = squares[:-1] / weight_left - (sums_left[:, 0] / weight_left) ** 2
            impurity_right = (squares[-1] - squares[:-1]) / weight_right
            impurity_right -= (sums_right[:, 0] / weight_right) ** 2
        else:
            impurity_left = _class_impurity(sums_left, weight_left, self.criterion)
            impurity_right = _class_impurity(sums_right, weight_right, self.criterion)
            proxy = -weight_right * impurity_right - weight_left * impurity_left
        proxy = np.where(allowed, proxy, -np.inf)
        p = int(np.argmax(proxy))  # the first, i.e. smallest, of equally good thresholds
        # float32 values, halved and added in float64 as scikit-learn does
        threshold = float(values[p]) / 2.0 + float(values[p + 1]) / 2.0
        return proxy[p], threshold, impurity_left[p], impurity_right[p]


def _class_impurity(counts: np.ndarray, weight: np.ndarray, criterion: str) -> np.ndarray:
    """Gini or entropy (bits) of nodes with weighted class counts ``counts`` (rows)."""
    if criterion == "gini":
        squares = np.zeros(len(counts))
        for k in range(counts.shape[1]):  # class by class, scikit-learn's order of sums
            squares += counts[:, k] * counts[:, k]
        return 1.0 - squares / (weight * weight)
    entropy = np.zeros(len(counts))
    for k in range(counts.shape[1]):
        fraction = counts[:, k] / weight
        safe = np.where(fraction > 0, fraction, 1.0)
        entropy -= np.where(fraction > 0, fraction * (np.log(safe) / np.log(2.0)), 0.0)
    return entropy


def _node_impurity(sums: np.ndarray, weight: float, criterion: str) -> float:
    if criterion == "squared_error":
        return float(sums[1] / weight - (sums[0] / weight) ** 2)
    return float(_class_impurity(sums[None, :], np.array([weight]), criterion)[0])


def _as_float32(X: np.ndarray) -> np.ndarray:
    return X.astype(np.float32)


def _apply(tree: DecisionTree, X32: np.ndarray) -> np.ndarray:
    node = np.zeros(len(X32), dtype=np.intp)
    inside = tree.children_left[node] != _LEAF
    while inside.any():
        current = node[inside]
        goes_left = X32[inside, tree.feature[current]] <= tree.threshold[current]
        node[inside] = np.where(
            goes_left, tree.children_left[current], tree.children_right[current]
        )
        inside = tree.children_left[node] != _LEAF
    return node
