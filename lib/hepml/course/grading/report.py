"""What a class got wrong: ``python -m hepml report GRADEBOOK [--output DIR] [--book URL]``.

:func:`write_report` reads a gradebook written by ``python -m hepml grade --csv`` (no regrading:
each row records, per question, its points and the declared mistake the answer made) and
writes, per exercise set, one HTML page with two PNG figures:

- the distribution of the total score and, per question, how many submissions earned each
  number of points (with the same numbers in a table, for readers who cannot see the figure);
- the declared mistakes ranked by how many submissions made them, each linked to the lecture
  section its question asks to read first (the ``Read first:`` link of the question in the
  master), which is what to re-teach;
- the submissions that could not be graded in full: unreadable, not executed, out of time,
  grading failed, or a cell stopped at its time limit or ending its process, with the reason.
"""

from __future__ import annotations

import csv
import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hepml.course import paths

__all__ = ["QuestionInfo", "read_questions", "write_report"]

#: A link to a lecture section in a question's text: ``[text](../lectures/NN-topic.ipynb#id)``.
_LECTURE_LINK = re.compile(r"\[([^\]]+)\]\(\.\./lectures/([\w.-]+)\.(?:ipynb|md)#[\w-]*\)")
_TITLE = re.compile(r"^##\s+Question\s+\d+\s*:\s*(.+?)\s*(?:\([\d.]+ points?\))?\s*$", re.M)
#: What a row's problems say when a cell was cut short, and how the report puts it.
_CUT_SHORT = {
    "timed out after": "a cell was stopped at its time limit",
    "ended the process": "a cell ended its process",
}


@dataclass
class QuestionInfo:
    """A question of an exercise set as its master states it."""

    name: str
    title: str = ""
    section: str = ""  # the text of its "Read first" link
    lecture: str = ""  # the lecture page (``lectures/NN-topic.html#id``), relative to the book


def read_questions(master: Path) -> dict[str, QuestionInfo]:
    """Each question's title and the lecture section it links to, from an exercise master."""
    notebook = json.loads(Path(master).read_text(encoding="utf-8"))
    questions: dict[str, QuestionInfo] = {}
    current = None
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "raw" and source.lstrip().startswith("# BEGIN QUESTION"):
            name = re.search(r"^name:\s*(\S+)", source, re.M)
            current = questions.setdefault(name.group(1), QuestionInfo(name.group(1)))
        elif cell["cell_type"] == "markdown" and current is not None:
            title = _TITLE.search(source)
            link = _LECTURE_LINK.search(source)
            current.title = title.group(1).replace("$", "") if title else current.title
            if link:
                # the book's HTML names a section by docutils' id of its heading (the link's
                # text), not by the MyST anchor the notebook link uses
                from docutils.nodes import make_id

                current.section = link.group(1).replace("$", "")
                anchor = make_id(current.section.replace("§", ""))
                current.lecture = f"lectures/{link.group(2)}.html#{anchor}"
            current = None
    return questions


@dataclass
class _Set:
    name: str
    rows: list[dict] = field(default_factory=list)


