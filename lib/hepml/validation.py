"""Argument checks shared by the functions students call.

Each check takes ``(value, name)``, returns the value in a normalised form, and raises a
:class:`TypeError` or :class:`ValueError` whose message names the argument and says what was
expected, so a wrong call fails loudly instead of returning a silently wrong answer. Public
functions of the package validate with these and then call a private function that computes
(scikit-learn's pattern), so no check or formula is written twice.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np


def check_int(value: object, name: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as an ``int`` after checking its type and lower bound.

    Parameters
    ----------
    value
        The argument to check. Booleans are rejected even though they are integers in Python.
    name
        The argument's name, used in the error message.
    minimum
        Smallest allowed value, if any.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_real(
    value: object,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_minimum: bool = False,
) -> float:
    """Return ``value`` as a finite ``float`` after checking its type and range.

    Parameters
    ----------
    value
        The argument to check.
    name
        The argument's name, used in the error message.
    minimum, maximum
        Allowed range (inclusive), if any.
    strict_minimum
        If true, ``value`` must be strictly greater than ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None:
        if strict_minimum and value <= minimum:
            raise ValueError(f"{name} must be > {minimum}, got {value}")
        if value < minimum:
            raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_array(
    value: object,
    name: str,
    *,
    ndim: int | None = None,
    columns: int | None = None,
    min_length: int = 0,
    finite: bool = True,
) -> np.ndarray:
    """Return ``value`` as a float NumPy array after checking its dimensions and contents.

    Parameters
    ----------
    value
        Anything :func:`numpy.asarray` accepts that holds real numbers (booleans count as 0
        and 1). Complex numbers, strings and ``None`` are rejected, not cast.
    name
        The argument's name, used in the error message.
    ndim
        Required number of dimensions, if any.
    columns
        Required length of the second axis (e.g. the number of features), if any.
    min_length
        Smallest allowed length of the first axis.
    finite
        If true, NaN and infinite entries are rejected.
    """
    try:
        raw = value if isinstance(value, np.ndarray) else np.asarray(value)
    except (TypeError, ValueError) as error:  # e.g. rows of different lengths
        raise TypeError(
            f"{name} must be an array of real numbers, got {type(value).__name__}"
        ) from error
    if raw.dtype.kind == "O" and any(v is None for v in raw.flat):
        raise ValueError(f"{name} contains None: remove or fill in the missing entries")
    if raw.dtype.kind in "cUSO" and not (
        raw.dtype.kind == "O" and all(isinstance(v, numbers.Real) for v in raw.flat)
    ):
        # complex numbers would lose their imaginary part and strings would be parsed: a
        # wrong kind of input is an error, never cast silently
        kind = "complex numbers" if raw.dtype.kind == "c" else f"{raw.dtype} values"
        raise TypeError(f"{name} must be an array of real numbers, got {kind}")
    try:
        array = np.asarray(raw, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name} must be an array of real numbers, got {type(value).__name__}"
        ) from error
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {array.shape}")
    if columns is not None and (array.ndim < 2 or array.shape[1] != columns):
        raise ValueError(f"{name} must have {columns} columns, got shape {array.shape}")
    if array.ndim > 0 and array.shape[0] < min_length:
        raise ValueError(
            f"{name} must have at least {min_length} entries along axis 0, got {array.shape[0]}"
        )
    if finite and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def check_labels(value: object, name: str) -> np.ndarray:
    """Return binary class labels (0 background, 1 signal) as an integer array.

    Parameters
    ----------
    value
        A 1-dimensional array with at least one entry, holding only 0 and 1.
    name
        The argument's name, used in the error message.
    """
    labels = check_array(value, name, ndim=1, min_length=1)
    if not np.all((labels == 0) | (labels == 1)):
        raise ValueError(f"{name} must contain only 0 and 1")
    return labels.astype(int)


def check_class_labels(value: object, name: str) -> np.ndarray:
    """Return class labels of any kind (numbers, strings, booleans) as a 1-dimensional array.

    Parameters
    ----------
    value
        A 1-dimensional sequence with at least one entry. ``None``, NaN and infinite entries
        are rejected: they are missing values, not classes (``np.unique`` would count every
        NaN as a class of its own, and ``None`` cannot be sorted with numbers).
    name
        The argument's name, used in the error message.
    """
    labels = np.asarray(value)
    if labels.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got shape {labels.shape}")
    if len(labels) == 0:
        raise ValueError(f"{name} must have at least 1 entries along axis 0, got 0")
    if labels.dtype.kind == "c":
        raise TypeError(f"{name} must hold real numbers or class names, got complex numbers")
    if labels.dtype.kind == "O":
        if any(label is None for label in labels):
            raise ValueError(f"{name} contains None: remove or label the missing entries")
        numbers_only = all(isinstance(label, numbers.Real) for label in labels)
        if numbers_only:
            labels = labels.astype(float)
    if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return labels


