"""Tests of :mod:`hepml.simulate.events`."""

import numpy as np
import pytest
from scipy import stats

from hepml import simulate


def test_signal_background_events_and_exact_likelihood_ratio():
    events = simulate.signal_background_events(20_000, signal_fraction=0.3, seed=0)
    assert events.X.shape == (20_000, 3) and len(events) == 20_000
    assert set(np.unique(events.y)) == {0, 1}
    assert abs(events.y.mean() - 0.3) < 0.015
    signal_mass = events.X[events.y == 1, 0]
    assert abs(np.median(signal_mass) - 125.0) < 0.5
    llr = simulate.event_log_likelihood_ratio(events.X)
    # the exact likelihood ratio is the optimal classifier: it ranks signal above background
    auc = np.mean(llr[events.y == 1][:, None] > llr[events.y == 0][None, :2000])
    assert auc > 0.9


def test_resonance_spectrum_follows_its_density_and_truth():
    sample = simulate.resonance_spectrum(
        40_000, mass=91.19, width=2.5, signal_fraction=0.3, seed=6
    )
    assert len(sample) == 40_000 and sample.masses.min() >= 60.0 and sample.masses.max() <= 120.0
    assert abs(sample.is_signal.mean() - 0.3) < 0.01
    # the density integrates to one on the window and is zero outside
    grid = np.linspace(60.0, 120.0, 200_001)
    assert np.trapezoid(sample.pdf(grid), grid) == pytest.approx(1.0, rel=1e-6)
    assert sample.pdf(np.array([59.0, 121.0])).tolist() == [0.0, 0.0]
    # the signal is a Cauchy (Breit-Wigner) with half-width width / 2, truncated to the window
    truncated = stats.cauchy(91.19, 1.25)
    lo, hi = truncated.cdf(60.0), truncated.cdf(120.0)
    signal_cdf = lambda m: (truncated.cdf(m) - lo) / (hi - lo)  # noqa: E731
    assert stats.kstest(sample.masses[sample.is_signal], signal_cdf).pvalue > 0.001
    background = stats.truncexpon(b=60.0 / 25.0, loc=60.0, scale=25.0)
    assert stats.kstest(sample.masses[~sample.is_signal], background.cdf).pvalue > 0.001
    # and the full sample follows the mixture density
    cdf = np.cumsum(sample.pdf(grid)) * (grid[1] - grid[0])
    assert stats.kstest(sample.masses, lambda m: np.interp(m, grid, cdf)).pvalue > 0.001


def test_resonance_spectrum_bad_input():
    with pytest.raises(ValueError, match="width must be > 0"):
        simulate.resonance_spectrum(10, width=0.0)
    with pytest.raises(ValueError, match="mass must be <= 120"):
        simulate.resonance_spectrum(10, mass=130.0)
    with pytest.raises(ValueError, match="high must be > low"):
        simulate.resonance_pdf(np.array([1.0]), 91.0, 2.5, 0.3, 25.0, low=100.0, high=90.0)
