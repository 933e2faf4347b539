"""Grade submitted exercise notebooks with the hidden tests, robustly, one process per submission.

``python -m hepml grade PATH... [--json] [--csv FILE] [--timeout S]`` calls :func:`grade_paths`.

How a submission is graded
--------------------------
1. Its exercise set is read from the notebook metadata written by ``python -m hepml exercises``
   (or from a file name starting with ``NN-topic``); the tests, public and hidden, come from the
   autograder archive built from the master (:func:`hepml.course.exercises.load_tests`).
2. A fresh worker process (:mod:`hepml.course.grading_worker`) executes the submission's code
   cells in a temporary folder, each cell under the time limit and an output limit. A cell that
   raises, calls ``sys.exit``, prints too much or runs too long is recorded and the next cell
   runs. A cell that kills or hangs the worker (``os._exit``, an infinite loop that swallows the
   interrupt) is skipped in a new worker.
3. The tests run here, in the grader's own process, with pristine NumPy and
   :mod:`hepml.course.checks`. They receive the submission's variables as plain data, decoded by
   an unpickler that builds nothing but numbers, strings, containers and NumPy arrays; a student
   function is called in the worker, under the time limit, and only its result comes back. The
   score is computed here, so nothing the submission writes (a results file, a patched helper)
   can change it.

What remains for high-stakes use
--------------------------------
The worker runs as the grading user with a Python audit hook that refuses writing or deleting
files outside its temporary folder, reading the masters and autograder archives, starting
processes and sending signals. Audit hooks are not a security boundary: code that loads native
code (``ctypes``) can get around them, and memory is not limited. For exams, run the grader in a
container without network, with a read-only file system apart from a scratch folder, a memory
limit, and without the masters visible to the submission (only ``build/`` and the submissions).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hepml.course.exercises import ExerciseSet, load_tests
from hepml.course.feedback import QuestionResult, run_question
from hepml.course.gradebook import SubmissionResult, write_gradebook
from hepml.course.grading_session import AnswerUnavailable, Environment, Session, WorkerDied
from hepml.course.paths import repository_root, solutions

__all__ = [
    "GradingError",
    "SubmissionResult",
    "collect_notebooks",
    "grade_paths",
    "grade_submission",
    "write_gradebook",
]


class GradingError(RuntimeError):
    """Grading itself failed (not the student): unknown exercise set, broken master, ..."""


def _exercise_name(notebook: dict, path: Path, available: Sequence[str]) -> str:
    metadata = notebook.get("metadata", {}).get("hepml", {})
    name = metadata.get("exercise") if isinstance(metadata, dict) else None
    if isinstance(name, str) and name in available:
        return name
    for candidate in available:
        if path.stem.startswith(candidate):
            return candidate
    numbers = re.match(r"(\d\d)\D", path.name)
    matches = [
        candidate
        for candidate in available
        if numbers and candidate.startswith(numbers.group(1) + "-")
    ]
    if len(matches) == 1:
        return matches[0]
    raise GradingError(f"cannot tell which exercise set {path.name} belongs to (use --exercise)")


def grade_submission(
    path: str | Path,
    *,
    timeout: float = 30.0,
    exercise: str | None = None,
    root: Path | None = None,
    exercise_set: ExerciseSet | None = None,
) -> SubmissionResult:
    """Grade one submitted notebook; see the module docstring for how.

    Parameters
    ----------
    path
        The ``.ipynb`` file.
    timeout
        Seconds allowed for each code cell of the submission and for each call of a student
        function by a test.
    exercise
        Name of the exercise set (e.g. ``"01-statistics"``); read from the notebook if omitted.
    root
        Repository root holding ``solutions/`` and ``build/``.
    exercise_set
        Tests to use instead of loading them (for callers that grade many submissions).

    Returns
    -------
    SubmissionResult
        Score per question with the reason for every lost point. A submission that cannot be read
        scores 0 with that reason.

    Raises
    ------
    GradingError
        If the exercise set cannot be determined or its tests cannot be loaded.
    """
    root = repository_root() if root is None else Path(root)
    path = Path(path)
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(notebook.get("cells"), list):
            raise ValueError("no cells")
    except (OSError, ValueError, UnicodeDecodeError, AttributeError) as error:
        notebook, unreadable = None, f"not a readable notebook ({type(error).__name__})"
    if exercise_set is None:
        available = [master.stem for master in solutions(root)]
        name = exercise or _exercise_name(notebook or {}, path, available)
        try:
            exercise_set = load_tests(name, root=root)
        except Exception as error:  # noqa: BLE001 - reported as a grading failure
            raise GradingError(f"cannot load the tests of {name}: {error}") from error
    max_score = sum(exercise_set.points.values())
    if notebook is None:
        questions = [
            QuestionResult(q, 0.0, p, False, unreadable) for q, p in exercise_set.points.items()
        ]
        return SubmissionResult(str(path), 0.0, max_score, questions, unreadable)

    protected = [root / "solutions", root / "build"]
    with tempfile.TemporaryDirectory(prefix="hepml-grade-") as temporary:
        folder = Path(temporary)
        copy = folder / "submission.ipynb"
        copy.write_text(json.dumps(notebook))
        session = Session(copy, folder, timeout, protected)
        environment = Environment(session)
        questions, error = [], None
        try:
            session.start()
        except WorkerDied as failure:
            error = f"the notebook could not be executed: {failure}"
        for question, tests in exercise_set.tests.items():
            if error:
                questions.append(
                    QuestionResult(question, 0.0, exercise_set.points[question], False, error)
                )
                continue
            declared = exercise_set.mistakes.get(question, ())
            questions.append(_grade_question(question, tests, environment, session, declared))
        session.close()
    score = round(sum(question.score for question in questions), 6)
    return SubmissionResult(str(path), score, max_score, questions, error)


def _grade_question(question, tests, environment, session, mistakes=()) -> QuestionResult:
    for test in tests:
        for variable in test.variables:
            try:
                environment.get(variable)
            except AnswerUnavailable as problem:
                environment[variable] = _Unavailable(str(problem))
            except (TimeoutError, WorkerDied):
                session.close()
                environment[variable] = None
    result = run_question(question, tests, _Unwrapped(environment), mistakes=mistakes)
    if result.passed:
        return result
    # an answer that is not defined usually means its cell failed: say which cells did
    notes = [
        f"code cell {index + 1}: {message}"
        for index, message in sorted(session.cell_errors.items())
    ]
    message = result.message
    if notes and "is not defined" in message:
        message += " [errors in the notebook: " + "; ".join(notes[:3]) + "]"
    return QuestionResult(result.name, result.score, result.max_score, False, message)


class _Unavailable:
    def __init__(self, reason: str):
        self.reason = reason


class _Unwrapped(dict):
    """Environment view that turns unreadable answers into a clear failure of the test."""

    def __init__(self, environment: Environment):
        super().__init__()
        self._environment = environment

    def get(self, name, default=None):
        value = self._environment.get(name, default)
        if isinstance(value, _Unavailable):
            return _Raiser(value.reason)
        return value


class _Raiser:
    """Stands in for an answer the grader cannot read: any use fails with the reason."""

    def __init__(self, reason: str):
        self._reason = reason

    def __getattr__(self, name):
        raise AssertionError(self._reason)

    def __array__(self, *args, **kwargs):
        raise AssertionError(self._reason)

    def __float__(self):
        raise AssertionError(self._reason)

    def __call__(self, *args, **kwargs):
        raise AssertionError(self._reason)


def collect_notebooks(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into the ``.ipynb`` files they contain (recursively, sorted)."""
    notebooks = []
    for path in map(Path, paths):
        if path.is_dir():
            notebooks += sorted(
                p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
            )
        else:
            notebooks.append(path)
    return notebooks


def grade_paths(
    paths: Iterable[str | Path],
    *,
    timeout: float = 30.0,
    exercise: str | None = None,
    jobs: int = 2,
    root: Path | None = None,
) -> list[SubmissionResult]:
    """Grade every notebook in ``paths`` (files or folders), ``jobs`` submissions at a time.

    A submission whose grading failed (unknown exercise set, tests that cannot be loaded) is
    returned with ``grading_failed=True`` and an ``error``; the others are still graded.
    """
    notebooks = collect_notebooks(paths)

    def grade(path: Path) -> SubmissionResult:
        try:
            return grade_submission(path, timeout=timeout, exercise=exercise, root=root)
        except GradingError as error:
            return SubmissionResult(str(path), 0.0, 0.0, [], str(error), grading_failed=True)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(grade, notebooks))
