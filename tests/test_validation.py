import numpy as np
import pytest

from hepml.validation import check_array, check_int, check_real


def test_check_int_accepts_numpy_integers():
    assert check_int(np.int64(3), "n", minimum=1) == 3


@pytest.mark.parametrize("value", [2.0, "3", True, None])
def test_check_int_rejects_non_integers_naming_the_argument(value):
    with pytest.raises(TypeError, match="n_events must be an integer"):
        check_int(value, "n_events")


def test_check_int_enforces_minimum():
    with pytest.raises(ValueError, match=r"n must be >= 1, got 0"):
        check_int(0, "n", minimum=1)


def test_check_real_range_and_finiteness():
    assert check_real(0.5, "p", minimum=0, maximum=1) == 0.5
    with pytest.raises(ValueError, match="p must be <= 1"):
        check_real(1.5, "p", maximum=1)
    with pytest.raises(ValueError, match="sigma must be > 0"):
        check_real(0.0, "sigma", minimum=0.0, strict_minimum=True)
    with pytest.raises(ValueError, match="must be finite"):
        check_real(float("nan"), "x")
    with pytest.raises(TypeError, match="x must be a real number"):
        check_real("1", "x")


def test_check_array_shape_and_values():
    assert check_array([[1, 2]], "a", ndim=2).shape == (1, 2)
    with pytest.raises(ValueError, match=r"a must be 2-dimensional, got shape \(2,\)"):
        check_array([1, 2], "a", ndim=2)
    with pytest.raises(ValueError, match="a contains NaN"):
        check_array([1, np.nan], "a")
    with pytest.raises(ValueError, match="at least 3 entries"):
        check_array([1, 2], "a", min_length=3)
    with pytest.raises(TypeError, match="a must be an array of real numbers"):
        check_array(["x", "y"], "a")


def test_check_array_columns():
    assert check_array([[1, 2, 3]], "X", ndim=2, columns=3).shape == (1, 3)
    with pytest.raises(ValueError, match=r"X must have 2 columns, got shape \(1, 3\)"):
        check_array([[1, 2, 3]], "X", ndim=2, columns=2)
    with pytest.raises(ValueError, match=r"X must have 2 columns, got shape \(3,\)"):
        check_array([1, 2, 3], "X", columns=2)
