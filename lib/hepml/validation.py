"""Argument checks shared by the functions students call.

Each check raises a :class:`TypeError` or :class:`ValueError` whose message names the argument and
says what was expected, so a wrong call fails loudly instead of returning a silently wrong answer.
"""

from __future__ import annotations

import numbers

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
        Anything :func:`numpy.asarray` accepts that holds real numbers.
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
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an array of real numbers, got {type(value).__name__}") from error
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {array.shape}")
    if columns is not None and (array.ndim < 2 or array.shape[1] != columns):
        raise ValueError(f"{name} must have {columns} columns, got shape {array.shape}")
    if array.ndim > 0 and array.shape[0] < min_length:
        raise ValueError(f"{name} must have at least {min_length} entries along axis 0, got {array.shape[0]}")
    if finite and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array
