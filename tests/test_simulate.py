import numpy as np
import pytest
from scipy import stats

from hepml import simulate


def test_gaussian_measurements_have_requested_shape_mean_and_spread():
    x = simulate.gaussian_measurements(50.0, 2.0, (40_000, 5), seed=1)
    assert x.shape == (40_000, 5)
    assert abs(x.mean() - 50.0) < 4 * 2.0 / np.sqrt(x.size)
    assert abs(x.std() - 2.0) < 0.02


def test_simulators_are_reproducible_from_a_seed():
    a = simulate.gaussian_measurements(0.0, 1.0, 10, seed=3)
    b = simulate.gaussian_measurements(0.0, 1.0, 10, seed=3)
    c = simulate.gaussian_measurements(0.0, 1.0, 10, seed=4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_counting_experiment_is_poisson():
    counts = simulate.counting_experiment(signal=3.0, background=2.0, n_experiments=50_000, seed=0)
    assert counts.dtype.kind == "i"
    assert abs(counts.mean() - 5.0) < 0.05
    assert abs(counts.var() - 5.0) < 0.15


def test_isotropic_directions_give_the_analytic_eta_density():
    eta = simulate.pseudorapidity(simulate.isotropic_polar_angles(100_000, seed=2))
    # p(eta) = 1 / (2 cosh^2 eta) has CDF (1 + tanh(eta)) / 2
    result = stats.kstest(eta, lambda e: 0.5 * (1 + np.tanh(e)))
    assert result.pvalue > 0.001


def test_pseudorapidity_of_known_angles():
    assert simulate.pseudorapidity(np.array([np.pi / 2]))[0] == pytest.approx(0.0, abs=1e-15)
    theta = 2 * np.arctan(np.exp(-1.5))
    assert simulate.pseudorapidity(np.array([theta]))[0] == pytest.approx(1.5)


def test_tagged_jets_match_their_probabilities_and_bayes():
    jets = simulate.tagged_jets(400_000, b_fraction=0.2, efficiency=0.7, mistag_rate=0.01, seed=5)
    assert abs(jets.is_b.mean() - 0.2) < 0.003
    assert abs(jets.tagged[jets.is_b].mean() - 0.7) < 0.005
    assert abs(jets.tagged[~jets.is_b].mean() - 0.01) < 0.001
    assert jets.posterior_b_given_tag() == pytest.approx(0.14 / (0.14 + 0.008))
    assert abs(jets.is_b[jets.tagged].mean() - jets.posterior_b_given_tag()) < 0.005


def test_signal_background_events_and_exact_likelihood_ratio():
    events = simulate.signal_background_events(20_000, signal_fraction=0.3, seed=0)
    assert events.features.shape == (20_000, 3) and len(events) == 20_000
    assert set(np.unique(events.labels)) == {0, 1}
    assert abs(events.labels.mean() - 0.3) < 0.015
    signal_mass = events.features[events.labels == 1, 0]
    assert abs(np.median(signal_mass) - 125.0) < 0.5
    llr = simulate.event_log_likelihood_ratio(events.features)
    # the exact likelihood ratio is the optimal classifier: it ranks signal above background
    auc = np.mean(llr[events.labels == 1][:, None] > llr[events.labels == 0][None, :2000])
    assert auc > 0.9


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: simulate.gaussian_measurements(0.0, -1.0, 5), ValueError, "resolution must be > 0"),
        (lambda: simulate.gaussian_measurements(0.0, 1.0, (5, 0)), ValueError, r"size\[1\] must be >= 1"),
        (lambda: simulate.gaussian_measurements("a", 1.0, 5), TypeError, "true_value must be a real number"),
        (lambda: simulate.counting_experiment(-1.0, 1.0, 5), ValueError, "signal must be >= 0"),
        (lambda: simulate.counting_experiment(1.0, 1.0, 2.5), TypeError, "n_experiments must be an integer"),
        (lambda: simulate.tagged_jets(10, b_fraction=1.5), ValueError, "b_fraction must be <= 1"),
        (lambda: simulate.pseudorapidity(np.array([0.0, 1.0])), ValueError, "theta must lie strictly"),
        (lambda: simulate.signal_background_events(0), ValueError, "n must be >= 1"),
        (lambda: simulate.event_log_likelihood_ratio(np.zeros((3, 2))), ValueError, "3 columns"),
    ],
)
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_turn_on_efficiency_is_the_smeared_threshold_probability():
    # Monte Carlo: fraction of jets whose online pT (offline pT + Gaussian smearing) passes the threshold.
    rng = np.random.default_rng(7)
    pt = np.array([30.0, 40.0, 48.0, 70.0])
    online = pt[:, None] + 8.0 * rng.standard_normal((4, 200_000))
    fraction_passing = np.mean(online > 40.0, axis=1)
    np.testing.assert_allclose(simulate.turn_on_efficiency(pt, 40.0, 8.0, 1.0), fraction_passing, atol=0.004)
    assert simulate.turn_on_efficiency(np.array([40.0]), 40.0, 8.0, 0.9)[0] == pytest.approx(0.45)
    assert simulate.turn_on_efficiency(np.array([1e4]), plateau=0.95)[0] == pytest.approx(0.95)


