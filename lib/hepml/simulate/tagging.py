"""Jets and a b-tagger with known efficiency and mistag rate (chapter 1).

:func:`tagged_jets` returns a :class:`TaggedJetSample`: the tagger's decision as the one
feature, the true flavour as the label, and the probabilities it was generated with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hepml.reproducibility import as_generator
from hepml.simulate.sample import Sample
from hepml.validation import check_int, check_real


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
