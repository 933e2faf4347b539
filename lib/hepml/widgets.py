"""Interactive demos that keep working on the static web page.

A demo is a slider over a handful of parameter values and one figure per value. The figures are
drawn in advance and stacked; the slider selects which one is shown through a browser-side link
(``ipywidgets.jslink``), so on the published page, with no kernel, moving the slider still
changes the figure. In a live kernel the figure for the selected value is redrawn by Python each
time the slider moves, so edits to the drawing function take effect.

Usage::

    def draw(sample_size):
        fig, ax = hepml.style.subplots()
        ...
        return fig

    hepml.widgets.frame_slider(draw, [2, 5, 10, 50], description="m")
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

#: More frames make the saved page heavier; a dozen PNGs of ~30 kB stays well under 1 MB.
MAX_FRAMES = 24


class FrameSlider(widgets.VBox):
    """A slider that flips between precomputed figures; build it with :func:`frame_slider`."""

    def __init__(self, draw: Callable[[object], Figure], values: Sequence, description: str):
        self._draw = draw
        self._values = list(values)
        self.slider = widgets.SelectionSlider(
            options=[(_label(value), index) for index, value in enumerate(self._values)],
            description=description,
            continuous_update=True,
        )
        self.frames = [
            widgets.Image(value=_render(draw, value), format="png") for value in self._values
        ]
        self.stack = widgets.Stack(children=self.frames, selected_index=0)
        self.link = widgets.jslink((self.slider, "index"), (self.stack, "selected_index"))
        self.slider.observe(self._redraw, names="index")
        super().__init__(children=[self.slider, self.stack])

    def _redraw(self, change: dict) -> None:
        index = change["new"]
        self.frames[index].value = _render(self._draw, self._values[index])

    def __repr__(self) -> str:
        # The text fallback is what nbval compares; keep it short and free of image bytes.
        return f"FrameSlider({self.slider.description}: {len(self._values)} frames)"


def frame_slider(
    draw: Callable[[object], Figure], values: Sequence, *, description: str = ""
) -> FrameSlider:
    """Build an interactive figure that works with and without a running kernel.

    Parameters
    ----------
    draw
        Function of one parameter value that returns a matplotlib figure. It is called once per
        value now, and again whenever the slider moves in a live kernel.
    values
        The parameter values the slider offers, 2 to :data:`MAX_FRAMES` of them.
    description
        Label shown next to the slider.

    Returns
    -------
    FrameSlider
        A widget; display it by making it the last expression of a cell.
    """
    if not callable(draw):
        raise TypeError(
            f"draw must be a function returning a matplotlib figure, got {type(draw).__name__}"
        )
    values = list(values)
    if not 2 <= len(values) <= MAX_FRAMES:
        raise ValueError(
            f"values must hold between 2 and {MAX_FRAMES} parameter values, got {len(values)}"
        )
    if not isinstance(description, str):
        raise TypeError(f"description must be a string, got {type(description).__name__}")
    return FrameSlider(draw, values, description)


def _render(draw: Callable[[object], Figure], value: object) -> bytes:
    figure = draw(value)
    if not isinstance(figure, Figure):
        raise TypeError(
            f"draw({value!r}) must return a matplotlib Figure, got {type(figure).__name__}"
        )
    buffer = io.BytesIO()
    # No metadata: the PNG bytes then depend only on the pixels.
    figure.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def _label(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