def test_trigger_turn_on_noise_has_the_requested_width_around_the_truth():
    sample = simulate.trigger_turn_on(50_000, noise=0.05, pt_range=(10.0, 100.0), seed=8)
    assert len(sample) == 50_000
    assert sample.pt.min() >= 10.0 and sample.pt.max() <= 100.0
    assert not np.all(np.diff(sample.pt) > 0)  # unsorted, so consecutive folds are not pT slices
    residuals = sample.efficiency - sample.true_efficiency(sample.pt)
    assert abs(residuals.mean()) < 4 * 0.05 / np.sqrt(50_000)
    assert residuals.std() == pytest.approx(0.05, rel=0.02)
    assert stats.kstest(residuals / 0.05, "norm").pvalue > 0.001


def test_trigger_turn_on_checks_its_arguments():
    with pytest.raises(ValueError, match="pt_range"):
        simulate.trigger_turn_on(10, pt_range=(50.0, 20.0))
    with pytest.raises(ValueError, match="noise"):
        simulate.trigger_turn_on(10, noise=-0.1)
    with pytest.raises(ValueError, match="resolution"):
        simulate.turn_on_efficiency(np.array([1.0]), resolution=0.0)


def test_calorimeter_showers_have_a_nonlinear_response_and_growing_resolution():
    sample = simulate.calorimeter_showers(40_000, seed=5)
    assert sample.features.shape == (40_000, 4) and len(sample) == 40_000
    assert sample.feature_names == simulate.CALORIMETER_FEATURES
    e_reco, em_fraction, abs_eta, n_vertices = sample.features.T
    energy = sample.true_energy
    assert energy.min() >= 10.0 and energy.max() <= 300.0
    assert np.all((em_fraction >= 0) & (em_fraction <= 1)) and np.all((abs_eta >= 0) & (abs_eta <= 2.5))
    assert n_vertices.min() >= 1 and abs(n_vertices.mean() - 25.0) < 0.1
    low, high = energy < 30, energy > 270
    # non-compensation: the mean response (without the ~10 GeV pile-up offset) rises with energy
    response_low = np.mean((e_reco[low] - 0.4 * n_vertices[low]) / energy[low])
    response_high = np.mean((e_reco[high] - 0.4 * n_vertices[high]) / energy[high])
    assert 0.6 < response_low < response_high < 1.0
    # the measured em fraction follows the Wigmans-like mean
    assert abs(em_fraction[high].mean() - simulate.mean_em_fraction(np.array([285.0]))[0]) < 0.01
    # the absolute resolution grows with energy (stochastic and constant terms)
    assert np.std(e_reco[high] / energy[high]) * 285 > 3 * np.std(e_reco[low] / energy[low]) * 20


def test_calorimeter_showers_validate_arguments():
    with pytest.raises(ValueError, match="low < high"):
        simulate.calorimeter_showers(10, energy_range=(100.0, 50.0))
    with pytest.raises(TypeError, match="energy_range must be a tuple"):
        simulate.calorimeter_showers(10, energy_range=[10.0, 20.0])
    with pytest.raises(ValueError, match="energy must be >= 1 GeV"):
        simulate.mean_em_fraction(np.array([0.5]))


def test_resonance_spectrum_follows_its_density_and_truth():
    sample = simulate.resonance_spectrum(40_000, mass=91.19, width=2.5, signal_fraction=0.3, seed=6)
    assert len(sample) == 40_000 and sample.masses.min() >= 60.0 and sample.masses.max() <= 120.0
    assert abs(sample.is_signal.mean() - 0.3) < 0.01
    # the density integrates to one on the window and is zero outside
    grid = np.linspace(60.0, 120.0, 200_001)
    assert np.trapezoid(sample.pdf(grid), grid) == pytest.approx(1.0, rel=1e-6)
    assert sample.pdf(np.array([59.0, 121.0])).tolist() == [0.0, 0.0]
    # the signal is a Cauchy (Breit-Wigner) with half-width width / 2, truncated to the window
    truncated = stats.cauchy(91.19, 1.25)
    lo, hi = truncated.cdf(60.0), truncated.cdf(120.0)
    signal_cdf = lambda m: (truncated.cdf(m) - lo) / (hi - lo)  # noqa: E731
    assert stats.kstest(sample.masses[sample.is_signal], signal_cdf).pvalue > 0.001
    background = stats.truncexpon(b=60.0 / 25.0, loc=60.0, scale=25.0)
    assert stats.kstest(sample.masses[~sample.is_signal], background.cdf).pvalue > 0.001
    # and the full sample follows the mixture density
    cdf = np.cumsum(sample.pdf(grid)) * (grid[1] - grid[0])
    assert stats.kstest(sample.masses, lambda m: np.interp(m, grid, cdf)).pvalue > 0.001


