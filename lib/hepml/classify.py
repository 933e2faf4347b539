"""From-scratch linear classifiers and classification losses, for teaching.

Each function is short enough to read next to the formula it implements, and each is tested
against its library twin (scikit-learn or ``torch.autograd``) in ``tests/test_classify.py``:

- :func:`sigmoid` and its inverse :func:`logit`;
- :func:`binary_cross_entropy` (from probabilities), :func:`binary_cross_entropy_with_logits`
  and the gradient of the mean BCE of a linear model, :func:`binary_cross_entropy_gradient`;
- :func:`fit_logistic_regression`: logistic regression by plain gradient descent on the BCE;
- :func:`train_perceptron`: Rosenblatt's perceptron learning rule with a convergence report;
- the loss zoo as functions of the margin ``m = t f(x)`` with ``t = +1/-1``:
  :func:`margin_loss` and :func:`margin_loss_gradient` for the names in :data:`MARGIN_LOSSES`.

Labels are 0 (background) and 1 (signal) throughout, except in the margin losses, which use
``t = 2 y - 1``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hepml.validation import check_array, check_int, check_real

#: Names accepted by :func:`margin_loss` and :func:`margin_loss_gradient`.
MARGIN_LOSSES = ("zero_one", "hinge", "logistic", "squared", "sigmoid_squared")


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-z))``, evaluated without overflow.

    Parameters
    ----------
    z
        Real numbers (a score, logit or log-odds).

    Returns
    -------
    numpy.ndarray
        Values in ``[0, 1]`` with the shape of ``z``.
    """
    z = check_array(z, "z")
    # exp of a non-positive number never overflows: use exp(-|z|) on both branches.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def logit(p: np.ndarray | float) -> np.ndarray:
    """The inverse of :func:`sigmoid`, the log-odds ``log(p / (1 - p))`` of probabilities in (0, 1)."""
    p = check_array(p, "p")
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError("p must lie strictly between 0 and 1")
    return np.log(p) - np.log1p(-p)


