"""Tests of the array engine hepml.methods.array_autodiff against torch.autograd (float64)."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from hepml.methods.array_autodiff import Tensor

# (shape of x, shape of y): equal shapes, a row and a column, a bias over rows, a scalar
BROADCASTS = [
    ((3, 4), (3, 4)),
    ((3, 1), (1, 4)),
    ((5, 4), (4,)),
    ((2, 3, 4), (3, 1)),
    ((4,), ()),
    ((), (2, 3)),
]
UNARY = {
    "exp": (Tensor.exp, torch.exp),
    "tanh": (Tensor.tanh, torch.tanh),
    "relu": (Tensor.relu, torch.relu),
    "sigmoid": (Tensor.sigmoid, torch.sigmoid),
    "softplus": (Tensor.softplus, torch.nn.functional.softplus),
    "log": (lambda t: (t * t + 0.5).log(), lambda t: torch.log(t * t + 0.5)),
    "square": (lambda t: t**2, lambda t: t**2),
    "sqrt": (lambda t: (t * t + 1) ** 0.5, lambda t: (t * t + 1) ** 0.5),
}


def _pair(array):
    return Tensor(array), torch.tensor(array, requires_grad=True)


def _check(ours, theirs, leaves):
    """Back-propagate a weighted sum of both outputs and compare values and gradients."""
    weights = np.random.default_rng(0).normal(size=ours.shape)
    (ours * Tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    for mine, reference in leaves:
        assert mine.grad.shape == mine.data.shape
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
@pytest.mark.parametrize("shapes", BROADCASTS, ids=str)
def test_binary_operations_reduce_broadcast_gradients_like_torch(op, shapes):
    rng = np.random.default_rng(1)
    (x, tx), (y, ty) = _pair(rng.normal(size=shapes[0])), _pair(rng.normal(size=shapes[1]))
    if op == "/":
        ours, theirs = x / (y * y + 0.5), tx / (ty * ty + 0.5)
    else:
        ours, theirs = {
            "+": (x + y, tx + ty),
            "-": (x - y, tx - ty),
            "*": (x * y, tx * ty),
        }[op]
    _check(ours, theirs, [(x, tx), (y, ty)])


@pytest.mark.parametrize("name", UNARY)
def test_element_wise_functions_equal_torch(name):
    ours_f, torch_f = UNARY[name]
    x, tx = _pair(np.random.default_rng(2).normal(scale=3, size=(4, 5)))
    _check(ours_f(x), torch_f(tx), [(x, tx)])


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_sum_and_mean_equal_torch(axis, keepdims):
    x, tx = _pair(np.random.default_rng(3).normal(size=(3, 4)))
    dims = {} if axis is None else {"dim": axis}
    ours = x.sum(axis, keepdims) * 2.0 + x.mean(axis, keepdims)
    if axis is None and not keepdims:
        theirs = tx.sum() * 2.0 + tx.mean()
    elif axis is None:
        theirs = tx.sum(dim=(0, 1), keepdim=True) * 2 + tx.mean(dim=(0, 1), keepdim=True)
    else:
        theirs = tx.sum(**dims, keepdim=keepdims) * 2 + tx.mean(**dims, keepdim=keepdims)
    _check(ours, theirs, [(x, tx)])


def test_matmul_equals_torch():
    rng = np.random.default_rng(4)
    (x, tx), (w, tw) = _pair(rng.normal(size=(5, 3))), _pair(rng.normal(size=(3, 2)))
    _check(x @ w, tx @ tw, [(x, tx), (w, tw)])


@settings(max_examples=60, deadline=None)
@given(
    n_samples=st.integers(1, 20),
    n_hidden=st.integers(1, 8),
    seed=st.integers(0, 2**32 - 1),
)
def test_mlp_loss_gradients_equal_torch(n_samples, n_hidden, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, 3))
    y = rng.integers(0, 2, size=(n_samples, 1)).astype(float)
    arrays = [rng.normal(size=s) for s in [(3, n_hidden), (n_hidden,), (n_hidden, 1), (1,)]]
    ours = [Tensor(a) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]

    W1, b1, W2, b2 = ours
    logits = (Tensor(X) @ W1 + b1).relu() @ W2 + b2
    # binary cross-entropy with logits: softplus(z) - y z
    loss = (logits.softplus() - Tensor(y) * logits).mean()
    loss.backward()

    tW1, tb1, tW2, tb2 = theirs
    t_logits = torch.relu(torch.tensor(X) @ tW1 + tb1) @ tW2 + tb2
    t_loss = torch.nn.functional.binary_cross_entropy_with_logits(t_logits, torch.tensor(y))
    t_loss.backward()

    assert loss.data == pytest.approx(t_loss.item(), rel=1e-12)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_a_tensor_used_twice_collects_both_gradients_and_backward_does_not_accumulate():
    x = Tensor(np.array([1.0, -2.0]))
    y = (x * x + x).sum()  # dy/dx = 2x + 1
    y.backward()
    y.backward()
    np.testing.assert_array_equal(x.grad, [3.0, -3.0])


def test_the_input_array_is_copied():
    array = np.ones(3)
    x = Tensor(array)
    array[0] = 5.0
    assert x.data[0] == 1.0


def test_bad_input_gives_clear_errors():
    with pytest.raises(ValueError, match="NaN or infinite"):
        Tensor([1.0, np.nan])
    with pytest.raises(TypeError, match="array of real numbers"):
        Tensor("abc")
    with pytest.raises(ValueError, match="2-d arrays"):
        Tensor(np.ones(3)) @ Tensor(np.ones(3))
    with pytest.raises(ValueError, match="do not fit"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match="single number"):
        Tensor(np.ones(3)).exp().backward()
    with pytest.raises(ValueError, match="positive entries"):
        Tensor([0.0, 1.0]).log()
    with pytest.raises(ValueError, match="gradient has shape"):
        Tensor(np.ones(3)).exp().backward(np.ones(2))
