"""The kernels of hepml.methods.kernels against sklearn.metrics.pairwise."""

import numpy as np
import pytest
from sklearn.metrics import pairwise

from hepml.methods import kernels


@pytest.fixture(scope="module")
def points():
    rng = np.random.default_rng(5)
    return rng.normal(size=(60, 3)) * [1.0, 3.0, 0.5], rng.normal(size=(25, 3))


@pytest.mark.parametrize("gamma", [None, 0.05, 1.0, 7.0])
def test_rbf_gram_matrix_equals_sklearn(points, gamma):
    X, Y = points
    np.testing.assert_allclose(
        kernels.rbf_kernel(X, Y, gamma=gamma),
        pairwise.rbf_kernel(X, Y, gamma=gamma),
        rtol=0,
        atol=1e-12,
    )
    square = kernels.rbf_kernel(X, gamma=gamma)
    np.testing.assert_allclose(square, pairwise.rbf_kernel(X, gamma=gamma), rtol=0, atol=1e-12)
    assert np.all(np.diag(square) == 1.0)
    assert np.array_equal(square, square.T)


def test_rbf_default_gamma_is_one_and_none_means_one_over_the_number_of_features(points):
    X, Y = points
    np.testing.assert_allclose(
        kernels.rbf_kernel(X, Y), pairwise.rbf_kernel(X, Y, gamma=1.0), rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(
        kernels.rbf_kernel(X, Y, gamma=None),
        np.exp(-((X[:, None, :] - Y[None, :, :]) ** 2).sum(axis=2) / 3),
        rtol=0,
        atol=1e-12,
    )


@pytest.mark.parametrize(
    ("degree", "gamma", "coef0"), [(1, None, 0.0), (2, 0.5, 1.0), (3, None, 1.0), (4, 2.0, 0.3)]
)
def test_polynomial_gram_matrix_equals_sklearn(points, degree, gamma, coef0):
    X, Y = points
    ours = kernels.polynomial_kernel(X, Y, degree=degree, gamma=gamma, coef0=coef0)
    reference = pairwise.polynomial_kernel(X, Y, degree=degree, gamma=gamma, coef0=coef0)
    np.testing.assert_allclose(ours, reference, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        kernels.polynomial_kernel(X, degree=degree, gamma=gamma, coef0=coef0),
        pairwise.polynomial_kernel(X, degree=degree, gamma=gamma, coef0=coef0),
        rtol=1e-12,
        atol=1e-12,
    )


def test_quadratic_kernel_is_the_inner_product_of_the_monomial_features():
    # (x . y + 1)^2 in 2-d is phi(x) . phi(y) with
    # phi = (1, sqrt2 x1, sqrt2 x2, x1^2, x2^2, sqrt2 x1 x2): the kernel trick, checked.
    rng = np.random.default_rng(6)
    X = rng.normal(size=(10, 2))

    def phi(x):
        r2 = np.sqrt(2)
        return np.column_stack(
            [np.ones(len(x)), r2 * x[:, 0], r2 * x[:, 1], x[:, 0] ** 2, x[:, 1] ** 2,
             r2 * x[:, 0] * x[:, 1]]
        )  # fmt: skip

    np.testing.assert_allclose(
        kernels.polynomial_kernel(X, degree=2, gamma=1.0, coef0=1.0),
        phi(X) @ phi(X).T,
        rtol=1e-12,
    )


def test_rbf_gram_matrix_is_positive_semidefinite(points):
    X, _ = points
    assert np.linalg.eigvalsh(kernels.rbf_kernel(X, gamma=0.3)).min() > -1e-10


def test_bad_input_gets_a_clear_error(points):
    X, Y = points
    with pytest.raises(ValueError, match="Y must have as many columns"):
        kernels.rbf_kernel(X, Y[:, :2])
    with pytest.raises(ValueError, match="gamma must be > 0"):
        kernels.rbf_kernel(X, gamma=0.0)
    with pytest.raises(ValueError, match="X must be 2-dimensional"):
        kernels.polynomial_kernel(X[:, 0])
    with pytest.raises(ValueError, match="degree must be >= 1"):
        kernels.polynomial_kernel(X, degree=0)
    with pytest.raises(TypeError, match="degree must be an integer"):
        kernels.polynomial_kernel(X, degree=2.5)
    with pytest.raises(ValueError, match="X contains NaN"):
        kernels.rbf_kernel(np.array([[np.nan, 1.0]]))
