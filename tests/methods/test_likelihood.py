import numpy as np
import pytest
from scipy import integrate, special, stats

from hepml import simulate
from hepml.methods import likelihood


def test_self_information_of_known_probabilities():
    info = likelihood.self_information(np.array([1.0, 0.5, 0.25, 0.0]))
    assert info[:3] == pytest.approx([0.0, np.log(2), 2 * np.log(2)])
    assert np.isinf(info[3])


def test_entropy_matches_scipy_and_the_uniform_maximum():
    rng = np.random.default_rng(0)
    for _ in range(20):
        p = rng.random(7) * (rng.random(7) > 0.2)
        p[0] += 0.1  # at least one outcome is possible
        assert likelihood.entropy(p) == pytest.approx(stats.entropy(p), rel=1e-12)
    assert likelihood.entropy(np.ones(8)) == pytest.approx(np.log(8))
    assert likelihood.entropy(np.array([0.0, 1.0, 0.0])) == 0.0


def test_kl_divergence_matches_scipy_rel_entr_and_entropy():
    rng = np.random.default_rng(1)
    for _ in range(20):
        p, q = rng.random(6), rng.random(6) + 0.01
        p[rng.random(6) < 0.3] = 0.0
        p[0] += 0.1
        expected = special.rel_entr(p / p.sum(), q / q.sum()).sum()
        assert likelihood.kl_divergence(p, q) == pytest.approx(expected, rel=1e-12)
        assert likelihood.kl_divergence(p, q) == pytest.approx(stats.entropy(p, q), rel=1e-12)


def test_kl_divergence_is_non_negative_zero_for_equal_and_asymmetric():
    rng = np.random.default_rng(2)
    values = [likelihood.kl_divergence(rng.random(5), rng.random(5)) for _ in range(500)]
    assert min(values) > 0
    p = np.array([0.2, 0.3, 0.5])
    assert likelihood.kl_divergence(p, 10 * p) == pytest.approx(0.0, abs=1e-15)
    q = np.array([0.6, 0.3, 0.1])
    # by hand: 0.2 ln(0.2/0.6) + 0.5 ln(0.5/0.1), and 0.6 ln(0.6/0.2) + 0.1 ln(0.1/0.5)
    assert likelihood.kl_divergence(p, q) == pytest.approx(0.2 * np.log(1 / 3) + 0.5 * np.log(5))
    assert likelihood.kl_divergence(q, p) == pytest.approx(0.6 * np.log(3) + 0.1 * np.log(0.2))
    assert likelihood.kl_divergence(p, q) - likelihood.kl_divergence(q, p) > 0.08


def test_kl_divergence_is_infinite_where_q_misses_the_support_of_p():
    assert likelihood.kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert np.isfinite(likelihood.kl_divergence([1.0, 0.0], [0.5, 0.5]))


def test_gaussian_entropy_matches_scipy():
    for sigma in (0.1, 1.0, 7.5):
        assert likelihood.gaussian_entropy(sigma) == pytest.approx(
            stats.norm(3.0, sigma).entropy(), rel=1e-12
        )


@pytest.mark.parametrize(
    "mu_p, sigma_p, mu_q, sigma_q", [(0, 1, 1, 2), (1, 2, 0, 1), (5, 0.5, 4, 0.7), (0, 1, 0, 1)]
)
def test_gaussian_kl_matches_numerical_integration(mu_p, sigma_p, mu_q, sigma_q):
    p, q = stats.norm(mu_p, sigma_p), stats.norm(mu_q, sigma_q)
    numeric, _ = integrate.quad(lambda x: p.pdf(x) * (p.logpdf(x) - q.logpdf(x)), -np.inf, np.inf)
    assert likelihood.gaussian_kl(mu_p, sigma_p, mu_q, sigma_q) == pytest.approx(numeric, abs=1e-9)


