"""Find and read submitted notebooks without trusting them.

:func:`collect_notebooks` lists the ``.ipynb`` files of folders (never following symbolic
links); :func:`read_submission` reads one of them: a regular file only (not a symbolic link,
FIFO, device or folder), at most :data:`MAX_NOTEBOOK_BYTES`, UTF-8, JSON nested at most
:data:`MAX_JSON_DEPTH` levels, with the structure of a notebook. Every check is linear in the
size of the file, and every failure is an :class:`UnreadableSubmission` with a reason, so a
hostile file costs only its own row of the gradebook.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "MAX_JSON_DEPTH",
    "MAX_NOTEBOOK_BYTES",
    "Submission",
    "UnreadableSubmission",
    "collect_notebooks",
    "display_name",
    "read_submission",
]

#: Largest notebook read, in bytes (a submission with stored outputs is well below).
MAX_NOTEBOOK_BYTES = 16 * 2**20
#: Deepest nesting of JSON arrays and objects accepted (a notebook needs about 6).
MAX_JSON_DEPTH = 64
#: Most code cells accepted.
MAX_CELLS = 2000

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class UnreadableSubmission(ValueError):
    """A submitted file that is not a notebook the grader accepts; the message says why."""


@dataclass(frozen=True)
class Submission:
    """What the grader uses of a submitted notebook."""

    cells: list[str]
    exercise: str | None


def display_name(path: str | os.PathLike) -> str:
    """The path as valid UTF-8 text: bytes that are not UTF-8 are shown as ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def collect_notebooks(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Expand folders into the ``.ipynb`` entries they contain (recursively, sorted).

    Symbolic links to folders are not followed; entries that are not regular files are listed
    anyway so that :func:`read_submission` reports them in their own row.
    """
    notebooks: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir() and not path.is_symlink():
            found = []
            for folder, folders, files in os.walk(path, followlinks=False):
                folders[:] = sorted(f for f in folders if f != ".ipynb_checkpoints")
                found += [Path(folder, name) for name in files if name.endswith(".ipynb")]
                found += [
                    Path(folder, name)
                    for name in folders
                    if name.endswith(".ipynb") and Path(folder, name).is_symlink()
                ]
            notebooks += sorted(found, key=lambda p: os.fsencode(p))
        else:
            notebooks.append(path)
    return notebooks


def json_depth(text: str) -> int:
    """Deepest nesting of arrays and objects in JSON ``text`` (linear time, no recursion)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if not brackets:
        return 0
    steps = np.frombuffer(brackets.encode("ascii"), dtype=np.uint8)
    opening = (steps == ord("[")) | (steps == ord("{"))
    return int(np.cumsum(np.where(opening, 1, -1)).max())


def read_submission(path: str | os.PathLike) -> Submission:
    """Read a submitted notebook's code cells and exercise name; see the module docstring.

    Raises
    ------
    UnreadableSubmission
        With the reason, for anything but a notebook within the limits.
    """
    data = _read_regular_file(Path(path))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableSubmission("not a readable notebook (not UTF-8 text)") from None
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise UnreadableSubmission(
            f"not a readable notebook (JSON nested {depth} levels deep, "
            f"more than {MAX_JSON_DEPTH})"
        )
    try:
        notebook = json.loads(text)
    except (ValueError, RecursionError, MemoryError) as error:
        raise UnreadableSubmission(f"not a readable notebook ({type(error).__name__})") from None
    return _structure(notebook)


def _read_regular_file(path: Path) -> bytes:
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if path.is_symlink():
            raise UnreadableSubmission("not read: a symbolic link, not a regular file") from None
        raise UnreadableSubmission(f"not a readable notebook ({error.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableSubmission("not read: not a regular file")
        if info.st_size > MAX_NOTEBOOK_BYTES:
            raise UnreadableSubmission(
                f"not read: {info.st_size / 2**20:.0f} MB, larger than the "
                f"{MAX_NOTEBOOK_BYTES // 2**20} MB limit"
            )
        chunks, size = [], 0
        while size <= MAX_NOTEBOOK_BYTES:
            chunk = os.read(fd, 2**20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_NOTEBOOK_BYTES:
            raise UnreadableSubmission(
                f"not read: larger than the {MAX_NOTEBOOK_BYTES // 2**20} MB limit"
            )
        return b"".join(chunks)
    except OSError as error:
        raise UnreadableSubmission(f"not a readable notebook ({error.strerror})") from None
    finally:
        os.close(fd)


def _structure(notebook: object) -> Submission:
    def bad(what: str) -> UnreadableSubmission:
        return UnreadableSubmission(f"not a readable notebook ({what})")

    if not isinstance(notebook, dict):
        raise bad("not a JSON object")
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise bad("no list of cells")
    sources = []
    for cell in cells:
        if not isinstance(cell, dict):
            raise bad("a cell is not an object")
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise bad("a code cell's source is not text")
        sources.append(source)
    if len(sources) > MAX_CELLS:
        raise bad(f"more than {MAX_CELLS} code cells")
    metadata = notebook.get("metadata", {})
    hepml = metadata.get("hepml", {}) if isinstance(metadata, dict) else {}
    exercise = hepml.get("exercise") if isinstance(hepml, dict) else None
    return Submission(sources, exercise if isinstance(exercise, str) else None)
