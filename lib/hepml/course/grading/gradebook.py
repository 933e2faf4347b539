"""Grades of submissions and the gradebook file they are written to.

:class:`SubmissionResult` is the grade of one notebook (per question, with reasons).
:class:`Gradebook` writes a batch of them as a CSV with one row per submission, incrementally:
after every submission the whole file is rewritten to a temporary file next to it and moved into
place (``os.replace``), so the CSV on disk is always complete for the submissions graded so far,
even if the grader is killed. Every cell is valid UTF-8 (file names are escaped by
:func:`hepml.course.grading.submissions.display_name`), at most :data:`MAX_CELL` characters,
and a cell that a spreadsheet would read as a formula (starting with ``= + - @``, a tab or a
carriage return) is prefixed with ``'`` (OWASP's advice against CSV injection).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hepml.course import paths
from hepml.course.feedback import QuestionResult

__all__ = ["Gradebook", "SubmissionResult", "spreadsheet_safe", "write_gradebook"]

#: Longest text kept in one cell of the gradebook (a question's message is cut shorter).
MAX_CELL = 4000
#: The columns after the questions': the reasons for lost points, the isolation, the exercise
#: set, why the submission as a whole failed (if it did: unreadable, not executed, out of time,
#: grading failed), and per question its points and the declared mistake made, as JSON (what
#: ``python -m hepml report`` reads, so that a report needs no regrading).
EXTRA_COLUMNS = ("problems", "isolation", "exercise", "error", "questions")
#: Longest message kept per question in the ``problems`` column.
MAX_MESSAGE = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class SubmissionResult:
    """Grade of one submitted notebook."""

    notebook: str
    score: float
    max_score: float
    questions: list[QuestionResult] = field(default_factory=list)
    error: str | None = None
    grading_failed: bool = False
    seconds: float | None = None
    exercise: str | None = None

    def as_dict(self) -> dict:
        """The JSON form printed by ``python -m hepml grade --json``."""
        result = {
            "notebook": self.notebook,
            "score": self.score,
            "max_score": self.max_score,
            "questions": [question.as_dict() for question in self.questions],
        }
        if self.exercise:
            result["exercise"] = self.exercise
        if self.error:
            result["error"] = self.error
        if self.seconds is not None:
            result["seconds"] = round(self.seconds, 2)
        return result


def spreadsheet_safe(text: str, limit: int = MAX_CELL) -> str:
    """``text`` as a CSV cell no spreadsheet evaluates: cut to ``limit``, formulas quoted."""
    text = str(text)
    if len(text) > limit:
        text = text[: limit - 15] + " [... truncated]"
    text = text.encode("utf-8", errors="backslashreplace").decode("utf-8")
    return "'" + text if text.startswith(_FORMULA_START) else text


def _short(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 3] + "..."


class Gradebook:
    """A CSV gradebook written after every submission and replaced atomically.

    Parameters
    ----------
    path
        The CSV file.
    isolation
        How the submissions were isolated, written in the ``isolation`` column of every row
        (e.g. ``"bubblewrap"`` or a warning that there was no sandbox).
    """

    def __init__(self, path: str | Path, isolation: str = "bubblewrap"):
        self.path = Path(path)
        self.isolation = isolation
        self.results: list[SubmissionResult] = []

    def add(self, result: SubmissionResult) -> None:
        """Add one submission's row and rewrite the file."""
        self.results.append(result)
        self.write()

    def write(self) -> None:
        """Write every row so far to a temporary file, then move it over the gradebook."""
        questions = list(
            dict.fromkeys(q.name for result in self.results for q in result.questions)
        )
        text = io.StringIO(newline="")
        writer = csv.writer(text)
        writer.writerow(["notebook", "score", "max_score", *questions, *EXTRA_COLUMNS])
        for result in self.results:
            writer.writerow(self._row(result, questions))
        paths.replace_file(self.path.resolve(), text.getvalue().encode("utf-8"))

    def _row(self, result: SubmissionResult, questions: list[str]) -> list[str]:
        scores = {q.name: q.score for q in result.questions}
        problems = [f"{q.name}: {_short(q.message)}" for q in result.questions if not q.passed]
        if result.error and not result.questions:
            problems.insert(0, _short(result.error))
        cells = [
            result.notebook,
            f"{result.score:g}",
            f"{result.max_score:g}",
            *(f"{scores.get(q, 0):g}" for q in questions),
            "; ".join(problems),
            self.isolation,
            result.exercise or "",
            _short(result.error or ""),
            json.dumps(
                {
                    q.name: {"max": q.max_score, "mistake": q.mistake and _short(q.mistake)}
                    for q in result.questions
                }
            ),
        ]
        return [spreadsheet_safe(cell) for cell in cells]


def write_gradebook(
    results: Sequence[SubmissionResult], path: str | Path, isolation: str = "bubblewrap"
) -> None:
    """Write one CSV row per submission: notebook, score, max_score, one column per question."""
    gradebook = Gradebook(path, isolation)
    gradebook.results = list(results)
    gradebook.write()
