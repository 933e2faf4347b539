"""From-scratch linear classifiers and classification losses, for teaching (chapter 4).

Each function is short enough to read next to the formula it implements, and each is tested
against its library twin (scikit-learn or ``torch.autograd``) in
``tests/methods/test_classify.py``:

- :func:`sigmoid` and its inverse :func:`logit`;
- :func:`binary_cross_entropy` (from probabilities), :func:`binary_cross_entropy_with_logits`
  and the gradient of the mean BCE of a linear model, :func:`binary_cross_entropy_gradient`;
- :func:`fit_logistic_regression`: logistic regression by plain gradient descent on the BCE;
- :func:`fit_perceptron`: Rosenblatt's perceptron learning rule with a convergence report;
- the loss zoo as functions of the margin ``m = t f(x)`` with ``t = +1/-1``:
  :func:`margin_loss` and :func:`margin_loss_gradient` for the names in
  :data:`MARGIN_LOSSES`.

Labels are 0 (background) and 1 (signal) throughout, except in the margin losses, which use
``t = 2 y - 1``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hepml.validation import (
    check_array,
    check_consistent_length,
    check_int,
    check_labels,
    check_real,
    check_xy,
)

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
    return _sigmoid(check_array(z, "z"))


def logit(p: np.ndarray | float) -> np.ndarray:
    """The inverse of :func:`sigmoid`, the log-odds ``log(p / (1 - p))`` of p in (0, 1)."""
    p = check_array(p, "p")
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError("p must lie strictly between 0 and 1")
    return np.log(p) - np.log1p(-p)


def binary_cross_entropy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean binary cross-entropy ``-[y log p + (1 - y) log(1 - p)]``, the Bernoulli NLL.

    Parameters
    ----------
    y_true
        True classes, 0 or 1, shape ``(n,)``.
    y_pred
        Predicted probabilities ``P(y = 1 | x)``, shape ``(n,)``, in [0, 1]. They are clipped
        to ``[1e-15, 1 - 1e-15]`` so that a confident mistake costs a large but finite amount.
    """
    y_true = check_labels(y_true, "y_true")
    y_pred = check_array(y_pred, "y_pred", ndim=1)
    check_consistent_length([y_true, y_pred], ["y_true", "y_pred"])
    if np.any((y_pred < 0) | (y_pred > 1)):
        raise ValueError("y_pred must hold probabilities in [0, 1]")
    p = np.clip(y_pred, 1e-15, 1 - 1e-15)
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log1p(-p)))


def binary_cross_entropy_with_logits(y_true: np.ndarray, logits: np.ndarray) -> float:
    """Mean binary cross-entropy of ``sigmoid(logits)``, computed stably from the logits.

    Uses ``-log sigmoid(z) = log(1 + exp(-z))`` in the form
    ``max(z, 0) - y z + log(1 + exp(-|z|))``, which never overflows and keeps full precision
    for confident predictions.
    """
    y_true = check_labels(y_true, "y_true")
    logits = check_array(logits, "logits", ndim=1)
    check_consistent_length([y_true, logits], ["y_true", "logits"])
    return _bce_with_logits(y_true, logits)


