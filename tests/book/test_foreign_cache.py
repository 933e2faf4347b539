"""The result cache of the foreign-version checks (``foreign_environments.execute``).

A notebook that passed is reused only while nothing its run depended on has changed: these
tests change each input in a copy of the repository and watch the key.
"""

import shutil

import foreign_environments as foreign
import pytest


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    for part in ("lectures", "solutions", "exercises"):
        (tmp_path / part).mkdir()
        (tmp_path / part / "01-x.ipynb").write_text(f"{part} notebook")
    package = tmp_path / "lib" / "hepml"
    (package / "simulate").mkdir(parents=True)
    (package / "__init__.py").write_text("top")
    (package / "plotting.py").write_text("plots")
    (package / "simulate" / "__init__.py").write_text("simulators")
    (package / "simulate" / "data").mkdir()
    (package / "simulate" / "data" / "jets.root").write_bytes(b"data")
    monkeypatch.setattr(foreign, "ROOT", tmp_path)
    return tmp_path


def test_the_key_changes_with_everything_the_run_depended_on(checkout, tmp_path):
    env = tmp_path / "colab-0123"
    lecture = checkout / "lectures" / "01-x.ipynb"
    modules = ["hepml", "hepml.simulate"]
    key = foreign.result_key(env, lecture, modules)
    assert foreign.result_key(env, lecture, modules) == key  # same inputs, same key
    changes = [
        checkout / "lectures" / "01-x.ipynb",
        checkout / "solutions" / "01-x.ipynb",  # the master the exercise is built from
        checkout / "lib" / "hepml" / "__init__.py",
        checkout / "lib" / "hepml" / "simulate" / "__init__.py",
        checkout / "lib" / "hepml" / "simulate" / "data" / "jets.root",  # any package data
    ]
    for path in changes:
        before = path.read_bytes()
        path.write_bytes(before + b" changed")
        assert foreign.result_key(env, lecture, modules) != key, path
        path.write_bytes(before)
    assert foreign.result_key(tmp_path / "lowest-4567", lecture, modules) != key
    assert foreign.result_key(env, lecture, [*modules, "hepml.plotting"]) != key


def test_a_module_the_notebook_did_not_import_does_not_change_the_key(checkout, tmp_path):
    env = tmp_path / "colab-0123"
    lecture = checkout / "lectures" / "01-x.ipynb"
    key = foreign.result_key(env, lecture, ["hepml"])
    (checkout / "lib" / "hepml" / "plotting.py").write_text("other plots")
    assert foreign.result_key(env, lecture, ["hepml"]) == key


def test_a_removed_input_changes_the_key(checkout, tmp_path):
    env = tmp_path / "colab-0123"
    lecture = checkout / "lectures" / "01-x.ipynb"
    key = foreign.result_key(env, lecture, ["hepml", "hepml.simulate"])
    shutil.rmtree(checkout / "lib" / "hepml" / "simulate")
    assert foreign.result_key(env, lecture, ["hepml", "hepml.simulate"]) != key
