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
    features = check_array(features, "features", ndim=2)
    if features.shape[1] != len(EVENT_FEATURES):
        raise ValueError(f"features must have {len(EVENT_FEATURES)} columns, got shape {features.shape}")
    ratio = np.zeros(len(features))
    for column, (signal_pdf, background_pdf) in enumerate(zip(_SIGNAL_PDFS, _BACKGROUND_PDFS)):
        ratio += signal_pdf.logpdf(features[:, column]) - background_pdf.logpdf(features[:, column])
    return ratio


def _check_shape(size: int | tuple[int, ...], name: str) -> tuple[int, ...]:
    if isinstance(size, tuple):
        return tuple(check_int(length, f"{name}[{i}]", minimum=1) for i, length in enumerate(size))
    return (check_int(size, name, minimum=1),)
