"""The three autodiff engines at the edges of floating point, each held against torch (float64).

Powers with exponent 0, results that overflow, ndarrays on the left of an operator, reductions
over several axes, and non-finite exponents or upstream gradients (issue 20).
"""

import math

import numpy as np
import pytest
import torch

from hepml.methods.array_autodiff import Tensor
from hepml.methods.autodiff import Value, vjp
from hepml.methods.forward_mode import Dual, jacobian, jvp

# (name, function written with the engines' operators, point)
CASES = [
    ("x ** 0 at 0", lambda x: x**0, 0.0),
    ("x ** 0 at 3", lambda x: x**0, 3.0),
    ("exp(710) overflows", lambda x: x.exp(), 710.0),
    ("10 ** 400 overflows", lambda x: x**400, 10.0),
    ("(-1e103) ** 3 overflows to -inf", lambda x: x**3, -1e103),
    ("1 / 1e-300: the slope overflows", lambda x: 1.0 / x, 1e-300),
    ("1e-300 ** -1: the slope overflows", lambda x: x**-1, 1e-300),
]


def _torch(function, point):
    x = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    out = function(x)
    out.backward()
    return out.item(), x.grad.item()


@pytest.mark.parametrize(("name", "function", "point"), CASES, ids=[c[0] for c in CASES])
def test_every_engine_gives_torchs_value_and_slope(name, function, point):
    value, slope = _torch(function, point)

    x = Value(point)
    out = function(x)
    out.backward()
    assert (out.data, x.grad) == (value, slope), "scalar engine"

    t = Tensor(np.array([point]))
    out = function(t)
    out.sum().backward()
    assert (out.data[0], t.grad[0]) == (value, slope), "array engine"

    dual = function(Dual(point, 1.0))
    assert (dual.value, dual.tangent) == (value, slope), "forward mode"


@pytest.mark.parametrize("exponent", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("make", [Value, Dual, lambda x: Tensor(np.array([x]))])
def test_a_non_finite_exponent_is_rejected_by_name(make, exponent):
    with pytest.raises(ValueError, match="exponent must be finite"):
        make(2.0) ** exponent


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_non_finite_upstream_gradient_is_rejected_by_name(bad):
    x = Tensor(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="gradient contains NaN or infinite"):
        (x * 2.0).backward(np.array([1.0, bad]))
    with pytest.raises(ValueError, match="cotangent contains NaN or infinite"):
        vjp(lambda v: [v[0] * v[1]], [1.0, 2.0], [bad])
    with pytest.raises(ValueError, match="tangent contains NaN or infinite"):
        jvp(lambda v: [v[0] * v[1]], [1.0, 2.0], [1.0, bad])


def test_an_ndarray_on_the_left_stays_in_the_graph():
    # w * x with w an ndarray used to give an object array of Tensors and x.grad = [60, 60, 60]
    w = np.array([10.0, 20.0, 30.0])
    x = Tensor(np.array([1.0, 2.0, 3.0]))
    product = w * x
    assert isinstance(product, Tensor)
    product.sum().backward()
    np.testing.assert_array_equal(x.grad, [10.0, 20.0, 30.0])

    xt = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    wt = torch.tensor(w)
    ((wt - xt) * (wt + xt) / (2.0 + xt)).sum().backward()
    x = Tensor(np.array([1.0, 2.0, 3.0]))
    out = ((w - x) * (w + x) / (2.0 + x)).sum()
    out.backward()
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-15)

    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    v = Tensor(np.array([[0.5], [-1.0]]))
    out = A @ v
    assert isinstance(out, Tensor)
    out.sum().backward()
    np.testing.assert_array_equal(v.grad, A.sum(axis=0)[:, None])


def test_a_number_divided_by_a_tensor_matches_torch():
    x = Tensor(np.array([0.5, 2.0, -4.0]))
    out = 2.0 / x
    out.sum().backward()
    xt = torch.tensor([0.5, 2.0, -4.0], dtype=torch.float64, requires_grad=True)
    (2.0 / xt).sum().backward()
    np.testing.assert_allclose(out.data, (2.0 / xt).detach().numpy(), rtol=1e-15)
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-15)


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1), (0, 2), (-1, -3), (1,)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_mean_over_any_axes_matches_torch(axis, keepdims):
    data = np.arange(24.0).reshape(2, 3, 4) ** 1.5
    x = Tensor(data)
    out = (x.mean(axis=axis, keepdims=keepdims) ** 2).sum()
    out.backward()
    xt = torch.tensor(data, requires_grad=True)
    dim = () if axis is None else axis
    reference = xt.mean() if axis is None else xt.mean(dim=dim, keepdim=keepdims)
    (reference**2).sum().backward()
    np.testing.assert_allclose(out.data, (reference**2).sum().item(), rtol=1e-14)
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-14)


@pytest.mark.parametrize("axis", [3, -4, (0, 3)])
def test_mean_and_sum_reject_an_axis_out_of_range_alike(axis):
    x = Tensor(np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match="out of bounds") as from_sum:
        x.sum(axis=axis)
    with pytest.raises(ValueError, match="out of bounds") as from_mean:
        x.mean(axis=axis)
    assert str(from_sum.value) == str(from_mean.value)


def test_jacobian_and_vjp_name_the_argument_of_bad_input():
    with pytest.raises(ValueError, match="point must have at least 1 entries"):
        jacobian(lambda v: [v[0]], [])
    with pytest.raises(ValueError, match="point contains NaN"):
        jacobian(lambda v: [v[0]], [math.nan])
    with pytest.raises(ValueError, match="point contains NaN"):
        vjp(lambda v: [v[0]], [math.nan], [1.0])
    with pytest.raises(TypeError, match=r"function must return a sequence of Dual.*got Dual"):
        jvp(lambda v: v[0] * v[1], [1.0, 2.0], [1.0, 0.0])
    with pytest.raises(TypeError, match=r"function must return a sequence of Values.*got Value"):
        vjp(lambda v: v[0] * v[1], [1.0, 2.0], [1.0])
