"""Tests of :mod:`hepml.simulate.jets` and :mod:`hepml.simulate.jet_images`: the bundled jets,
padding, jet images, N-subjettiness, and a regenerated slice held against the bundled file."""

import awkward as ak
import numpy as np
import pytest

from hepml import simulate
from hepml.simulate import jet_generation, jets
from hepml.simulate.jets import JETS_FILE


def _jets(*particle_lists):
    """An awkward array of jets from lists of (pt, eta, phi) tuples."""
    return ak.Array(
        [
            [{"pt": pt, "eta": eta, "phi": phi} for pt, eta, phi in particles]
            for particles in particle_lists
        ]
    )


@pytest.fixture(scope="module")
def sample():
    return simulate.load_jets()


# --- the bundled file -------------------------------------------------------------------------


def test_file_is_small_and_shipped_as_package_data():
    assert JETS_FILE.exists()
    assert JETS_FILE.stat().st_size < 8e6


def test_sample_has_consistent_shapes_and_balanced_alternating_labels(sample):
    n = len(sample)
    assert n >= 4000
    assert sample.X.shape == (n, 2) and sample.feature_names == simulate.JET_FEATURES
    assert len(sample.constituents) == n
    assert sample.constituents.fields == ["pt", "eta", "phi"]
    np.testing.assert_array_equal(sample.y[0::2], 1)
    np.testing.assert_array_equal(sample.y[1::2], 0)
    np.testing.assert_array_equal(sample.is_signal, sample.y == 1)
    np.testing.assert_array_equal(sample.n_constituents, ak.num(sample.constituents))
    assert sample.n_constituents.min() >= 2


def test_jets_pass_the_recorded_cuts(sample):
    low, high = sample.settings["recipe"]["jet_pt_gev"]
    assert low <= sample.jet_pt.min() and sample.jet_pt.max() < high
    assert np.all(sample.jet_mass > 0)


def test_constituents_are_sorted_by_decreasing_pt(sample):
    pt = sample.constituents.pt
    assert ak.all(pt[:, :-1] >= pt[:, 1:])
    assert ak.all(pt > 0)


def test_constituent_coordinates_are_relative_to_the_jet_axis(sample):
    # the summed four-momentum of the constituents points at rapidity 0, azimuth 0, and its
    # transverse momentum and mass are the stored ones
    pt, eta, phi, counts = jets._flat_constituents(sample.constituents)
    energy, px, py, pz = jets._four_momentum_sums(pt, eta, phi, counts).T
    rapidity = 0.5 * np.log((energy + pz) / (energy - pz))
    assert np.max(np.abs(rapidity)) < 1e-5
    assert np.max(np.abs(np.arctan2(py, px))) < 1e-5
    np.testing.assert_allclose(np.hypot(px, py), sample.jet_pt, rtol=1e-6)
    # anti-kt jets are nearly cones of radius R about their axis
    distance = np.hypot(eta, phi)
    assert np.quantile(distance, 0.999) < sample.settings["recipe"]["R"]
    assert distance.max() < 1.5


def test_mass_from_constituents_equals_the_stored_mass(sample):
    # FastJet's E-scheme sum (float64) against the four-momenta rebuilt from the stored
    # float32 coordinates: equal to float32 rounding (6e-8 relative), amplified a little
    np.testing.assert_allclose(simulate.jet_mass(sample.constituents), sample.jet_mass, rtol=1e-6)


def test_settings_record_recipe_seed_and_versions(sample):
    settings = sample.settings
    assert settings["versions"]["pythia8mc"] == "8.317.2"
    assert settings["versions"]["fastjet"] == "3.5.2.0"
    assert settings["recipe"]["R"] == 0.8
    assert "PartonLevel:MPI = off" in settings["pythia_settings"]["signal"]
    assert f"Random:seed = {settings['seed']}" in settings["pythia_settings"]["signal"]
    assert settings["command"].startswith("python -m hepml datasets jets")
    assert settings["n_per_class"] == len(sample) // 2


