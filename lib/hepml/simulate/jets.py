"""Real jets from Pythia 8 and FastJet: the bundled data set and the jet-level observables.

The package ships ``data/jets.root``: boosted W -> qq jets (signal, ``y = 1``) and QCD jets
(background, ``y = 0``) generated with Pythia 8 and clustered with FastJet's anti-kt algorithm
by :mod:`hepml.simulate.jet_generation` (``python -m hepml datasets jets`` regenerates it; the
recipe, the seed and the versions are stored in the file and in :attr:`JetSample.settings`).

- :func:`load_jets` reads the file with ``uproot`` into a :class:`JetSample` whose
  ``constituents`` are a jagged ``awkward`` array (a different number of particles per jet);
- :func:`pad_constituents` turns the jagged constituents into a fixed-size array and a mask,
  the input of a network that reads a jet as a set of particles;
- :func:`jet_mass` recomputes the jet mass from the constituents;
- :func:`n_subjettiness` computes the N-subjettiness ``tau_N`` (``tau21 = tau2 / tau1``
  separates two-prong W jets from one-prong QCD jets);
- :func:`~hepml.simulate.jet_imaging.jet_images` (re-exported here) pixelises jets.

Conventions of the constituents (an ``awkward.Array`` of records with the fields ``pt``,
``eta``, ``phi``, one list per jet): transverse momenta in GeV; the constituents are massless
(energy = momentum), so their pseudorapidity equals their rapidity; ``eta`` and ``phi`` are
relative to the jet axis (the constituent's rapidity minus the jet's rapidity, the azimuth
difference wrapped into (-pi, pi]), so the jet's four-momentum, summed from its constituents,
points at (0, 0); particles are sorted by decreasing pT.
"""

from __future__ import annotations

import copy
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hepml.reproducibility import as_generator
from hepml.simulate.jet_imaging import (
    _check_constituents,
    _flat_constituents,
    _wrap,
    jet_images,
)
from hepml.simulate.sample import Sample
from hepml.validation import check_int, check_real

#: Names of the columns of :attr:`JetSample.X`.
JET_FEATURES = ("jet pT [GeV]", "jet mass [GeV]")

#: The bundled file (package data).
JETS_FILE = Path(__file__).parent / "data" / "jets.root"

__all__ = [
    "JETS_FILE",
    "JET_FEATURES",
    "JetSample",
    "jet_images",
    "jet_mass",
    "load_jets",
    "n_subjettiness",
    "pad_constituents",
]


@dataclass(frozen=True, eq=False)
class JetSample(Sample):
    """Jets with their constituents: jet features ``X``, labels ``y`` (1 = W -> qq, 0 = QCD).

    Attributes
    ----------
    constituents
        ``awkward.Array`` of ``n_jets`` lists of records with fields ``pt`` [GeV], ``eta``,
        ``phi`` (relative to the jet axis, sorted by decreasing pT; see the module docstring).
    settings
        The generation recipe read from the file: generator versions, seed, process, cuts,
        jet definition and the command that made it.
    """

    constituents: Any
    settings: dict

    def __post_init__(self) -> None:
        super().__post_init__()
        if len(self.constituents) != len(self.y):
            raise ValueError(
                f"constituents must have one list per jet ({len(self.y)}), "
                f"got {len(self.constituents)}"
            )

    @property
    def jet_pt(self) -> np.ndarray:
        """Transverse momentum of each jet [GeV]."""
        return self.X[:, 0]

    @property
    def jet_mass(self) -> np.ndarray:
        """Invariant mass of each jet [GeV] (equals :func:`jet_mass` of its constituents)."""
        return self.X[:, 1]

    @property
    def n_constituents(self) -> np.ndarray:
        """Number of constituents of each jet."""
        import awkward as ak

        return ak.to_numpy(ak.num(self.constituents, axis=1)).astype(np.int64)

    @property
    def is_signal(self) -> np.ndarray:
        """True for W -> qq jets."""
        return self.y == 1


