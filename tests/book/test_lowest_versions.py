"""The notebooks on the oldest versions ``pyproject.toml`` claims (``environments/lowest.txt``).

``lowest.txt`` holds the lower bound of every dependency in ``pyproject.toml``; a fresh virtual
environment installs ``hepml`` from this checkout with that file as pip constraints, which makes
pip choose exactly those versions, and runs every lecture, solution and exercise notebook in it.
A range in ``pyproject.toml`` is then true at its lower end (the upper end is the pinned
``requirements.txt`` of the rest of the suite). The environment is cached like ``test_colab.py``'s.
"""

from __future__ import annotations

import re

import foreign_environments as foreign
import pytest
import tomllib
from packaging.version import Version

VERSION_FILE = foreign.VERSIONS / "lowest.txt"
NOTEBOOKS = foreign.notebooks()
PYPROJECT = tomllib.loads((foreign.ROOT / "pyproject.toml").read_text())["project"]
# torch: the lowest-versions check keeps the course's CPU pin (the only build on this machine).
NOT_AT_LOWER_BOUND = {"torch"}


def _lower_bounds() -> dict[str, str]:
    extras = PYPROJECT["optional-dependencies"]  # torch, and chapter 6's boosting libraries
    requirements = PYPROJECT["dependencies"] + [r for extra in extras.values() for r in extra]
    bounds = {}
    for requirement in requirements:
        match = re.fullmatch(
            r"([A-Za-z0-9_.-]+)\s*>=\s*([0-9.]+)(?:\s*,\s*<[0-9.]+)?", requirement
        )
        assert match, f"pyproject.toml: {requirement!r} has no lower bound"
        bounds[match.group(1).lower()] = match.group(2)
    return bounds


@pytest.fixture(scope="module")
def environment():
    pins = foreign.pinned(VERSION_FILE)
    return foreign.build(
        "lowest",
        VERSION_FILE,
        [
            # The kernel and the runner are not hepml's dependencies: any version that fits.
            ["-m", "pip", "install", "--quiet", "-c", str(VERSION_FILE), *pins, "ipykernel"],
            ["-m", "pip", "install", "--quiet", "-c", str(VERSION_FILE), "{checkout}"],
        ],
    )


@pytest.fixture(scope="module")
def results(environment):
    return foreign.execute(environment["python"], NOTEBOOKS)


def test_version_file_holds_the_lower_bounds_of_pyproject():
    bounds, pins = _lower_bounds(), foreign.pinned(VERSION_FILE)
    assert set(pins) == set(bounds)
    for name, version in pins.items():
        if name not in NOT_AT_LOWER_BOUND:
            assert Version(version) == Version(bounds[name]), (
                f"{name}: lowest.txt {version}, pyproject {bounds[name]}"
            )


def test_environment_has_the_lowest_versions(environment):
    wrong = foreign.versions_that_differ(environment["python"], VERSION_FILE)
    assert not wrong, f"not the lowest versions (wanted, installed): {wrong}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.relative_to(foreign.ROOT))
def test_notebook_runs_without_error_on_the_lowest_versions(results, notebook):
    record = results[str(notebook.relative_to(foreign.ROOT))]
    assert record["failure"] is None, record["failure"]
    assert record["errors"] == []
