"""Numbers in the prose: glue a computed value so the text shows what the code printed.

A number that a lecture states in a markdown cell must come from the code, or it goes stale
when the code changes. :func:`glue` stores a value in the notebook's outputs under a name; the
markdown then shows it with the MyST role ``{glue:text}`name:.3g``` (the part after the colon
is a Python format specification). The book renders the stored outputs, and nbval compares the
stored value's text with a fresh run, so a glued number cannot drift unnoticed. Glue rounded
Python numbers (``round(x, 3)``, ``int(n)``), not NumPy scalars, whose repr differs between
NumPy versions.
"""

from __future__ import annotations

from typing import Any


def glue(name: str, value: Any, display: bool = False) -> None:
    """Store ``value`` under ``name`` for the prose of a Jupyter Book page.

    Calls :func:`myst_nb.glue` when myst-nb is installed (locally, on Binder); without it
    (for example on Colab) it does nothing, so the notebook still runs.

    Parameters
    ----------
    name
        Name used in the markdown role ``{glue:text}`name```; a non-empty identifier.
    value
        The value to show, typically a rounded float, an int or a short string.
    display
        Whether to also show the value as the cell's output (myst-nb's ``display``).

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
        raise ValueError(f"name must be an identifier such as 'best_degree', got {name!r}")
    if not isinstance(display, bool):
        raise TypeError(f"display must be True or False, got {type(display).__name__}")
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return
    myst_glue(name, value, display=display)
