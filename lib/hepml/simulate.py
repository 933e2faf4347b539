"""Seeded toy-physics simulators with known truth.

Every function takes a ``seed`` (an integer or a :class:`numpy.random.Generator`) and needs no
download, so notebooks run offline and give the same sample on every run. Because the generating
distributions are known, estimates made from a sample can be compared with the truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from hepml.reproducibility import as_generator
from hepml.validation import check_array, check_int, check_real


def gaussian_measurements(
    true_value: float,
    resolution: float,
    size: int | tuple[int, ...],
    seed: int | np.random.Generator = 0,
) -> np.ndarray:
    """Repeated measurements of one quantity by a detector with Gaussian resolution.

    Parameters
    ----------
    true_value
        The value being measured, e.g. a particle mass in GeV.
    resolution
        Standard deviation of a single measurement (same unit as ``true_value``), > 0.
    size
        Number of measurements, or a shape such as ``(n_experiments, m)`` for many experiments
        of ``m`` measurements each.
    seed
        Integer seed or NumPy generator.

    Returns
    -------
    numpy.ndarray
        Measurements with shape ``size``.
    """
    true_value = check_real(true_value, "true_value")
    resolution = check_real(resolution, "resolution", minimum=0.0, strict_minimum=True)
    shape = _check_shape(size, "size")
    return as_generator(seed).normal(true_value, resolution, size=shape)


def counting_experiment(
    signal: float,
    background: float,
    n_experiments: int,
    seed: int | np.random.Generator = 0,
) -> np.ndarray:
    """Event counts of a cut-and-count search repeated ``n_experiments`` times.

    Each count is Poisson distributed with mean ``signal + background``.

    Parameters
    ----------
    signal, background
        Expected numbers of signal and background events, >= 0.
    n_experiments
        Number of pseudo-experiments, >= 1.
    seed
        Integer seed or NumPy generator.

    Returns
    -------
    numpy.ndarray
        Integer counts with shape ``(n_experiments,)``.
    """
    signal = check_real(signal, "signal", minimum=0.0)
    background = check_real(background, "background", minimum=0.0)
    n_experiments = check_int(n_experiments, "n_experiments", minimum=1)
    return as_generator(seed).poisson(signal + background, size=n_experiments)


def isotropic_polar_angles(n: int, seed: int | np.random.Generator = 0) -> np.ndarray:
    """Polar angles theta (radians) of ``n`` directions distributed uniformly on the sphere.

    Uniform on the sphere means ``cos(theta)`` is uniform on [-1, 1], not ``theta`` itself.
    """
    n = check_int(n, "n", minimum=1)
    cos_theta = as_generator(seed).uniform(-1.0, 1.0, size=n)
    return np.arccos(cos_theta)


def pseudorapidity(theta: np.ndarray) -> np.ndarray:
    """Pseudorapidity ``eta = -ln(tan(theta / 2))`` of polar angles in (0, pi)."""
    theta = check_array(theta, "theta")
    if np.any((theta <= 0) | (theta >= np.pi)):
        raise ValueError("theta must lie strictly between 0 and pi radians")
    return -np.log(np.tan(theta / 2))


@dataclass(frozen=True)
class TaggedJets:
    """A sample of jets with their true flavour and the decision of a b-tagger.

    Attributes
    ----------
    is_b
        True where the jet really comes from a b quark.
    tagged
        True where the tagger fired.
    b_fraction, efficiency, mistag_rate
        The truth the sample was generated with: P(b), P(tag | b) and P(tag | not b).
    """

    is_b: np.ndarray
    tagged: np.ndarray
    b_fraction: float
    efficiency: float
    mistag_rate: float

    def posterior_b_given_tag(self) -> float:
        """Exact P(b | tag) from Bayes' theorem and the generating probabilities."""
        p_tag = self.efficiency * self.b_fraction + self.mistag_rate * (1 - self.b_fraction)
        return self.efficiency * self.b_fraction / p_tag