def binary_cross_entropy(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Mean binary cross-entropy ``-[y log p + (1 - y) log(1 - p)]``: the Bernoulli NLL per example.

    Parameters
    ----------
    labels
        True classes, 0 or 1, shape ``(n,)``.
    probabilities
        Predicted ``P(y = 1 | x)``, shape ``(n,)``, in [0, 1]. They are clipped to
        ``[1e-15, 1 - 1e-15]`` so that a confident mistake costs a large but finite amount.
    """
    labels = _check_labels(labels, "labels")
    probabilities = check_array(probabilities, "probabilities", ndim=1)
    _check_same_length(labels, probabilities, "probabilities")
    if np.any((probabilities < 0) | (probabilities > 1)):
        raise ValueError("probabilities must lie in [0, 1]")
    p = np.clip(probabilities, 1e-15, 1 - 1e-15)
    return float(-np.mean(labels * np.log(p) + (1 - labels) * np.log1p(-p)))


def binary_cross_entropy_with_logits(labels: np.ndarray, logits: np.ndarray) -> float:
    """Mean binary cross-entropy of ``sigmoid(logits)``, computed stably from the logits.

    Uses ``-log sigmoid(z) = log(1 + exp(-z))`` in the form ``max(z, 0) - y z + log(1 + exp(-|z|))``,
    which never overflows and keeps full precision for confident predictions.
    """
    labels = _check_labels(labels, "labels")
    logits = check_array(logits, "logits", ndim=1)
    _check_same_length(labels, logits, "logits")
    return float(np.mean(np.maximum(logits, 0) - labels * logits + np.log1p(np.exp(-np.abs(logits)))))


def binary_cross_entropy_gradient(
    features: np.ndarray, labels: np.ndarray, weights: np.ndarray, bias: float
) -> tuple[np.ndarray, float]:
    """Gradient of the mean BCE of the linear model ``p = sigmoid(X w + b)`` with respect to w and b.

    The derivative of the sigmoid cancels against that of the logarithm, leaving

    ``dL/dw = X^T (p - y) / n`` and ``dL/db = mean(p - y)``.

    Parameters
    ----------
    features
        Design matrix ``X``, shape ``(n, d)``.
    labels
        True classes, 0 or 1, shape ``(n,)``.
    weights
        Weight vector ``w``, shape ``(d,)``.
    bias
        Intercept ``b``.

    Returns
    -------
    tuple
        ``(gradient with respect to w, shape (d,), gradient with respect to b)``.
    """
    features = check_array(features, "features", ndim=2, min_length=1)
    labels = _check_labels(labels, "labels")
    _check_same_length(features, labels, "labels")
    weights = check_array(weights, "weights", ndim=1)
    if len(weights) != features.shape[1]:
        raise ValueError(f"weights must have {features.shape[1]} entries (one per feature), got {len(weights)}")
    bias = check_real(bias, "bias")
    residual = sigmoid(features @ weights + bias) - labels
    return features.T @ residual / len(labels), float(residual.mean())


@dataclass(frozen=True)
class LogisticRegressionFit:
    """Result of :func:`fit_logistic_regression`.

    Attributes
    ----------
    weights, bias
        Fitted coefficients of ``P(y = 1 | x) = sigmoid(x . w + b)``.
    losses
        Mean BCE on the training set before each step (and after the last one).
    n_steps
        Number of gradient-descent steps taken.
    converged
        True if the gradient norm fell below the tolerance within ``max_steps``.
    """

    weights: np.ndarray
    bias: float
    losses: np.ndarray
    n_steps: int
    converged: bool

    def decision_function(self, features: np.ndarray) -> np.ndarray:
        """The fitted log-odds ``x . w + b`` of each row of ``features``."""
        features = check_array(features, "features", ndim=2, columns=len(self.weights))
        return features @ self.weights + self.bias

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """The fitted ``P(y = 1 | x)`` of each row of ``features``."""
        return sigmoid(self.decision_function(features))


def fit_logistic_regression(
    features: np.ndarray,
    labels: np.ndarray,
    *,
    learning_rate: float = 1.0,
    max_steps: int = 10_000,
    tolerance: float = 1e-8,
) -> LogisticRegressionFit:
    """Unpenalised logistic regression by full-batch gradient descent on the mean BCE.

    Starting from zero, repeats ``w <- w - learning_rate * dL/dw`` (and the same for ``b``) until
    the norm of the gradient is below ``tolerance``. The BCE of a linear model is convex, so with
    a small enough learning rate this reaches the maximum-likelihood estimate, the same answer as
    ``sklearn.linear_model.LogisticRegression(C=np.inf)``. Standardised features converge fastest.

    Parameters
    ----------
    features
        Design matrix, shape ``(n, d)``.
    labels
        True classes, 0 or 1, shape ``(n,)``. If the classes are linearly separable the
        likelihood has no maximum and the weights grow without bound (``converged`` stays False).
    learning_rate
        Step size, > 0. For standardised features, values up to about 4 are stable.
    max_steps
        Largest number of steps, >= 1.
    tolerance
        Stop when the Euclidean norm of the full gradient is below this, > 0.
    """
    features = check_array(features, "features", ndim=2, min_length=1)
    labels = _check_labels(labels, "labels")
    _check_same_length(features, labels, "labels")
    learning_rate = check_real(learning_rate, "learning_rate", minimum=0.0, strict_minimum=True)
    max_steps = check_int(max_steps, "max_steps", minimum=1)
    tolerance = check_real(tolerance, "tolerance", minimum=0.0, strict_minimum=True)

    weights = np.zeros(features.shape[1])
    bias = 0.0
    losses = []
    converged = False
    step = 0
    for step in range(max_steps + 1):
        logits = features @ weights + bias
        losses.append(binary_cross_entropy_with_logits(labels, logits))
        # the gradient of binary_cross_entropy_gradient, reusing the logits computed above
        residual = sigmoid(logits) - labels
        grad_w, grad_b = features.T @ residual / len(labels), float(residual.mean())
        if np.sqrt(grad_w @ grad_w + grad_b**2) < tolerance:
            converged = True
            break
        if step == max_steps:
            break
        weights = weights - learning_rate * grad_w
        bias = bias - learning_rate * grad_b
    return LogisticRegressionFit(weights, float(bias), np.array(losses), step, converged)


@dataclass(frozen=True)
class PerceptronResult:
    """Result of :func:`train_perceptron`.

    Attributes
    ----------
    weights, bias
        Final parameters of the decision rule ``y_hat = 1 if x . w + b > 0 else 0``.
    errors_per_epoch
        Number of misclassified (hence updated) examples in each pass over the data.
    converged
        True if an epoch ended without a single mistake: the data are separated.
    weight_history
        Parameters ``(w_1, ..., w_d, b)`` at the end of each epoch, shape ``(epochs, d + 1)``.
    """

    weights: np.ndarray
    bias: float
    errors_per_epoch: np.ndarray
    converged: bool
    weight_history: np.ndarray

    @property
    def epochs(self) -> int:
        """Number of passes over the data that were made."""
        return len(self.errors_per_epoch)

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Class 0 or 1 of each row of ``features`` from the step function of ``x . w + b``."""
        features = check_array(features, "features", ndim=2, columns=len(self.weights))
        return (features @ self.weights + self.bias > 0).astype(int)


def train_perceptron(
    features: np.ndarray,
    labels: np.ndarray,
    *,
    learning_rate: float = 1.0,
    max_epochs: int = 100,
) -> PerceptronResult:
    """Rosenblatt's perceptron: visit the examples in order and correct each mistake.

    For every example the prediction is ``y_hat = 1 if x . w + b > 0 else 0`` and the learning
    rule is ``w <- w + eta (y - y_hat) x``, ``b <- b + eta (y - y_hat)``: nothing changes when the
    prediction is right. Training starts from zero and stops after the first epoch without
    mistakes. If the classes are linearly separable this happens after finitely many updates
    (Novikoff's theorem); otherwise the rule keeps cycling until ``max_epochs``.

    Parameters
    ----------
    features
        Inputs, shape ``(n, d)``.
    labels
        Target classes, 0 or 1, shape ``(n,)``.
    learning_rate
        The ``eta`` of the learning rule, > 0.
    max_epochs
        Largest number of passes over the data, >= 1.
    """
    features = check_array(features, "features", ndim=2, min_length=1)
    labels = _check_labels(labels, "labels")
    _check_same_length(features, labels, "labels")
    learning_rate = check_real(learning_rate, "learning_rate", minimum=0.0, strict_minimum=True)
    max_epochs = check_int(max_epochs, "max_epochs", minimum=1)

    weights = np.zeros(features.shape[1])
    bias = 0.0
    errors_per_epoch = []
    history = []
    for _ in range(max_epochs):
        errors = 0
        for x, y in zip(features, labels):
            prediction = 1.0 if x @ weights + bias > 0 else 0.0
            if prediction != y:
                errors += 1
                weights = weights + learning_rate * (y - prediction) * x
                bias = bias + learning_rate * (y - prediction)
        errors_per_epoch.append(errors)
        history.append(np.append(weights, bias))
        if errors == 0:
            break
    return PerceptronResult(
        weights, float(bias), np.array(errors_per_epoch), errors_per_epoch[-1] == 0, np.array(history)
    )


def margin_loss(margin: np.ndarray | float, kind: str) -> np.ndarray:
    """A classification loss as a function of the margin ``m = t f(x)``, ``t = +1/-1``.

    A positive margin is a correct decision, the larger the more confident.

    - ``"zero_one"``: ``1 if m <= 0 else 0``, counts mistakes;
    - ``"hinge"``: ``max(0, 1 - m)``, the loss of support-vector machines;
    - ``"logistic"``: ``log(1 + exp(-m))``, the BCE of ``sigmoid(f)`` (natural log);
    - ``"squared"``: ``(1 - m)^2 = (t - f)^2``, least squares on the score;
    - ``"sigmoid_squared"``: ``(1 - sigmoid(m))^2``, least squares on the probability.

    Parameters
    ----------
    margin
        Margins ``t f(x)``.
    kind
        One of :data:`MARGIN_LOSSES`.
    """
    margin = check_array(margin, "margin")
    kind = _check_kind(kind)
    if kind == "zero_one":
        return (margin <= 0).astype(float)
    if kind == "hinge":
        return np.maximum(0.0, 1.0 - margin)
    if kind == "logistic":
        return np.maximum(-margin, 0) + np.log1p(np.exp(-np.abs(margin)))
    if kind == "squared":
        return (1.0 - margin) ** 2
    return sigmoid(-margin) ** 2


def margin_loss_gradient(margin: np.ndarray | float, kind: str) -> np.ndarray:
    """Derivative with respect to the margin of :func:`margin_loss`.

    ``zero_one`` is flat wherever it is differentiable (gradient 0: nothing to learn from);
    ``hinge`` has ``-1`` for ``m < 1`` and ``0`` beyond (the value at the kink ``m = 1`` is taken
    as 0); ``logistic`` has ``-sigmoid(-m)``; ``squared`` has ``-2 (1 - m)``, which pushes even
    confidently correct examples back towards ``m = 1``; ``sigmoid_squared`` has
    ``-2 sigmoid(-m)^2 sigmoid(m)``, which vanishes for confident mistakes (``m -> -inf``).
    """
    margin = check_array(margin, "margin")
    kind = _check_kind(kind)
    if kind == "zero_one":
        return np.zeros_like(margin)
    if kind == "hinge":
        return np.where(margin < 1, -1.0, 0.0)
    if kind == "logistic":
        return -sigmoid(-margin)
    if kind == "squared":
        return -2.0 * (1.0 - margin)
    return -2.0 * sigmoid(-margin) ** 2 * sigmoid(margin)


def _check_kind(kind: object) -> str:
    if not isinstance(kind, str):
        raise TypeError(f"kind must be a string, got {type(kind).__name__}")
    if kind not in MARGIN_LOSSES:
        raise ValueError(f"kind must be one of {', '.join(MARGIN_LOSSES)}; got {kind!r}")
    return kind


def _check_labels(labels: object, name: str) -> np.ndarray:
    labels = check_array(labels, name, ndim=1, min_length=1)
    if not np.all((labels == 0) | (labels == 1)):
        raise ValueError(f"{name} must contain only 0 and 1")
    return labels


def _check_same_length(first: np.ndarray, second: np.ndarray, name: str) -> None:
    if len(first) != len(second):
        raise ValueError(f"{name} must have one entry per example ({len(first)}), got {len(second)}")
