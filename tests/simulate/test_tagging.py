"""Tests of :mod:`hepml.simulate.tagging`."""

import pytest

from hepml import simulate


def test_tagged_jets_match_their_probabilities_and_bayes():
    jets = simulate.tagged_jets(400_000, b_fraction=0.2, efficiency=0.7, mistag_rate=0.01, seed=5)
    assert abs(jets.is_b.mean() - 0.2) < 0.003
    assert abs(jets.tagged[jets.is_b].mean() - 0.7) < 0.005
    assert abs(jets.tagged[~jets.is_b].mean() - 0.01) < 0.001
    assert jets.posterior_b_given_tag() == pytest.approx(0.14 / (0.14 + 0.008))
    assert abs(jets.is_b[jets.tagged].mean() - jets.posterior_b_given_tag()) < 0.005
