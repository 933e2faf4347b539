import base64
import re

import pytest

from hepml import style, widgets


def _draw(value):
    fig, ax = style.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [0, value])
    return fig


def test_frame_slider_precomputes_one_png_per_value():
    demo = widgets.frame_slider(_draw, [1, 2, 3], description="slope")
    assert len(demo.frames) == 3
    assert all(png.startswith(b"\x89PNG") for png in demo.pngs)
    assert len(set(demo.pngs)) == 3
    # each frame shows its own PNG
    assert [_image(frame)[0] for frame in demo.frames] == demo.pngs
    assert [label for label, _ in demo.slider.options] == ["1", "2", "3"]


def test_slider_is_linked_to_the_frames_in_the_browser():
    demo = widgets.frame_slider(_draw, [1, 2], description="slope")
    assert demo.link.source == (demo.slider, "index")
    assert demo.link.target == (demo.stack, "selected_index")
    assert (
        demo.link.get_state()["_model_name"] == "LinkModel"
    )  # a browser-side link, not a Python one


def test_moving_the_slider_in_a_live_kernel_redraws_the_frame():
    calls = []

    def draw(value):
        calls.append(value)
        return _draw(value)

    demo = widgets.frame_slider(draw, [1, 2, 3])
    demo.slider.index = 2
    assert calls == [1, 2, 3, 3]


def test_repr_is_short_and_stable():
    demo = widgets.frame_slider(_draw, [0.5, 1.0], description="a")
    assert repr(demo) == "FrameSlider(a: 2 frames)"


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"draw": "not a function", "values": [1, 2]}, TypeError, "draw must be a function"),
        ({"draw": _draw, "values": [1]}, ValueError, "between 2 and"),
        ({"draw": lambda v: None, "values": [1, 2]}, TypeError, "must return a matplotlib Figure"),
        (
            {"draw": _draw, "values": [1, 2], "description": 3},
            TypeError,
            "description must be a string",
        ),
    ],
)
def test_bad_input_raises_a_clear_error(kwargs, error, message):
    with pytest.raises(error, match=message):
        widgets.frame_slider(**kwargs)


def test_without_stack_as_on_ipywidgets_7_the_kernel_swaps_the_frame(monkeypatch):
    # ipywidgets 7 (Colab) has no Stack: the widget shows one frame and swaps it in Python.
    # tests/book/test_colab.py repeats this with the real ipywidgets 7.7.1.
    import ipywidgets

    monkeypatch.delattr(ipywidgets, "Stack")
    demo = widgets.frame_slider(_draw, [1, 2, 3], description="slope")
    assert demo.link is None
    assert list(demo.stack.children) == [demo.frames[0]]
    demo.slider.index = 2
    assert list(demo.stack.children) == [demo.frames[2]]
    assert demo.shown is demo.frames[2]
    assert demo.shown.value != demo.frames[0].value
    assert _image(demo.shown)[1] == "Figure for slope = 3 (3 of 3)"


def test_with_stack_the_shown_frame_follows_the_slider():
    demo = widgets.frame_slider(_draw, [1, 2, 3])
    assert list(demo.stack.children) == demo.frames
    demo.slider.index = 1
    assert demo.shown is demo.frames[1]


def _image(frame) -> tuple[bytes, str]:
    """The PNG bytes and the alt text of a frame's <img>."""
    match = re.fullmatch(
        r'<img src="data:image/png;base64,([^"]+)" alt="([^"]*)" width="\d+" height="\d+" [^>]*>',
        frame.value,
    )
    assert match, frame.value[:80]
    return base64.b64decode(match.group(1)), match.group(2)


def test_every_frame_has_alt_text_naming_its_value():
    demo = widgets.frame_slider(_draw, [0.5, 2, 10], description="slope")
    assert [_image(frame)[1] for frame in demo.frames] == [
        "Figure for slope = 0.5 (1 of 3)",
        "Figure for slope = 2 (2 of 3)",
        "Figure for slope = 10 (3 of 3)",
    ]
    assert _image(widgets.frame_slider(_draw, [1, 2]).frames[1])[1] == (
        "Figure for value = 2 (2 of 2)"
    )


def test_alt_text_from_a_template_or_a_function_is_escaped_and_kept_on_redraw():
    demo = widgets.frame_slider(_draw, [1, 2], alt='Line of slope {value} & "{value}"')
    assert _image(demo.frames[1])[1] == "Line of slope 2 &amp; &quot;2&quot;"
    demo.slider.index = 1  # the live kernel redraws the frame; its text stays
    assert _image(demo.frames[1])[1] == "Line of slope 2 &amp; &quot;2&quot;"
    demo = widgets.frame_slider(_draw, [1, 3], alt=lambda v: f"{v * 10} degrees")
    assert [_image(frame)[1] for frame in demo.frames] == ["10 degrees", "30 degrees"]


def test_image_has_the_size_of_the_png():
    demo = widgets.frame_slider(_draw, [1, 2])
    assert 'width="180" height="135"' in demo.frames[0].value  # figsize (2, 1.5) at 90 dpi


@pytest.mark.parametrize(
    "alt, error, message",
    [
        ("a fixed text", ValueError, "must contain '{value}'"),
        (3, TypeError, "alt must be a string or a function"),
        (lambda v: "", TypeError, "must return a non-empty string"),
    ],
)
def test_bad_alt_raises_a_clear_error(alt, error, message):
    with pytest.raises(error, match=message):
        widgets.frame_slider(_draw, [1, 2], alt=alt)