def _read_gradebook(gradebook: Path) -> dict[str, _Set]:
    with open(gradebook, encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    if rows and "questions" not in rows[0]:
        raise ValueError(
            f"`gradebook` {gradebook} has no `questions` column: grade again with this version "
            "of `python -m hepml grade --csv` (it records each question's mistake)"
        )
    sets: dict[str, _Set] = {}
    for row in rows:
        name = row["exercise"] or "unknown exercise set"
        row["details"] = json.loads(row["questions"] or "{}")
        sets.setdefault(name, _Set(name)).rows.append(row)
    return sets


def _figures(exercise: _Set, questions: dict[str, QuestionInfo], folder: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(questions) or sorted({q for row in exercise.rows for q in row["details"]})
    totals = [float(row["score"]) for row in exercise.rows]
    maximum = max((float(row["max_score"]) for row in exercise.rows), default=0.0)
    written = []
    figure, axes = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
    axes.hist(totals, bins=max(1, min(20, int(maximum) + 1)), range=(0, maximum or 1))
    axes.set(xlabel="score", ylabel="submissions", title=f"{exercise.name}: total score")
    path = folder / f"{exercise.name}-scores.png"
    figure.savefig(path, dpi=110)
    plt.close(figure)
    written.append(path)
    columns = min(3, max(1, len(names)))
    rows = -(-len(names) // columns)
    figure, grid = plt.subplots(
        rows, columns, figsize=(3.0 * columns, 2.4 * rows), layout="constrained", squeeze=False
    )
    for axes, name in zip(grid.flat, names):
        earned = Counter(float(row.get(name) or 0) for row in exercise.rows)
        points = sorted(earned)
        axes.bar([f"{p:g}" for p in points], [earned[p] for p in points])
        axes.set(title=f"{name}: points earned", ylabel="submissions")
    for axes in list(grid.flat)[len(names) :]:
        axes.set_visible(False)
    path = folder / f"{exercise.name}-questions.png"
    figure.savefig(path, dpi=110)
    plt.close(figure)
    written.append(path)
    return written


def _page(exercise: _Set, questions: dict[str, QuestionInfo], book: str) -> str:
    count = len(exercise.rows)
    names = list(questions) or sorted({q for row in exercise.rows for q in row["details"]})
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Class report: {esc(exercise.name)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.5;color:#1a1a1a;background:#fff}"
        "table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #767676;"
        "padding:.3rem .6rem;text-align:left;vertical-align:top}td.n{text-align:right}"
        "img{max-width:100%;height:auto}a{color:#0645ad}</style></head><body><main>",
        f"<h1>Class report: {esc(exercise.name)}</h1>",
        f"<p>{count} submission{'s' if count != 1 else ''} graded.</p>",
        "<h2>Scores</h2>",
        f'<img src="{esc(exercise.name)}-scores.png" alt="Histogram of the total scores of the '
        f'{count} submissions; the table below gives the numbers.">',
        f'<img src="{esc(exercise.name)}-questions.png" alt="For each question, how many '
        'submissions earned each number of points; the table below gives the numbers.">',
        '<table><caption>Points per question</caption><thead><tr><th scope="col">question'
        '</th><th scope="col">points</th><th scope="col">full marks</th><th scope="col">'
        'nothing</th><th scope="col">mean</th></tr></thead><tbody>',
    ]
    for name in names:
        earned = [float(row.get(name) or 0) for row in exercise.rows]
        top = max((row["details"].get(name, {}).get("max", 0) for row in exercise.rows), default=0)
        full = sum(score >= top > 0 for score in earned)
        title = questions[name].title if name in questions else ""
        parts.append(
            f'<tr><th scope="row">{esc(name)} {esc(title)}</th><td class="n">{top:g}</td>'
            f'<td class="n">{full}</td><td class="n">{sum(s == 0 for s in earned)}</td>'
            f'<td class="n">{sum(earned) / max(count, 1):.2f}</td></tr>'
        )
    parts.append("</tbody></table>")

    made = Counter(
        (name, detail["mistake"])
        for row in exercise.rows
        for name, detail in row["details"].items()
        if detail.get("mistake")
    )
    parts.append("<h2>Typical mistakes, most frequent first</h2>")
    if made:
        parts.append(
            '<table><thead><tr><th scope="col">submissions</th><th scope="col">question</th>'
            '<th scope="col">mistake</th><th scope="col">re-teach</th></tr></thead><tbody>'
        )
        for (name, mistake), times in made.most_common():
            info = questions.get(name, QuestionInfo(name))
            if info.lecture:
                link = f'<a href="{esc(book.rstrip("/") + "/" + info.lecture)}">'
                link += f"{esc(info.section)}</a>"
            else:
                link = "(the question names no lecture section)"
            parts.append(
                f'<tr><td class="n">{times} ({100 * times / count:.0f}%)</td>'
                f"<td>{esc(name)} {esc(info.title)}</td><td>{esc(mistake)}</td>"
                f"<td>{link}</td></tr>"
            )
        parts.append("</tbody></table>")
    else:
        parts.append("<p>No submission made a declared mistake.</p>")

    failed = []
    for row in exercise.rows:
        if row["error"]:
            failed.append((row["notebook"], row["error"]))
        else:
            cut = [reason for words, reason in _CUT_SHORT.items() if words in row["problems"]]
            if cut:
                failed.append((row["notebook"], "; ".join(cut)))
    parts.append("<h2>Submissions not graded in full</h2>")
    if failed:
        parts.append("<ul>")
        parts += [f"<li>{esc(name)}: {esc(reason)}</li>" for name, reason in failed]
        parts.append("</ul>")
    else:
        parts.append("<p>None: every submission ran to the end within its time limits.</p>")
    parts.append("</main></body></html>\n")
    return "\n".join(parts)


def write_report(
    gradebook: str | Path,
    output: str | Path,
    *,
    root: str | Path | None = None,
    book: str | None = None,
) -> list[Path]:
    """Write the class report of ``gradebook`` into the folder ``output``; see the module.

    Parameters
    ----------
    gradebook
        A CSV written by ``python -m hepml grade --csv``.
    output
        Folder for the pages (``NN-topic.html``) and figures (created if missing).
    root
        Repository root, whose masters give the questions' titles and lecture sections.
    book
        Base URL of the book the mistakes link to (default: the local build,
        ``ROOT/_build/html``, as a ``file:`` URL).

    Returns
    -------
    list of Path
        The HTML pages written, one per exercise set in the gradebook.

    Raises
    ------
    FileNotFoundError
        If ``gradebook`` does not exist.
    ValueError
        If ``gradebook`` was written by a grader that did not record the questions' mistakes.
    """
    gradebook, output = Path(gradebook), Path(output)
    if not gradebook.is_file():
        raise FileNotFoundError(f"`gradebook` {gradebook} is not a file")
    root = paths.repository_root() if root is None else Path(root)
    book = (root / "_build" / "html").resolve().as_uri() if book is None else book
    output.mkdir(parents=True, exist_ok=True)
    masters = {master.stem: master for master in paths.solutions(root)}
    pages = []
    for name, exercise in sorted(_read_gradebook(gradebook).items()):
        questions = read_questions(masters[name]) if name in masters else {}
        _figures(exercise, questions, output)
        page = output / f"{name}.html"
        page.write_text(_page(exercise, questions, book), encoding="utf-8")
        pages.append(page)
    return pages
