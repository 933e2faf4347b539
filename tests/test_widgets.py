import pytest

from hepml import style, widgets


def _draw(value):
    fig, ax = style.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [0, value])
    return fig


def test_frame_slider_precomputes_one_png_per_value():
    demo = widgets.frame_slider(_draw, [1, 2, 3], description="slope")
    assert len(demo.frames) == 3
    assert all(bytes(frame.value).startswith(b"\x89PNG") for frame in demo.frames)
    assert len({bytes(frame.value) for frame in demo.frames}) == 3
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
    assert bytes(demo.shown.value) != bytes(demo.frames[0].value)


def test_with_stack_the_shown_frame_follows_the_slider():
    demo = widgets.frame_slider(_draw, [1, 2, 3])
    assert list(demo.stack.children) == demo.frames
    demo.slider.index = 1
    assert demo.shown is demo.frames[1]
