"""The solution pages of the book, rendered cleanly from the otter masters at build time.

A master ``solutions/NN-topic.ipynb`` holds otter's raw marker cells, solution lines marked
``# SOLUTION``, public and hidden tests and (from issue 10 on) cells of declared typical mistakes
tagged ``hepml-mistakes``. A student reading the solution should see none of that machinery:
:func:`clean_solution` returns the notebook a solution page shows,

- the title and questions (markdown) and each question's data cell,
- the solution code with otter's markers removed (``# SOLUTION``, ``# SOLUTION NO PROMPT``,
  ``# BEGIN/END SOLUTION`` lines) and its stored outputs,
- the title "Exercises N: ..." renamed "Solutions N: ...", so the book's navigation tells the
  two pages apart;
- no raw cells of otter's, no test cells (public or hidden), no ``hepml-mistakes`` cells, no
  prompt blocks (what students get instead of the solution), and no markdown after the last
  question (in a master, that text introduces the score cell the generator appends to the
  exercise).

The book's Sphinx extension (``book/_ext/hepml_site.py``) applies it when Sphinx reads a
solution page and writes the same clean notebook as the page's download, so the master stays
the one source and no generated copy can go stale. ``HEPML_SITE_SOLUTIONS=0`` leaves the
solution pages out of the build altogether (the instructor's site).
"""

from __future__ import annotations

import copy
import re

import nbformat

__all__ = ["MISTAKES_TAG", "clean_solution", "is_master"]

#: Tag of the master cells that declare a question's typical mistakes (never shown).
MISTAKES_TAG = "hepml-mistakes"

_OTTER_RAW = re.compile(
    r"^\s*#\s*(ASSIGNMENT CONFIG|(BEGIN|END) (QUESTION|SOLUTION|TESTS|PROMPT)\b)"
)
_BLOCK = re.compile(r"^\s*#\s*(?P<edge>BEGIN|END) (?P<kind>QUESTION|SOLUTION|TESTS|PROMPT)\b")
_MARKER_LINE = re.compile(r"^\s*#\s*(BEGIN|END) SOLUTION\b.*$")
_TRAILING_MARKER = re.compile(r"\s*#\s*SOLUTION(\s+NO PROMPT)?\s*$")
_PROMPT_EDGE = re.compile(r'^\s*("""|\'\'\')\s*#\s*(BEGIN|END) PROMPT\s*$')


def is_master(notebook: nbformat.NotebookNode) -> bool:
    """Whether ``notebook`` is an otter master (its first raw cell is the assignment config)."""
    return any(
        cell.cell_type == "raw" and re.match(r"^\s*#\s*ASSIGNMENT CONFIG", cell.source)
        for cell in notebook.cells
    )


def clean_solution(
    master: nbformat.NotebookNode, *, exercise: str | None = None
) -> nbformat.NotebookNode:
    """Return the notebook a solution page shows: questions, solution code and its outputs.

    Parameters
    ----------
    master
        An otter master notebook (it is not modified).
    exercise
        Link to the student's exercise notebook (e.g. ``"../exercises/01-statistics.ipynb"``):
        if given, a note under the title says that this is the worked solution of it.

    Returns
    -------
    nbformat.NotebookNode
        A copy without otter's raw cells and markers, test cells, declared-mistake cells,
        prompt blocks and the markdown after the last question; solution cells keep their
        outputs.
    """
    if not isinstance(master, nbformat.NotebookNode):
        raise TypeError(f"master must be a notebook, got {type(master).__name__}")
    notebook = copy.deepcopy(master)
    last_question_end = max(
        (
            index
            for index, cell in enumerate(notebook.cells)
            if cell.cell_type == "raw" and re.match(r"^\s*#\s*END QUESTION", cell.source)
        ),
        default=len(notebook.cells),
    )
    cells = []
    inside: set[str] = set()
    for index, cell in enumerate(notebook.cells):
        block = _BLOCK.match(cell.source) if cell.cell_type == "raw" else None
        if block:
            if block["edge"] == "BEGIN":
                inside.add(block["kind"])
            else:
                inside.discard(block["kind"])
            continue
        if cell.cell_type == "raw" and _OTTER_RAW.match(cell.source):
            continue
        if "TESTS" in inside or "PROMPT" in inside:
            continue
        if MISTAKES_TAG in cell.metadata.get("tags", []):
            continue
        if index > last_question_end and cell.cell_type == "markdown":
            continue
        if cell.cell_type == "code":
            cell.source = _without_markers(cell.source)
            if not cell.source.strip():
                continue
        cells.append(cell)
    title = next((i for i, c in enumerate(cells) if c.cell_type == "markdown"), None)
    if title is not None:
        # the book lists exercises and solutions with their titles: tell them apart
        cells[title].source = re.sub(r"^# Exercises\b", "# Solutions", cells[title].source)
    if exercise is not None:
        position = 0 if title is None else title + 1
        cells.insert(position, nbformat.v4.new_markdown_cell(_note(exercise)))
    for index, cell in enumerate(cells):
        cell.id = f"solution-{index:03d}"
    notebook.cells = cells
    return notebook


def _note(exercise: str) -> str:
    # a block quote rather than a MyST admonition: the downloaded notebook shows it too
    return (
        f"> **Solution.** This is the worked solution of [the exercise set]({exercise}): the "
        "solution code and its output, without the tests. Try the exercise first; the "
        "instructions below are those of the exercise notebook."
    )


def _without_markers(source: str) -> str:
    lines = []
    in_prompt = False
    for line in source.splitlines():
        if _PROMPT_EDGE.match(line):
            in_prompt = not in_prompt
            continue
        if in_prompt or _MARKER_LINE.match(line):
            continue
        lines.append(_TRAILING_MARKER.sub("", line))
    return "\n".join(lines).strip("\n")
