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


def test_check_xy_names_the_argument_that_is_wrong():
    from hepml.validation import check_xy

    X, y = check_xy([[1, 2], [3, 4]], [0, 1], labels=True)
    assert X.dtype == float and y.dtype.kind == "i"
    with pytest.raises(ValueError, match="X must be 2-dimensional"):
        check_xy([1, 2], [0, 1])
    with pytest.raises(ValueError, match=r"y_val must have one entry per example of X_val \(2\)"):
        check_xy(np.ones((2, 3)), np.ones(3), names=("X_val", "y_val"))
    with pytest.raises(ValueError, match="y must contain only 0 and 1"):
        check_xy(np.ones((2, 3)), [0, 2], labels=True)
    classes = check_xy(np.ones((2, 1)), ["signal", "background"], finite_y=False)[1]
    assert list(classes) == ["signal", "background"]


def test_pair_interval_shape_and_callable_checks():
    from hepml.validation import check_callable, check_interval, check_shape, check_targets

    with pytest.raises(ValueError, match=r"y_true and y_pred must have the same shape"):
        check_targets([1.0, 2.0], [1.0])
    assert check_interval((10, 100.0), "pt_range", minimum=0.0) == (10.0, 100.0)
    with pytest.raises(ValueError, match="pt_range must have low < high"):
        check_interval((5.0, 5.0), "pt_range")
    with pytest.raises(TypeError, match=r"pt_range must be a tuple \(low, high\)"):
        check_interval([1.0, 2.0], "pt_range")
    assert check_shape((3, 4), "size") == (3, 4) and check_shape(5, "size") == (5,)
    with pytest.raises(TypeError, match="fit must be a function"):
        check_callable(3, "fit")