def test_w_jets_are_heavier_and_thinner_than_qcd_jets(sample):
    w, qcd = sample.y == 1, sample.y == 0
    # the W mass peak: most W jets within 65-95 GeV, far fewer QCD jets
    window = (sample.jet_mass > 65) & (sample.jet_mass < 95)
    assert window[w].mean() > 0.5 > 2 * window[qcd].mean()
    assert np.median(sample.n_constituents[w]) < np.median(sample.n_constituents[qcd])


def test_subset_is_balanced_seeded_and_in_file_order(sample):
    subset = simulate.load_jets(100, seed=3)
    assert len(subset) == 100 and subset.y.sum() == 50
    again = simulate.load_jets(100, seed=3)
    np.testing.assert_array_equal(subset.X, again.X)
    assert ak.all(subset.constituents.pt == again.constituents.pt)
    other = simulate.load_jets(100, seed=4)
    assert not np.array_equal(subset.X, other.X)
    # every chosen jet is a jet of the file, with its constituents
    rows = [np.flatnonzero(sample.X[:, 0] == value)[0] for value in subset.X[:, 0]]
    assert np.all(np.diff(rows) > 0)
    assert ak.all(sample.constituents[rows].eta == subset.constituents.eta)
    first = simulate.load_jets(10)
    np.testing.assert_array_equal(first.X, sample.X[:10])


@pytest.mark.parametrize(
    ("n", "error"), [(7, ValueError), (0, ValueError), (10**7, ValueError), (2.0, TypeError)]
)
def test_load_jets_rejects_bad_n(n, error):
    with pytest.raises(error, match="n must"):
        simulate.load_jets(n)


# --- padding ----------------------------------------------------------------------------------


def test_pad_constituents_keeps_the_leading_particles_and_masks_the_rest():
    constituents = _jets([(30, 0.1, 0.2), (20, -0.1, 0.0), (10, 0.3, -0.3)], [(5, 0.0, 0.5)], [])
    features, mask = simulate.pad_constituents(constituents, 2)
    assert features.shape == (3, 2, 3) and mask.shape == (3, 2) and mask.dtype == bool
    np.testing.assert_array_equal(mask, [[True, True], [True, False], [False, False]])
    np.testing.assert_array_equal(features[0], [[30, 0.1, 0.2], [20, -0.1, 0.0]])
    np.testing.assert_array_equal(features[1], [[5, 0.0, 0.5], [0, 0, 0]])
    np.testing.assert_array_equal(features[2], 0)


def test_pad_constituents_on_the_bundled_jets(sample):
    subset = sample.constituents[:200]
    features, mask = simulate.pad_constituents(subset, 30)
    counts = ak.to_numpy(ak.num(subset))
    np.testing.assert_array_equal(mask.sum(axis=1), np.minimum(counts, 30))
    np.testing.assert_array_equal(features[~mask], 0)
    # the padded pT sum is the sum of the 30 leading particles
    np.testing.assert_allclose(
        features[:, :, 0].sum(axis=1), ak.to_numpy(ak.sum(subset.pt[:, :30], axis=1))
    )


