"""Generate the bundled jets with Pythia 8 and FastJet: ``python -m hepml datasets jets``.

The recipe (:data:`RECIPE`): proton-proton collisions at 13 TeV; signal W+W- pairs
(``WeakDoubleBoson:ffbar2WW``) with both W bosons decaying to light quarks (ud, us, cd, cs),
background QCD two-to-two scattering (``HardQCD:all``); both with a hard-process transverse
momentum pT-hat between 450 and 550 GeV, so the W bosons are boosted (decay products within
about 2 m_W / pT = 0.3 of each other) and the two classes have similar jet pT. Multiparton
interactions (the underlying event) are off, see :data:`RECIPE`'s ``mpi`` entry. All visible
final-state particles (neutrinos dropped), each taken as massless (energy = momentum), are
clustered with the anti-kt algorithm, R = 0.8, E-scheme recombination; the leading jet of
each event is kept if its pT and |eta| pass the window of :data:`RECIPE`, and for a signal event
only if both quarks of one W lie within R of the jet axis (the jet is the W). Events that fail
are skipped, so the n-th stored jet is fixed by the seed.

Pythia 8 (``pythia8mc``) and FastJet (``fastjet``) are imported only here, and only when a
function runs: they form the optional extra ``hepml[jets]``. Reading the data needs neither.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import sys
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import numpy as np

from hepml.simulate.jet_imaging import _wrap
from hepml.validation import check_int

#: The recipe of the bundled file; stored in it, with the seed and the versions.
RECIPE = {
    "beams": "pp, sqrt(s) = 13 TeV",
    "signal": "W+W- -> qqbar' qqbar' (WeakDoubleBoson:ffbar2WW; W to ud, us, cd, cs)",
    "background": "QCD 2 -> 2 (HardQCD:all)",
    "pthat_gev": [450.0, 550.0],
    "mpi": (
        "off: the underlying event adds soft particles to every jet alike; without it the "
        "jets are smaller and quicker to make, and the difference between the classes comes "
        "from the decay, the parton shower and hadronisation (experiments remove much of the "
        "underlying event by grooming)"
    ),
    "particles": "final-state visible particles (no neutrinos), taken as massless (E = |p|)",
    "jet_algorithm": "anti-kt, E-scheme, FastJet",
    "R": 0.8,
    "jet": "leading jet of the event",
    "jet_pt_gev": [450.0, 550.0],
    "jet_abs_eta_max": 2.0,
    "signal_containment": "both quarks of one W within R of the jet axis",
    "constituent_coordinates": (
        "pt [GeV]; eta = rapidity minus the jet's rapidity; phi = azimuth minus the jet's, "
        "in [-pi, pi); sorted by decreasing pt; stored as float32"
    ),
    "order": "signal and background jets alternate (entry 2k: signal, 2k+1: background)",
}

_COMMON_SETTINGS = (
    "Beams:eCM = 13000.",
    "PhaseSpace:pTHatMin = 450.",
    "PhaseSpace:pTHatMax = 550.",
    "PartonLevel:MPI = off",
    "Next:numberCount = 0",
    "Next:numberShowEvent = 0",
    "Next:numberShowInfo = 0",
    "Next:numberShowProcess = 0",
    "Random:setSeed = on",
)
_PROCESS_SETTINGS = {
    1: (
        "WeakDoubleBoson:ffbar2WW = on",
        "24:onMode = off",
        "24:onIfMatch = 1 2",
        "24:onIfMatch = 3 2",
        "24:onIfMatch = 1 4",
        "24:onIfMatch = 3 4",
    ),
    0: ("HardQCD:all = on",),
}

_MISSING = (
    "generating jets needs Pythia 8 and FastJet: pip install 'hepml[jets]' "
    "(pythia8mc==8.317.2 and fastjet==3.5.2.0, wheels for Python 3.11)"
)


def _import_generators() -> tuple[object, object]:
    try:
        import fastjet
        import pythia8mc
    except ImportError as error:
        raise ImportError(_MISSING) from error
    return pythia8mc, fastjet


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence the C++ libraries' banners and listings (they write to file descriptor 1)."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def settings_strings(label: int, seed: int) -> list[str]:
    """Pythia's settings for one class (``label`` 1: W W signal, 0: QCD) and seed."""
    return [*_COMMON_SETTINGS, f"Random:seed = {seed}", *_PROCESS_SETTINGS[label]]


