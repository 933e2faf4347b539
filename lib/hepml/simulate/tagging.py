"""Jets and b-tagging: a tagger with known efficiency, and the features a tagger uses.

- :func:`tagged_jets` returns a :class:`TaggedJetSample`: the tagger's decision as the one
  feature, the true flavour as the label, and the probabilities it was generated with
  (chapter 1);
- :func:`btag_features` returns a :class:`BTagSample`: four correlated track and vertex
  variables of b and light jets with their exact likelihood ratio (chapter 6).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from hepml.reproducibility import as_generator
from hepml.simulate.sample import Sample
from hepml.validation import check_array, check_int, check_real


@dataclass(frozen=True)
class TaggedJetSample(Sample):
    """Jets with their true flavour (``y``: 1 for a b jet) and the tagger's decision (``X``).

    Attributes
    ----------
    b_fraction, efficiency, mistag_rate
        The truth the sample was generated with: P(b), P(tag | b) and P(tag | not b).
    """

    b_fraction: float
    efficiency: float
    mistag_rate: float

    @property
    def is_b(self) -> np.ndarray:
        """True where the jet really comes from a b quark."""
        return self.y == 1

    @property
    def tagged(self) -> np.ndarray:
        """True where the tagger fired."""
        return self.X[:, 0] == 1

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
) -> TaggedJetSample:
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
    return TaggedJetSample(
        X=tagged.astype(int)[:, None],
        y=is_b.astype(int),
        feature_names=("tagged",),
        b_fraction=b_fraction,
        efficiency=efficiency,
        mistag_rate=mistag_rate,
    )


#: Feature names of :func:`btag_features`.
BTAG_FEATURES = ("IP significance 1", "IP significance 2", "SV mass [GeV]", "flight significance")

# The logarithms of the features are Gaussian in each class. A b hadron flies a few mm before
# it decays, so in b jets the impact parameters (IP) of its tracks, the flight distance of the
# secondary vertex (SV) and its mass are large and move together; in light jets they come from
# resolution and are smaller and less correlated.
_LOG_MEANS = {
    1: np.log([4.0, 2.5, 1.4, 5.0]),
    0: np.log([1.2, 0.8, 0.7, 1.5]),
}
_LOG_WIDTHS = {1: np.array([0.8, 0.8, 0.45, 0.8]), 0: np.array([0.7, 0.7, 0.5, 0.8])}
_CORRELATIONS = {
    1: np.array(
        [[1.0, 0.85, 0.3, 0.8], [0.85, 1.0, 0.3, 0.8], [0.3, 0.3, 1.0, 0.4], [0.8, 0.8, 0.4, 1.0]]
    ),
    0: np.array(
        [[1.0, 0.4, 0.1, 0.3], [0.4, 1.0, 0.1, 0.3], [0.1, 0.1, 1.0, 0.2], [0.3, 0.3, 0.2, 1.0]]
    ),
}


@dataclass(frozen=True)
class BTagSample(Sample):
    """Jets (``y``: 1 for a b jet, 0 for a light jet) with four track and vertex features.

    The logarithm of the feature vector is a multivariate Gaussian in each class, with the
    means, widths and correlations of the module (scaled by ``correlation``), so the class
    densities and the likelihood ratio are known exactly.

    Attributes
    ----------
    b_fraction
        Probability that a jet is a b jet.
    correlation
        Factor applied to every correlation coefficient between the (log) features within a
        class: 0 makes them independent given the flavour, 1 is the default physics.
    """

    b_fraction: float
    correlation: float

    @property
    def is_b(self) -> np.ndarray:
        """True where the jet really comes from a b quark."""
        return self.y == 1

    def log_covariance(self, flavour: int) -> np.ndarray:
        """Covariance matrix of the log features of b (1) or light (0) jets."""
        correlations = np.eye(4) + self.correlation * (_CORRELATIONS[flavour] - np.eye(4))
        widths = _LOG_WIDTHS[flavour]
        return correlations * np.outer(widths, widths)

    def log_likelihood_ratio(self, X: np.ndarray) -> np.ndarray:
        """Exact ``log p(x | b) - log p(x | light)`` at each row of ``X`` (positive features).

        The Jacobian ``1 / prod_j x_j`` of the logarithm is the same for both classes and
        cancels, so this is the Gaussian log-likelihood ratio of ``log X``.
        """
        X = check_array(X, "X", ndim=2, columns=len(BTAG_FEATURES))
        if np.any(X <= 0):
            raise ValueError("X must hold positive features")
        logs = np.log(X)
        signal = stats.multivariate_normal(_LOG_MEANS[1], self.log_covariance(1))
        background = stats.multivariate_normal(_LOG_MEANS[0], self.log_covariance(0))
        return signal.logpdf(logs) - background.logpdf(logs)

    def posterior(self, X: np.ndarray) -> np.ndarray:
        """Exact ``P(b | x)`` from the likelihood ratio and ``b_fraction``."""
        prior_odds = np.log(self.b_fraction) - np.log1p(-self.b_fraction)
        return 1 / (1 + np.exp(-(self.log_likelihood_ratio(X) + prior_odds)))


def btag_features(
    n: int,
    b_fraction: float = 0.5,
    correlation: float = 1.0,
    seed: int | np.random.Generator = 0,
) -> BTagSample:
    """Simulate the inputs of a b-tagger: track and vertex variables of b and light jets.

    The four features are the impact-parameter significances of the two most displaced
    tracks, the mass of the secondary vertex in GeV and the significance of its flight
    distance (columns of :data:`BTAG_FEATURES`). All are positive, with long tails, and
    correlated within each flavour; their logarithms are exactly multivariate Gaussian.

    Parameters
    ----------
    n
        Number of jets, >= 1.
    b_fraction
        Probability that a jet is a b jet, in (0, 1).
    correlation
        Scale of the within-class correlations, in [0, 1]: 0 gives features that are
        independent given the flavour (naive Bayes is then exact).
    seed
        Integer seed or NumPy generator.
    """
    n = check_int(n, "n", minimum=1)
    b_fraction = check_real(
        b_fraction, "b_fraction", minimum=0.0, maximum=1.0, strict_minimum=True
    )
    if b_fraction >= 1.0:
        raise ValueError(f"b_fraction must be < 1, got {b_fraction}")
    correlation = check_real(correlation, "correlation", minimum=0.0, maximum=1.0)
    rng = as_generator(seed)
    y = (rng.random(n) < b_fraction).astype(int)
    sample = BTagSample(np.ones((n, 4)), y, BTAG_FEATURES, b_fraction, correlation)
    logs = np.empty((n, 4))
    for flavour in (0, 1):
        chosen = y == flavour
        logs[chosen] = rng.multivariate_normal(
            _LOG_MEANS[flavour], sample.log_covariance(flavour), size=int(chosen.sum())
        )
    return BTagSample(np.exp(logs), y, BTAG_FEATURES, b_fraction, correlation)
