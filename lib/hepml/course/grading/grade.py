"""Grade submitted exercise notebooks with the hidden tests, each in its own sandbox.

``python -m hepml grade PATH... [--json] [--csv FILE] [--timeout S] [--total-timeout S]
[--no-sandbox]`` calls :func:`grade_paths`.

How a submission is graded
--------------------------
1. The file is read by :func:`hepml.course.grading.submissions.read_submission`: regular files only
   (no symbolic links, FIFOs or devices), at most 16 MB, JSON nested at most 64 levels, the
   structure of a notebook; anything else scores 0 with the reason. Its exercise set is read from
   the notebook metadata written by ``python -m hepml exercises`` (or from a file name starting
   with ``NN-topic``); the tests, public and hidden, come from the autograder archive built from
   the master (:func:`hepml.course.exercises.load_tests`).
2. A process forked for this submission by a warm worker (:mod:`hepml.course.grading.worker`,
   which imported NumPy, torch and ``hepml`` once for the whole grading job) executes the
   submission's code cells, each cell under the time limit (``--timeout``) and an output limit.
   A cell that raises, calls ``sys.exit``, prints too much or runs too long is recorded and the
   next cell runs. A cell that kills or hangs the process is skipped in a new process. Everything,
   restarts included, runs within one total time limit per submission (``--total-timeout``, by
   default four times ``--timeout`` plus 30 s for starting a worker); when it runs out the
   questions not yet graded score 0 with that reason. When the submission is done, every process
   it started is killed and every file it wrote is deleted before the next one starts.
3. The tests run here, in the grader's own process, with pristine NumPy and
   :mod:`hepml.course.checks`. They receive the submission's variables as plain data, decoded by
   an unpickler that builds nothing but numbers, strings, containers and NumPy arrays, after the
   size and shape of every reply have been checked; a student function is called in the worker,
   under the time limit, and only its result comes back. The score is computed here, so nothing
   the submission writes (a results file, a patched helper) can change it.

What is isolated, and how
-------------------------
Each grading job's warm worker runs in a bubblewrap sandbox (:mod:`hepml.course.grading.sandbox`):
its own PID, network, IPC, UTS and mount namespaces; a file system holding only ``/usr``, the
Python installation, the virtual environment, the folders the grader imports packages from and
the ``hepml`` package, all read-only, a private ``/proc``, ``/dev`` and ``/tmp``, and a writable
scratch folder ``/submission`` (a 256 MB tmpfs). The repository (``.git``, ``solutions/``,
``build/``), the submissions' files, the grader's process and command line and the instructor's
home are not visible, and the network is down. When the grader runs as root the worker becomes
``nobody`` with no capabilities. Resource limits (``prlimit``): 2.5 GB of address space, 128
processes and threads, 64 MB per written file, 256 open files, no core dumps. The sandbox dies
with the grader (``--die-with-parent``).

Submissions graded one after the other in the same sandbox cannot see each other: a submission's
process receives only its own cells (through a pipe, never as a file), the warm worker it was
forked from is not traceable (``PR_SET_DUMPABLE`` 0) and never runs student code, and when the
submission ends the worker kills every other process in the sandbox's PID namespace, empties
``/submission`` and ``/tmp`` (restoring only the font caches of its own start) and removes any
System V IPC object; POSIX message queues are disabled. A worker that does not confirm this in
time is killed with its whole sandbox and started again. A Python audit hook in the submission's
process only adds clear messages (writing outside the scratch folder, reading the masters).

Without bubblewrap, grading refuses to start and says how to install it. ``--no-sandbox``
(``sandbox=False``) accepts the weaker isolation: a plain warm worker, each submission's process
in a temporary folder of its own, the audit hook (which also refuses to start processes or send
signals, but is no security boundary: ``ctypes`` gets around it) and the same memory, file-size
and open-file limits; every gradebook row then says so in its ``isolation`` column and the
command line prints a warning.

A warm worker that cannot start (a library that does not import, limits too small for it) is a
problem of the grading machine, not of the students: grading stops with its last lines of output
(:class:`WorkerUnavailable`) instead of scoring a class 0.
"""

from __future__ import annotations

import contextlib
import queue
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hepml.course.exercises import ExerciseSet, load_tests
from hepml.course.feedback import QuestionResult, run_question
from hepml.course.grading.gradebook import SubmissionResult, write_gradebook
from hepml.course.grading.replies import OutOfTime, WorkerDied
from hepml.course.grading.sandbox import SCRATCH, Limits, bubblewrap_problem
from hepml.course.grading.session import (
    AnswerUnavailable,
    Environment,
    Session,
    WarmWorker,
    WorkerUnavailable,
)
from hepml.course.grading.submissions import (
    UnreadableSubmission,
    collect_notebooks,
    display_name,
    read_submission,
)
from hepml.course.paths import repository_root, solutions

__all__ = [
    "GradingError",
    "WorkerUnavailable",
    "SandboxUnavailable",
    "SubmissionResult",
    "collect_notebooks",
    "grade_paths",
    "grade_submission",
    "write_gradebook",
]

