"""How exercise notebooks open: the check cells' test source is collapsed everywhere."""

import copy

import nbformat
import pytest

from hepml.course import paths

ROOT = paths.repository_root()
EXERCISES = paths.exercises(ROOT)


def _open_check_cells(notebook) -> list[str]:
    """Ids of check cells whose source a student would see open (book, JupyterLab or Colab)."""
    return [
        cell.id
        for cell in notebook.cells
        if cell.cell_type == "code"
        and "checker.check(" in cell.source
        and not (
            "hide-input" in cell.metadata.get("tags", [])
            and cell.metadata.get("jupyter", {}).get("source_hidden") is True
            and cell.metadata.get("cellView") == "form"
        )
    ]


@pytest.mark.parametrize("exercise", EXERCISES, ids=[paths.page_name(p) for p in EXERCISES])
def test_check_cells_are_collapsed_and_answer_cells_are_not(exercise):
    notebook = nbformat.read(exercise, as_version=4)
    checks = [c for c in notebook.cells if "checker.check(" in c.source]
    assert checks and not _open_check_cells(notebook)
    for cell in notebook.cells:
        if "otter_answer_cell" in cell.metadata.get("tags", []):
            assert "jupyter" not in cell.metadata and "cellView" not in cell.metadata

    # the check fails on a notebook whose check cell lost any one of the three settings
    for remove in ("tags", "jupyter", "cellView"):
        broken = copy.deepcopy(notebook)
        cell = next(c for c in broken.cells if "checker.check(" in c.source)
        del cell.metadata[remove]
        assert _open_check_cells(broken) == [cell.id]
