"""The house plotting style: one look for every figure of the course.

Figures have an opaque white background (readable on the book's dark theme too), a size that fits
the page column, and the Okabe-Ito colour-blind-safe palette.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt

#: Okabe & Ito (2008) colours, distinguishable with the common forms of colour blindness.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}

#: Width of the book's text column in inches at the style's resolution.
PAGE_WIDTH = 7.0

#: Signal and background colours used consistently across chapters.
SIGNAL_COLOR = PALETTE["blue"]
BACKGROUND_COLOR = PALETTE["orange"]

HOUSE_STYLE = {
    "figure.figsize": (PAGE_WIDTH, 3.6),
    "figure.dpi": 90,
    "savefig.dpi": 90,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "figure.constrained_layout.use": True,
    "axes.prop_cycle": mpl.cycler(color=list(PALETTE.values())),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "image.cmap": "viridis",
    # Embedding figure metadata would put the library version into stored outputs.
    "svg.hashsalt": "hepml",
}


def use_house_style() -> None:
    """Apply the course's matplotlib style to every figure made afterwards."""
    mpl.rcParams.update(HOUSE_STYLE)


def figure_size(
    rows: int = 1, columns: int = 1, *, row_height: float = 3.2
) -> tuple[float, float]:
    """Return a figure size that fits the page for a grid of panels.

    Parameters
    ----------
    rows, columns
        Number of panels down and across (matplotlib's order). The width is always the page
        width, so more columns make narrower panels.
    row_height
        Height of one row of panels in inches.
    """
    if columns < 1 or rows < 1:
        raise ValueError(f"rows and columns must be >= 1, got rows={rows}, columns={columns}")
    return (PAGE_WIDTH, row_height * rows)


def subplots(rows: int = 1, columns: int = 1, **kwargs):
    """Create a figure and axes in the house style that fit the page; see :func:`figure_size`.

    ``rows`` and ``columns`` come in :func:`matplotlib.pyplot.subplots`' order; other keyword
    arguments are passed on to it.
    """
    use_house_style()
    kwargs.setdefault("figsize", figure_size(rows, columns))
    return plt.subplots(rows, columns, **kwargs)