def test_resonance_spectrum_bad_input():
    with pytest.raises(ValueError, match="width must be > 0"):
        simulate.resonance_spectrum(10, width=0.0)
    with pytest.raises(ValueError, match="mass must be <= 120"):
        simulate.resonance_spectrum(10, mass=130.0)
    with pytest.raises(ValueError, match="high must be > low"):
        simulate.resonance_pdf(np.array([1.0]), 91.0, 2.5, 0.3, 25.0, low=100.0, high=90.0)


def test_gaussian_classes_have_the_requested_moments_and_exact_posterior():
    data = simulate.gaussian_classes(60_000, signal_fraction=0.3, seed=9)
    assert data.features.shape == (60_000, 2) and len(data) == 60_000
    assert abs(data.labels.mean() - 0.3) < 0.01
    signal, background = data.features[data.labels == 1], data.features[data.labels == 0]
    np.testing.assert_allclose(signal.mean(axis=0), [1.0, 0.5], atol=0.03)
    np.testing.assert_allclose(background.mean(axis=0), [-0.5, -0.5], atol=0.03)
    np.testing.assert_allclose(np.cov(signal, rowvar=False), [[1.0, 0.3], [0.3, 1.0]], atol=0.04)
    # Bayes' theorem in odds form: posterior odds = likelihood ratio * prior odds.
    points = data.features[:500]
    posterior = data.posterior(points)
    odds = np.exp(data.log_likelihood_ratio(points)) * 0.3 / 0.7
    np.testing.assert_allclose(posterior, odds / (1 + odds), rtol=1e-10)
    # Calibration: among events with posterior near 0.8, about 80 % are signal.
    near = np.abs(data.posterior(data.features) - 0.8) < 0.05
    assert abs(data.labels[near].mean() - 0.8) < 0.03


def test_gaussian_classes_with_different_covariances():
    data = simulate.gaussian_classes(
        20_000, covariance=np.eye(2), background_covariance=4 * np.eye(2), signal_mean=(0, 0),
        background_mean=(0, 0), seed=1,
    )
    assert np.var(data.features[data.labels == 0]) == pytest.approx(4.0, rel=0.05)
    assert data.log_likelihood_ratio(np.zeros((1, 2)))[0] == pytest.approx(np.log(4.0))


def test_truth_tables_of_logic_gates():
    inputs, outputs = simulate.truth_table("xor")
    assert inputs.shape == (4, 2) and np.array_equal(outputs, [0, 1, 1, 0])
    assert np.array_equal(outputs, np.logical_xor(inputs[:, 0], inputs[:, 1]))
    assert np.array_equal(simulate.truth_table("OR")[1], np.logical_or(inputs[:, 0], inputs[:, 1]))
    assert np.array_equal(simulate.truth_table("and")[1], np.logical_and(inputs[:, 0], inputs[:, 1]))
    with pytest.raises(ValueError, match="gate must be one of"):
        simulate.truth_table("xnor")
    with pytest.raises(ValueError, match="symmetric positive definite"):
        simulate.gaussian_classes(10, covariance=[[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match="signal_fraction must be < 1"):
        simulate.gaussian_classes(10, signal_fraction=1.0)


def test_binned_trigger_turn_on_has_one_measurement_per_bin():
    sample = simulate.trigger_turn_on(30, pt_range=(10.0, 100.0), binned=True, seed=9)
    counts, _ = np.histogram(sample.pt, bins=np.linspace(10.0, 100.0, 31))
    assert np.all(counts == 1)
    unbinned = simulate.trigger_turn_on(3000, binned=False, seed=9)
    counts, _ = np.histogram(unbinned.pt, bins=np.linspace(10.0, 100.0, 3001))
    assert np.any(counts != 1)
    with pytest.raises(TypeError, match="binned"):
        simulate.trigger_turn_on(10, binned="yes")