def binary_cross_entropy_gradient(
    X: np.ndarray, y: np.ndarray, weights: np.ndarray, bias: float
) -> tuple[np.ndarray, float]:
    """Gradient of the mean BCE of ``p = sigmoid(X w + b)`` with respect to w and b.

    The derivative of the sigmoid cancels against that of the logarithm, leaving

    ``dL/dw = X^T (p - y) / n`` and ``dL/db = mean(p - y)``.

    Parameters
    ----------
    X
        Features, shape ``(n, d)``.
    y
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
    X, y = check_xy(X, y, labels=True)
    weights = check_array(weights, "weights", ndim=1)
    if len(weights) != X.shape[1]:
        raise ValueError(
            f"weights must have {X.shape[1]} entries (one per feature), got {len(weights)}"
        )
    bias = check_real(bias, "bias")
    return _bce_gradient(X, y, X @ weights + bias)


@dataclass(frozen=True)
class LogisticRegressionResult:
    """Result of :func:`fit_logistic_regression`.

    Attributes
    ----------
    weights, bias
        Fitted coefficients of ``P(y = 1 | x) = sigmoid(x . w + b)``.
    loss_history
        Mean BCE on the training set before each step and after the last one, shape
        ``(n_steps + 1,)``.
    n_steps
        Number of gradient-descent steps taken.
    converged
        True if the gradient norm fell below the tolerance within ``max_steps``.
    """

    weights: np.ndarray
    bias: float
    loss_history: np.ndarray
    n_steps: int
    converged: bool

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """The fitted log-odds ``x . w + b`` of each row of ``X``."""
        X = check_array(X, "X", ndim=2, columns=len(self.weights))
        return X @ self.weights + self.bias

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """The fitted ``P(y = 1 | x)`` of each row of ``X``."""
        return _sigmoid(self.decision_function(X))


def fit_logistic_regression(
    X: np.ndarray,
    y: np.ndarray,
    *,
    learning_rate: float = 1.0,
    max_steps: int = 10_000,
    tolerance: float = 1e-8,
) -> LogisticRegressionResult:
    """Unpenalised logistic regression by full-batch gradient descent on the mean BCE.

    Starting from zero, repeats ``w <- w - learning_rate * dL/dw`` (and the same for ``b``)
    until the norm of the gradient is below ``tolerance``. The BCE of a linear model is
    convex, so with a small enough learning rate this reaches the maximum-likelihood estimate,
    the same answer as ``sklearn.linear_model.LogisticRegression(C=np.inf)``. Standardised
    features converge fastest.

    Parameters
    ----------
    X
        Features, shape ``(n, d)``.
    y
        True classes, 0 or 1, shape ``(n,)``. If the classes are linearly separable the
        likelihood has no maximum and the weights grow without bound (``converged`` stays
        False).
    learning_rate
        Step size, > 0. For standardised features, values up to about 4 are stable.
    max_steps
        Largest number of steps, >= 1.
    tolerance
        Stop when the Euclidean norm of the full gradient is below this, > 0.
    """
    X, y = check_xy(X, y, labels=True)
    learning_rate = check_real(learning_rate, "learning_rate", minimum=0.0, strict_minimum=True)
    max_steps = check_int(max_steps, "max_steps", minimum=1)
    tolerance = check_real(tolerance, "tolerance", minimum=0.0, strict_minimum=True)

    weights = np.zeros(X.shape[1])
    bias = 0.0
    losses = []
    converged = False
    step = 0
    for step in range(max_steps + 1):
        logits = X @ weights + bias
        losses.append(_bce_with_logits(y, logits))
        grad_w, grad_b = _bce_gradient(X, y, logits)
        if np.sqrt(grad_w @ grad_w + grad_b**2) < tolerance:
            converged = True
            break
        if step == max_steps:
            break
        weights = weights - learning_rate * grad_w
        bias = bias - learning_rate * grad_b
    return LogisticRegressionResult(weights, float(bias), np.array(losses), step, converged)


@dataclass(frozen=True)
class PerceptronResult:
    """Result of :func:`fit_perceptron`.

    Attributes
    ----------
    weights, bias
        Final parameters of the decision rule ``y_hat = 1 if x . w + b > 0 else 0``.
    loss_history
        The perceptron's loss in each pass (epoch) over the data: the number of misclassified,
        hence updated, examples.
    n_steps
        Number of epochs made, ``len(loss_history)``.
    converged
        True if an epoch ended without a single mistake: the data are separated.
    weight_history
        Parameters ``(w_1, ..., w_d, b)`` at the end of each epoch, shape ``(n_steps, d + 1)``.
    """

    weights: np.ndarray
    bias: float
    loss_history: np.ndarray
    n_steps: int
    converged: bool
    weight_history: np.ndarray

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class 0 or 1 of each row of ``X`` from the step function of ``x . w + b``."""
        X = check_array(X, "X", ndim=2, columns=len(self.weights))
        return (X @ self.weights + self.bias > 0).astype(int)


