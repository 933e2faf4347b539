import numpy as np
import pytest
from scipy import stats

from hepml import simulate


def test_gaussian_measurements_have_requested_shape_mean_and_spread():
    x = simulate.gaussian_measurements(50.0, 2.0, (40_000, 5), seed=1)
    assert x.shape == (40_000, 5)
    assert abs(x.mean() - 50.0) < 4 * 2.0 / np.sqrt(x.size)
    assert abs(x.std() - 2.0) < 0.02


def test_simulators_are_reproducible_from_a_seed():
    a = simulate.gaussian_measurements(0.0, 1.0, 10, seed=3)
    b = simulate.gaussian_measurements(0.0, 1.0, 10, seed=3)
    c = simulate.gaussian_measurements(0.0, 1.0, 10, seed=4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_counting_experiment_is_poisson():
    counts = simulate.counting_experiment(signal=3.0, background=2.0, n_experiments=50_000, seed=0)
    assert counts.dtype.kind == "i"
    assert abs(counts.mean() - 5.0) < 0.05
    assert abs(counts.var() - 5.0) < 0.15


def test_isotropic_directions_give_the_analytic_eta_density():
    eta = simulate.pseudorapidity(simulate.isotropic_polar_angles(100_000, seed=2))
    # p(eta) = 1 / (2 cosh^2 eta) has CDF (1 + tanh(eta)) / 2
    result = stats.kstest(eta, lambda e: 0.5 * (1 + np.tanh(e)))
    assert result.pvalue > 0.001


def test_pseudorapidity_of_known_angles():
    assert simulate.pseudorapidity(np.array([np.pi / 2]))[0] == pytest.approx(0.0, abs=1e-15)
    theta = 2 * np.arctan(np.exp(-1.5))
    assert simulate.pseudorapidity(np.array([theta]))[0] == pytest.approx(1.5)


def test_tagged_jets_match_their_probabilities_and_bayes():
    jets = simulate.tagged_jets(400_000, b_fraction=0.2, efficiency=0.7, mistag_rate=0.01, seed=5)
    assert abs(jets.is_b.mean() - 0.2) < 0.003
    assert abs(jets.tagged[jets.is_b].mean() - 0.7) < 0.005
    assert abs(jets.tagged[~jets.is_b].mean() - 0.01) < 0.001
    assert jets.posterior_b_given_tag() == pytest.approx(0.14 / (0.14 + 0.008))
    assert abs(jets.is_b[jets.tagged].mean() - jets.posterior_b_given_tag()) < 0.005


def test_signal_background_events_and_exact_likelihood_ratio():
    events = simulate.signal_background_events(20_000, signal_fraction=0.3, seed=0)
    assert events.features.shape == (20_000, 3) and len(events) == 20_000
    assert set(np.unique(events.labels)) == {0, 1}
    assert abs(events.labels.mean() - 0.3) < 0.015
    signal_mass = events.features[events.labels == 1, 0]
    assert abs(np.median(signal_mass) - 125.0) < 0.5
    llr = simulate.event_log_likelihood_ratio(events.features)
    # the exact likelihood ratio is the optimal classifier: it ranks signal above background
    auc = np.mean(llr[events.labels == 1][:, None] > llr[events.labels == 0][None, :2000])
    assert auc > 0.9


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: simulate.gaussian_measurements(0.0, -1.0, 5), ValueError, "resolution must be > 0"),
        (lambda: simulate.gaussian_measurements(0.0, 1.0, (5, 0)), ValueError, r"size\[1\] must be >= 1"),
        (lambda: simulate.gaussian_measurements("a", 1.0, 5), TypeError, "true_value must be a real number"),
        (lambda: simulate.counting_experiment(-1.0, 1.0, 5), ValueError, "signal must be >= 0"),
        (lambda: simulate.counting_experiment(1.0, 1.0, 2.5), TypeError, "n_experiments must be an integer"),
        (lambda: simulate.tagged_jets(10, b_fraction=1.5), ValueError, "b_fraction must be <= 1"),
        (lambda: simulate.pseudorapidity(np.array([0.0, 1.0])), ValueError, "theta must lie strictly"),
        (lambda: simulate.signal_background_events(0), ValueError, "n must be >= 1"),
        (lambda: simulate.event_log_likelihood_ratio(np.zeros((3, 2))), ValueError, "3 columns"),
    ],
)
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()
