"""Tests of :mod:`hepml.simulate.kinematics`."""

import numpy as np
import pytest
from scipy import stats

from hepml import simulate


def test_isotropic_directions_give_the_analytic_eta_density():
    eta = simulate.pseudorapidity(simulate.isotropic_polar_angles(100_000, seed=2))
    # p(eta) = 1 / (2 cosh^2 eta) has CDF (1 + tanh(eta)) / 2
    result = stats.kstest(eta, lambda e: 0.5 * (1 + np.tanh(e)))
    assert result.pvalue > 0.001


def test_pseudorapidity_of_known_angles():
    assert simulate.pseudorapidity(np.array([np.pi / 2]))[0] == pytest.approx(0.0, abs=1e-15)
    theta = 2 * np.arctan(np.exp(-1.5))
    assert simulate.pseudorapidity(np.array([theta]))[0] == pytest.approx(1.5)