def check_index_array(value: object, name: str, size: int) -> np.ndarray:
    """Return integer indices into ``range(size)``, rejecting fractional or out-of-range ones.

    Parameters
    ----------
    value
        A non-empty 1-dimensional sequence of whole numbers (floats such as ``2.0`` are
        accepted, ``2.5`` is not: it would be truncated silently).
    name
        The argument's name, used in the error message.
    size
        Number of entries the indices point into.
    """
    array = np.asarray(value)
    if array.ndim != 1 or len(array) == 0:
        raise ValueError(
            f"{name} must be a non-empty 1-dimensional index array, got {array.shape}"
        )
    if array.dtype.kind not in "iuf" or (
        array.dtype.kind == "f" and not np.all(np.isfinite(array) & (array == np.round(array)))
    ):
        raise ValueError(f"{name} must hold integer indices, got {array.dtype} values")
    if np.any((array < 0) | (array >= size)):
        raise ValueError(f"{name} must hold indices into range({size})")
    return array.astype(np.intp)


def check_consistent_length(arrays: Sequence[np.ndarray], names: Sequence[str]) -> None:
    """Raise a :class:`ValueError` unless every array has the same length as the first.

    Parameters
    ----------
    arrays
        Arrays with one entry (or row) per example.
    names
        Their argument names, in the same order.
    """
    first = len(arrays[0])
    for array, name in zip(arrays[1:], names[1:]):
        if len(array) != first:
            raise ValueError(
                f"{name} must have one entry per example of {names[0]} ({first}), got {len(array)}"
            )


def check_xy(
    X: object,
    y: object,
    *,
    names: tuple[str, str] = ("X", "y"),
    labels: bool = False,
    finite_y: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Check a data set: features ``(n_samples, n_features)`` and one target per sample.

    Parameters
    ----------
    X, y
        Features and targets.
    names
        Argument names used in the error messages.
    labels
        If true, ``y`` must hold binary class labels (see :func:`check_labels`).
    finite_y
        If false, ``y`` may be any 1-dimensional array of class labels, e.g. class names (see
        :func:`check_class_labels`).

    Returns
    -------
    tuple
        ``X`` as a float array and ``y`` as an array (integer labels if ``labels``).
    """
    X = check_array(X, names[0], ndim=2, min_length=1)
    if labels:
        y = check_labels(y, names[1])
    elif finite_y:
        y = check_array(y, names[1], ndim=1)
    else:
        y = check_class_labels(y, names[1])
    check_consistent_length([X, y], names)
    return X, y


def check_targets(
    y_true: object, y_pred: object, *, names: tuple[str, str] = ("y_true", "y_pred")
) -> tuple[np.ndarray, np.ndarray]:
    """Check a pair of 1-dimensional arrays of the same shape, e.g. truth and prediction."""
    y_true = check_array(y_true, names[0], ndim=1, min_length=1)
    y_pred = check_array(y_pred, names[1], ndim=1)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same shape, "
            f"got {y_true.shape} and {y_pred.shape}"
        )
    return y_true, y_pred


def check_callable(value: object, name: str, what: str = "a function") -> object:
    """Return ``value`` if it can be called; ``what`` describes the expected function."""
    if not callable(value):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")
    return value


def check_shape(value: int | tuple[int, ...], name: str) -> tuple[int, ...]:
    """Return an array shape from one positive integer or a tuple of them."""
    if isinstance(value, tuple):
        return tuple(
            check_int(length, f"{name}[{i}]", minimum=1) for i, length in enumerate(value)
        )
    return (check_int(value, name, minimum=1),)


def check_interval(
    value: object, name: str, *, minimum: float | None = None
) -> tuple[float, float]:
    """Return ``(low, high)`` from a tuple of two real numbers with ``minimum <= low < high``."""
    if not (isinstance(value, tuple) and len(value) == 2):
        raise TypeError(f"{name} must be a tuple (low, high), got {value!r}")
    low = check_real(value[0], f"{name}[0]", minimum=minimum)
    high = check_real(value[1], f"{name}[1]")
    if high <= low:
        raise ValueError(f"{name} must have low < high, got {value!r}")
    return low, high