def tagged_jets(
    n: int,
    b_fraction: float = 0.2,
    efficiency: float = 0.7,
    mistag_rate: float = 0.01,
    seed: int | np.random.Generator = 0,
) -> TaggedJets:
    """Simulate ``n`` jets, a fraction of them from b quarks, passed through a b-tagger.

    Parameters
    ----------
    n
        Number of jets, >= 1.
    b_fraction
        Probability that a jet is a b jet, in [0, 1].
    efficiency
        Probability that the tagger fires on a b jet, in [0, 1].
    mistag_rate
        Probability that the tagger fires on any other jet, in [0, 1].
    seed
        Integer seed or NumPy generator.
    """
    n = check_int(n, "n", minimum=1)
    b_fraction = check_real(b_fraction, "b_fraction", minimum=0.0, maximum=1.0)
    efficiency = check_real(efficiency, "efficiency", minimum=0.0, maximum=1.0)
    mistag_rate = check_real(mistag_rate, "mistag_rate", minimum=0.0, maximum=1.0)
    rng = as_generator(seed)
    is_b = rng.random(n) < b_fraction
    tag_probability = np.where(is_b, efficiency, mistag_rate)
    tagged = rng.random(n) < tag_probability
    return TaggedJets(is_b, tagged, b_fraction, efficiency, mistag_rate)


@dataclass(frozen=True)
class EventSample:
    """Collision events described by a few features, labelled signal (1) or background (0).

    Attributes
    ----------
    features
        Array of shape ``(n_events, 3)``.
    labels
        Integer array of shape ``(n_events,)``: 1 for signal, 0 for background.
    feature_names
        Names with units of the feature columns.
    """

    features: np.ndarray
    labels: np.ndarray
    feature_names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.labels)


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
) -> EventSample:
    """Simulate events of a resonance search: a Higgs-like signal over a falling background.

    Signal has a mass peak at 125 GeV (resolution 8 GeV), a harder transverse-momentum spectrum
    and centrally produced objects (small ``delta_eta``); background falls exponentially in mass
    above 70 GeV and in pT and is broad in ``delta_eta``.

    Parameters
    ----------
    n
        Number of events, >= 1.
    signal_fraction
        Probability that an event is signal, in [0, 1].
    seed
        Integer seed or NumPy generator.
    """
    n = check_int(n, "n", minimum=1)
    signal_fraction = check_real(signal_fraction, "signal_fraction", minimum=0.0, maximum=1.0)
    rng = as_generator(seed)
    labels = (rng.random(n) < signal_fraction).astype(int)
    features = np.empty((n, len(EVENT_FEATURES)))
    for column, (signal_pdf, background_pdf) in enumerate(zip(_SIGNAL_PDFS, _BACKGROUND_PDFS)):
        signal_values = signal_pdf.rvs(size=n, random_state=rng)
        background_values = background_pdf.rvs(size=n, random_state=rng)
        features[:, column] = np.where(labels == 1, signal_values, background_values)
    return EventSample(features, labels, EVENT_FEATURES)


def event_log_likelihood_ratio(features: np.ndarray) -> np.ndarray:
    """Exact ``log p(x | signal) - log p(x | background)`` for :func:`signal_background_events`.

    Parameters
    ----------
    features
        Array of shape ``(n_events, 3)`` with the columns of :data:`EVENT_FEATURES`.
    """
    features = check_array(features, "features", ndim=2, columns=len(EVENT_FEATURES))
    ratio = np.zeros(len(features))
    for column, (signal_pdf, background_pdf) in enumerate(zip(_SIGNAL_PDFS, _BACKGROUND_PDFS)):
        ratio += signal_pdf.logpdf(features[:, column]) - background_pdf.logpdf(features[:, column])
    return ratio


def _check_shape(size: int | tuple[int, ...], name: str) -> tuple[int, ...]:
    if isinstance(size, tuple):
        return tuple(check_int(length, f"{name}[{i}]", minimum=1) for i, length in enumerate(size))
    return (check_int(size, name, minimum=1),)


