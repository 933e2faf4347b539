"""One place finds the repository and its notebooks for the command line, grading and tests."""

import pytest

from hepml.course import paths


def test_repository_root_is_found_from_any_folder_inside_it(tmp_path):
    (tmp_path / "_toc.yml").write_text("format: jb-book\n")
    (tmp_path / "lectures").mkdir()
    inner = tmp_path / "lib" / "hepml" / "course"
    inner.mkdir(parents=True)
    assert paths.repository_root(inner) == tmp_path.resolve()


def test_outside_a_repository_the_error_says_what_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="_toc.yml and lectures/"):
        paths.repository_root(tmp_path)


def test_chapters_are_listed_in_order_and_other_files_are_ignored(tmp_path):
    (tmp_path / "_toc.yml").write_text("")
    for name in ("10-attention.ipynb", "02-likelihood.ipynb", "notes.ipynb", "02-x.py"):
        (tmp_path / "lectures").mkdir(exist_ok=True)
        (tmp_path / "lectures" / name).write_text("{}")
    found = [path.name for path in paths.lectures(tmp_path)]
    assert found == ["02-likelihood.ipynb", "10-attention.ipynb"]
    assert paths.solutions(tmp_path) == [] and paths.exercises(tmp_path) == []


def test_the_installed_package_belongs_to_this_repository():
    root = paths.repository_root()
    assert (root / "lib" / "hepml" / "course" / "paths.py").is_file()
    names = [paths.page_name(path) for path in paths.executed_notebooks(root)]
    assert "lectures/01-statistics" in names and "solutions/01-statistics" in names
    assert names.index("lectures/01-statistics") < names.index("solutions/01-statistics")
