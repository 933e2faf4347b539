"""Where the course's files are: the repository root and its notebooks.

Every part of the course machinery (the command line, exercise generation, grading, the status
page) and the test suite find the repository and list its notebooks through this module, so a
new chapter is picked up everywhere by adding its files.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

#: A chapter's notebooks are named ``NN-topic.ipynb``.
CHAPTER_PATTERN = "[0-9][0-9]-*.ipynb"


def repository_root(start: str | Path | None = None) -> Path:
    """The course repository: the nearest folder at or above ``start`` holding ``_toc.yml``.

    Parameters
    ----------
    start
        Where to start looking (default: this package's folder, which lies inside the
        repository for the editable install every instructor uses).

    Raises
    ------
    FileNotFoundError
        If no folder above ``start`` is a course repository (e.g. ``hepml`` installed from
        a wheel): pass the repository's path explicitly.
    """
    here = Path(__file__).resolve().parent if start is None else Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / "_toc.yml").is_file() and (folder / "lectures").is_dir():
            return folder
    raise FileNotFoundError(
        f"no course repository (a folder with _toc.yml and lectures/) at or above {here}"
    )


def lectures(root: str | Path | None = None) -> list[Path]:
    """The lecture notebooks ``lectures/NN-topic.ipynb``, in chapter order."""
    return _chapters(root, "lectures")


def solutions(root: str | Path | None = None) -> list[Path]:
    """The exercise masters ``solutions/NN-topic.ipynb``, in chapter order."""
    return _chapters(root, "solutions")


def exercises(root: str | Path | None = None) -> list[Path]:
    """The generated student notebooks ``exercises/NN-topic.ipynb``, in chapter order."""
    return _chapters(root, "exercises")


def executed_notebooks(root: str | Path | None = None) -> list[Path]:
    """Every notebook stored with outputs: the lectures, then the solutions."""
    return lectures(root) + solutions(root)


def _chapters(root: str | Path | None, folder: str) -> list[Path]:
    root = repository_root() if root is None else Path(root)
    return sorted((root / folder).glob(CHAPTER_PATTERN))


def page_name(notebook: str | Path) -> str:
    """A notebook's name in ``_toc.yml`` and the built site, e.g. ``lectures/01-statistics``."""
    notebook = Path(notebook)
    return f"{notebook.parent.name}/{notebook.stem}"


def replace_file(path: str | Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never a part.

    The data go to a temporary file in the same folder, which then replaces ``path`` in one
    ``os.replace``. Two processes that write the same file at once (two test workers, two
    grading jobs) therefore leave one complete copy, and a process reading it meanwhile is not
    disturbed.
    """
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