def class_seed(seed: int, label: int) -> int:
    """Pythia's seed of one class: ``seed`` for the signal, ``seed + 1`` for the background."""
    return seed + (label == 0)


def generate_class(label: int, n: int, seed: int) -> dict[str, object]:
    """Generate ``n`` jets of one class with Pythia 8 and FastJet.

    Returns a dict of NumPy arrays: ``jet_pt``, ``jet_eta``, ``jet_phi``, ``jet_mass`` (float64)
    and ``part_pt``, ``part_eta``, ``part_phi`` (lists of float64 arrays, one per jet), plus
    ``events`` (events generated) and ``seconds``.
    """
    pythia8mc, fastjet = _import_generators()
    n = check_int(n, "n", minimum=1)
    seed = check_int(seed, "seed", minimum=1)  # Pythia takes seed 0 from the clock
    start = time.perf_counter()
    pythia = pythia8mc.Pythia("", False)
    for setting in settings_strings(label, class_seed(seed, label)):
        if not pythia.readString(setting):
            raise RuntimeError(f"Pythia rejected the setting {setting!r}")
    with _quiet():
        initialised = pythia.init()
    if not initialised:
        raise RuntimeError("Pythia failed to initialise")
    definition = fastjet.JetDefinition(fastjet.antikt_algorithm, RECIPE["R"])
    pt_low, pt_high = RECIPE["jet_pt_gev"]
    out: dict[str, list] = {
        key: []
        for key in ("jet_pt", "jet_eta", "jet_phi", "jet_mass", "part_pt", "part_eta", "part_phi")
    }
    events = 0
    while len(out["jet_pt"]) < n:
        if not pythia.next():
            continue
        events += 1
        event = pythia.event
        momenta = np.array(
            [(p.px(), p.py(), p.pz()) for p in event if p.isFinal() and p.isVisible()]
        )
        energies = np.sqrt(np.sum(momenta**2, axis=1))
        particles = []
        for index, ((px, py, pz), energy) in enumerate(zip(momenta.tolist(), energies.tolist())):
            particle = fastjet.PseudoJet(px, py, pz, energy)
            particle.set_user_index(index)
            particles.append(particle)
        with _quiet():
            sequence = fastjet.ClusterSequence(particles, definition)
            jets = sorted(sequence.inclusive_jets(0.5 * pt_low), key=lambda j: -j.pt())
        if not jets:
            continue
        jet = jets[0]
        if not (pt_low <= jet.pt() < pt_high and abs(jet.eta()) < RECIPE["jet_abs_eta_max"]):
            continue
        if label == 1 and not _contains_a_w(event, jet.rap(), jet.phi_std(), RECIPE["R"]):
            continue
        members = np.array([c.user_index() for c in jet.constituents()])
        p = momenta[members]
        pt = np.hypot(p[:, 0], p[:, 1])
        order = np.argsort(-pt, kind="stable")
        out["jet_pt"].append(jet.pt())
        out["jet_eta"].append(jet.eta())
        out["jet_phi"].append(jet.phi_std())
        out["jet_mass"].append(jet.m())
        out["part_pt"].append(pt[order])
        out["part_eta"].append(np.arcsinh(p[order, 2] / pt[order]) - jet.rap())
        out["part_phi"].append(_wrap(np.arctan2(p[order, 1], p[order, 0]) - jet.phi_std()))
        del sequence
    result: dict[str, object] = {
        key: np.array(value) if key.startswith("jet_") else value for key, value in out.items()
    }
    result["events"] = events
    result["seconds"] = time.perf_counter() - start
    return result


def _contains_a_w(event: object, rapidity: float, phi: float, radius: float) -> bool:
    """True if both decay quarks of one W in ``event`` lie within ``radius`` of the axis."""
    seen = set()
    for particle in event:
        if particle.idAbs() != 24:
            continue
        last = event[particle.iBotCopyId()]
        if last.index() in seen:
            continue
        seen.add(last.index())
        quarks = [event[i] for i in last.daughterList() if 1 <= event[i].idAbs() <= 5]
        if len(quarks) == 2 and all(
            np.hypot(q.eta() - rapidity, _wrap(np.array(q.phi() - phi))) < radius for q in quarks
        ):
            return True
    return False


