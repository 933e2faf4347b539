"""Performance measures of classifiers and regressions, written out from their definitions.

Every metric takes ``(y_true, y_pred)`` (hard decisions or predicted values), or
``(y_true, y_score)`` for the ROC family, as :mod:`sklearn.metrics` does; each is tested
against its scikit-learn twin in ``tests/methods/test_metrics.py``. Labels are 1 for signal
(positive) and 0 for background (negative).

- :func:`confusion_matrix`, :func:`precision`, :func:`recall`, :func:`f1_score`: one working
  point, i.e. hard decisions;
- :func:`roc_curve`, :func:`roc_auc`: every working point of a score at once;
- :func:`background_rejection`: ``1 / FPR`` at a fixed signal efficiency (true-positive
  rate), the number particle physicists quote for a tagger;
- :func:`mean_squared_error`, :func:`mean_absolute_error`, :func:`r2_score`: regressions.
"""

from __future__ import annotations

import numpy as np

from hepml.validation import (
    check_array,
    check_consistent_length,
    check_labels,
    check_real,
    check_targets,
)


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Counts of true/predicted class pairs, in the layout of ``sklearn.metrics.confusion_matrix``.

    Returns
    -------
    numpy.ndarray
        Integer array ``[[TN, FP], [FN, TP]]``: rows are the true class (0, 1), columns the
        predicted class (0, 1).
    """
    y_true = check_labels(y_true, "y_true")
    y_pred = check_labels(y_pred, "y_pred")
    check_consistent_length([y_true, y_pred], ["y_true", "y_pred"])
    matrix = np.zeros((2, 2), dtype=int)
    for true_class in (0, 1):
        for predicted_class in (0, 1):
            selected = (y_true == true_class) & (y_pred == predicted_class)
            matrix[true_class, predicted_class] = np.sum(selected)
    return matrix


def precision(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Purity of the selection, ``TP / (TP + FP)``; 0 if nothing is selected."""
    (_, fp), (_, tp) = confusion_matrix(y_true, y_pred)
    return float(tp / (tp + fp)) if tp + fp > 0 else 0.0


def recall(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Signal efficiency (true-positive rate), ``TP / (TP + FN)``; 0 if there is no signal."""
    (_, _), (fn, tp) = confusion_matrix(y_true, y_pred)
    return float(tp / (tp + fn)) if tp + fn > 0 else 0.0


def f1_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Harmonic mean of precision and recall, ``2 P R / (P + R) = 2 TP / (2 TP + FP + FN)``."""
    (_, fp), (fn, tp) = confusion_matrix(y_true, y_pred)
    return float(2 * tp / (2 * tp + fp + fn)) if tp > 0 else 0.0


def roc_curve(
    y_true: np.ndarray, y_score: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Receiver operating characteristic: the (FPR, TPR) of every threshold on a score.

    An event is selected as signal when ``score >= threshold``. Lowering the threshold through
    each distinct score value in turn selects more events, raising both rates.

    Parameters
    ----------
    y_true
        True classes, 0 or 1, with at least one of each.
    y_score
        Classifier outputs, larger meaning more signal-like.

    Returns
    -------
    tuple
        ``(fpr, tpr, thresholds)``, starting at ``(0, 0, inf)`` and ending at
        ``(1, 1, min(score))``; the same arrays as
        ``sklearn.metrics.roc_curve(..., drop_intermediate=False)``.
    """
    y_true = check_labels(y_true, "y_true")
    y_score = check_array(y_score, "y_score", ndim=1)
    check_consistent_length([y_true, y_score], ["y_true", "y_score"])
    n_signal = int(y_true.sum())
    n_background = len(y_true) - n_signal
    if n_signal == 0 or n_background == 0:
        raise ValueError("y_true must contain both classes (0 and 1) to define a ROC curve")
    order = np.argsort(-y_score, kind="stable")
    sorted_scores, sorted_labels = y_score[order], y_true[order]
    # The last event of each run of equal scores marks one threshold.
    last_of_run = np.r_[np.diff(sorted_scores) != 0, True]
    true_positives = np.cumsum(sorted_labels)[last_of_run]
    false_positives = np.cumsum(1 - sorted_labels)[last_of_run]
    fpr = np.r_[0.0, false_positives / n_background]
    tpr = np.r_[0.0, true_positives / n_signal]
    thresholds = np.r_[np.inf, sorted_scores[last_of_run]]
    return fpr, tpr, thresholds


def roc_auc(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """Area under the ROC curve by the trapezoidal rule.

    It equals the probability that a random signal event scores higher than a random background
    event (ties counting one half): 0.5 for guessing, 1 for perfect separation.
    """
    fpr, tpr, _ = roc_curve(y_true, y_score)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def background_rejection(
    y_true: np.ndarray, y_score: np.ndarray, signal_efficiency: float
) -> float:
    """Background rejection ``1 / FPR`` at the working point with the given signal efficiency.

    The false-positive rate at ``TPR = signal_efficiency`` is interpolated linearly along the
    ROC curve. A rejection of 100 at 70 % efficiency means that the cut keeping 70 % of the
    signal keeps one background event in a hundred.

    Parameters
    ----------
    y_true, y_score
        As for :func:`roc_curve`.
    signal_efficiency
        Target true-positive rate, in (0, 1].

    Returns
    -------
    float
        ``1 / FPR``; ``inf`` if no background passes at that efficiency.
    """
    signal_efficiency = check_real(
        signal_efficiency, "signal_efficiency", minimum=0.0, maximum=1.0, strict_minimum=True
    )
    fpr, tpr, _ = roc_curve(y_true, y_score)
    # tpr never decreases: take the first ROC point that reaches the efficiency and interpolate
    # linearly from the point before it (a straight segment is a mixture of the two cuts).
    i = int(np.searchsorted(tpr, signal_efficiency, side="left"))
    if tpr[i] == signal_efficiency:
        false_positive_rate = float(fpr[i])
    else:
        slope = (fpr[i] - fpr[i - 1]) / (tpr[i] - tpr[i - 1])
        false_positive_rate = float(fpr[i - 1] + (signal_efficiency - tpr[i - 1]) * slope)
    return 1.0 / false_positive_rate if false_positive_rate > 0 else float("inf")


def mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """``mean((y_pred - y_true)^2)``."""
    y_true, y_pred = check_targets(y_true, y_pred)
    return float(np.mean((y_pred - y_true) ** 2))


def mean_absolute_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """``mean(|y_pred - y_true|)``: in the target's unit, less sensitive to outliers than MSE."""
    y_true, y_pred = check_targets(y_true, y_pred)
    return float(np.mean(np.abs(y_pred - y_true)))


def r2_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Coefficient of determination ``1 - sum (y_pred - y)^2 / sum (y - mean(y))^2``.

    1 is a perfect prediction, 0 is no better than predicting the mean, and it is negative for
    worse predictions.
    """
    y_true, y_pred = check_targets(y_true, y_pred)
    total = np.sum((y_true - y_true.mean()) ** 2)
    if total == 0:
        raise ValueError("y_true is constant: R^2 is undefined")
    return float(1 - np.sum((y_pred - y_true) ** 2) / total)
