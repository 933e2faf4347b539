"""Tests of :mod:`hepml.simulate.calorimeter`."""

import numpy as np
import pytest

from hepml import simulate


def test_calorimeter_showers_have_a_nonlinear_response_and_growing_resolution():
    sample = simulate.calorimeter_showers(40_000, seed=5)
    assert sample.X.shape == (40_000, 4) and len(sample) == 40_000
    assert sample.feature_names == simulate.CALORIMETER_FEATURES
    e_reco, em_fraction, abs_eta, n_vertices = sample.X.T
    energy = sample.y
    assert energy.min() >= 10.0 and energy.max() <= 300.0
    assert np.all((em_fraction >= 0) & (em_fraction <= 1)) and np.all(
        (abs_eta >= 0) & (abs_eta <= 2.5)
    )
    assert n_vertices.min() >= 1 and abs(n_vertices.mean() - 25.0) < 0.1
    low, high = energy < 30, energy > 270
    # non-compensation: the mean response (without the ~10 GeV pile-up offset) rises with energy
    response_low = np.mean((e_reco[low] - 0.4 * n_vertices[low]) / energy[low])
    response_high = np.mean((e_reco[high] - 0.4 * n_vertices[high]) / energy[high])
    assert 0.6 < response_low < response_high < 1.0
    # the measured em fraction follows the Wigmans-like mean
    assert abs(em_fraction[high].mean() - simulate.mean_em_fraction(np.array([285.0]))[0]) < 0.01
    # the absolute resolution grows with energy (stochastic and constant terms)
    assert np.std(e_reco[high] / energy[high]) * 285 > 3 * np.std(e_reco[low] / energy[low]) * 20


def test_calorimeter_showers_validate_arguments():
    with pytest.raises(ValueError, match="low < high"):
        simulate.calorimeter_showers(10, energy_range=(100.0, 50.0))
    with pytest.raises(TypeError, match="energy_range must be a tuple"):
        simulate.calorimeter_showers(10, energy_range=[10.0, 20.0])
    with pytest.raises(ValueError, match="energy must be >= 1 GeV"):
        simulate.mean_em_fraction(np.array([0.5]))