def test_jet_functions_reject_bad_input():
    good = _jets([(1.0, 0.0, 0.0)])
    with pytest.raises(TypeError, match="constituents must be an awkward.Array"):
        simulate.pad_constituents(np.zeros((2, 3, 3)), 3)
    with pytest.raises(ValueError, match="constituents must have the fields"):
        simulate.jet_mass(ak.Array([[{"pt": 1.0, "eta": 0.0}]]))
    with pytest.raises(ValueError, match="constituents must be a list of jets"):
        simulate.jet_mass(ak.Array([{"pt": 1.0, "eta": 0.0, "phi": 0.0}]))
    with pytest.raises(ValueError, match="constituents.pt must be >= 0"):
        simulate.jet_mass(_jets([(-1.0, 0.0, 0.0)]))
    with pytest.raises(ValueError, match="constituents.eta must be finite"):
        simulate.jet_images(_jets([(1.0, np.nan, 0.0)]))
    with pytest.raises(ValueError, match="n_particles must be >= 1"):
        simulate.pad_constituents(good, 0)
    with pytest.raises(ValueError, match="n_pixels must be >= 1"):
        simulate.jet_images(good, 0)
    with pytest.raises(ValueError, match="extent must be > 0"):
        simulate.jet_images(good, 8, 0.0)
    with pytest.raises(TypeError, match="rotate must be True or False"):
        simulate.jet_images(good, rotate="yes")
    with pytest.raises(ValueError, match="n_axes must be >= 1"):
        simulate.n_subjettiness(good, 0)
    with pytest.raises(ValueError, match="R must be > 0"):
        simulate.n_subjettiness(good, 1, R=0.0)


# --- mass -------------------------------------------------------------------------------------


def test_jet_mass_of_two_massless_particles_by_hand():
    # m^2 = 2 pT1 pT2 (cosh(d_eta) - cos(d_phi)) for two massless particles
    constituents = _jets([(100.0, 0.0, 0.0), (50.0, 0.3, 0.4)], [(10.0, 1.0, 2.0)], [])
    expected = np.sqrt(2 * 100 * 50 * (np.cosh(0.3) - np.cos(0.4)))
    np.testing.assert_allclose(simulate.jet_mass(constituents), [expected, 0, 0], rtol=1e-13)


# --- images -----------------------------------------------------------------------------------


def test_image_intensity_is_the_pt_inside_the_extent():
    rng = np.random.default_rng(0)
    lists = [
        list(zip(rng.exponential(10, k), rng.uniform(-1.5, 1.5, k), rng.uniform(-1.5, 1.5, k)))
        for k in (1, 5, 40)
    ]
    constituents = _jets(*lists)
    images = simulate.jet_images(constituents, 16, 1.0, centre=False, rotate=False, flip=False)
    assert images.shape == (3, 16, 16)
    for image, particles in zip(images, lists):
        pt, eta, phi = np.array(particles).T
        inside = (np.abs(eta) < 1.0) & (np.abs(phi) < 1.0)
        assert image.sum() == pytest.approx(pt[inside].sum(), rel=1e-12)
    # a particle lands in the pixel of its coordinates: row = phi, column = eta
    single = simulate.jet_images(
        _jets([(7.0, 0.55, -0.3)]), 10, 1.0, centre=False, rotate=False, flip=False
    )
    assert single[0, 3, 7] == 7.0 and single.sum() == 7.0


def test_rotation_and_flip_on_a_two_particle_jet_by_hand():
    # pT 2 at (0, 0) and pT 1 at eta = 0.3: centroid at eta = 0.1; the principal axis is the
    # eta axis. 21 pixels of 0.1 over [-1.05, 1.05): (0, 0) is the centre of pixel (10, 10).
    constituents = _jets([(2.0, 0.0, 0.0), (1.0, 0.3, 0.0)])
    kwargs = {"n_pixels": 21, "extent": 1.05}
    centred = simulate.jet_images(constituents, **kwargs, rotate=False, flip=False)[0]
    assert centred[10, 9] == 2.0 and centred[10, 12] == 1.0  # eta -0.1 and +0.2
    rotated = simulate.jet_images(constituents, **kwargs, flip=False)[0]
    np.testing.assert_array_equal(rotated[:, 10].sum(), 3.0)  # now along phi, at eta = 0
    assert {rotated[9, 10], rotated[12, 10]} == {2.0, 1.0}  # phi -0.1 and +0.2 (or mirrored)
    flipped = simulate.jet_images(constituents, **kwargs)[0]
    # the harder half up: pT 2 at phi = +0.1, pT 1 at phi = -0.2
    assert flipped[11, 10] == 2.0 and flipped[8, 10] == 1.0 and flipped.sum() == 3.0
    # the result does not depend on how the jet was oriented or where it sat
    angle = 1.1
    turned = _jets(
        [(2.0, 0.2, -0.1), (1.0, 0.2 + 0.3 * np.cos(angle), -0.1 + 0.3 * np.sin(angle))]
    )
    np.testing.assert_array_equal(simulate.jet_images(turned, **kwargs)[0], flipped)