def test_gaussian_kl_agrees_with_a_fine_discretisation():
    grid = np.linspace(-15, 15, 200_001)
    p, q = stats.norm(0, 1).pdf(grid), stats.norm(1, 2).pdf(grid)
    assert likelihood.kl_divergence(p, q) == pytest.approx(
        likelihood.gaussian_kl(0, 1, 1, 2), rel=1e-6
    )


def test_nll_hessian_of_a_quadratic_is_exact():
    matrix = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, -0.2], [0.5, -0.2, 2.0]])

    def quadratic(x):
        return 0.5 * x @ matrix @ x + x.sum()

    hessian = likelihood.nll_hessian(quadratic, np.array([0.3, -1.0, 2.0]))
    assert np.allclose(hessian, matrix, rtol=1e-5, atol=1e-5)


def _gaussian_nll(x):
    return lambda theta: -np.sum(stats.norm.logpdf(x, theta[0], theta[1]))


def test_gaussian_fit_gives_mean_biased_variance_and_analytic_errors():
    x = simulate.gaussian_measurements(50.0, 2.0, 400, seed=3)
    fit = likelihood.minimize_nll(
        _gaussian_nll(x), [45.0, 5.0], names=("mu", "sigma"), bounds=[(None, None), (0.01, None)]
    )
    assert fit.converged
    # library twin: scipy's maximum-likelihood fit of a normal distribution
    loc, scale = stats.norm.fit(x)
    assert fit.value("mu") == pytest.approx(loc, abs=1e-5)
    assert fit.value("sigma") == pytest.approx(scale, rel=1e-5)
    assert fit.value("sigma") ** 2 == pytest.approx(x.var(ddof=0), rel=1e-5)
    # the curvature of the Gaussian NLL at its minimum is diag(m / sigma^2, 2 m / sigma^2)
    m, sigma_hat = len(x), np.std(x)
    assert fit.error("mu") == pytest.approx(sigma_hat / np.sqrt(m), rel=1e-3)
    assert fit.error("sigma") == pytest.approx(sigma_hat / np.sqrt(2 * m), rel=1e-3)
    assert abs(fit.correlation()[0, 1]) < 1e-3
    assert fit.summary().splitlines()[0].startswith("mu    = ")


def test_unbounded_fit_uses_bfgs_and_matches_the_analytic_minimum():
    x = simulate.gaussian_measurements(3.0, 1.0, 50, seed=8)
    fit = likelihood.minimize_nll(lambda t: 0.5 * np.sum((x - t[0]) ** 2), [0.0])
    assert fit.values[0] == pytest.approx(x.mean(), abs=1e-6)
    assert fit.errors[0] == pytest.approx(1 / np.sqrt(50), rel=1e-4)


def test_bounded_fit_of_a_cauchy_matches_scipy():
    x = stats.cauchy(10.0, 0.7).rvs(size=2000, random_state=np.random.default_rng(4))

    def nll(theta):
        return -np.sum(stats.cauchy.logpdf(x, theta[0], theta[1]))

    fit = likelihood.minimize_nll(nll, [9.0, 2.0], bounds=[(0.0, 20.0), (0.01, 10.0)])
    loc, scale = stats.cauchy.fit(x)
    assert fit.converged
    assert fit.values == pytest.approx([loc, scale], rel=1e-4)
    assert fit.names == ("p0", "p1")


def test_resonance_fit_recovers_the_truth_within_its_errors():
    sample = simulate.resonance_spectrum(5000, seed=7)

    def nll(theta):
        return -np.sum(np.log(simulate.resonance_pdf(sample.masses, *theta)))

    truth = np.array(list(sample.truth.values()))
    bounds = [(80.0, 100.0), (0.1, 10.0), (0.01, 0.99), (2.0, 200.0)]
    fit = likelihood.minimize_nll(
        nll, [90.0, 4.0, 0.5, 40.0], names=tuple(sample.truth), bounds=bounds
    )
    assert fit.converged
    assert np.all(np.abs(fit.values - truth) < 3 * fit.errors)
    # one standard error away from the minimum the NLL rises by about 1/2
    shifted = fit.values.copy()
    shifted[0] += fit.errors[0]
    # (profiling the other parameters would give exactly 1/2; fixing them gives at least that)
    assert 0.45 < nll(shifted) - fit.nll < 1.0


