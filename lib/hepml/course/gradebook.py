"""Grades of submissions and the gradebook file they are written to.

:class:`SubmissionResult` is the grade of one notebook (per question, with reasons);
:func:`write_gradebook` writes a batch of them as a CSV with one row per submission.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hepml.course.feedback import QuestionResult


@dataclass
class SubmissionResult:
    """Grade of one submitted notebook."""

    notebook: str
    score: float
    max_score: float
    questions: list[QuestionResult] = field(default_factory=list)
    error: str | None = None
    grading_failed: bool = False

    def as_dict(self) -> dict:
        """The JSON form printed by ``python -m hepml grade --json``."""
        result = {
            "notebook": self.notebook,
            "score": self.score,
            "max_score": self.max_score,
            "questions": [question.as_dict() for question in self.questions],
        }
        if self.error:
            result["error"] = self.error
        return result


def write_gradebook(results: Sequence[SubmissionResult], path: str | Path) -> None:
    """Write one CSV row per submission: notebook, score, max_score, one column per question."""
    questions = list(dict.fromkeys(q.name for result in results for q in result.questions))
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["notebook", "score", "max_score", *questions, "problems"])
        for result in results:
            scores = {q.name: q.score for q in result.questions}
            problems = "; ".join(
                f"{q.name}: {q.message}" for q in result.questions if not q.passed
            )
            writer.writerow(
                [
                    result.notebook,
                    f"{result.score:g}",
                    f"{result.max_score:g}",
                    *(f"{scores.get(q, 0):g}" for q in questions),
                    problems,
                ]
            )
