"""Assertion helpers for exercise tests, with messages that tell a student what is wrong.

Like every checking helper of the package (:mod:`hepml.validation`), they take
``(value, name)``: the student's value first, then the name the message should use.

Tests in an exercise master (``solutions/NN-topic.ipynb``) are plain functions that raise
:class:`AssertionError` when an answer is wrong. Written with these helpers, the error says *what*
is wrong instead of showing a bare ``assert``::

    `mean_energy` is still `...`: replace the placeholder with your answer
    `eta_density` has shape (80,), expected (81,)
    `purity` is 0.14, expected 0.9459 within rel. 1e-06
    `eta_density` contains NaN at 1 of 81 entries
    `purity(0.2, 0.7, 0.01)` raised ZeroDivisionError: division by zero

Every helper returns the checked value (as a float or NumPy array) so a test can go on using it.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = [
    "call",
    "check_array",
    "check_defined",
    "check_scalar",
    "check_that",
    "describe_exception",
]


def describe_exception(error: BaseException) -> str:
    """Return ``"Type: last line of the message"``, the one line a student needs to see."""
    lines = [line for line in str(error).strip().splitlines() if line.strip()]
    return f"{type(error).__name__}: {lines[-1].strip()}" if lines else type(error).__name__


def check_defined(value: object, name: str) -> object:
    """Fail if ``value`` is missing (``None``) or still the ``...`` placeholder of the exercise.

    Parameters
    ----------
    value
        The student's value; tests receive ``None`` for a name the notebook never defined.
    name
        The variable's name, as the student wrote it.
    """
    if value is Ellipsis:
        raise AssertionError(f"`{name}` is still `...`: replace the placeholder with your answer")
    if value is None:
        raise AssertionError(
            f"`{name}` is not defined: run the cell that computes it "
            "(did that cell raise an error?)"
        )
    return value


def check_scalar(
    value: object,
    name: str,
    expected: float | None = None,
    *,
    rtol: float = 1e-6,
    atol: float = 0.0,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    """Check that ``value`` is one finite real number, optionally close to ``expected``.

    Parameters
    ----------
    value
        The student's answer. A 0-d or one-element array is accepted.
    name
        The variable's name, used in the message.
    expected
        The right answer, if the test knows it.
    rtol, atol
        Relative and absolute tolerance: passes if
        ``|value - expected| <= atol + rtol * |expected|``.
    minimum, maximum
        Allowed range (inclusive), if any: a cheap public test that does not reveal the answer.

    Returns
    -------
    float
        The value as a Python float.
    """
    check_defined(value, name)
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise AssertionError(f"`{name}` should be a real number, got {_kind(value)}")
    number = float(value)
    if np.isnan(number):
        raise AssertionError(f"`{name}` is NaN")
    if np.isinf(number):
        raise AssertionError(f"`{name}` is {number}, expected a finite number")
    if minimum is not None and number < minimum:
        raise AssertionError(f"`{name}` is {_short(number)}, expected at least {_short(minimum)}")
    if maximum is not None and number > maximum:
        raise AssertionError(f"`{name}` is {_short(number)}, expected at most {_short(maximum)}")
    if expected is not None and not abs(number - expected) <= atol + rtol * abs(expected):
        shown, wanted = _distinct(number, float(expected))
        raise AssertionError(
            f"`{name}` is {shown}, expected {wanted} within {_tolerance(rtol, atol)}"
        )
    return number


def check_array(
    value: object,
    name: str,
    expected: object | None = None,
    *,
    shape: tuple[int, ...] | None = None,
    rtol: float = 1e-6,
    atol: float = 0.0,
) -> np.ndarray:
    """Check that ``value`` is a finite real array of the right shape.

    Optionally check too that it is close to ``expected``.

    Parameters
    ----------
    value
        The student's answer: an array or anything :func:`numpy.asarray` turns into a real
        array.
    name
        The variable's name, used in the message.
    expected
        The right values, if the test knows them; its shape is then the required shape.
    shape
        Required shape when no ``expected`` is given.
    rtol, atol
        Tolerances as in :func:`numpy.isclose`, entry by entry.

    Returns
    -------
    numpy.ndarray
        The value as a float array.
    """
    check_defined(value, name)
    array = _real_array(value, name)
    if expected is not None:
        expected = np.asarray(expected, dtype=float)
        shape = expected.shape
    if shape is not None and array.shape != tuple(shape):
        raise AssertionError(f"`{name}` has shape {array.shape}, expected {tuple(shape)}")
    for label, bad in (("NaN", np.isnan(array)), ("an infinite value", np.isinf(array))):
        if bad.any():
            raise AssertionError(
                f"`{name}` contains {label} at {int(bad.sum())} of {array.size} entries"
            )
    if expected is not None:
        wrong = ~np.isclose(array, expected, rtol=rtol, atol=atol)
        if wrong.any():
            worst = np.unravel_index(
                np.argmax(np.where(wrong, np.abs(array - expected), -1.0)), array.shape
            )
            # plain ints: NumPy 2 would print a tuple of np.int64 as (np.int64(95), np.int64(1))
            index = (
                tuple(int(i) for i in worst) if len(worst) > 1 else int(worst[0]) if worst else ()
            )
            raise AssertionError(
                f"`{name}` differs from the expected values at {int(wrong.sum())} "
                f"of {array.size} entries "
                "(e.g. at index {}: {} instead of {}; tolerance {})".format(
                    index,
                    *_distinct(float(array[worst]), float(expected[worst])),
                    _tolerance(rtol, atol),
                )
            )
    return array


# Array kinds that NumPy would cast to float without complaint but that are not real numbers:
# a complex array keeps only its real part, booleans become 0 and 1, "1.5" becomes 1.5.
_NOT_REAL = {"c": "complex numbers", "b": "booleans", "U": "strings", "S": "bytes"}


def _real_array(value: object, name: str) -> np.ndarray:
    """``value`` as a float array, or an AssertionError naming ``name`` if it is not real."""
    try:
        raw = np.asarray(value)
        kind = _NOT_REAL.get(raw.dtype.kind)
        if kind is None and raw.dtype.kind == "O":
            entries = raw.ravel().tolist()
            if not all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in entries):
                kind = "entries that are not real numbers"
        if kind is None:
            return np.asarray(raw, dtype=float)
    except (TypeError, ValueError, RuntimeError):
        kind = None
    shown = f"an array of {kind}" if kind else _kind(value)
    raise AssertionError(f"`{name}` should be an array of real numbers, got {shown}")


def check_that(condition: object, message: str) -> None:
    """Fail with ``message`` unless ``condition`` is true (a readable ``assert``)."""
    if not bool(condition):
        raise AssertionError(message)


def call(function: object, name: str, *args: Any, **kwargs: Any) -> Any:
    """Call the student's ``function`` and turn any exception it raises into a one-line failure.

    Parameters
    ----------
    function
        The student's function.
    name
        The function's name, used in the message.
    *args, **kwargs
        Arguments of the call.
    """
    check_defined(function, name)
    if not callable(function):
        raise AssertionError(f"`{name}` should be a function, got {_kind(function)}")
    try:
        return function(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - the student's error is the message
        arguments = ", ".join(
            [*map(_short_repr, args), *(f"{k}={_short_repr(v)}" for k, v in kwargs.items())]
        )
        raise AssertionError(f"`{name}({arguments})` raised {describe_exception(error)}") from None


def _kind(value: object) -> str:
    return f"{type(value).__name__} {_short_repr(value)}"


def _short_repr(value: object) -> str:
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return _short(float(value))
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _short(number: float) -> str:
    return f"{number:.4g}"


def _distinct(value: float, expected: float) -> tuple[str, str]:
    """Both numbers with the fewest digits (at least 4) that show they differ.

    A float32 result checked against float64 at ``rtol=1e-8`` differs in the 8th digit; at 4
    digits the message would read "0.0123 instead of 0.0123".
    """
    for digits in range(4, 18):
        shown, wanted = f"{value:.{digits}g}", f"{expected:.{digits}g}"
        if shown != wanted:
            return shown, wanted
    return _short(value), _short(expected)


def _tolerance(rtol: float, atol: float) -> str:
    parts = ([f"rel. {rtol:g}"] if rtol else []) + ([f"abs. {atol:g}"] if atol else [])
    return " + ".join(parts) if parts else "exact equality"
