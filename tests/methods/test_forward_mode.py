"""Tests of the dual-number forward mode hepml.methods.forward_mode against torch.func.jvp."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from hepml.methods import autodiff, forward_mode
from hepml.methods.forward_mode import Dual


def _f(v, exp, log, tanh, sigmoid, relu):
    """R^3 -> R^2, with every operation the dual numbers know."""
    x, y, z = v
    first = x * y / (z * z + 1) + exp(tanh(z)) - relu(x - y)
    second = log(x * x + 0.5) * sigmoid(y) + (y * y + 1) ** 0.5 - 2 * z**3
    return [first, second]


DUAL = {
    "exp": Dual.exp,
    "log": Dual.log,
    "tanh": Dual.tanh,
    "sigmoid": Dual.sigmoid,
    "relu": Dual.relu,
}
TORCH = {
    "exp": torch.exp,
    "log": torch.log,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
}
triple = st.lists(st.floats(-3, 3, allow_nan=False), min_size=3, max_size=3)


def _torch_f(v):
    return torch.stack(_f(v, **TORCH))


@settings(max_examples=200, deadline=None)
@given(point=triple, tangent=triple)
def test_jvp_equals_torch_func_jvp(point, tangent):
    outputs, product = forward_mode.jvp(lambda v: _f(v, **DUAL), point, tangent)
    out, expected = torch.func.jvp(
        _torch_f,
        (torch.tensor(point, dtype=torch.float64),),
        (torch.tensor(tangent, dtype=torch.float64),),
    )
    np.testing.assert_allclose(outputs, out.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(product, expected.numpy(), rtol=1e-10, atol=1e-10)


@settings(max_examples=100, deadline=None)
@given(point=triple, cotangent=st.lists(st.floats(-3, 3), min_size=2, max_size=2))
def test_reverse_mode_vjp_equals_torch_func_vjp(point, cotangent):
    value = {"exp": autodiff.Value.exp, "log": autodiff.Value.log, "tanh": autodiff.Value.tanh}
    value |= {"sigmoid": autodiff.Value.sigmoid, "relu": autodiff.Value.relu}
    _, product = autodiff.vjp(lambda v: _f(v, **value), point, cotangent)
    _, pullback = torch.func.vjp(_torch_f, torch.tensor(point, dtype=torch.float64))
    (expected,) = pullback(torch.tensor(cotangent, dtype=torch.float64))
    np.testing.assert_allclose(product, expected.numpy(), rtol=1e-10, atol=1e-10)


def test_jacobian_from_forward_passes_equals_torch_jacobian():
    point = [0.4, -0.8, 1.3]
    expected = torch.autograd.functional.jacobian(
        _torch_f, torch.tensor(point, dtype=torch.float64)
    )
    jacobian = forward_mode.jacobian(lambda v: _f(v, **DUAL), point)
    assert jacobian.shape == (2, 3)
    np.testing.assert_allclose(jacobian, expected.numpy(), rtol=1e-10, atol=1e-12)


def test_dual_arithmetic_follows_the_rules_of_eps_squared_zero():
    x = Dual(3.0, 1.0)
    assert (x * x).tangent == 6.0
    assert (1 / x).tangent == pytest.approx(-1 / 9)
    assert (2 - x).value == -1.0 and (2 - x).tangent == -1.0
    assert Dual(0.0, 1.0).relu().tangent == 0.0  # as torch: derivative 0 at 0


def test_bad_input_gives_clear_errors():
    with pytest.raises(TypeError, match="value must be a real number"):
        Dual("x")
    with pytest.raises(ValueError, match="positive numbers only"):
        Dual(0.0, 1.0).log()
    with pytest.raises(ValueError, match="same length"):
        forward_mode.jvp(lambda v: v, [1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match="sequence of Dual"):
        forward_mode.jvp(lambda v: [1.0], [1.0], [1.0])
    with pytest.raises(TypeError, match="exponent must be a constant"):
        Dual(1.0) ** Dual(2.0)
