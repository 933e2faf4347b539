"""The notebooks on Google Colab's package versions (``tests/environments/colab.txt``).

A fresh virtual environment gets Colab's versions (ipywidgets 7.7.1 included), then ``hepml``
exactly as the notebooks' Colab cell installs it (``pip install "hepml @ URL"``, here with the
checkout as URL), which must not upgrade or downgrade anything Colab ships. Every lecture, solution
and exercise notebook then runs top to bottom in that environment with no error output; the
untouched exercises' check cells report feedback instead of raising. The environment is cached
(see ``foreign_environments.py``): the first run takes a few minutes, later ones only execute.
"""

from __future__ import annotations

import subprocess

import foreign_environments as foreign
import pytest

from hepml.course import colab

VERSION_FILE = foreign.VERSIONS / "colab.txt"
NOTEBOOKS = foreign.notebooks()


def _colab_cell_installing_this_checkout() -> str:
    """The Colab cell, pointed at this checkout, run as if ``google.colab`` were loaded."""
    cell = colab.colab_cell(foreign.ROOT)
    url = f"git+{colab.repository_url(foreign.ROOT)}"
    assert cell.count(url) == 1
    cell = cell.replace(url, f"file://{foreign.ROOT}")
    fake = "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')\n"
    return fake + cell


@pytest.fixture(scope="module")
def environment():
    return foreign.build(
        "colab",
        VERSION_FILE,
        [
            ["-m", "pip", "install", "--quiet", "-r", str(VERSION_FILE)],
            ["-c", _colab_cell_installing_this_checkout()],
        ],
    )


@pytest.fixture(scope="module")
def results(environment):
    return foreign.execute(environment["python"], NOTEBOOKS)


def test_environment_has_colabs_versions(environment):
    wrong = foreign.versions_that_differ(environment["python"], VERSION_FILE)
    assert not wrong, f"not Colab's versions (wanted, installed): {wrong}"


def test_installing_hepml_changes_nothing_colab_ships(environment):
    before, after = environment["before"], environment["after"]
    changed = {
        name: (version, after.get(name))
        for name, version in before.items()
        if after.get(name) != version
    }
    assert not changed, f"the Colab cell's install changed (before, after): {changed}"
    assert "hepml" in after


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.relative_to(foreign.ROOT))
def test_notebook_runs_without_error_on_colab_versions(results, notebook):
    record = results[str(notebook.relative_to(foreign.ROOT))]
    assert record["failure"] is None, record["failure"]
    assert record["errors"] == []


SLIDER_CHECK = """
import ipywidgets, matplotlib
matplotlib.use("Agg")
from hepml import style, widgets

def draw(value):
    fig, ax = style.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [0, value])
    return fig

demo = widgets.frame_slider(draw, [1, 2, 3], description="slope")
first = demo.stack.children[0].value  # an <img> with its alt text (hepml.widgets)
demo.slider.index = 2
shown = demo.stack.children[0]
changed = shown.value != first and 'alt="Figure for slope = 3 (3 of 3)"' in shown.value
print(ipywidgets.__version__, demo.link is None, shown is demo.frames[2], changed)
"""


def test_frame_slider_moves_on_colabs_ipywidgets(environment):
    result = subprocess.run(
        [str(environment["python"]), "-c", SLIDER_CHECK],
        capture_output=True,
        text=True,
        env=foreign.clean_environment(environment["python"]),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["7.7.1", "True", "True", "True"]
