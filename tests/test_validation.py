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


def test_check_class_labels_rejects_missing_values_and_keeps_names():
    from hepml.validation import check_class_labels

    assert list(check_class_labels(["b", "light"], "y")) == ["b", "light"]
    np.testing.assert_array_equal(check_class_labels(np.array([0, 2, 1]), "y"), [0, 2, 1])
    with pytest.raises(ValueError, match="y contains NaN or infinite values"):
        check_class_labels([0.0, np.nan, 1.0], "y")  # np.unique would make NaN a class
    with pytest.raises(ValueError, match="labels contains None"):
        check_class_labels([0, None, 1], "labels")  # np.unique raised a TypeError about '<'
    with pytest.raises(ValueError, match=r"y must be 1-dimensional, got shape \(\)"):
        check_class_labels(1, "y")
    with pytest.raises(ValueError, match="y must have at least 1 entries"):
        check_class_labels([], "y")
    with pytest.raises(TypeError, match="y must hold real numbers or class names"):
        check_class_labels([1 + 1j, 0j], "y")


def test_check_index_array_rejects_fractional_and_out_of_range_indices():
    from hepml.validation import check_index_array

    indices = check_index_array([0, 2.0, 1], "bootstraps[0]", 3)
    assert indices.dtype == np.intp and list(indices) == [0, 2, 1]
    with pytest.raises(ValueError, match=r"bootstraps\[1\] must hold integer indices"):
        check_index_array([0.5, 1.7], "bootstraps[1]", 3)  # was truncated to [0, 1]
    with pytest.raises(ValueError, match=r"must hold indices into range\(3\)"):
        check_index_array([0, 3], "b", 3)
    with pytest.raises(ValueError, match="b must be a non-empty 1-dimensional index array"):
        check_index_array([], "b", 3)


def test_check_array_never_casts_a_wrong_kind_silently():
    # np.asarray(..., dtype=float) drops an imaginary part with only a warning and parses
    # strings; None became NaN and was reported as NaN
    with pytest.raises(TypeError, match="w must be an array of real numbers, got complex"):
        check_array(np.array([1 + 2j, 2 + 0j]), "w")
    with pytest.raises(TypeError, match="w must be an array of real numbers, got <U1"):
        check_array(["1", "0"], "w")
    with pytest.raises(ValueError, match="w contains None"):
        check_array([1.0, None], "w", finite=False)
    with pytest.raises(TypeError, match="w must be an array of real numbers, got list"):
        check_array([[1.0, 2.0], [3.0]], "w")
    np.testing.assert_array_equal(check_array([True, False], "mask"), [1.0, 0.0])
    np.testing.assert_array_equal(check_array(np.array([1, 2.5], dtype=object), "a"), [1, 2.5])
