"""Seeded toy-physics simulators with known truth, one module per physics domain.

Every simulator takes a ``seed`` (an integer or a :class:`numpy.random.Generator`) and needs no
download, so notebooks run offline and give the same sample on every run. Because the generating
distributions are known, estimates made from a sample can be compared with the truth. Samples
of events are :class:`Sample` objects (features ``X``, targets ``y``, ``feature_names``), so
``model.fit(sample.X, sample.y)`` works for every one of them.

- :mod:`~hepml.simulate.measurements`: Gaussian measurements, counting experiments;
- :mod:`~hepml.simulate.kinematics`: isotropic directions, pseudorapidity;
- :mod:`~hepml.simulate.tagging`: jets, a b-tagger and the track and vertex features it uses;
- :mod:`~hepml.simulate.events`: signal and background events, resonance spectra;
- :mod:`~hepml.simulate.trigger`: a trigger's efficiency turn-on;
- :mod:`~hepml.simulate.calorimeter`: hadron showers for energy regression;
- :mod:`~hepml.simulate.toys`: Gaussian classes and logic gates;
- :mod:`~hepml.simulate.jets`: real jets from Pythia 8 and FastJet, bundled as a ROOT file
  (W -> qq against QCD), with jet images (:mod:`~hepml.simulate.jet_imaging`), padding and
  N-subjettiness; :mod:`~hepml.simulate.jet_generation` regenerates the file.

Notebooks import the package and call ``simulate.tagged_jets(...)``; the functions are
re-exported here.
"""

from hepml.simulate.calorimeter import (
    CALORIMETER_FEATURES,
    HADRONIC_RESPONSE,
    calorimeter_showers,
    mean_em_fraction,
)
from hepml.simulate.events import (
    EVENT_FEATURES,
    ResonanceSample,
    event_log_likelihood_ratio,
    resonance_pdf,
    resonance_spectrum,
    signal_background_events,
)
from hepml.simulate.jet_imaging import jet_images
from hepml.simulate.jets import (
    JET_FEATURES,
    JetSample,
    jet_mass,
    load_jets,
    n_subjettiness,
    pad_constituents,
)
from hepml.simulate.kinematics import isotropic_polar_angles, pseudorapidity
from hepml.simulate.measurements import counting_experiment, gaussian_measurements
from hepml.simulate.sample import Sample
from hepml.simulate.tagging import (
    BTAG_FEATURES,
    BTagSample,
    TaggedJetSample,
    btag_features,
    tagged_jets,
)
from hepml.simulate.toys import GaussianClassSample, gaussian_classes, truth_table
from hepml.simulate.trigger import TurnOnSample, trigger_turn_on, turn_on_efficiency

__all__ = [
    "BTAG_FEATURES",
    "BTagSample",
    "CALORIMETER_FEATURES",
    "EVENT_FEATURES",
    "HADRONIC_RESPONSE",
    "JET_FEATURES",
    "GaussianClassSample",
    "JetSample",
    "ResonanceSample",
    "Sample",
    "TaggedJetSample",
    "TurnOnSample",
    "btag_features",
    "calorimeter_showers",
    "counting_experiment",
    "event_log_likelihood_ratio",
    "gaussian_classes",
    "gaussian_measurements",
    "isotropic_polar_angles",
    "jet_images",
    "jet_mass",
    "load_jets",
    "mean_em_fraction",
    "n_subjettiness",
    "pad_constituents",
    "pseudorapidity",
    "resonance_pdf",
    "resonance_spectrum",
    "signal_background_events",
    "tagged_jets",
    "trigger_turn_on",
    "truth_table",
    "turn_on_efficiency",
]
