"""Interactive demos that keep working on the static web page.

A demo is a slider over a handful of parameter values and one figure per value. The figures are
drawn in advance and stacked; the slider selects which one is shown through a browser-side link
(``ipywidgets.jslink``), so on the published page, with no kernel, moving the slider still
changes the figure. In a live kernel the figure for the selected value is redrawn by Python each
time the slider moves, so edits to the drawing function take effect.

It works with ipywidgets 8 and 7 (Google Colab ships 7.7.1, and its frontend is built for it, so
``hepml`` must not require 8). ``ipywidgets.Stack`` exists only in 8: there the frames are stacked
and linked in the browser, which is what the static site embeds (the book is built with the
pinned 8.x). On 7 the widget shows one frame and swaps it from Python when the slider moves,
which needs the live kernel Colab always has.

Usage::

    def draw(sample_size):
        fig, ax = hepml.style.subplots()
        ...
        return fig

    hepml.widgets.frame_slider(draw, [2, 5, 10, 50], description="m")

Screen readers: each frame is an ``<img>`` whose ``alt`` text names the value it was drawn for
(``alt=`` describes it better, e.g. ``alt="Histogram of {value} sample means"``); only the frame
shown is visible, so the text read out follows the slider. The frames are ``ipywidgets.HTML``
images rather than ``ipywidgets.Image``: the widget manager of the static site (html-manager
1.0.15) stops rendering an ``Image`` given a ``tooltip``, and an ``Image`` has no other way to
carry a text alternative. The site (``book/_ext/hepml_site.py``) also names the slider's handle
after its description and makes it announce the value shown rather than its position.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

#: More frames make the saved page heavier; a dozen PNGs of ~30 kB stays well under 1 MB.
MAX_FRAMES = 24


class FrameSlider(widgets.VBox):
    """A slider that flips between precomputed figures; build it with :func:`frame_slider`."""

    def __init__(
        self,
        draw: Callable[[object], Figure],
        values: Sequence,
        description: str,
        alt: str | Callable[[object], str] | None = None,
    ):
        self._draw = draw
        self._values = list(values)
        self._alt = alt
        self.slider = widgets.SelectionSlider(
            options=[(_label(value), index) for index, value in enumerate(self._values)],
            description=description,
            continuous_update=True,
        )
        #: The PNG bytes of each frame, as drawn last.
        self.pngs = [_render(draw, value) for value in self._values]
        self.frames = [
            widgets.HTML(value=_image_html(png, self.alt_text(index)))
            for index, png in enumerate(self.pngs)
        ]
        stack = getattr(widgets, "Stack", None)  # ipywidgets >= 8
        self.link: widgets.Link | None
        if stack is not None:
            self.stack = stack(children=self.frames, selected_index=0)
            self.link = widgets.jslink((self.slider, "index"), (self.stack, "selected_index"))
        else:
            self.stack = widgets.Box(children=[self.frames[0]])
            self.link = None
        self.slider.observe(self._redraw, names="index")
        super().__init__(children=[self.slider, self.stack])

    @property
    def shown(self) -> widgets.HTML:
        """The frame the slider currently selects."""
        return self.frames[self.slider.index]

    def alt_text(self, index: int) -> str:
        """The text alternative of frame ``index``: it names the value the frame shows."""
        value = self._values[index]
        if callable(self._alt):
            text = self._alt(value)
            if not isinstance(text, str) or not text.strip():
                raise TypeError(f"alt({value!r}) must return a non-empty string, got {text!r}")
            return text
        if isinstance(self._alt, str):
            return self._alt.replace("{value}", _label(value))
        what = self.slider.description or "value"
        return f"Figure for {what} = {_label(value)} ({index + 1} of {len(self._values)})"

    def _redraw(self, change: dict) -> None:
        index = change["new"]
        self.pngs[index] = _render(self._draw, self._values[index])
        self.frames[index].value = _image_html(self.pngs[index], self.alt_text(index))
        if self.link is None:  # ipywidgets 7: no browser-side stack, swap the frame shown
            self.stack.children = [self.frames[index]]

    def __repr__(self) -> str:
        # The text fallback is what nbval compares; keep it short and free of image bytes.
        return f"FrameSlider({self.slider.description}: {len(self._values)} frames)"


def frame_slider(
    draw: Callable[[object], Figure],
    values: Sequence,
    *,
    description: str = "",
    alt: str | Callable[[object], str] | None = None,
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
        Label shown next to the slider; it also names the slider for screen readers.
    alt
        Text alternative of each frame, read out instead of the picture: a string in which
        ``{value}`` is replaced by the frame's value as the slider shows it, e.g. ``"Histogram
        of the means of samples of size {value}"``, or a function of the value returning the
        text. By default ``"Figure for <description> = <value> (<i> of <n>)"``.

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
    if alt is not None and not callable(alt):
        if not isinstance(alt, str):
            raise TypeError(f"alt must be a string or a function, got {type(alt).__name__}")
        if "{value}" not in alt:
            raise ValueError(
                "alt must contain '{value}', so that the text names the frame shown, "
                f"got {alt!r}"
            )
    return FrameSlider(draw, values, description, alt)


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


def _image_html(png: bytes, alt: str) -> str:
    """An ``<img>`` of the PNG with its text alternative, at its own size or the column's."""
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
        f'width="{width}" height="{height}" style="max-width: 100%; height: auto">'
    )


def _label(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
