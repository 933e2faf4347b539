"""hepml.glue: computed numbers stored for the prose, harmless where myst-nb is missing."""

import sys

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import hepml
from hepml import prose

RECORD = "application/papermill.record/"


@pytest.fixture
def shell():
    return InteractiveShell.instance()


def test_is_the_top_level_helper():
    assert hepml.glue is prose.glue


def test_stores_the_text_nbval_compares_under_the_name(shell):
    with capture_output() as captured:
        hepml.glue("posterior_mode", "3.80")
    (output,) = captured.outputs
    assert output.data == {RECORD + "text/plain": "'3.80'"}
    assert output.metadata["scrapbook"] == {"name": "posterior_mode", "mime_prefix": RECORD}


def test_display_true_also_shows_the_value(shell):
    with capture_output() as captured:
        hepml.glue("n_events", 5000, display=True)
    (output,) = captured.outputs
    assert output.data == {"text/plain": "5000"}
    assert output.metadata["scrapbook"]["name"] == "n_events"


def test_does_nothing_without_myst_nb(shell, monkeypatch):
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # makes `import myst_nb` fail
    with capture_output() as captured:
        assert hepml.glue("posterior_mode", "3.80") is None
    assert captured.outputs == []


@pytest.mark.parametrize(
    ("name", "display", "error", "message"),
    [
        (3, False, TypeError, "name must be a string"),
        ("posterior mode", False, ValueError, "identifier"),
        ("", False, ValueError, "identifier"),
        ("mode", "yes", TypeError, "display must be True or False"),
    ],
)
def test_bad_arguments_are_named(name, display, error, message):
    with pytest.raises(error, match=message):
        hepml.glue(name, 1.0, display=display)