def test_flip_in_eta_moves_the_harder_side_right():
    # already centred and vertical; the soft particle on the left goes to the right
    constituents = _jets([(10.0, 0.0, 0.2), (10.0, 0.0, -0.2), (1.0, -0.17, 0.0)])
    kwargs = {"n_pixels": 21, "extent": 1.05, "centre": False, "rotate": False}
    plain = simulate.jet_images(constituents, **kwargs, flip=False)[0]
    flipped = simulate.jet_images(constituents, **kwargs)[0]
    assert plain[10, 8] == 1.0 and flipped[10, 12] == 1.0
    # equal pT up and down: no flip in phi
    np.testing.assert_array_equal(plain[[12, 8], 10], flipped[[12, 8], 10])


def test_preprocessed_images_of_the_bundled_jets(sample):
    subset = sample.constituents[:300]
    images = simulate.jet_images(subset, 32)
    # the disc of radius 1 holds every particle after centring
    np.testing.assert_allclose(images.sum(axis=(1, 2)), ak.to_numpy(ak.sum(subset.pt, axis=1)))
    upper, lower = images[:, 16:].sum(axis=(1, 2)), images[:, :16].sum(axis=(1, 2))
    right, left = images[:, :, 16:].sum(axis=(1, 2)), images[:, :, :16].sum(axis=(1, 2))
    assert np.all(upper >= lower) and np.all(right >= left)
    # rotation puts the spread along phi: second moment in phi >= in eta
    centres = (np.arange(32) + 0.5) / 16 - 1
    var_phi = np.einsum("kij,i->k", images, centres**2)
    var_eta = np.einsum("kij,j->k", images, centres**2)
    assert np.mean(var_phi >= var_eta) > 0.95


# --- N-subjettiness ---------------------------------------------------------------------------


def test_n_subjettiness_of_two_equal_particles_by_hand():
    # two equal massless particles d apart: the E-scheme axis lies half way (rapidity d/2, since
    # 0.5 ln((1 + e^d) / (1 + e^-d)) = d / 2), so tau1 = d / (2 R); two axes sit on them: tau2 = 0
    constituents = _jets(
        [(50.0, 0.0, 0.0), (50.0, 0.4, 0.0)], [(50.0, 0.0, 0.2), (50.0, 0.0, -0.2)]
    )
    np.testing.assert_allclose(simulate.n_subjettiness(constituents, 1, R=0.8), [0.25, 0.25])
    np.testing.assert_array_equal(simulate.n_subjettiness(constituents, 2, R=0.8), [0.0, 0.0])


def test_n_subjettiness_of_unequal_particles_by_hand():
    # pT a at phi 0 and pT b at phi d (eta 0): the axis is at the azimuth of the summed
    # transverse momenta, atan2(b sin d, a + b cos d)
    a, b, d = 80.0, 20.0, 0.5
    axis = np.arctan2(b * np.sin(d), a + b * np.cos(d))
    expected = (a * axis + b * (d - axis)) / (1.0 * (a + b))
    tau1 = simulate.n_subjettiness(_jets([(a, 0.0, 0.0), (b, 0.0, d)]), 1, R=1.0)
    np.testing.assert_allclose(tau1, [expected], rtol=1e-12)