def load_jets(n: int | None = None, *, seed: int | np.random.Generator | None = None) -> JetSample:
    """Read the bundled Pythia 8 + FastJet jets (W -> qq against QCD) into a :class:`JetSample`.

    Parameters
    ----------
    n
        Number of jets to return, an even number: ``n / 2`` of each class. ``None`` returns
        every jet of the file, in the file's order (signal and background alternate).
    seed
        With ``n``: ``None`` takes the first ``n / 2`` jets of each class; an integer or a
        generator draws each class's ``n / 2`` jets at random without replacement. The chosen
        jets keep the file's order. Ignored when ``n`` is ``None``.

    Returns
    -------
    JetSample
        ``X`` = (jet pT, jet mass) in GeV, ``y`` (1 = W, 0 = QCD), ``constituents`` (jagged
        ``awkward`` array, fields ``pt``, ``eta``, ``phi``) and ``settings`` (the recipe).
        Floating-point values are stored as float32 and returned as float64.
    """
    if n is not None:
        n = check_int(n, "n", minimum=2)
        if n % 2:
            raise ValueError(f"n must be even (n / 2 jets of each class), got {n}")
    constituents, jet_pt, jet_mass_, y, settings = _read_file_cached(str(JETS_FILE))
    # the cached arrays must not be changed through the returned sample
    jet_pt, jet_mass_, y, settings = (
        jet_pt.copy(),
        jet_mass_.copy(),
        y.copy(),
        copy.deepcopy(settings),
    )
    if n is not None:
        index = _balanced_subset(y, n // 2, seed)
        constituents, jet_pt, jet_mass_, y = (
            constituents[index],
            jet_pt[index],
            jet_mass_[index],
            y[index],
        )
    return JetSample(
        X=np.column_stack([jet_pt, jet_mass_]),
        y=y,
        feature_names=JET_FEATURES,
        constituents=constituents,
        settings=settings,
    )


@functools.lru_cache(maxsize=2)
def _read_file_cached(path: str) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, dict]:
    """The file read once per process (awkward arrays are immutable; the rest is copied)."""
    return _read_file(Path(path))


def _read_file(path: Path) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, dict]:
    import awkward as ak
    import uproot

    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: reinstall hepml, or regenerate it with "
            "`python -m hepml datasets jets` (needs the extra hepml[jets])"
        )
    with uproot.open(path) as file:
        arrays = file["jets"].arrays(
            ["part_pt", "part_eta", "part_phi", "jet_pt", "jet_mass", "label"]
        )
        settings = json.loads(str(file["settings"]))
    constituents = ak.zip(
        {
            "pt": ak.values_astype(arrays["part_pt"], np.float64),
            "eta": ak.values_astype(arrays["part_eta"], np.float64),
            "phi": ak.values_astype(arrays["part_phi"], np.float64),
        }
    )
    return (
        constituents,
        ak.to_numpy(arrays["jet_pt"]).astype(np.float64),
        ak.to_numpy(arrays["jet_mass"]).astype(np.float64),
        ak.to_numpy(arrays["label"]).astype(np.int64),
        settings,
    )


def _balanced_subset(
    y: np.ndarray, per_class: int, seed: int | np.random.Generator | None
) -> np.ndarray:
    chosen = []
    rng = None if seed is None else as_generator(seed)
    for label in (1, 0):
        members = np.flatnonzero(y == label)
        if per_class > len(members):
            raise ValueError(
                f"n must be at most {2 * min(np.sum(y == 1), np.sum(y == 0))} "
                f"(the file has {len(members)} jets with label {label}), got {2 * per_class}"
            )
        chosen.append(
            members[:per_class] if rng is None else rng.choice(members, per_class, replace=False)
        )
    return np.sort(np.concatenate(chosen))


def pad_constituents(constituents: Any, n_particles: int) -> tuple[np.ndarray, np.ndarray]:
    """Pad (or cut) each jet's constituents to ``n_particles``: a fixed-size array and a mask.

    Parameters
    ----------
    constituents
        ``awkward.Array`` of jets, each a list of records with fields ``pt``, ``eta``, ``phi``
        (as :attr:`JetSample.constituents`), sorted by decreasing pT.
    n_particles
        Number of particles per jet in the output, >= 1. Longer jets keep their first (leading)
        ``n_particles`` particles; shorter ones are padded with zeros.

    Returns
    -------
    features
        Float64 array of shape ``(n_jets, n_particles, 3)``: ``pt``, ``eta``, ``phi`` in this
        order along the last axis, zeros in padded slots.
    mask
        Boolean array of shape ``(n_jets, n_particles)``: True where a real particle sits.
    """
    pt, eta, phi, counts = _flat_constituents(_check_constituents(constituents, "constituents"))
    n_particles = check_int(n_particles, "n_particles", minimum=1)
    n_jets = len(counts)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    slot = np.arange(n_particles)
    mask = slot[None, :] < counts[:, None]
    source = (starts[:, None] + slot[None, :])[mask]
    features = np.zeros((n_jets, n_particles, 3))
    features[mask] = np.column_stack([pt[source], eta[source], phi[source]])
    return features, mask


def _four_momentum_sums(
    pt: np.ndarray, eta: np.ndarray, phi: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    """Sum the massless four-momenta (E, px, py, pz) of each jet's particles: shape (n_jets, 4)."""
    jet = np.repeat(np.arange(len(counts)), counts)
    sums = np.zeros((len(counts), 4))
    for column, component in enumerate(
        (pt * np.cosh(eta), pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta))
    ):
        sums[:, column] = np.bincount(jet, weights=component, minlength=len(counts))
    return sums


