"""Numbers in a lecture's prose, taken from the code that computes them.

:func:`glue` stores a value in the cell's output under a name; the markdown then shows it with
the myst-nb role ``{glue:text}`name` `` when the book is built from the stored outputs. nbval
compares the stored text of every glued value, so a number in the prose cannot go stale unnoticed.
Where myst-nb is not installed (Colab), :func:`glue` does nothing.
"""

from __future__ import annotations

import importlib
from typing import Any


def glue(name: str, value: Any, display: bool = False) -> None:
    """Store ``value`` under ``name`` for the book's prose (myst-nb ``glue``).

    Parameters
    ----------
    name
        A non-empty identifier, unique in the notebook, that the markdown refers to.
    value
        What to store; its ``text/plain`` representation is what nbval compares and the page
        shows. Pass a formatted string (``f"{x:.2f}"``) to fix the digits.
    display
        Also show the value in the cell's output.

    Raises
    ------
    TypeError
        If ``name`` is not a string or ``display`` is not a bool.
    ValueError
        If ``name`` is not a valid identifier.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    if not name.isidentifier():
        raise ValueError(f"name must be an identifier such as 'posterior_mode', got {name!r}")
    if not isinstance(display, bool):
        raise TypeError(f"display must be True or False, got {type(display).__name__}")
    try:
        myst_nb = importlib.import_module("myst_nb")
    except ImportError:
        return
    myst_nb.glue(name, value, display=display)