@dataclass(frozen=True)
class ResonanceSample:
    """Invariant masses of a resonance search: a Breit-Wigner peak over a falling background.

    Attributes
    ----------
    masses
        Invariant masses in GeV, shape ``(n,)``, all inside ``[low, high]``.
    is_signal
        True where the event came from the resonance (truth, unknown in a real experiment).
    mass, width
        Pole mass and full width at half maximum of the resonance in GeV.
    signal_fraction
        Probability that an event is signal.
    background_scale
        Scale of the exponential background in GeV (the background falls by ``1/e`` every
        ``background_scale`` GeV).
    low, high
        The mass window in GeV.
    """

    masses: np.ndarray
    is_signal: np.ndarray
    mass: float
    width: float
    signal_fraction: float
    background_scale: float
    low: float
    high: float

    def __len__(self) -> int:
        return len(self.masses)

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
    ``mass`` and full width ``width``; the background falls exponentially. Both are truncated to
    the window ``[low, high]``, and the detector resolution is taken to be perfect. The defaults
    resemble a Z boson decaying to two muons over a Drell-Yan-like continuum.

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
    mass, width, signal_fraction, background_scale, low, high = _check_resonance_parameters(
        mass, width, signal_fraction, background_scale, low, high
    )
    rng = as_generator(seed)
    is_signal = rng.random(n) < signal_fraction
    u = rng.random(n)
    # Inverse-CDF sampling of each truncated distribution from the same uniform numbers.
    half_width = width / 2
    cauchy_low, cauchy_high = np.arctan((np.array([low, high]) - mass) / half_width)
    signal = mass + half_width * np.tan(cauchy_low + u * (cauchy_high - cauchy_low))
    background = low - background_scale * np.log1p(-u * -np.expm1(-(high - low) / background_scale))
    masses = np.clip(np.where(is_signal, signal, background), low, high)
    return ResonanceSample(masses, is_signal, mass, width, signal_fraction, background_scale, low, high)


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
        + (1 - f)\\,\\frac{e^{-(x - x_{\\rm low})/\\lambda}}{\\lambda\\,(1 - e^{-(x_{\\rm high} - x_{\\rm low})/\\lambda})},
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
    signal_norm = (np.arctan((high - mass) / half_width) - np.arctan((low - mass) / half_width)) / np.pi
    signal = half_width / (np.pi * ((x - mass) ** 2 + half_width**2)) / signal_norm
    background = np.exp(-(x - low) / background_scale) / (background_scale * -np.expm1(-(high - low) / background_scale))
    inside = (x >= low) & (x <= high)
    return np.where(inside, signal_fraction * signal + (1 - signal_fraction) * background, 0.0)


