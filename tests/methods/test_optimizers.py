"""Tests of hepml.methods.optimizers, each step for step against its torch.optim twin."""

import numpy as np
import pytest
import torch

from hepml.methods import optimizers

# (name, ours, torch's): the seven optimisers of chapter 8, with defaults and with other settings
TWINS = [
    ("sgd", lambda p: optimizers.SGD(p, lr=0.05), lambda p: torch.optim.SGD(p, lr=0.05)),
    (
        "momentum",
        lambda p: optimizers.SGD(p, lr=0.05, momentum=0.9),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
    ),
    (
        "nesterov",
        lambda p: optimizers.SGD(p, lr=0.05, momentum=0.8, nesterov=True),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True),
    ),
    ("adagrad", optimizers.Adagrad, torch.optim.Adagrad),
    (
        "adagrad-lr",
        lambda p: optimizers.Adagrad(p, lr=0.3, eps=1e-6),
        lambda p: torch.optim.Adagrad(p, lr=0.3, eps=1e-6),
    ),
    ("rmsprop", optimizers.RMSprop, torch.optim.RMSprop),
    (
        "rmsprop-alpha",
        lambda p: optimizers.RMSprop(p, lr=0.02, alpha=0.9, eps=1e-6),
        lambda p: torch.optim.RMSprop(p, lr=0.02, alpha=0.9, eps=1e-6),
    ),
    ("adam", optimizers.Adam, torch.optim.Adam),
    (
        "adam-betas",
        lambda p: optimizers.Adam(p, lr=0.05, betas=(0.8, 0.95), eps=1e-6),
        lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.95), eps=1e-6),
    ),
    (
        "amsgrad",
        lambda p: optimizers.Adam(p, lr=0.05, amsgrad=True),
        lambda p: torch.optim.Adam(p, lr=0.05, amsgrad=True),
    ),
]
SHAPES = [(3, 4), (5,), ()]


@pytest.mark.parametrize(("name", "ours", "theirs"), TWINS, ids=[t[0] for t in TWINS])
def test_same_gradients_give_the_same_parameters_as_torch_for_100_steps(name, ours, theirs):
    rng = np.random.default_rng(7)
    starts = [rng.normal(size=s) for s in SHAPES]
    params = [s.copy() for s in starts]
    torch_params = [torch.tensor(s, requires_grad=True) for s in starts]
    optimizer, torch_optimizer = ours(params), theirs(torch_params)
    for step in range(100):
        # gradients of all sizes and signs, some exactly zero, growing and shrinking
        grads = [rng.normal(scale=10.0 ** rng.uniform(-3, 1), size=s) for s in SHAPES]
        grads[0][0, 0] = 0.0 if step % 10 == 0 else grads[0][0, 0]
        for p, g in zip(torch_params, grads):
            p.grad = torch.tensor(g)
        torch_optimizer.step()
        optimizer.step(grads)
        for p, tp in zip(params, torch_params):
            np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert optimizer.n_steps == 100


@pytest.mark.parametrize(("name", "ours", "theirs"), TWINS, ids=[t[0] for t in TWINS])
def test_descending_a_quadratic_follows_torch_for_100_steps(name, ours, theirs):
    # here each side computes its own gradient at its own parameters, as in training
    A = np.array([[3.0, 0.5], [0.5, 0.2]])
    start = np.array([1.5, -2.0])
    path = optimizers.descend(
        lambda x: 0.5 * x @ A @ x, lambda x: A @ x, start, ours, 100, tolerance=0.0
    ).path
    x = torch.tensor(start, requires_grad=True)
    torch_optimizer = theirs([x])
    for point in path[1:]:
        torch_optimizer.zero_grad()
        (0.5 * x @ torch.tensor(A) @ x).backward()
        torch_optimizer.step()
        np.testing.assert_allclose(point, x.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert len(path) == 101


def test_descend_reports_convergence_and_divergence():
    def function(x):
        return float(x @ x)

    def gradient(x):
        return 2 * x

    result = optimizers.descend(
        function, gradient, [1.0, 1.0], lambda p: optimizers.SGD(p, lr=0.25), 1000
    )
    assert result.converged and not result.diverged
    assert result.n_steps < 1000 and result.loss_history[-1] < 1e-15
    assert result.path.shape == (result.n_steps + 1, 2)
    # learning rate above 2 / curvature = 1: every step overshoots further
    result = optimizers.descend(
        function, gradient, [1.0, 1.0], lambda p: optimizers.SGD(p, lr=1.5), 5000
    )
    assert result.diverged and not result.converged
    assert np.all(np.diff(result.loss_history[:50]) > 0)


def test_bad_input_gives_clear_errors():
    with pytest.raises(TypeError, match="writeable float NumPy array"):
        optimizers.SGD([np.array([1, 2])], lr=0.1)
    with pytest.raises(ValueError, match="lr must be >"):
        optimizers.Adam([np.zeros(2)], lr=0.0)
    with pytest.raises(ValueError, match="needs a momentum"):
        optimizers.SGD([np.zeros(2)], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="betas must lie"):
        optimizers.Adam([np.zeros(2)], betas=(0.9, 1.0))
    optimizer = optimizers.RMSprop([np.zeros(2), np.zeros(3)])
    with pytest.raises(ValueError, match="got 1 gradients for 2 parameters"):
        optimizer.step([np.zeros(2)])
    with pytest.raises(ValueError, match=r"grads\[1\] has shape"):
        optimizer.step([np.zeros(2), np.zeros(2)])
    with pytest.raises(ValueError, match="NaN or infinite"):
        optimizer.step([np.zeros(2), np.array([0.0, np.inf, 0.0])])
    with pytest.raises(TypeError, match="must return an Optimizer"):
        optimizers.descend(lambda x: 0.0, lambda x: x, [1.0], lambda p: None, 3)


def test_sgd_momentum_must_lie_below_one():
    # mu = 1 never forgets a gradient: the buffer is their plain sum
    with pytest.raises(ValueError, match=r"momentum must lie in \[0, 1\)"):
        optimizers.SGD([np.zeros(2)], lr=0.1, momentum=1.0)
    with pytest.raises(ValueError, match="momentum must be >= 0"):
        optimizers.SGD([np.zeros(2)], lr=0.1, momentum=-0.1)
    assert optimizers.SGD([np.zeros(2)], lr=0.1, momentum=0.99).momentum == 0.99
