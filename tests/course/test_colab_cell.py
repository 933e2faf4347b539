import json
import shutil
import subprocess
import sys
import types

import pytest

from hepml.course import colab, paths

ROOT = paths.repository_root()
NOTEBOOKS = paths.lectures(ROOT) + paths.solutions(ROOT) + paths.exercises(ROOT)


def _first_code_cell(path):
    cells = json.loads(path.read_text())["cells"]
    cell = next(cell for cell in cells if cell["cell_type"] == "code")
    return "".join(cell["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: paths.page_name(path))
def test_every_notebook_starts_with_the_canonical_colab_cell(path):
    assert _first_code_cell(path) == colab.colab_cell(ROOT), (
        f"{path.name}: run `python -m hepml colab-cell` (exercises: `python -m hepml exercises`)"
    )


def test_cell_installs_from_the_configured_repository():
    assert f'url = "git+{colab.repository_url(ROOT)}"' in colab.colab_cell(ROOT)
    assert 'url = "git+https://example.org/r"' in colab.colab_cell(url="https://example.org/r")


def _run_cell(monkeypatch, on_colab: bool) -> list:
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(colab.colab_cell(ROOT), {})
    return calls


def test_cell_does_nothing_off_colab(monkeypatch):
    assert _run_cell(monkeypatch, on_colab=False) == []


def test_cell_pip_installs_hepml_on_colab_without_upgrade_flags(monkeypatch):
    [(args, kwargs)] = _run_cell(monkeypatch, on_colab=True)
    url = colab.repository_url(ROOT)
    assert args == ([sys.executable, "-m", "pip", "install", "--quiet", f"hepml @ git+{url}"],)
    assert kwargs == {"check": True}


def test_running_page_shows_the_cell():
    assert colab.colab_cell(ROOT) in (ROOT / "book" / "running.md").read_text()


@pytest.fixture
def course_copy(tmp_path):
    for name in ("_config.yml", "_toc.yml"):
        shutil.copyfile(ROOT / name, tmp_path / name)
    for folder in ("lectures", "solutions"):
        (tmp_path / folder).mkdir()
        source = getattr(paths, folder)(ROOT)[0]
        shutil.copyfile(source, tmp_path / folder / source.name)
    return tmp_path


def test_write_colab_cells_rewrites_only_the_first_code_cell(course_copy):
    lecture = paths.lectures(course_copy)[0]
    notebook = json.loads(lecture.read_text())
    first = next(i for i, c in enumerate(notebook["cells"]) if c["cell_type"] == "code")
    notebook["cells"][first]["source"] = "# an old Colab cell\n"
    lecture.write_text(json.dumps(notebook, indent=1))

    assert colab.write_colab_cells(course_copy, check=True) == [lecture]
    assert _first_code_cell(lecture) == "# an old Colab cell\n"  # --check writes nothing

    assert colab.write_colab_cells(course_copy) == [lecture]
    assert _first_code_cell(lecture) == colab.colab_cell(course_copy)
    rewritten = json.loads(lecture.read_text())["cells"]
    assert rewritten[first]["metadata"] == notebook["cells"][first]["metadata"]
    assert [c["source"] for c in rewritten[first + 1 :]] == [
        c["source"] for c in notebook["cells"][first + 1 :]
    ]
    assert colab.write_colab_cells(course_copy) == []  # idempotent