def test_pulls_of_a_correct_estimator_are_standard_normal():
    x = simulate.gaussian_measurements(1.0, 3.0, (4000, 25), seed=5)
    estimates, errors = x.mean(axis=1), np.full(4000, 3.0 / 5)
    summary = likelihood.pull_summary(likelihood.pulls(estimates, errors, 1.0))
    assert abs(summary.mean) < 3 * summary.mean_error
    assert abs(summary.width - 1) < 3 * summary.width_error
    assert summary.mean_error == pytest.approx(summary.width / np.sqrt(4000))
    assert summary.n == 4000 and "width" in str(summary)
    # errors that are too small make pulls too wide
    assert likelihood.pull_summary(likelihood.pulls(estimates, errors / 2, 1.0)).width > 1.9


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: likelihood.entropy(np.array([0.5, -0.1])), ValueError, "p must be non-negative"),
        (lambda: likelihood.entropy(np.zeros(3)), ValueError, "p must have a positive sum"),
        (lambda: likelihood.kl_divergence([0.5, 0.5], [1.0, 0.0, 0.0]), ValueError, "same length"),
        (
            lambda: likelihood.kl_divergence([[0.5, 0.5]], [0.5, 0.5]),
            ValueError,
            "p must be 1-dimensional",
        ),
        (
            lambda: likelihood.self_information(1.5),
            ValueError,
            r"probability must lie in \[0, 1\]",
        ),
        (lambda: likelihood.gaussian_kl(0, 0.0, 0, 1), ValueError, "sigma_p must be > 0"),
        (lambda: likelihood.gaussian_entropy("1"), TypeError, "sigma must be a real number"),
        (lambda: likelihood.minimize_nll(1.0, [0.0]), TypeError, "nll must be a function"),
        (
            lambda: likelihood.minimize_nll(lambda t: t @ t, [0.0], names=("a", "b")),
            ValueError,
            "names must be 1",
        ),
        (
            lambda: likelihood.minimize_nll(lambda t: np.inf, [0.0]),
            ValueError,
            "nll.x0. must be finite",
        ),
        (lambda: likelihood.pulls([1.0], [0.0], 1.0), ValueError, "errors must be > 0"),
        (lambda: likelihood.pull_summary([1.0]), ValueError, "at least 2"),
        (
            lambda: likelihood.nll_hessian(lambda t: 0.0, [1.0], step=-1.0),
            ValueError,
            "step must be > 0",
        ),
    ],
)
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_fit_result_rejects_unknown_parameter_names():
    fit = likelihood.minimize_nll(lambda t: float((t[0] - 1) ** 2), [0.0], names=("a",))
    assert fit.value("a") == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(KeyError, match="no parameter called 'b'"):
        fit.error("b")


@pytest.mark.parametrize("sigma", [1e-300, 1e-170, 1e-5, 1.0, 1e170, 1e200, 1e300])
def test_gaussian_entropy_and_kl_hold_at_extreme_widths(sigma):
    assert likelihood.gaussian_entropy(sigma) == pytest.approx(
        stats.norm(0.0, sigma).entropy(), rel=1e-14
    )
    # D(N(0, s^2) || N(s, (2 s)^2)) does not depend on s: ln 2 + (1 + 1) / 8 - 1/2
    expected = np.log(2.0) + 2.0 / 8.0 - 0.5
    assert likelihood.gaussian_kl(0.0, sigma, sigma, 2 * sigma) == pytest.approx(
        expected, rel=1e-14
    )
