"""The Colab cell: the first code cell of every notebook, kept in one place.

On Colab the cell installs ``hepml`` from the course repository with pip's default strategy
(``only-if-needed``): a dependency Colab already ships in a version ``pyproject.toml`` accepts is
left alone, so Colab's ipywidgets 7, NumPy and torch are never upgraded under its running
kernel. Everywhere else (Binder, JupyterHub, a local install) the cell does nothing.

The repository URL comes from ``repository.url`` in ``_config.yml``, the one place it is written.
``python -m hepml colab-cell`` rewrites the first code cell of every lecture and solution notebook
to :func:`colab_cell` (exercises take it from their masters through ``python -m hepml
exercises``); ``--check`` only reports notebooks that differ.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from hepml.course import paths

_TEMPLATE = """\
# On Colab, install the course package; elsewhere this cell does nothing.
import subprocess
import sys

if "google.colab" in sys.modules:
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    url = "git+{url}"
    subprocess.run([*pip, f"hepml @ {{url}}"], check=True)"""


def repository_url(root: str | Path | None = None) -> str:
    """``repository.url`` of the book's ``_config.yml``."""
    import yaml

    config = paths.repository_root(root) / "_config.yml"
    return yaml.safe_load(config.read_text())["repository"]["url"]


def colab_cell(root: str | Path | None = None, *, url: str | None = None) -> str:
    """The canonical source of the Colab cell.

    Parameters
    ----------
    root
        The course repository (default: the one this package lies in).
    url
        Install from this git URL instead of ``repository.url`` (without ``git+``).
    """
    return _TEMPLATE.format(url=repository_url(root) if url is None else url)


def write_colab_cells(root: str | Path | None = None, *, check: bool = False) -> list[Path]:
    """Make the first code cell of every lecture and solution notebook the Colab cell.

    Only the cell's source changes (it has no output, so nothing needs re-executing); a notebook
    whose cell is already canonical is not rewritten.

    Parameters
    ----------
    root
        The course repository (default: the one this package lies in).
    check
        Report the notebooks that differ without writing them.

    Returns
    -------
    list of Path
        The notebooks whose first code cell differed (and, unless ``check``, was rewritten).
    """
    root = paths.repository_root(root)
    expected = colab_cell(root)
    changed = []
    for path in paths.executed_notebooks(root):
        notebook = nbformat.read(path, as_version=4)
        first = next(cell for cell in notebook.cells if cell.cell_type == "code")
        if first.source == expected:
            continue
        changed.append(path)
        if not check:
            first.source = expected
            nbformat.write(notebook, path)
    return changed
