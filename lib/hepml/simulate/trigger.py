"""A single-jet trigger's efficiency turn-on curve and noisy measurements of it (chapter 5).

- :func:`turn_on_efficiency`: the true efficiency as a function of the offline jet pT;
- :func:`trigger_turn_on`: a :class:`TurnOnSample` of noisy efficiency measurements, whose
  irreducible error ``noise**2`` is known exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from hepml.reproducibility import as_generator
from hepml.simulate.sample import Sample
from hepml.validation import check_array, check_int, check_interval, check_real


def turn_on_efficiency(
    pt: np.ndarray,
    threshold: float = 40.0,
    resolution: float = 8.0,
    plateau: float = 0.95,
) -> np.ndarray:
    """Efficiency of a single-jet trigger as a function of the offline jet pT.

    The trigger fires when the jet's online pT, the offline pT smeared by a Gaussian of width
    ``resolution``, exceeds ``threshold``; the trigger is alive a fraction ``plateau`` of the
    time. The efficiency is therefore ``plateau * Phi((pt - threshold) / resolution)``, with
    ``Phi`` the standard normal CDF: a smooth "turn-on" curve.

    Parameters
    ----------
    pt
        Offline transverse momenta in GeV.
    threshold
        Online pT threshold in GeV.
    resolution
        Online pT resolution in GeV, > 0.
    plateau
        Efficiency far above threshold, in [0, 1].
    """
    pt = check_array(pt, "pt")
    threshold = check_real(threshold, "threshold")
    resolution = check_real(resolution, "resolution", minimum=0.0, strict_minimum=True)
    plateau = check_real(plateau, "plateau", minimum=0.0, maximum=1.0)
    return plateau * stats.norm.cdf((pt - threshold) / resolution)


@dataclass(frozen=True)
class TurnOnSample(Sample):
    """Efficiency measurements (``y``) at random offline jet pT values (``X``, GeV).

    Attributes
    ----------
    threshold, resolution, plateau
        Parameters of :func:`turn_on_efficiency` used to generate the sample.
    noise
        Standard deviation of the measurement noise; ``noise**2`` is the irreducible error of
        any prediction of the measured efficiency.
    """

    threshold: float
    resolution: float
    plateau: float
    noise: float

    @property
    def pt(self) -> np.ndarray:
        """Offline jet transverse momenta in GeV, shape ``(n,)``, in random order."""
        return self.X[:, 0]

    @property
    def efficiency(self) -> np.ndarray:
        """Measured efficiencies: the true efficiency plus Gaussian noise of width ``noise``."""
        return self.y

    def true_efficiency(self, pt: np.ndarray) -> np.ndarray:
        """The noiseless turn-on curve the sample was generated from, evaluated at ``pt``."""
        return turn_on_efficiency(pt, self.threshold, self.resolution, self.plateau)


def trigger_turn_on(
    n: int,
    *,
    threshold: float = 40.0,
    resolution: float = 8.0,
    plateau: float = 0.95,
    noise: float = 0.05,
    pt_range: tuple[float, float] = (10.0, 100.0),
    binned: bool = True,
    seed: int | np.random.Generator = 0,
) -> TurnOnSample:
    """Noisy measurements of a trigger's efficiency turn-on (see :func:`turn_on_efficiency`).

    Each of the ``n`` measurements is taken at a random jet pT in ``pt_range``, and its value
    is the true efficiency plus Gaussian noise of known standard deviation ``noise`` (think of
    a tag-and-probe measurement in a narrow pT bin), so the irreducible error is exactly
    ``noise**2``. With ``binned=True`` the range is cut into ``n`` bins of equal width with one
    measurement at a uniform random pT inside each, as in a binned measurement; otherwise every
    pT is uniform over the whole range. Either way the measurements come in random order.

    Parameters
    ----------
    n
        Number of measurements, >= 1.
    threshold, resolution, plateau
        Truth of the turn-on curve; see :func:`turn_on_efficiency`.
    noise
        Standard deviation of the measurement noise, >= 0.
    pt_range
        Lowest and highest jet pT in GeV.
    binned
        One measurement per equal-width pT bin (True) or pT uniform over the range (False).
    seed
        Integer seed or NumPy generator.
    """
    n = check_int(n, "n", minimum=1)
    noise = check_real(noise, "noise", minimum=0.0)
    low, high = check_interval(pt_range, "pt_range", minimum=0.0)
    if not isinstance(binned, bool):
        raise TypeError(f"binned must be True or False, got {binned!r}")
    rng = as_generator(seed)
    if binned:
        edges = np.linspace(low, high, n + 1)
        pt = rng.permutation(rng.uniform(edges[:-1], edges[1:]))
    else:
        pt = rng.uniform(low, high, size=n)
    truth = turn_on_efficiency(pt, threshold, resolution, plateau)
    measured = truth + noise * rng.standard_normal(n)
    return TurnOnSample(
        X=pt[:, None],
        y=measured,
        feature_names=("pT [GeV]",),
        threshold=float(threshold),
        resolution=float(resolution),
        plateau=float(plateau),
        noise=noise,
    )