def _check_resonance_parameters(mass, width, signal_fraction, background_scale, low, high):
    low = check_real(low, "low", minimum=0.0)
    high = check_real(high, "high")
    if high <= low:
        raise ValueError(f"high must be > low, got low={low}, high={high}")
    mass = check_real(mass, "mass", minimum=low, maximum=high)
    width = check_real(width, "width", minimum=0.0, strict_minimum=True)
    signal_fraction = check_real(signal_fraction, "signal_fraction", minimum=0.0, maximum=1.0)
    background_scale = check_real(background_scale, "background_scale", minimum=0.0, strict_minimum=True)
    return mass, width, signal_fraction, background_scale, low, high


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
class TurnOnSample:
    """Trigger-efficiency measurements at random jet pT values, with the truth they came from.

    Attributes
    ----------
    pt
        Offline jet transverse momenta in GeV, in random (unsorted) order.
    efficiency
        Measured efficiencies: the true efficiency plus Gaussian noise of width ``noise``.
    threshold, resolution, plateau
        Parameters of :func:`turn_on_efficiency` used to generate the sample.
    noise
        Standard deviation of the measurement noise; ``noise**2`` is the irreducible error of
        any prediction of the measured efficiency.
    """

    pt: np.ndarray
    efficiency: np.ndarray
    threshold: float
    resolution: float
    plateau: float
    noise: float

    def __len__(self) -> int:
        return len(self.pt)

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
    """Noisy measurements of a trigger's efficiency turn-on curve (see :func:`turn_on_efficiency`).

    Each of the ``n`` measurements is taken at a random jet pT in ``pt_range``, and its value is
    the true efficiency plus Gaussian noise of known standard deviation ``noise`` (think of a
    tag-and-probe measurement in a narrow pT bin), so the irreducible error is exactly
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
    if not (isinstance(pt_range, tuple) and len(pt_range) == 2):
        raise TypeError(f"pt_range must be a tuple (low, high), got {pt_range!r}")
    low = check_real(pt_range[0], "pt_range[0]", minimum=0.0)
    high = check_real(pt_range[1], "pt_range[1]")
    if high <= low:
        raise ValueError(f"pt_range must have low < high, got {pt_range!r}")
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
    return TurnOnSample(pt, measured, float(threshold), float(resolution), float(plateau), noise)


@dataclass(frozen=True)
class CalorimeterSample:
    """Hadron showers measured by a non-compensating calorimeter, with their true energies.

    Attributes
    ----------
    features
        Array of shape ``(n, 4)`` with the columns of :data:`CALORIMETER_FEATURES`: the
        reconstructed energy, the measured electromagnetic fraction of the shower, ``|eta|`` and
        the number of reconstructed pile-up vertices.
    true_energy
        The energy of the incoming particle in GeV (the regression target), shape ``(n,)``.
    feature_names
        Names with units of the feature columns.
    """

    features: np.ndarray
    true_energy: np.ndarray
    feature_names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.true_energy)


#: Feature names of :func:`calorimeter_showers`.
CALORIMETER_FEATURES = ("E_reco [GeV]", "em_fraction", "|eta|", "n_vertices")

#: Response of the calorimeter to the hadronic part of a shower relative to the electromagnetic
#: part (``h/e < 1``: the calorimeter is non-compensating).
HADRONIC_RESPONSE = 0.6


def mean_em_fraction(energy: np.ndarray) -> np.ndarray:
    """Average electromagnetic fraction of a hadron shower, ``1 - (E / 1 GeV)^(-0.18)``.

    Neutral pions produced in the shower decay to photons, so the electromagnetic part grows with
    energy (a Wigmans-style parametrisation; ``energy`` in GeV, >= 1).
    """
    energy = check_array(energy, "energy")
    if np.any(energy < 1.0):
        raise ValueError("energy must be >= 1 GeV")
    return 1.0 - energy ** (-0.18)


def calorimeter_showers(
    n: int,
    energy_range: tuple[float, float] = (10.0, 300.0),
    seed: int | np.random.Generator = 0,
) -> CalorimeterSample:
    """Simulate an energy-calibration sample: reconstructed vs true energy of hadron showers.

    For each particle of true energy ``E`` (uniform in ``energy_range``):

    - the electromagnetic fraction ``f`` of its shower is Beta distributed with mean
      :func:`mean_em_fraction` (E), so it fluctuates from shower to shower;
    - the calorimeter responds fully to the electromagnetic part and with
      :data:`HADRONIC_RESPONSE` to the rest, and loses up to 6 % in dead material at large
      ``|eta|``: visible energy ``E R`` with ``R = (f + 0.6 (1 - f)) (1 - 0.06 (|eta| / 2.5)^2)``.
      The response is therefore non-linear in ``E`` and depends on ``f`` and ``|eta|``;
    - the energy resolution has a stochastic term ``50 % / sqrt(E)`` and a constant term of 3 %
      (added in quadrature), so it grows with energy;
    - pile-up adds on average 0.4 GeV per extra vertex (``1 + Poisson(24)`` vertices), and
      electronic noise adds 1.5 GeV Gaussian noise;
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
    """
    n = check_int(n, "n", minimum=1)
    if not (isinstance(energy_range, tuple) and len(energy_range) == 2):
        raise TypeError(f"energy_range must be a tuple (low, high), got {energy_range!r}")
    low = check_real(energy_range[0], "energy_range[0]", minimum=1.0)
    high = check_real(energy_range[1], "energy_range[1]")
    if high <= low:
        raise ValueError(f"energy_range must have low < high, got {energy_range!r}")
    rng = as_generator(seed)
    energy = rng.uniform(low, high, size=n)
    mean_f = mean_em_fraction(energy)
    concentration = 15.0
    em_fraction = rng.beta(mean_f * concentration, (1 - mean_f) * concentration)
    abs_eta = np.abs(rng.uniform(-2.5, 2.5, size=n))
    response = (em_fraction + HADRONIC_RESPONSE * (1 - em_fraction)) * (1 - 0.06 * (abs_eta / 2.5) ** 2)
    visible = energy * response
    visible = visible + np.sqrt(0.5**2 * visible + (0.03 * visible) ** 2) * rng.standard_normal(n)
    n_vertices = 1 + rng.poisson(24.0, size=n)
    reconstructed = visible + rng.gamma(n_vertices, 0.4) + 1.5 * rng.standard_normal(n)
    measured_fraction = np.clip(em_fraction + 0.03 * rng.standard_normal(n), 0.0, 1.0)
    features = np.column_stack([reconstructed, measured_fraction, abs_eta, n_vertices.astype(float)])
    return CalorimeterSample(features, energy, CALORIMETER_FEATURES)


@dataclass(frozen=True)
class GaussianClasses:
    """Two classes of events, each a multivariate Gaussian with known mean and covariance.

    Because the class densities and the prior are known, the exact posterior ``P(signal | x)``
    (the best any classifier can do) is available for comparison with a trained model.

    Attributes
    ----------
    features
        Array of shape ``(n, d)``.
    labels
        Integer array of shape ``(n,)``: 1 for signal, 0 for background.
    signal_mean, background_mean
        Class means, shape ``(d,)``.
    signal_covariance, background_covariance
        Class covariance matrices, shape ``(d, d)``.
    signal_fraction
        Prior probability ``P(signal)``.
    """

    features: np.ndarray
    labels: np.ndarray
    signal_mean: np.ndarray
    background_mean: np.ndarray
    signal_covariance: np.ndarray
    background_covariance: np.ndarray
    signal_fraction: float

    def __len__(self) -> int:
        return len(self.labels)

    def densities(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The class densities ``(p(x | signal), p(x | background))`` at each row of ``features``."""
        features = self._check_features(features)
        signal = stats.multivariate_normal(self.signal_mean, self.signal_covariance)
        background = stats.multivariate_normal(self.background_mean, self.background_covariance)
        return signal.pdf(features).reshape(-1), background.pdf(features).reshape(-1)

    def log_likelihood_ratio(self, features: np.ndarray) -> np.ndarray:
        """Exact ``log p(x | signal) - log p(x | background)`` at each row of ``features``."""
        features = self._check_features(features)
        signal = stats.multivariate_normal(self.signal_mean, self.signal_covariance)
        background = stats.multivariate_normal(self.background_mean, self.background_covariance)
        return (signal.logpdf(features) - background.logpdf(features)).reshape(-1)

    def posterior(self, features: np.ndarray) -> np.ndarray:
        """Exact ``P(signal | x)`` from Bayes' theorem with the class densities and the prior."""
        p_signal, p_background = self.densities(features)
        numerator = self.signal_fraction * p_signal
        return numerator / (numerator + (1 - self.signal_fraction) * p_background)

    def _check_features(self, features: np.ndarray) -> np.ndarray:
        features = check_array(features, "features", ndim=2, columns=len(self.signal_mean))
        return features


