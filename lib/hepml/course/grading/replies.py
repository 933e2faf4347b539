"""What the grader accepts from a submission's worker process: plain data of known shape.

A worker runs student code, so every reply is hostile until checked: :class:`SafeUnpickler`
builds only plain data (numbers, strings, containers, NumPy arrays), and :func:`checked` accepts
only a tuple whose tag is in :data:`REPLIES` with fields of the declared types. Anything else
raises :class:`WorkerDied`, which :mod:`hepml.course.grading.session` turns into a reason on the
submission's row.
"""

from __future__ import annotations

import pickle

#: Largest reply read from a worker, in bytes.
MAX_REPLY_BYTES = 80 * 2**20
#: Longest text (a cell's error, a kind of value) kept from a reply.
MAX_TEXT = 2000

#: Each reply a worker may send: its tag and the types of the fields that follow.
REPLIES = {
    "warm": (),
    "forked": (),
    "clean": (),
    "cells": (int,),
    "cell": (int,),
    "cell_done": (int, (str, type(None))),
    "ready": (),
    "value": (object,),
    "callable": (),
    "undefined": (),
    "unsupported": (str,),
    "raised": (str,),
    "too_large": (int,),
}


def checked(message: object, allowed: set[str]) -> tuple:
    """``message`` if it is a well-formed reply with one of the ``allowed`` tags.

    Strings in it are cut to :data:`MAX_TEXT` characters.

    Raises
    ------
    WorkerDied
        If the reply is not a tuple of a known tag and fields of the declared types.
    """
    if type(message) is not tuple or not message or type(message[0]) is not str:
        raise WorkerDied("the submission's process sent a malformed reply")
    tag = message[0]
    fields = REPLIES.get(tag)
    if tag not in allowed or fields is None or len(message) != len(fields) + 1:
        raise WorkerDied("the submission's process sent a malformed reply")
    values = []
    for value, kind in zip(message[1:], fields):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if kind is not object and type(value) not in kinds:
            raise WorkerDied("the submission's process sent a malformed reply")
        if type(value) is str:  # valid UTF-8 whatever the worker sent (lone surrogates)
            value = value[:MAX_TEXT].encode("utf-8", "backslashreplace").decode("utf-8")
        values.append(value)
    return (tag, *values)


class SafeUnpickler(pickle.Unpickler):
    """Build only plain data: numbers, strings, containers, NumPy arrays and scalars."""

    ALLOWED = {
        ("builtins", "complex"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "slice"),
        ("builtins", "range"),
        ("builtins", "bytearray"),
        ("builtins", "Ellipsis"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.numeric", "_frombuffer"),
        ("copyreg", "_reconstructor"),
    }

    def find_class(self, module: str, name: str):
        if (module, name) in self.ALLOWED or (module == "numpy.dtypes" and name.endswith("DType")):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refused to build {module}.{name}")


class WorkerDied(Exception):
    """The worker ended, hung, or sent something the grader does not accept."""


class OutOfTime(WorkerDied):
    """The submission's total time limit ran out."""