def jet_mass(constituents: Any) -> np.ndarray:
    """Invariant mass of each jet [GeV] from its (massless) constituents, in float64.

    ``m^2 = (sum E)^2 - |sum p|^2`` with ``E = pT cosh(eta)``, ``pz = pT sinh(eta)``,
    ``px = pT cos(phi)``, ``py = pT sin(phi)``; a jet with one particle (or none) has mass 0.

    Parameters
    ----------
    constituents
        ``awkward.Array`` of jets, each a list of records with fields ``pt``, ``eta``, ``phi``.
    """
    pt, eta, phi, counts = _flat_constituents(_check_constituents(constituents, "constituents"))
    energy, px, py, pz = _four_momentum_sums(pt, eta, phi, counts).T
    return np.sqrt(np.maximum(energy**2 - px**2 - py**2 - pz**2, 0.0))


def n_subjettiness(constituents: Any, n_axes: int, *, R: float = 0.8) -> np.ndarray:
    """N-subjettiness ``tau_N`` of each jet, with exclusive-kt axes (Thaler and Van Tilburg 2011).

    ``tau_N = sum_k pT_k min_j dR(k, axis_j) / (R sum_k pT_k)`` (angular exponent beta = 1):
    near 0 when the jet's energy sits along ``N`` or fewer axes. ``tau2 / tau1`` (tau21) is
    small for a two-prong jet (W -> qq) and near 1 for a one-prong QCD jet.

    The axes are the ``N`` exclusive subjets of the kt algorithm, as FastJet's Nsubjettiness
    plug-in's ``ExclusiveJetAxes(JetDefinition(kt_algorithm, 1000))`` finds them: the pair of
    pseudojets with the smallest ``min(pT_i^2, pT_j^2) dR_ij^2`` is merged (four-momenta added,
    E-scheme) until ``N`` remain; distances use rapidity and azimuth. For ``N = 1`` the axis is
    the whole jet's four-momentum. A jet with at most ``N`` particles has ``tau_N = 0``; an
    empty jet gives NaN.

    Parameters
    ----------
    constituents
        ``awkward.Array`` of jets, each a list of records with fields ``pt``, ``eta``, ``phi``.
    n_axes
        Number of axes ``N``, >= 1.
    R
        Jet radius in the normalisation, > 0 (0.8 for the bundled jets).

    Returns
    -------
    numpy.ndarray
        ``tau_N`` of each jet, shape ``(n_jets,)``, float64.
    """
    pt, eta, phi, counts = _flat_constituents(_check_constituents(constituents, "constituents"))
    n_axes = check_int(n_axes, "n_axes", minimum=1)
    R = check_real(R, "R", minimum=0.0, strict_minimum=True)
    n_jets = len(counts)
    jet = np.repeat(np.arange(n_jets), counts)
    if n_axes == 1:
        energy, px, py, pz = _four_momentum_sums(pt, eta, phi, counts).T
        with np.errstate(divide="ignore", invalid="ignore"):
            axes_y = 0.5 * np.log((energy + pz) / (energy - pz))[:, None]
        axes_phi = np.arctan2(py, px)[:, None]
    else:
        axes_y, axes_phi = _exclusive_kt_axes(pt, eta, phi, counts, n_axes)
    distance = np.hypot(eta[:, None] - axes_y[jet], _wrap(phi[:, None] - axes_phi[jet]))
    numerator = np.bincount(
        jet, weights=pt * np.nanmin(distance, axis=1, initial=np.inf), minlength=n_jets
    )
    numerator[counts <= n_axes] = 0.0
    total = np.bincount(jet, weights=pt, minlength=n_jets)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = numerator / (R * total)
    tau[counts == 0] = np.nan
    return tau


def _kt_distance(pt2_a, y_a, phi_a, pt2_b, y_b, phi_b) -> np.ndarray:
    """kt distance min(pT_a^2, pT_b^2) dR_ab^2 (broadcasting; azimuths in [-pi, pi])."""
    dphi = np.abs(phi_a - phi_b)
    dphi = np.minimum(dphi, 2 * np.pi - dphi)
    return np.minimum(pt2_a, pt2_b) * ((y_a - y_b) ** 2 + dphi**2)


def _distances_from(
    pt2: np.ndarray,
    y: np.ndarray,
    ph: np.ndarray,
    alive: np.ndarray,
    rows: slice | np.ndarray,
    row_index: np.ndarray,
    columns: np.ndarray,
) -> np.ndarray:
    """kt distances from pseudojet ``columns[r]`` of jet ``row_index[r]`` to every pseudojet
    of that jet (``rows`` selects the same jets); merged-away ones and itself are inf."""
    distance = _kt_distance(
        pt2[row_index, columns][:, None],
        y[row_index, columns][:, None],
        ph[row_index, columns][:, None],
        pt2[rows],
        y[rows],
        ph[rows],
    )
    distance[~alive[rows]] = np.inf
    distance[np.arange(len(columns)), columns] = np.inf
    return distance


