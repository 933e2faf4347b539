"""One pinned environment: requirements.txt is the single source of versions."""

import re
from importlib.metadata import version

import pytest
import tomllib
import yaml
from packaging.requirements import Requirement

from hepml.course import paths

ROOT = paths.repository_root()

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([0-9][A-Za-z0-9.+\-]*)$")


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            match = PIN.match(line)
            assert match, f"requirements.txt line is not an exact pin: {line!r}"
            pins[match.group(1).lower()] = match.group(2)
    return pins


def test_every_requirement_is_pinned_exactly_and_torch_is_the_cpu_pin():
    pins = _pins()
    assert pins["torch"] == "2.13.0"
    assert pins["jupyter-book"].startswith("1.")


def test_environment_yml_takes_every_package_from_requirements_txt():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip_section = [], None
    for dependency in environment["dependencies"]:
        if isinstance(dependency, dict):
            pip_section = dependency["pip"]
        else:
            conda.append(dependency)
    assert sorted(conda) == ["pip", "python=3.11"], "conda may only provide Python and pip"
    assert pip_section == [
        "--extra-index-url https://download.pytorch.org/whl/cpu",
        "-r requirements.txt",
        "-e .",
    ]


def test_package_dependencies_are_pinned_within_their_ranges():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = _pins()
    requirements = [
        Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["torch"]
    ]
    for requirement in requirements:
        name = requirement.name.lower()
        assert name in pins, f"{name} is a dependency of hepml but not pinned in requirements.txt"
        assert requirement.specifier.contains(pins[name]), (
            f"pin {name}=={pins[name]} outside {requirement.specifier}"
        )


@pytest.mark.parametrize("name", sorted(_pins()))
def test_installed_version_is_the_pinned_one(name):
    installed = version(name).split("+")[0]
    assert installed == _pins()[name], (
        f"{name} {installed} installed, {_pins()[name]} pinned: reinstall requirements"
    )
