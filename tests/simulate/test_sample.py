"""Tests of :mod:`hepml.simulate.sample`."""

import numpy as np
import pytest

from hepml import simulate


def test_simulators_are_reproducible_from_a_seed():
    a = simulate.gaussian_measurements(0.0, 1.0, 10, seed=3)
    b = simulate.gaussian_measurements(0.0, 1.0, 10, seed=3)
    c = simulate.gaussian_measurements(0.0, 1.0, 10, seed=4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: simulate.gaussian_measurements(0.0, -1.0, 5),
            ValueError,
            "resolution must be > 0",
        ),
        (
            lambda: simulate.gaussian_measurements(0.0, 1.0, (5, 0)),
            ValueError,
            r"size\[1\] must be >= 1",
        ),
        (
            lambda: simulate.gaussian_measurements("a", 1.0, 5),
            TypeError,
            "true_value must be a real number",
        ),
        (lambda: simulate.counting_experiment(-1.0, 1.0, 5), ValueError, "signal must be >= 0"),
        (
            lambda: simulate.counting_experiment(1.0, 1.0, 2.5),
            TypeError,
            "n_experiments must be an integer",
        ),
        (lambda: simulate.tagged_jets(10, b_fraction=1.5), ValueError, "b_fraction must be <= 1"),
        (
            lambda: simulate.pseudorapidity(np.array([0.0, 1.0])),
            ValueError,
            "theta must lie strictly",
        ),
        (lambda: simulate.signal_background_events(0), ValueError, "n must be >= 1"),
        (lambda: simulate.event_log_likelihood_ratio(np.zeros((3, 2))), ValueError, "3 columns"),
    ],
)
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


SIMULATED_SAMPLES = [
    lambda: simulate.tagged_jets(50, seed=1),
    lambda: simulate.signal_background_events(50, seed=1),
    lambda: simulate.resonance_spectrum(50, seed=1),
    lambda: simulate.trigger_turn_on(50, seed=1),
    lambda: simulate.calorimeter_showers(50, seed=1),
    lambda: simulate.gaussian_classes(50, seed=1),
]


@pytest.mark.parametrize("make", SIMULATED_SAMPLES)
def test_every_sample_has_features_targets_and_named_columns(make):
    from sklearn.linear_model import LinearRegression

    sample = make()
    assert isinstance(sample, simulate.Sample)
    assert sample.X.shape == (50, len(sample.feature_names)) and sample.y.shape == (50,)
    assert len(sample) == 50
    LinearRegression().fit(sample.X, sample.y)  # X and y go straight into a model


def test_sample_rejects_features_and_targets_that_do_not_match():
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\)"):
        simulate.Sample(np.zeros((4, 3)), np.zeros(4), ("a", "b"))
    with pytest.raises(ValueError, match=r"y must have shape \(4,\)"):
        simulate.Sample(np.zeros((4, 2)), np.zeros(5), ("a", "b"))


def test_one_column_samples_keep_their_physics_names():
    spectrum = simulate.resonance_spectrum(100, seed=2)
    assert np.array_equal(spectrum.masses, spectrum.X[:, 0])
    assert np.array_equal(spectrum.is_signal, spectrum.y == 1)
    turn_on = simulate.trigger_turn_on(20, seed=2)
    assert np.array_equal(turn_on.pt, turn_on.X[:, 0])
    assert np.array_equal(turn_on.efficiency, turn_on.y)
    jets = simulate.tagged_jets(100, seed=2)
    assert jets.tagged.dtype == bool and jets.is_b.dtype == bool