def gaussian_classes(
    n: int,
    signal_mean=(1.0, 0.5),
    background_mean=(-0.5, -0.5),
    covariance=((1.0, 0.3), (0.3, 1.0)),
    background_covariance=None,
    signal_fraction: float = 0.5,
    seed: int | np.random.Generator = 0,
) -> GaussianClasses:
    """Simulate signal and background events from two multivariate Gaussians.

    With one shared covariance matrix the log-likelihood ratio is linear in ``x``, so logistic
    regression is exactly the right model; with different covariances it is quadratic.

    Parameters
    ----------
    n
        Number of events, >= 1.
    signal_mean, background_mean
        Class means, sequences of the same length ``d`` (default: two features).
    covariance
        Covariance matrix of the signal class, ``(d, d)``, symmetric positive definite.
    background_covariance
        Covariance matrix of the background class; ``None`` (default) means the same as ``covariance``.
    signal_fraction
        Probability that an event is signal, in (0, 1).
    seed
        Integer seed or NumPy generator.
    """
    n = check_int(n, "n", minimum=1)
    signal_mean = check_array(signal_mean, "signal_mean", ndim=1, min_length=1)
    background_mean = check_array(background_mean, "background_mean", ndim=1, min_length=1)
    if background_mean.shape != signal_mean.shape:
        raise ValueError(f"background_mean must have shape {signal_mean.shape}, got {background_mean.shape}")
    signal_covariance = _check_covariance(covariance, "covariance", len(signal_mean))
    background_covariance = (
        signal_covariance
        if background_covariance is None
        else _check_covariance(background_covariance, "background_covariance", len(signal_mean))
    )
    signal_fraction = check_real(signal_fraction, "signal_fraction", minimum=0.0, maximum=1.0, strict_minimum=True)
    if signal_fraction >= 1.0:
        raise ValueError(f"signal_fraction must be < 1, got {signal_fraction}")
    rng = as_generator(seed)
    labels = (rng.random(n) < signal_fraction).astype(int)
    signal = rng.multivariate_normal(signal_mean, signal_covariance, size=n)
    background = rng.multivariate_normal(background_mean, background_covariance, size=n)
    features = np.where(labels[:, None] == 1, signal, background)
    return GaussianClasses(
        features, labels, signal_mean, background_mean, signal_covariance, background_covariance, signal_fraction
    )


