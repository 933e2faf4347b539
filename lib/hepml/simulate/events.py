"""Collision events: signal and background features, and resonance mass spectra.

- :func:`signal_background_events`: three features of a Higgs-like signal over a falling
  background, with the exact likelihood ratio :func:`event_log_likelihood_ratio` (chapters 1, 4);
- :func:`resonance_spectrum`: invariant masses of a Breit-Wigner peak over an exponential
  background, with its exact density :func:`resonance_pdf` (chapter 2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from hepml.reproducibility import as_generator
from hepml.simulate.sample import Sample
from hepml.validation import check_array, check_int, check_real

#: Feature names of :func:`signal_background_events`.
EVENT_FEATURES = ("mass [GeV]", "pT [GeV]", "delta_eta")

# Generating distributions of each feature, per class. The features are independent given the
# class, so the exact likelihood ratio is the product of the per-feature ratios.
_SIGNAL_PDFS = (stats.norm(125.0, 8.0), stats.gamma(a=4.0, scale=15.0), stats.norm(0.0, 1.0))
_BACKGROUND_PDFS = (
    stats.expon(loc=70.0, scale=30.0),
    stats.expon(loc=0.0, scale=30.0),
    stats.norm(0.0, 2.0),
)


def signal_background_events(
    n: int,
    signal_fraction: float = 0.5,
    seed: int | np.random.Generator = 0,
) -> Sample:
    """Simulate events of a resonance search: a Higgs-like signal over a falling background.

    Signal has a mass peak at 125 GeV (resolution 8 GeV), a harder transverse-momentum
    spectrum and centrally produced objects (small ``delta_eta``); background falls
    exponentially in mass above 70 GeV and in pT and is broad in ``delta_eta``.

    Parameters
    ----------
    n
        Number of events, >= 1.
    signal_fraction
        Probability that an event is signal, in [0, 1].
    seed
        Integer seed or NumPy generator.

    Returns
    -------
    Sample
        ``X`` of shape ``(n, 3)`` with the columns of :data:`EVENT_FEATURES`; ``y`` is 1 for
        signal and 0 for background.
    """
    n = check_int(n, "n", minimum=1)
    signal_fraction = check_real(signal_fraction, "signal_fraction", minimum=0.0, maximum=1.0)
    rng = as_generator(seed)
    y = (rng.random(n) < signal_fraction).astype(int)
    X = np.empty((n, len(EVENT_FEATURES)))
    for column, (signal_pdf, background_pdf) in enumerate(zip(_SIGNAL_PDFS, _BACKGROUND_PDFS)):
        signal_values = signal_pdf.rvs(size=n, random_state=rng)
        background_values = background_pdf.rvs(size=n, random_state=rng)
        X[:, column] = np.where(y == 1, signal_values, background_values)
    return Sample(X, y, EVENT_FEATURES)


def event_log_likelihood_ratio(X: np.ndarray) -> np.ndarray:
    """Exact ``log p(x | signal) - log p(x | background)`` for :func:`signal_background_events`.

    Parameters
    ----------
    X
        Array of shape ``(n_events, 3)`` with the columns of :data:`EVENT_FEATURES`.
    """
    X = check_array(X, "X", ndim=2, columns=len(EVENT_FEATURES))
    ratio = np.zeros(len(X))
    for column, (signal_pdf, background_pdf) in enumerate(zip(_SIGNAL_PDFS, _BACKGROUND_PDFS)):
        ratio += signal_pdf.logpdf(X[:, column]) - background_pdf.logpdf(X[:, column])
    return ratio


@dataclass(frozen=True)
class ResonanceSample(Sample):
    """Invariant masses (``X``, one column in GeV) and which events are signal (``y``).

    Attributes
    ----------
    mass, width
        Pole mass and full width at half maximum of the resonance in GeV.
    signal_fraction
        Probability that an event is signal.
    background_scale
        Scale of the exponential background in GeV (the background falls by ``1/e`` every
        ``background_scale`` GeV).
    low, high
        The mass window in GeV; every mass lies inside it.
    """

    mass: float
    width: float
    signal_fraction: float
    background_scale: float
    low: float
    high: float

    @property
    def masses(self) -> np.ndarray:
        """The invariant masses in GeV, shape ``(n,)``."""
        return self.X[:, 0]

    @property
    def is_signal(self) -> np.ndarray:
        """True where the event came from the resonance (unknown in a real experiment)."""
        return self.y == 1

    @property
    def truth(self) -> dict[str, float]:
        """The generating parameters, in the argument order of :func:`resonance_pdf`."""
        return {
            "mass": self.mass,
            "width": self.width,
            "signal_fraction": self.signal_fraction,
            "background_scale": self.background_scale,
        }

    def pdf(self, x: np.ndarray) -> np.ndarray:
        """The exact density (per GeV) the masses were drawn from, evaluated at ``x``."""
        return resonance_pdf(x, **self.truth, low=self.low, high=self.high)


def resonance_spectrum(
    n: int,
    mass: float = 91.19,
    width: float = 2.5,
    signal_fraction: float = 0.3,
    background_scale: float = 25.0,
    low: float = 60.0,
    high: float = 120.0,
    seed: int | np.random.Generator = 0,
) -> ResonanceSample:
    """Simulate the invariant-mass spectrum of a resonance over a falling background.

    The signal follows a (non-relativistic) Breit-Wigner, i.e. Cauchy, distribution with pole
    ``mass`` and full width ``width``; the background falls exponentially. Both are truncated
    to the window ``[low, high]``, and the detector resolution is taken to be perfect. The
    defaults resemble a Z boson decaying to two muons over a Drell-Yan-like continuum.

    Parameters
    ----------
    n
        Number of events, >= 1.
    mass
        Pole mass of the resonance in GeV, inside the window.
    width
        Full width at half maximum of the resonance in GeV, > 0.
    signal_fraction
        Probability that an event is signal, in [0, 1].
    background_scale
        Scale of the exponential background in GeV (it falls by 1/e over this range), > 0.
    low, high
        Mass window in GeV, ``0 <= low < high``.
    seed
        Integer seed or NumPy generator.

    Returns
    -------
    ResonanceSample
        The masses, which events are signal, and the generating parameters.
    """
    n = check_int(n, "n", minimum=1)
    parameters = _check_resonance_parameters(
        mass, width, signal_fraction, background_scale, low, high
    )
    mass, width, signal_fraction, background_scale, low, high = parameters
    rng = as_generator(seed)
    is_signal = rng.random(n) < signal_fraction
    u = rng.random(n)
    # Inverse-CDF sampling of each truncated distribution from the same uniform numbers.
    half_width = width / 2
    cauchy_low, cauchy_high = np.arctan((np.array([low, high]) - mass) / half_width)
    signal = mass + half_width * np.tan(cauchy_low + u * (cauchy_high - cauchy_low))
    window = -np.expm1(-(high - low) / background_scale)
    background = low - background_scale * np.log1p(-u * window)
    masses = np.clip(np.where(is_signal, signal, background), low, high)
    return ResonanceSample(masses[:, None], is_signal.astype(int), ("mass [GeV]",), *parameters)


def resonance_pdf(
    x: np.ndarray,
    mass: float,
    width: float,
    signal_fraction: float,
    background_scale: float,
    low: float = 60.0,
    high: float = 120.0,
) -> np.ndarray:
    """Density per GeV of :func:`resonance_spectrum`, normalised to one on ``[low, high]``.

    .. math::
        p(x) = f\\,\\frac{\\mathrm{BW}(x; M, \\Gamma)}{\\int_{\\rm window} \\mathrm{BW}}
        + (1 - f)\\,\\frac{e^{-(x - x_{\\rm low})/\\lambda}}
        {\\lambda\\,(1 - e^{-(x_{\\rm high} - x_{\\rm low})/\\lambda})},
        \\qquad
        \\mathrm{BW}(x; M, \\Gamma) = \\frac{1}{\\pi}\\,\\frac{\\Gamma/2}{(x - M)^2 + \\Gamma^2/4}.

    Parameters
    ----------
    x
        Masses in GeV.
    mass, width, signal_fraction, background_scale, low, high
        As in :func:`resonance_spectrum`.

    Returns
    -------
    numpy.ndarray
        The density at ``x`` (zero outside the window).
    """
    x = check_array(x, "x")
    mass, width, signal_fraction, background_scale, low, high = _check_resonance_parameters(
        mass, width, signal_fraction, background_scale, low, high
    )
    half_width = width / 2
    signal_norm = (
        np.arctan((high - mass) / half_width) - np.arctan((low - mass) / half_width)
    ) / np.pi
    signal = half_width / (np.pi * ((x - mass) ** 2 + half_width**2)) / signal_norm
    background_norm = background_scale * -np.expm1(-(high - low) / background_scale)
    background = np.exp(-(x - low) / background_scale) / background_norm
    inside = (x >= low) & (x <= high)
    density = signal_fraction * signal + (1 - signal_fraction) * background
    return np.where(inside, density, 0.0)


def _check_resonance_parameters(
    mass, width, signal_fraction, background_scale, low, high
) -> tuple[float, float, float, float, float, float]:
    low = check_real(low, "low", minimum=0.0)
    high = check_real(high, "high")
    if high <= low:
        raise ValueError(f"high must be > low, got low={low}, high={high}")
    mass = check_real(mass, "mass", minimum=low, maximum=high)
    width = check_real(width, "width", minimum=0.0, strict_minimum=True)
    signal_fraction = check_real(signal_fraction, "signal_fraction", minimum=0.0, maximum=1.0)
    background_scale = check_real(
        background_scale, "background_scale", minimum=0.0, strict_minimum=True
    )
    return mass, width, signal_fraction, background_scale, low, high
