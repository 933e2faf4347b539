"""Performance measures of a binary classifier, written out from their definitions.

Labels are 1 for signal (positive) and 0 for background (negative). Each function is tested
against :mod:`sklearn.metrics` in ``tests/test_metrics.py``.

- :func:`confusion_matrix`, :func:`precision`, :func:`recall`, :func:`f1_score`: one working
  point, i.e. hard decisions;
- :func:`roc_curve`, :func:`roc_auc`: every working point of a score at once;
- :func:`background_rejection`: ``1 / FPR`` at a fixed signal efficiency (true-positive rate),
  the number particle physicists quote for a tagger.
"""

from __future__ import annotations

import numpy as np

from hepml.validation import check_array, check_real


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray) -> np.ndarray:
    """Counts of true/predicted class pairs, in the layout of ``sklearn.metrics.confusion_matrix``.

    Returns
    -------
    numpy.ndarray
        Integer array ``[[TN, FP], [FN, TP]]``: rows are the true class (0, 1), columns the
        predicted class (0, 1).
    """
    labels = _check_binary(labels, "labels")
    predictions = _check_binary(predictions, "predictions")
    _check_same_length(labels, predictions, "predictions")
    matrix = np.zeros((2, 2), dtype=int)
    for true_class in (0, 1):
        for predicted_class in (0, 1):
            matrix[true_class, predicted_class] = np.sum((labels == true_class) & (predictions == predicted_class))
    return matrix


def precision(labels: np.ndarray, predictions: np.ndarray) -> float:
    """Purity of the selection, ``TP / (TP + FP)``; 0 if nothing is selected."""
    (_, fp), (_, tp) = confusion_matrix(labels, predictions)
    return float(tp / (tp + fp)) if tp + fp > 0 else 0.0


def recall(labels: np.ndarray, predictions: np.ndarray) -> float:
    """Signal efficiency (true-positive rate), ``TP / (TP + FN)``; 0 if there is no signal."""
    (_, _), (fn, tp) = confusion_matrix(labels, predictions)
    return float(tp / (tp + fn)) if tp + fn > 0 else 0.0


def f1_score(labels: np.ndarray, predictions: np.ndarray) -> float:
    """Harmonic mean of precision and recall, ``2 P R / (P + R) = 2 TP / (2 TP + FP + FN)``."""
    (_, fp), (fn, tp) = confusion_matrix(labels, predictions)
    return float(2 * tp / (2 * tp + fp + fn)) if tp > 0 else 0.0


def roc_curve(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Receiver operating characteristic: the (FPR, TPR) of every threshold on a score.

    An event is selected as signal when ``score >= threshold``. Lowering the threshold through
    each distinct score value in turn selects more events, raising both rates.

    Parameters
    ----------
    labels
        True classes, 0 or 1, with at least one of each.
    scores
        Classifier outputs, larger meaning more signal-like.

    Returns
    -------
    tuple
        ``(fpr, tpr, thresholds)``, starting at ``(0, 0, inf)`` and ending at ``(1, 1, min(score))``;
        the same arrays as ``sklearn.metrics.roc_curve(..., drop_intermediate=False)``.
    """
    labels = _check_binary(labels, "labels")
    scores = check_array(scores, "scores", ndim=1)
    _check_same_length(labels, scores, "scores")
    n_signal = int(labels.sum())
    n_background = len(labels) - n_signal
    if n_signal == 0 or n_background == 0:
        raise ValueError("labels must contain both classes (0 and 1) to define a ROC curve")
    order = np.argsort(-scores, kind="stable")
    sorted_scores, sorted_labels = scores[order], labels[order]
    # The last event of each run of equal scores marks one threshold.
    last_of_run = np.r_[np.diff(sorted_scores) != 0, True]
    true_positives = np.cumsum(sorted_labels)[last_of_run]
    false_positives = np.cumsum(1 - sorted_labels)[last_of_run]
    fpr = np.r_[0.0, false_positives / n_background]
    tpr = np.r_[0.0, true_positives / n_signal]
    thresholds = np.r_[np.inf, sorted_scores[last_of_run]]
    return fpr, tpr, thresholds


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve by the trapezoidal rule.

    It equals the probability that a random signal event scores higher than a random background
    event (ties counting one half): 0.5 for guessing, 1 for perfect separation.
    """
    fpr, tpr, _ = roc_curve(labels, scores)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def background_rejection(labels: np.ndarray, scores: np.ndarray, signal_efficiency: float) -> float:
    """Background rejection ``1 / FPR`` at the working point with the given signal efficiency.

    The false-positive rate at ``TPR = signal_efficiency`` is interpolated linearly along the
    ROC curve. A rejection of 100 at 70 % efficiency means that the cut keeping 70 % of the
    signal keeps one background event in a hundred.

    Parameters
    ----------
    labels, scores
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
    fpr, tpr, _ = roc_curve(labels, scores)
    # tpr never decreases: take the first ROC point that reaches the efficiency and interpolate
    # linearly from the point before it (a straight segment is a mixture of the two cuts).
    i = int(np.searchsorted(tpr, signal_efficiency, side="left"))
    if tpr[i] == signal_efficiency:
        false_positive_rate = float(fpr[i])
    else:
        slope = (fpr[i] - fpr[i - 1]) / (tpr[i] - tpr[i - 1])
        false_positive_rate = float(fpr[i - 1] + (signal_efficiency - tpr[i - 1]) * slope)
    return 1.0 / false_positive_rate if false_positive_rate > 0 else float("inf")


def _check_binary(values: object, name: str) -> np.ndarray:
    values = check_array(values, name, ndim=1, min_length=1)
    if not np.all((values == 0) | (values == 1)):
        raise ValueError(f"{name} must contain only 0 and 1")
    return values.astype(int)


def _check_same_length(first: np.ndarray, second: np.ndarray, name: str) -> None:
    if len(first) != len(second):
        raise ValueError(f"{name} must have one entry per example ({len(first)}), got {len(second)}")
