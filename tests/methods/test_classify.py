"""Tests of hepml.methods.classify against scikit-learn and torch.autograd."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression, Perceptron
from sklearn.metrics import hinge_loss, log_loss

from hepml import simulate
from hepml.methods import classify


def test_sigmoid_matches_torch_and_does_not_overflow():
    z = np.array([-800.0, -30.0, -1.0, 0.0, 0.5, 30.0, 800.0])
    expected = torch.sigmoid(torch.tensor(z, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(classify.sigmoid(z), expected, rtol=1e-12, atol=0)
    assert classify.sigmoid(0.0) == 0.5
    assert np.all(np.isfinite(classify.sigmoid(z)))


def test_logit_inverts_the_sigmoid():
    z = np.linspace(-20, 20, 41)
    np.testing.assert_allclose(classify.logit(classify.sigmoid(z)), z, atol=1e-8)
    with pytest.raises(ValueError, match="p must lie strictly between 0 and 1"):
        classify.logit(np.array([0.0, 0.5]))


def test_binary_cross_entropy_matches_sklearn_and_torch():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 500)
    logits = 3 * rng.normal(size=500)
    p = classify.sigmoid(logits)
    assert classify.binary_cross_entropy(labels, p) == pytest.approx(
        log_loss(labels, p), rel=1e-10
    )
    with_logits = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor(logits), torch.tensor(labels, dtype=torch.float64)
    ).item()
    assert classify.binary_cross_entropy_with_logits(labels, logits) == pytest.approx(
        with_logits, rel=1e-12
    )
    assert classify.binary_cross_entropy_with_logits(labels, logits) == pytest.approx(
        classify.binary_cross_entropy(labels, p), rel=1e-9
    )


def test_binary_cross_entropy_of_a_coin_is_log_two_and_confident_mistakes_stay_finite():
    assert classify.binary_cross_entropy(np.array([0, 1]), np.array([0.5, 0.5])) == pytest.approx(
        np.log(2)
    )
    assert classify.binary_cross_entropy_with_logits(
        np.array([1]), np.array([-1000.0])
    ) == pytest.approx(1000.0)
    assert np.isfinite(classify.binary_cross_entropy(np.array([1]), np.array([0.0])))


def test_bce_gradient_matches_torch_autograd():
    rng = np.random.default_rng(1)
    features = rng.normal(size=(300, 3))
    labels = rng.integers(0, 2, 300)
    weights, bias = rng.normal(size=3), 0.7
    grad_w, grad_b = classify.binary_cross_entropy_gradient(features, labels, weights, bias)
    w = torch.tensor(weights, requires_grad=True)
    b = torch.tensor(bias, dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor(features) @ w + b, torch.tensor(labels, dtype=torch.float64)
    )
    loss.backward()
    np.testing.assert_allclose(grad_w, w.grad.numpy(), rtol=1e-10, atol=1e-14)
    assert grad_b == pytest.approx(b.grad.item(), rel=1e-10)


def test_logistic_regression_by_gradient_descent_agrees_with_unpenalised_sklearn():
    data = simulate.gaussian_classes(4000, signal_fraction=0.4, seed=2)
    fit = classify.fit_logistic_regression(data.X, data.y, learning_rate=2.0)
    assert fit.converged
    assert np.all(
        np.diff(fit.loss_history) <= 1e-15
    )  # gradient descent on a convex loss never goes up
    # penalty=None is deprecated in scikit-learn 1.8+; C=inf is the same unpenalised model.
    reference = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(data.X, data.y)
    np.testing.assert_allclose(fit.weights, reference.coef_[0], atol=1e-3)
    assert fit.bias == pytest.approx(reference.intercept_[0], abs=1e-3)
    np.testing.assert_allclose(
        fit.predict_proba(data.X), reference.predict_proba(data.X)[:, 1], atol=1e-4
    )


def test_logistic_regression_recovers_the_bayes_posterior_of_gaussian_classes():
    # Shared covariance: log-odds are linear with w = Sigma^-1 (mu_s - mu_b).
    data = simulate.gaussian_classes(40_000, signal_fraction=0.3, seed=3)
    fit = classify.fit_logistic_regression(data.X, data.y, learning_rate=2.0)
    exact = np.linalg.solve(data.signal_covariance, data.signal_mean - data.background_mean)
    np.testing.assert_allclose(fit.weights, exact, atol=0.06)
    assert np.max(np.abs(fit.predict_proba(data.X) - data.posterior(data.X))) < 0.03


def test_logistic_regression_reports_non_convergence_on_separable_data():
    inputs, outputs = simulate.truth_table("and")
    fit = classify.fit_logistic_regression(inputs, outputs, max_steps=200)
    assert not fit.converged and fit.n_steps == 200 and len(fit.loss_history) == 201


def test_perceptron_matches_sklearn_update_for_update():
    rng = np.random.default_rng(3)
    features = rng.normal(size=(200, 2))
    labels = (features @ np.array([1.0, -2.0]) + 0.3 > 0).astype(int)
    # Start with a signal example: on the very first example w = 0 gives a score of exactly 0,
    # which the step rule calls class 0 and scikit-learn counts as a mistake for either class.
    first = int(np.argmax(labels))
    order = np.r_[first, np.delete(np.arange(200), first)]
    features, labels = features[order], labels[order]
    result = classify.fit_perceptron(features, labels, max_epochs=500)
    assert result.converged and result.loss_history[-1] == 0
    reference = Perceptron(eta0=1.0, shuffle=False, tol=None, max_iter=result.n_steps).fit(
        features, labels
    )
    np.testing.assert_allclose(result.weights, reference.coef_[0], rtol=1e-12)
    assert result.bias == pytest.approx(reference.intercept_[0])
    assert np.array_equal(result.predict(features), labels)


def test_perceptron_learns_or_but_not_xor():
    inputs, outputs = simulate.truth_table("or")
    learned = classify.fit_perceptron(inputs, outputs, max_epochs=100)
    assert learned.converged and learned.n_steps < 10
    assert np.array_equal(learned.predict(inputs), outputs)
    inputs, outputs = simulate.truth_table("xor")
    stuck = classify.fit_perceptron(inputs, outputs, max_epochs=100)
    assert not stuck.converged and stuck.n_steps == 100
    assert np.all(stuck.loss_history > 0)
    assert np.sum(stuck.predict(inputs) != outputs) >= 1  # no line separates XOR
    assert stuck.weight_history.shape == (100, 3)


def _torch_margin_loss(margin, kind):
    if kind == "hinge":
        return torch.relu(1 - margin)
    if kind == "logistic":
        return torch.nn.functional.softplus(-margin)
    if kind == "squared":
        return (1 - margin) ** 2
    if kind == "sigmoid_squared":
        return (1 - torch.sigmoid(margin)) ** 2
    return (margin <= 0).double() + 0 * margin  # the 0-1 loss: flat, so autograd gives 0


@pytest.mark.parametrize("kind", classify.MARGIN_LOSSES)
def test_margin_losses_and_gradients_match_torch_autograd(kind):
    # avoid the kinks of the 0-1 loss (m = 0) and of the hinge (m = 1)
    margin = np.array([-6.0, -2.5, -0.7, -0.1, 0.2, 0.9, 1.3, 3.0, 8.0])
    m = torch.tensor(margin, requires_grad=True)
    value = _torch_margin_loss(m, kind)
    value.sum().backward()
    np.testing.assert_allclose(
        classify.margin_loss(margin, kind), value.detach().numpy(), rtol=1e-12
    )
    np.testing.assert_allclose(
        classify.margin_loss_gradient(margin, kind), m.grad.numpy(), rtol=1e-10, atol=1e-15
    )


def test_margin_losses_agree_with_sklearn_and_the_bce():
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 2, 200)
    scores = 2 * rng.normal(size=200)
    margin = (2 * labels - 1) * scores
    assert classify.margin_loss(margin, "hinge").mean() == pytest.approx(
        hinge_loss(labels, scores)
    )
    assert classify.margin_loss(margin, "logistic").mean() == pytest.approx(
        classify.binary_cross_entropy_with_logits(labels, scores)
    )
    assert classify.margin_loss(margin, "zero_one").mean() == pytest.approx(
        np.mean((scores > 0) != labels)
    )


def test_surrogate_losses_bound_the_zero_one_loss():
    margin = np.linspace(-5, 5, 1001)
    zero_one = classify.margin_loss(margin, "zero_one")
    assert np.all(classify.margin_loss(margin, "hinge") >= zero_one)
    assert np.all(classify.margin_loss(margin, "logistic") / np.log(2) >= zero_one - 1e-12)
    assert np.all(classify.margin_loss(margin, "squared") >= zero_one)


def test_mse_on_the_probability_stops_learning_from_confident_mistakes():
    assert abs(classify.margin_loss_gradient(-20.0, "sigmoid_squared")) < 1e-8
    assert classify.margin_loss_gradient(-20.0, "logistic") == pytest.approx(-1.0)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: classify.margin_loss(1.0, "cubic"), ValueError, "kind must be one of"),
        (lambda: classify.margin_loss(1.0, 3), TypeError, "kind must be a string"),
        (
            lambda: classify.binary_cross_entropy(np.array([0, 2]), np.array([0.5, 0.5])),
            ValueError,
            "only 0 and 1",
        ),
        (
            lambda: classify.binary_cross_entropy(np.array([0, 1]), np.array([0.5, 1.5])),
            ValueError,
            r"\[0, 1\]",
        ),
        (
            lambda: classify.binary_cross_entropy(np.array([0, 1]), np.array([0.5])),
            ValueError,
            "one entry per",
        ),
        (
            lambda: classify.fit_logistic_regression(
                np.ones((3, 2)), np.array([0, 1, 1]), learning_rate=0
            ),
            ValueError,
            "learning_rate must be > 0",
        ),
        (
            lambda: classify.fit_perceptron(np.ones(3), np.array([0, 1, 1])),
            ValueError,
            "X must be 2-dim",
        ),
        (
            lambda: classify.fit_perceptron(np.ones((3, 2)), np.array([0, 1, 1]), max_epochs=0),
            ValueError,
            "max_epochs must be >= 1",
        ),
        (
            lambda: classify.binary_cross_entropy_gradient(
                np.ones((3, 2)), np.array([0, 1, 1]), np.ones(3), 0.0
            ),
            ValueError,
            "weights must have 2 entries",
        ),
    ],
)
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()
