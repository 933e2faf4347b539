"""Tests of :mod:`hepml.simulate.measurements`."""

import numpy as np

from hepml import simulate


def test_gaussian_measurements_have_requested_shape_mean_and_spread():
    x = simulate.gaussian_measurements(50.0, 2.0, (40_000, 5), seed=1)
    assert x.shape == (40_000, 5)
    assert abs(x.mean() - 50.0) < 4 * 2.0 / np.sqrt(x.size)
    assert abs(x.std() - 2.0) < 0.02


def test_counting_experiment_is_poisson():
    counts = simulate.counting_experiment(signal=3.0, background=2.0, n_experiments=50_000, seed=0)
    assert counts.dtype.kind == "i"
    assert abs(counts.mean() - 5.0) < 0.05
    assert abs(counts.var() - 5.0) < 0.15
