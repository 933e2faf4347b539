"""Hadron showers in a non-compensating calorimeter: an energy-calibration sample (chapter 3).

:func:`calorimeter_showers` returns reconstructed-shower features ``X`` and the true particle
energy ``y``, the target of an energy regression.
"""

from __future__ import annotations

import numpy as np

from hepml.reproducibility import as_generator
from hepml.simulate.sample import Sample
from hepml.validation import check_array, check_int, check_interval

#: Feature names of :func:`calorimeter_showers`.
CALORIMETER_FEATURES = ("E_reco [GeV]", "em_fraction", "|eta|", "n_vertices")

#: Response of the calorimeter to the hadronic part of a shower relative to the
#: electromagnetic part (``h/e < 1``: the calorimeter is non-compensating).
HADRONIC_RESPONSE = 0.6

#: Mean energy in GeV that one pile-up vertex adds to the reconstructed energy.
PILE_UP_PER_VERTEX = 0.4


def mean_em_fraction(energy: np.ndarray) -> np.ndarray:
    """Average electromagnetic fraction of a hadron shower, ``1 - (E / 1 GeV)^(-0.18)``.

    Neutral pions produced in the shower decay to photons, so the electromagnetic part grows
    with energy (a Wigmans-style parametrisation; ``energy`` in GeV, >= 1).
    """
    energy = check_array(energy, "energy")
    if np.any(energy < 1.0):
        raise ValueError("energy must be >= 1 GeV")
    return 1.0 - energy ** (-0.18)


def calorimeter_showers(
    n: int,
    energy_range: tuple[float, float] = (10.0, 300.0),
    seed: int | np.random.Generator = 0,
) -> Sample:
    """Simulate an energy-calibration sample: reconstructed vs true energy of hadron showers.

    For each particle of true energy ``E`` (uniform in ``energy_range``):

    - the electromagnetic fraction ``f`` of its shower is Beta distributed with mean
      :func:`mean_em_fraction` (E), so it fluctuates from shower to shower;
    - the calorimeter responds fully to the electromagnetic part and with
      :data:`HADRONIC_RESPONSE` to the rest, and loses up to 6 % in dead material at large
      ``|eta|``: visible energy ``E R`` with
      ``R = (f + 0.6 (1 - f)) (1 - 0.06 (|eta| / 2.5)^2)``. The response is therefore
      non-linear in ``E`` and depends on ``f`` and ``|eta|``;
    - the energy resolution has a stochastic term ``50 % / sqrt(E)`` and a constant term of
      3 % (added in quadrature), so it grows with energy;
    - pile-up adds on average :data:`PILE_UP_PER_VERTEX` (0.4 GeV) per extra vertex
      (``1 + Poisson(24)`` vertices), and electronic noise adds 1.5 GeV Gaussian noise;
    - ``f`` is measured with an absolute resolution of 0.03 (clipped to [0, 1]).

    The features have units and very different scales (hundreds of GeV next to fractions of
    one), which is what makes standardising them matter.

    Parameters
    ----------
    n
        Number of showers, >= 1.
    energy_range
        Lowest and highest true energy in GeV, ``1 <= low < high``.
    seed
        Integer seed or NumPy generator.

    Returns
    -------
    Sample
        ``X`` of shape ``(n, 4)`` with the columns of :data:`CALORIMETER_FEATURES` (the
        reconstructed energy, the measured electromagnetic fraction, ``|eta|`` and the number
        of pile-up vertices); ``y`` is the true energy in GeV.
    """
    n = check_int(n, "n", minimum=1)
    low, high = check_interval(energy_range, "energy_range", minimum=1.0)
    rng = as_generator(seed)
    energy = rng.uniform(low, high, size=n)
    mean_f = mean_em_fraction(energy)
    concentration = 15.0
    em_fraction = rng.beta(mean_f * concentration, (1 - mean_f) * concentration)
    abs_eta = np.abs(rng.uniform(-2.5, 2.5, size=n))
    dead_material = 1 - 0.06 * (abs_eta / 2.5) ** 2
    response = (em_fraction + HADRONIC_RESPONSE * (1 - em_fraction)) * dead_material
    visible = energy * response
    resolution = np.sqrt(0.5**2 * visible + (0.03 * visible) ** 2)
    visible = visible + resolution * rng.standard_normal(n)
    n_vertices = 1 + rng.poisson(24.0, size=n)
    pile_up = rng.gamma(n_vertices, PILE_UP_PER_VERTEX)
    reconstructed = visible + pile_up + 1.5 * rng.standard_normal(n)
    measured_fraction = np.clip(em_fraction + 0.03 * rng.standard_normal(n), 0.0, 1.0)
    X = np.column_stack([reconstructed, measured_fraction, abs_eta, n_vertices.astype(float)])
    return Sample(X, energy, CALORIMETER_FEATURES)