def _exclusive_kt_axes(
    pt: np.ndarray, eta: np.ndarray, phi: np.ndarray, counts: np.ndarray, n_axes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Rapidities and azimuths of the ``n_axes`` exclusive kt subjets of every jet (E-scheme).

    Returns two arrays of shape ``(n_jets, n_axes)``, NaN where a jet has fewer particles.
    All jets are clustered at once, in chunks of jets of similar multiplicity: every step merges
    each jet's closest pair, found from each pseudojet's nearest neighbour (FastJet's N^2
    strategy), so a step costs O(n) per jet instead of a search over all O(n^2) pairs.
    """
    n_jets = len(counts)
    axes_y = np.full((n_jets, n_axes), np.nan)
    axes_phi = np.full((n_jets, n_axes), np.nan)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    order = np.argsort(counts, kind="stable")
    for chunk in np.array_split(order, max(1, int(np.ceil(n_jets / 128)))):
        if len(chunk) == 0:
            continue
        m = int(counts[chunk].max())
        slot = np.arange(m)
        alive = slot[None, :] < counts[chunk][:, None]
        source = (starts[chunk][:, None] + slot[None, :])[alive]
        pad = np.zeros((len(chunk), m))
        y, ph, pt2 = pad.copy(), pad.copy(), pad.copy()
        y[alive], ph[alive], pt2[alive] = eta[source], _wrap(phi[source]), pt[source] ** 2
        momentum = np.zeros((len(chunk), m, 4))
        p_t = pt[source]
        momentum[alive] = np.column_stack(
            [
                p_t * np.cosh(eta[source]),
                p_t * np.cos(phi[source]),
                p_t * np.sin(phi[source]),
                p_t * np.sinh(eta[source]),
            ]
        )
        distance = _kt_distance(
            pt2[:, :, None],
            y[:, :, None],
            ph[:, :, None],
            pt2[:, None, :],
            y[:, None, :],
            ph[:, None, :],
        )
        distance[~(alive[:, :, None] & alive[:, None, :])] = np.inf
        distance[:, slot, slot] = np.inf
        neighbour = np.argmin(distance, axis=2)
        nearest = np.take_along_axis(distance, neighbour[:, :, None], axis=2)[:, :, 0]
        del distance
        remaining = alive.sum(axis=1)
        while True:
            active = remaining > n_axes
            n_rows = int(active.sum())
            if n_rows == 0:
                break
            # a slice (views, no copies) while every jet of the chunk still clusters
            rows = slice(None) if n_rows == len(chunk) else np.flatnonzero(active)
            row_index = np.arange(len(chunk))[rows]
            i = np.argmin(nearest[rows], axis=1)
            j = neighbour[row_index, i]
            momentum[row_index, i] += momentum[row_index, j]
            energy, px, py, pz = momentum[row_index, i].T
            pt2[row_index, i] = px**2 + py**2
            y[row_index, i] = 0.5 * np.log((energy + pz) / (energy - pz))
            ph[row_index, i] = np.arctan2(py, px)
            alive[row_index, j] = False
            nearest[row_index, j] = np.inf
            remaining[rows] -= 1
            # distances of the merged pseudojet to the others of its jet
            new = _distances_from(pt2, y, ph, alive, rows, row_index, i)
            old_neighbour = neighbour[rows]
            lost = (old_neighbour == i[:, None]) | (old_neighbour == j[:, None])
            closer = new < nearest[rows]
            nearest[rows] = np.where(closer, new, nearest[rows])
            neighbour[rows] = np.where(closer, i[:, None], old_neighbour)
            nearest[row_index, i] = new.min(axis=1)
            neighbour[row_index, i] = np.argmin(new, axis=1)
            # pseudojets whose nearest neighbour was merged away: search their rows again
            lost &= alive[rows]
            lost[np.arange(n_rows), i] = False
            row_of, k = np.nonzero(lost)
            if len(k):
                jet_rows = row_index[row_of]
                again = _distances_from(pt2, y, ph, alive, jet_rows, jet_rows, k)
                nearest[jet_rows, k] = again.min(axis=1)
                neighbour[jet_rows, k] = np.argmin(again, axis=1)
        has_axes = remaining >= n_axes
        for row in np.flatnonzero(has_axes):
            axes_y[chunk[row]] = y[row][alive[row]]
            axes_phi[chunk[row]] = ph[row][alive[row]]
    return axes_y, axes_phi
