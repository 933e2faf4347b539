"""Tests of hepml.methods.metrics against sklearn.metrics."""

import numpy as np
import pytest
from sklearn import metrics as sk

from hepml import simulate
from hepml.methods import metrics


@pytest.fixture
def scored_events():
    events = simulate.signal_background_events(3000, signal_fraction=0.4, seed=11)
    scores = simulate.event_log_likelihood_ratio(events.X)
    return events.y, scores


def test_confusion_matrix_by_hand_and_against_sklearn():
    labels = np.array([1, 1, 1, 0, 0, 0, 0, 1])
    predictions = np.array([1, 0, 1, 0, 1, 0, 0, 1])
    # TN = 3, FP = 1, FN = 1, TP = 3
    assert np.array_equal(metrics.confusion_matrix(labels, predictions), [[3, 1], [1, 3]])
    rng = np.random.default_rng(0)
    labels, predictions = rng.integers(0, 2, 1000), rng.integers(0, 2, 1000)
    assert np.array_equal(
        metrics.confusion_matrix(labels, predictions), sk.confusion_matrix(labels, predictions)
    )


@pytest.mark.parametrize("threshold", [-2.0, 0.0, 1.5, 4.0])
def test_precision_recall_f1_match_sklearn(scored_events, threshold):
    labels, scores = scored_events
    predictions = (scores >= threshold).astype(int)
    assert metrics.precision(labels, predictions) == pytest.approx(
        sk.precision_score(labels, predictions)
    )
    assert metrics.recall(labels, predictions) == pytest.approx(
        sk.recall_score(labels, predictions)
    )
    assert metrics.f1_score(labels, predictions) == pytest.approx(sk.f1_score(labels, predictions))


def test_precision_of_an_empty_selection_is_zero():
    labels = np.array([0, 1, 1])
    nothing = np.zeros(3, dtype=int)
    assert metrics.precision(labels, nothing) == 0.0 and metrics.recall(labels, nothing) == 0.0
    assert metrics.f1_score(labels, nothing) == 0.0


def test_roc_curve_matches_sklearn_including_ties(scored_events):
    labels, scores = scored_events
    for s in (scores, np.round(scores)):  # rounding creates many tied scores
        fpr, tpr, thresholds = metrics.roc_curve(labels, s)
        ref_fpr, ref_tpr, ref_thresholds = sk.roc_curve(labels, s, drop_intermediate=False)
        np.testing.assert_allclose(fpr, ref_fpr, rtol=1e-12)
        np.testing.assert_allclose(tpr, ref_tpr, rtol=1e-12)
        np.testing.assert_array_equal(thresholds, ref_thresholds)
        assert metrics.roc_auc(labels, s) == pytest.approx(sk.roc_auc_score(labels, s), rel=1e-12)


def test_auc_is_the_probability_that_signal_outscores_background(scored_events):
    labels, scores = scored_events
    signal, background = scores[labels == 1], scores[labels == 0]
    pairs = signal[:, None] - background[None, :]
    assert metrics.roc_auc(labels, scores) == pytest.approx(
        np.mean(pairs > 0) + 0.5 * np.mean(pairs == 0)
    )
    assert metrics.roc_auc(labels, -scores) == pytest.approx(1 - metrics.roc_auc(labels, scores))


@pytest.mark.parametrize("efficiency", [0.3, 0.5, 0.7, 0.9])
def test_background_rejection_matches_a_cut_on_the_signal_quantile(scored_events, efficiency):
    labels, scores = scored_events
    rejection = metrics.background_rejection(labels, scores, efficiency)
    # Same working point from sklearn's ROC curve and NumPy's interpolation.
    ref_fpr, ref_tpr, _ = sk.roc_curve(labels, scores)
    assert rejection == pytest.approx(1 / np.interp(efficiency, ref_tpr, ref_fpr), rel=1e-9)
    # And by the physicist's recipe: cut where the wanted fraction of signal passes.
    cut = np.quantile(scores[labels == 1], 1 - efficiency)
    n_background = np.sum(labels == 0)
    assert abs(1 / rejection - np.mean(scores[labels == 0] > cut)) <= 2 / n_background


def test_background_rejection_of_a_perfect_and_of_a_random_classifier():
    labels = np.array([0, 0, 0, 1, 1, 1])
    assert metrics.background_rejection(labels, np.array([1, 2, 3, 4, 5, 6.0]), 0.5) == float(
        "inf"
    )
    rng = np.random.default_rng(5)
    labels, scores = rng.integers(0, 2, 20_000), rng.random(20_000)
    assert metrics.background_rejection(labels, scores, 0.5) == pytest.approx(2.0, rel=0.05)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: metrics.roc_curve(np.ones(4), np.arange(4.0)), ValueError, "both classes"),
        (
            lambda: metrics.confusion_matrix(np.array([0, 1]), np.array([0, 3])),
            ValueError,
            "y_pred must contain",
        ),
        (
            lambda: metrics.confusion_matrix(np.array([0, 1]), np.array([0])),
            ValueError,
            "one entry per",
        ),
        (
            lambda: metrics.background_rejection(np.array([0, 1]), np.array([0.0, 1.0]), 0.0),
            ValueError,
            "> 0",
        ),
        (
            lambda: metrics.background_rejection(np.array([0, 1]), np.array([0.0, 1.0]), 1.2),
            ValueError,
            "<= 1",
        ),
        (lambda: metrics.roc_auc(np.array([0, 1]), np.array([0.0, np.nan])), ValueError, "NaN"),
    ],
)
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()