def _check_covariance(matrix: object, name: str, dimension: int) -> np.ndarray:
    matrix = check_array(matrix, name, ndim=2)
    if matrix.shape != (dimension, dimension):
        raise ValueError(f"{name} must have shape ({dimension}, {dimension}), got {matrix.shape}")
    if not np.allclose(matrix, matrix.T) or np.any(np.linalg.eigvalsh(matrix) <= 0):
        raise ValueError(f"{name} must be symmetric positive definite")
    return matrix


#: Truth tables of two-input logic gates, as (inputs, output) for :func:`truth_table`.
_GATES = {"and": (0, 0, 0, 1), "or": (0, 1, 1, 1), "nand": (1, 1, 1, 0), "xor": (0, 1, 1, 0)}


def truth_table(gate: str) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and output of a two-input logic gate, the classic perceptron test problems.

    Parameters
    ----------
    gate
        ``"and"``, ``"or"``, ``"nand"`` or ``"xor"``.

    Returns
    -------
    tuple
        ``(inputs, outputs)``: inputs of shape ``(4, 2)`` in the order (0, 0), (0, 1), (1, 0),
        (1, 1) as floats, outputs of shape ``(4,)`` as integers 0/1.
    """
    if not isinstance(gate, str):
        raise TypeError(f"gate must be a string, got {type(gate).__name__}")
    if gate.lower() not in _GATES:
        raise ValueError(f"gate must be one of {', '.join(_GATES)}; got {gate!r}")
    inputs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    return inputs, np.array(_GATES[gate.lower()], dtype=int)