def versions() -> dict[str, str]:
    """Versions of the generators and of the libraries that wrote the file."""
    names = ("pythia8mc", "fastjet", "numpy", "uproot", "awkward", "hepml")
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def generate_jets(n: int, seed: int = 1) -> tuple[dict[str, object], dict]:
    """Generate ``n`` signal and ``n`` background jets; return the arrays and the settings.

    The arrays alternate signal and background (entry ``2k`` is the ``k``-th signal jet,
    ``2k + 1`` the ``k``-th background jet), so every even-length prefix is balanced and
    regenerating a smaller ``n`` with the same seed reproduces the file's first ``2 n`` jets.
    """
    n = check_int(n, "n", minimum=1)
    seed = check_int(seed, "seed", minimum=1)  # Pythia takes seed 0 from the clock
    classes = {label: generate_class(label, n, seed) for label in (1, 0)}
    arrays: dict[str, object] = {}
    for key in ("jet_pt", "jet_eta", "jet_phi", "jet_mass"):
        arrays[key] = np.stack([classes[1][key], classes[0][key]], axis=1).reshape(-1)
    for key in ("part_pt", "part_eta", "part_phi"):
        arrays[key] = [jet for pair in zip(classes[1][key], classes[0][key]) for jet in pair]
    arrays["label"] = np.tile(np.array([1, 0], dtype=np.int32), n)
    settings = {
        "recipe": RECIPE,
        "seed": seed,
        "pythia_seeds": {"signal": class_seed(seed, 1), "background": class_seed(seed, 0)},
        "pythia_settings": {
            "signal": settings_strings(1, class_seed(seed, 1)),
            "background": settings_strings(0, class_seed(seed, 0)),
        },
        "n_per_class": n,
        "events_generated": {"signal": classes[1]["events"], "background": classes[0]["events"]},
        "versions": versions(),
        "command": f"python -m hepml datasets jets --n {n} --seed {seed}",
    }
    timing = {"signal": classes[1]["seconds"], "background": classes[0]["seconds"]}
    return arrays, {**settings, "_seconds": timing}


def write_jets_file(path: str | Path, arrays: dict[str, object], settings: dict) -> Path:
    """Write the jets to a ROOT file with uproot: a TTree ``jets`` with jagged branches
    ``part_pt``, ``part_eta``, ``part_phi`` (float32), ``jet_pt``, ``jet_eta``, ``jet_phi``,
    ``jet_mass`` (float32), ``label`` (int32), and the settings as JSON in ``settings``."""
    import awkward as ak
    import uproot

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    counts = np.array([len(jet) for jet in arrays["part_pt"]], dtype=np.int64)
    part = ak.zip(
        {
            field: ak.unflatten(np.concatenate(arrays[f"part_{field}"]).astype(np.float32), counts)
            for field in ("pt", "eta", "phi")
        }
    )
    branches = {"part": part, "label": np.asarray(arrays["label"], dtype=np.int32)}
    for key in ("jet_pt", "jet_eta", "jet_phi", "jet_mass"):
        branches[key] = np.asarray(arrays[key], dtype=np.float32)
    stored = {key: value for key, value in settings.items() if not key.startswith("_")}
    with uproot.recreate(path, compression=uproot.LZMA(9)) as file:
        # mktree writes a TTree (assigning a dict would write an RNTuple, which older ROOT
        # and uproot versions cannot read); the record becomes part_pt, part_eta, part_phi
        # with the counter branch npart
        file.mktree(
            "jets",
            {
                name: value.type.content if isinstance(value, ak.Array) else value.dtype
                for name, value in branches.items()
            },
            title="W -> qq and QCD jets (Pythia 8, FastJet anti-kt R = 0.8)",
        )
        file["jets"].extend(branches)
        file["settings"] = json.dumps(stored, indent=1, sort_keys=True)
    return path


def main(n: int, seed: int, output: str | Path) -> int:
    """Generate and write the file; print the time, the size and the numbers of events."""
    arrays, settings = generate_jets(n, seed)
    settings["command"] = "python -m hepml datasets jets " + shlex.join(
        ["--n", str(n), "--seed", str(seed)]
    )
    path = write_jets_file(output, arrays, settings)
    seconds = settings["_seconds"]
    print(
        f"wrote {path}: {2 * n} jets, {path.stat().st_size / 1e6:.2f} MB; generation "
        f"{seconds['signal']:.1f} s (signal, {settings['events_generated']['signal']} events), "
        f"{seconds['background']:.1f} s (background, "
        f"{settings['events_generated']['background']} events)",
        file=sys.stderr,
    )
    return 0
