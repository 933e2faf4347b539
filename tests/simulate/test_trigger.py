"""Tests of :mod:`hepml.simulate.trigger`."""

import numpy as np
import pytest
from scipy import stats

from hepml import simulate


def test_turn_on_efficiency_is_the_smeared_threshold_probability():
    # Monte Carlo: fraction of jets whose online pT (offline pT + Gaussian smearing) passes the
    # threshold.
    rng = np.random.default_rng(7)
    pt = np.array([30.0, 40.0, 48.0, 70.0])
    online = pt[:, None] + 8.0 * rng.standard_normal((4, 200_000))
    fraction_passing = np.mean(online > 40.0, axis=1)
    np.testing.assert_allclose(
        simulate.turn_on_efficiency(pt, 40.0, 8.0, 1.0), fraction_passing, atol=0.004
    )
    assert simulate.turn_on_efficiency(np.array([40.0]), 40.0, 8.0, 0.9)[0] == pytest.approx(0.45)
    assert simulate.turn_on_efficiency(np.array([1e4]), plateau=0.95)[0] == pytest.approx(0.95)


def test_trigger_turn_on_noise_has_the_requested_width_around_the_truth():
    sample = simulate.trigger_turn_on(50_000, noise=0.05, pt_range=(10.0, 100.0), seed=8)
    assert len(sample) == 50_000
    assert sample.pt.min() >= 10.0 and sample.pt.max() <= 100.0
    assert not np.all(np.diff(sample.pt) > 0)  # unsorted, so consecutive folds are not pT slices
    residuals = sample.efficiency - sample.true_efficiency(sample.pt)
    assert abs(residuals.mean()) < 4 * 0.05 / np.sqrt(50_000)
    assert residuals.std() == pytest.approx(0.05, rel=0.02)
    assert stats.kstest(residuals / 0.05, "norm").pvalue > 0.001


def test_trigger_turn_on_checks_its_arguments():
    with pytest.raises(ValueError, match="pt_range"):
        simulate.trigger_turn_on(10, pt_range=(50.0, 20.0))
    with pytest.raises(ValueError, match="noise"):
        simulate.trigger_turn_on(10, noise=-0.1)
    with pytest.raises(ValueError, match="resolution"):
        simulate.turn_on_efficiency(np.array([1.0]), resolution=0.0)


def test_binned_trigger_turn_on_has_one_measurement_per_bin():
    sample = simulate.trigger_turn_on(30, pt_range=(10.0, 100.0), binned=True, seed=9)
    counts, _ = np.histogram(sample.pt, bins=np.linspace(10.0, 100.0, 31))
    assert np.all(counts == 1)
    unbinned = simulate.trigger_turn_on(3000, binned=False, seed=9)
    counts, _ = np.histogram(unbinned.pt, bins=np.linspace(10.0, 100.0, 3001))
    assert np.any(counts != 1)
    with pytest.raises(TypeError, match="binned"):
        simulate.trigger_turn_on(10, binned="yes")