def fit_perceptron(
    X: np.ndarray,
    y: np.ndarray,
    *,
    learning_rate: float = 1.0,
    max_epochs: int = 100,
) -> PerceptronResult:
    """Rosenblatt's perceptron: visit the examples in order and correct each mistake.

    For every example the prediction is ``y_hat = 1 if x . w + b > 0 else 0`` and the
    learning rule is ``w <- w + eta (y - y_hat) x``, ``b <- b + eta (y - y_hat)``: nothing
    changes when the prediction is right. Training starts from zero and stops after the first
    epoch without mistakes. If the classes are linearly separable this happens after finitely
    many updates (Novikoff's theorem); otherwise the rule keeps cycling until ``max_epochs``.

    Parameters
    ----------
    X
        Inputs, shape ``(n, d)``.
    y
        Target classes, 0 or 1, shape ``(n,)``.
    learning_rate
        The ``eta`` of the learning rule, > 0.
    max_epochs
        Largest number of passes over the data, >= 1.
    """
    X, y = check_xy(X, y, labels=True)
    learning_rate = check_real(learning_rate, "learning_rate", minimum=0.0, strict_minimum=True)
    max_epochs = check_int(max_epochs, "max_epochs", minimum=1)

    weights = np.zeros(X.shape[1])
    bias = 0.0
    mistakes_per_epoch = []
    history = []
    for _ in range(max_epochs):
        mistakes = 0
        for x, target in zip(X, y):
            prediction = 1.0 if x @ weights + bias > 0 else 0.0
            if prediction != target:
                mistakes += 1
                weights = weights + learning_rate * (target - prediction) * x
                bias = bias + learning_rate * (target - prediction)
        mistakes_per_epoch.append(mistakes)
        history.append(np.append(weights, bias))
        if mistakes == 0:
            break
    return PerceptronResult(
        weights,
        float(bias),
        loss_history=np.array(mistakes_per_epoch),
        n_steps=len(mistakes_per_epoch),
        converged=mistakes_per_epoch[-1] == 0,
        weight_history=np.array(history),
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
    return _sigmoid(-margin) ** 2


def margin_loss_gradient(margin: np.ndarray | float, kind: str) -> np.ndarray:
    """Derivative with respect to the margin of :func:`margin_loss`.

    ``zero_one`` is flat wherever it is differentiable (gradient 0: nothing to learn from);
    ``hinge`` has ``-1`` for ``m < 1`` and ``0`` beyond (the value at the kink ``m = 1`` is
    taken as 0); ``logistic`` has ``-sigmoid(-m)``; ``squared`` has ``-2 (1 - m)``, which
    pushes even confidently correct examples back towards ``m = 1``; ``sigmoid_squared`` has
    ``-2 sigmoid(-m)^2 sigmoid(m)``, which vanishes for confident mistakes (``m -> -inf``).
    """
    margin = check_array(margin, "margin")
    kind = _check_kind(kind)
    if kind == "zero_one":
        return np.zeros_like(margin)
    if kind == "hinge":
        return np.where(margin < 1, -1.0, 0.0)
    if kind == "logistic":
        return -_sigmoid(-margin)
    if kind == "squared":
        return -2.0 * (1.0 - margin)
    return -2.0 * _sigmoid(-margin) ** 2 * _sigmoid(margin)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # exp of a non-positive number never overflows: use exp(-|z|) on both branches.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _bce_with_logits(y: np.ndarray, logits: np.ndarray) -> float:
    return float(np.mean(np.maximum(logits, 0) - y * logits + np.log1p(np.exp(-np.abs(logits)))))


def _bce_gradient(X: np.ndarray, y: np.ndarray, logits: np.ndarray) -> tuple[np.ndarray, float]:
    residual = _sigmoid(logits) - y
    return X.T @ residual / len(y), float(residual.mean())


def _check_kind(kind: object) -> str:
    if not isinstance(kind, str):
        raise TypeError(f"kind must be a string, got {type(kind).__name__}")
    if kind not in MARGIN_LOSSES:
        raise ValueError(f"kind must be one of {', '.join(MARGIN_LOSSES)}; got {kind!r}")
    return kind
