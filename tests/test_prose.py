import sys

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import hepml
from hepml import prose


@pytest.fixture(scope="module")
def shell():
    """An IPython shell, so that display() publishes outputs as in a kernel."""
    return InteractiveShell.instance()


def test_glue_stores_the_value_under_its_name_without_displaying_it(shell):
    with capture_output() as captured:
        hepml.glue("best_degree", 9)
    (output,) = captured.outputs
    assert output.metadata["scrapbook"]["name"] == "best_degree"
    # display=False: only the hidden record myst-nb reads, no visible text/plain
    assert "text/plain" not in output.data
    assert output.data["application/papermill.record/text/plain"] == "9"


def test_glue_with_display_also_shows_the_value(shell):
    with capture_output() as captured:
        hepml.glue("ratio", 0.25, display=True)
    (output,) = captured.outputs
    assert output.data == {"text/plain": "0.25"}
    assert output.metadata["scrapbook"]["name"] == "ratio"


def test_glue_does_nothing_without_myst_nb(shell, monkeypatch):
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # import myst_nb now fails
    with capture_output() as captured:
        prose.glue("value", 1.5)
    assert captured.outputs == []


@pytest.mark.parametrize(
    "name, display, error, match",
    [
        (3, False, TypeError, "name"),
        ("two words", False, ValueError, "name"),
        ("x", "no", TypeError, "display"),
    ],
)
def test_glue_rejects_bad_arguments(name, display, error, match):
    with pytest.raises(error, match=match):
        hepml.glue(name, 1.0, display=display)