#: By default a submission may take this many times the per-cell limit in total ...
TOTAL_TIMEOUT_FACTOR = 4
#: ... plus this many seconds for starting its workers (importing numpy, torch and hepml).
TOTAL_TIMEOUT_START = 30.0


def default_total_timeout(timeout: float) -> float:
    """The default total time limit of a submission whose cells may take ``timeout`` each."""
    return TOTAL_TIMEOUT_FACTOR * timeout + TOTAL_TIMEOUT_START


class GradingError(RuntimeError):
    """Grading itself failed (not the student): unknown exercise set, broken master, ..."""


class SandboxUnavailable(GradingError):
    """bubblewrap is missing or cannot run here, and the weaker isolation was not accepted."""


def require_sandbox() -> None:
    """Raise :class:`SandboxUnavailable` (saying how to install bubblewrap) if it cannot run."""
    problem = bubblewrap_problem()
    if problem is not None:
        raise SandboxUnavailable(problem)


def _exercise_name(exercise: str | None, path: Path, available: Sequence[str]) -> str:
    if isinstance(exercise, str) and exercise in available:
        return exercise
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
    raise GradingError(
        f"cannot tell which exercise set {display_name(path.name)} belongs to (use --exercise)"
    )


def grade_submission(
    path: str | Path,
    *,
    timeout: float = 30.0,
    exercise: str | None = None,
    root: Path | None = None,
    exercise_set: ExerciseSet | None = None,
    total_timeout: float | None = None,
    sandbox: bool = True,
    limits: Limits | None = None,
    warm: WarmWorker | None = None,
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
    total_timeout
        Seconds allowed for the whole submission, restarts included (default
        :func:`default_total_timeout`: four times ``timeout`` plus 30 s to start the worker).
    sandbox
        Run the submission in bubblewrap (:mod:`hepml.course.grading.sandbox`); ``False``
        accepts the weaker isolation of a plain process.
    limits
        Resource limits of the worker (default :class:`hepml.course.grading.sandbox.Limits`).
    warm
        The warm worker to run the submission in (as :func:`grade_paths` passes); by default
        one is started for this submission and stopped after it.

    Returns
    -------
    SubmissionResult
        Score per question with the reason for every lost point. A submission that cannot be read
        scores 0 with that reason.

    Raises
    ------
    GradingError
        If the exercise set cannot be determined or its tests cannot be loaded.
    SandboxUnavailable
        If ``sandbox`` is true and bubblewrap cannot run here.
    WorkerUnavailable
        If the warm worker cannot start (a problem of this machine, with the worker's output).
    ValueError
        If ``timeout`` or ``total_timeout`` is not a positive number.
    """
    for name, value in (("timeout", timeout), ("total_timeout", total_timeout)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0
        ):
            raise ValueError(f"`{name}` must be a positive number of seconds, got {value!r}")
    started = time.monotonic()
    total = default_total_timeout(timeout) if total_timeout is None else float(total_timeout)
    limits = Limits() if limits is None else limits
    root = repository_root() if root is None else Path(root)
    path = Path(path)
    name = display_name(path)
    try:
        submission, unreadable = read_submission(path), None
    except UnreadableSubmission as error:
        submission, unreadable = None, str(error)
    if exercise_set is None:
        available = [master.stem for master in solutions(root)]
        set_name = exercise or _exercise_name(
            submission.exercise if submission else None, path, available
        )
        try:
            exercise_set = load_tests(set_name, root=root)
        except Exception as error:  # noqa: BLE001 - reported as a grading failure
            raise GradingError(f"cannot load the tests of {set_name}: {error}") from error
    if sandbox and submission is not None:
        require_sandbox()
    max_score = sum(exercise_set.points.values())
    if submission is None:
        questions = [
            QuestionResult(q, 0.0, p, False, unreadable) for q, p in exercise_set.points.items()
        ]
        return SubmissionResult(
            name,
            0.0,
            max_score,
            questions,
            unreadable,
            seconds=time.monotonic() - started,
            exercise=exercise_set.name,
        )

    with contextlib.ExitStack() as own:
        if warm is None:
            warm = own.enter_context(WarmWorker(protected_folders(root), limits, sandbox))
        if warm.process is None:
            warm.start()  # before the submission's own time limit starts
        with tempfile.TemporaryDirectory(prefix="hepml-grade-") as temporary:
            folder = SCRATCH if sandbox else Path(temporary)
            session = Session(submission.cells, timeout, warm, total=total, folder=folder)
            environment = Environment(session)
            questions, error = [], None
            try:
                session.start()
            except OutOfTime as failure:
                error = str(failure)
            except WorkerDied as failure:
                error = f"the notebook could not be executed: {failure}"
            for question, tests in exercise_set.tests.items():
                if not error:
                    declared = exercise_set.mistakes.get(question, ())
                    try:
                        questions.append(
                            _grade_question(question, tests, environment, session, declared)
                        )
                        continue
                    except OutOfTime as failure:
                        error = str(failure)
                questions.append(
                    QuestionResult(question, 0.0, exercise_set.points[question], False, error)
                )
            session.close()
    score = round(sum(question.score for question in questions), 6)
    return SubmissionResult(
        name,
        score,
        max_score,
        questions,
        error,
        seconds=time.monotonic() - started,
        exercise=exercise_set.name,
    )


def _grade_question(question, tests, environment, session, mistakes=()) -> QuestionResult:
    for test in tests:
        for variable in test.variables:
            try:
                environment.get(variable)
            except AnswerUnavailable as problem:
                environment[variable] = _Unavailable(str(problem))
            except OutOfTime:
                raise
            except (TimeoutError, WorkerDied):
                session.close()
                environment[variable] = None
    result = run_question(question, tests, _Unwrapped(environment), mistakes=mistakes)
    if time.monotonic() >= session.deadline:
        raise OutOfTime(session.out_of_time)
    if result.passed:
        return result
    # an answer that is not defined usually means its cell failed: say which cells did
    errors = sorted(session.cell_errors.items())
    # a NameError is usually the consequence of an earlier failure: name the causes first
    errors.sort(key=lambda item: item[1].startswith("NameError"))
    notes = [f"code cell {index + 1}: {message}" for index, message in errors]
    message = result.message
    if notes and "is not defined" in message:
        message += " [errors in the notebook: " + "; ".join(notes[:3]) + "]"
    return QuestionResult(
        result.name, result.score, result.max_score, False, message, result.mistake
    )


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


def grade_paths(
    paths: Iterable[str | Path],
    *,
    timeout: float = 30.0,
    exercise: str | None = None,
    jobs: int = 2,
    root: Path | None = None,
    total_timeout: float | None = None,
    sandbox: bool = True,
    limits: Limits | None = None,
    on_result: Callable[[SubmissionResult], None] | None = None,
) -> list[SubmissionResult]:
    """Grade every notebook in ``paths`` (files or folders), ``jobs`` submissions at a time.

    Every notebook gets exactly one result, in the order of :func:`collect_notebooks`: a
    submission whose grading failed (unknown exercise set, tests that cannot be loaded, a bug of
    the grader) is returned with ``grading_failed=True`` and an ``error``; the others are still
    graded. ``on_result`` is called with each result as soon as it is known (from one thread at
    a time), e.g. :meth:`hepml.course.grading.gradebook.Gradebook.add`. The other parameters
    are those of :func:`grade_submission`.

    Each of the ``jobs`` threads grades in its own warm worker (:class:`WarmWorker`), started
    for its first readable submission: importing the libraries once per job, not per
    submission, is what makes grading a class cost little more than running its notebooks.

    Raises
    ------
    SandboxUnavailable
        If ``sandbox`` is true and bubblewrap cannot run here (before anything is graded).
    WorkerUnavailable
        If a warm worker cannot start: a problem of this machine that would otherwise score
        every submission 0. The batch stops after the submissions being graded.
    """
    if sandbox:
        require_sandbox()
    notebooks = collect_notebooks(paths)
    if not notebooks:
        return []
    root = repository_root() if root is None else Path(root)
    limits = Limits() if limits is None else limits
    jobs = max(1, min(jobs, len(notebooks)))
    idle: queue.SimpleQueue[WarmWorker] = queue.SimpleQueue()
    lock = threading.Lock()
    unavailable: list[WorkerUnavailable] = []

    def grade(path: Path) -> SubmissionResult | None:
        if unavailable:
            return None
        started = time.monotonic()
        warm = idle.get()
        try:
            result = grade_submission(
                path,
                timeout=timeout,
                exercise=exercise,
                root=root,
                total_timeout=total_timeout,
                sandbox=sandbox,
                limits=limits,
                warm=warm,
            )
        except WorkerUnavailable as error:
            unavailable.append(error)
            return None
        except GradingError as error:
            result = SubmissionResult(
                display_name(path), 0.0, 0.0, [], str(error), grading_failed=True
            )
        except Exception as error:  # noqa: BLE001 - a bug of the grader costs one row, not all
            result = SubmissionResult(
                display_name(path),
                0.0,
                0.0,
                [],
                f"the grader failed on this submission ({type(error).__name__}: {error})"[:2000],
                grading_failed=True,
            )
        finally:
            idle.put(warm)
        result.seconds = time.monotonic() - started
        if on_result is not None:
            with lock:
                on_result(result)
        return result

    with contextlib.ExitStack() as workers:
        for _ in range(jobs):
            idle.put(workers.enter_context(WarmWorker(protected_folders(root), limits, sandbox)))
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(grade, notebooks))
    if unavailable:
        raise unavailable[0]
    return results


def protected_folders(root: Path) -> list[Path]:
    """The folders of the repository a submission must not read (masters, archives, history)."""
    return [root / "solutions", root / "build", root / ".git"]