def test_tau21_is_small_for_two_prongs_and_large_for_one():
    two_prongs = _jets([(100.0, 0.0, 0.0), (1.0, 0.01, 0.0), (50.0, 0.4, 0.0), (1.0, 0.4, 0.02)])
    one_prong = _jets(
        [(100.0, 0.0, 0.0)] + [(1.0, 0.3 * np.cos(t), 0.3 * np.sin(t)) for t in (0, 1.6, 3.1, 4.7)]
    )
    tau21 = lambda c: simulate.n_subjettiness(c, 2) / simulate.n_subjettiness(c, 1)  # noqa: E731
    assert tau21(two_prongs)[0] < 0.01
    assert tau21(one_prong)[0] > 0.5
    # at most N particles: tau_N = 0; an empty jet: NaN
    few = simulate.n_subjettiness(_jets([(1.0, 0.0, 0.0), (2.0, 0.1, 0.1)], []), 2)
    assert few[0] == 0.0 and np.isnan(few[1])


def test_n_subjettiness_axes_agree_with_fastjet_exclusive_kt(sample):
    # the twin: FastJet's kt algorithm with R = 1000 (no beam distance reached), exclusive jets
    fastjet = pytest.importorskip("fastjet")
    subset = sample.constituents[:40]
    definition = fastjet.JetDefinition(fastjet.kt_algorithm, 1000.0)
    expected = {2: [], 3: []}
    for jet in subset.to_list():
        pt, eta, phi = (np.array([p[field] for p in jet]) for field in ("pt", "eta", "phi"))
        particles = [
            fastjet.PseudoJet(float(x), float(y), float(z), float(e))
            for x, y, z, e in zip(
                pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta), pt * np.cosh(eta)
            )
        ]
        sequence = fastjet.ClusterSequence(particles, definition)
        for n_axes in expected:
            axes = sequence.exclusive_jets(n_axes)
            distance = np.min(
                [np.hypot(eta - axis.rap(), jets._wrap(phi - axis.phi_std())) for axis in axes],
                axis=0,
            )
            expected[n_axes].append(np.sum(pt * distance) / (0.8 * pt.sum()))
    for n_axes, values in expected.items():
        np.testing.assert_allclose(simulate.n_subjettiness(subset, n_axes), values, rtol=1e-9)


def test_tau21_and_mass_separate_w_from_qcd(sample):
    subset = simulate.load_jets(1000, seed=0)
    tau21 = simulate.n_subjettiness(subset.constituents, 2) / simulate.n_subjettiness(
        subset.constituents, 1
    )
    w = subset.y == 1
    assert np.median(tau21[w]) < np.median(tau21[~w]) - 0.1


# --- regeneration -----------------------------------------------------------------------------


def test_regenerated_slice_equals_the_bundled_file(sample, tmp_path):
    """The recipe, run again through the command line with the file's seed, gives the file."""
    from hepml.course.cli import main

    seed, n = sample.settings["seed"], 12
    output = tmp_path / "slice.root"
    assert (
        main(["datasets", "jets", "--n", str(n), "--seed", str(seed), "--output", str(output)])
        == 0
    )
    constituents, jet_pt, jet_mass, y, settings = jets._read_file(output)
    assert settings["pythia_settings"] == sample.settings["pythia_settings"]
    assert settings["recipe"] == sample.settings["recipe"]
    np.testing.assert_array_equal(y, sample.y[: 2 * n])
    np.testing.assert_array_equal(jet_pt, sample.jet_pt[: 2 * n])
    np.testing.assert_array_equal(jet_mass, sample.jet_mass[: 2 * n])
    for field in ("pt", "eta", "phi"):
        assert ak.all(constituents[field] == sample.constituents[: 2 * n][field])


def test_generator_names_the_extra_when_pythia_is_missing(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def without_pythia(name, *args, **kwargs):
        if name == "pythia8mc":
            raise ImportError("No module named 'pythia8mc'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_pythia)
    with pytest.raises(ImportError, match=r"hepml\[jets\]"):
        jet_generation.generate_class(1, 1, 1)
