"""Grade submitted exercise notebooks with the hidden tests, robustly, one process per submission.

``python -m hepml grade PATH... [--json] [--csv FILE] [--timeout S]`` calls :func:`grade_paths`.

How a submission is graded
--------------------------
1. Its exercise set is read from the notebook metadata written by ``python -m hepml exercises``
   (or from a file name starting with ``NN-topic``); the tests, public and hidden, come from the
   autograder archive built from the master (:func:`hepml.exercises.load_tests`).
2. A fresh worker process (:mod:`hepml.grading_worker`) executes the submission's code cells in a
   temporary folder, each cell under the time limit and an output limit. A cell that raises,
   calls ``sys.exit``, prints too much or runs too long is recorded and the next cell runs. A cell
   that kills or hangs the worker (``os._exit``, an infinite loop that swallows the interrupt) is
   skipped in a new worker.
3. The tests run here, in the grader's own process, with pristine NumPy and :mod:`hepml.checks`.
   They receive the submission's variables as plain data, decoded by an unpickler that builds
   nothing but numbers, strings, containers and NumPy arrays; a student function is called in the
   worker, under the time limit, and only its result comes back. The score is computed here, so
   nothing the submission writes (a results file, a patched helper) can change it.

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

import csv
import io
import json
import os
import pickle
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from hepml.exercises import ExerciseSet, load_tests, repository_root
from hepml.feedback import QuestionResult, run_question

__all__ = ["SubmissionResult", "collect_notebooks", "grade_paths", "grade_submission", "write_gradebook"]

#: Output one cell of a submission may print before it is stopped.
OUTPUT_LIMIT = 2**20
#: Times a worker is restarted after it hung or died, before the remaining cells are given up.
MAX_RESTARTS = 4


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


class GradingError(RuntimeError):
    """Grading itself failed (not the student): unknown exercise set, broken master, ..."""


class _SafeUnpickler(pickle.Unpickler):
    """Build only plain data: numbers, strings, containers, NumPy arrays and scalars."""

    ALLOWED = {
        ("builtins", "complex"), ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "slice"),
        ("builtins", "range"), ("builtins", "bytearray"), ("builtins", "Ellipsis"),
        ("numpy", "ndarray"), ("numpy", "dtype"),
        ("numpy._core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "scalar"),
        ("numpy.core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "scalar"),
        ("numpy._core.numeric", "_frombuffer"), ("copyreg", "_reconstructor"),
    }

    def find_class(self, module: str, name: str):
        if (module, name) in self.ALLOWED or (module == "numpy.dtypes" and name.endswith("DType")):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refused to build {module}.{name}")


class _WorkerDied(Exception):
    pass


class _Worker:
    """One worker process and its two pipes."""

    def __init__(self, notebook: Path, folder: Path, skip: set[int], timeout: float, protected: list[Path]):
        request_read, self._request = os.pipe()
        self._response, response_write = os.pipe()
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(folder),
            "TMPDIR": str(folder),
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": str(folder / ".matplotlib"),
            "TQDM_DISABLE": "1",
            "PYTHONHASHSEED": "0",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
        command = [
            sys.executable, "-I", "-B", "-m", "hepml.grading_worker",
            str(request_read), str(response_write), str(notebook), ",".join(map(str, sorted(skip))),
            repr(float(timeout)), str(OUTPUT_LIMIT), *map(str, protected),
        ]
        self.process = subprocess.Popen(
            command,
            cwd=folder,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(request_read, response_write),
            start_new_session=True,
        )
        os.close(request_read)
        os.close(response_write)
        self._buffer = b""

    def receive(self, deadline: float) -> object:
        size = struct.unpack("!Q", self._read(8, deadline))[0]
        if size > 80 * 2**20:
            raise _WorkerDied("the submission sent a reply too large to read")
        try:
            return _SafeUnpickler(io.BytesIO(self._read(size, deadline))).load()
        except Exception as error:  # noqa: BLE001 - a malformed reply is the submission's fault
            raise _WorkerDied(f"unreadable reply from the submission ({type(error).__name__})") from None

    def request(self, message: tuple, deadline: float) -> object:
        data = pickle.dumps(message, protocol=4)
        try:
            os.write(self._request, struct.pack("!Q", len(data)) + data)
        except OSError:
            raise _WorkerDied("the submission's process has ended") from None
        return self.receive(deadline)

    def _read(self, size: int, deadline: float) -> bytes:
        while len(self._buffer) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self._response], [], [], remaining)
            if not ready:
                raise TimeoutError
            chunk = os.read(self._response, 2**20)
            if not chunk:
                raise _WorkerDied("the submission's process ended")
            self._buffer += chunk
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def close(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        for fd in (self._request, self._response):
            try:
                os.close(fd)
            except OSError:
                pass


class _Session:
    """Executes a submission in a worker, restarting it without the cells that hung or killed it."""

    def __init__(self, notebook: Path, folder: Path, timeout: float, protected: list[Path]):
        self.notebook, self.folder, self.timeout, self.protected = notebook, folder, timeout, protected
        self.skip: set[int] = set()
        self.cell_errors: dict[int, str] = {}
        self.worker: _Worker | None = None
        self.restarts = 0

    def start(self) -> None:
        """Execute the notebook until the worker is ready for requests (restarting as needed)."""
        while True:
            self.worker = _Worker(self.notebook, self.folder, self.skip, self.timeout, self.protected)
            current = None
            try:
                message = self.worker.receive(time.monotonic() + 60)
                while message[0] != "ready":
                    if message[0] == "cell":
                        current = message[1]
                    elif message[0] == "cell_done":
                        if message[2]:
                            self.cell_errors[message[1]] = message[2]
                        current = None
                    # a cell gets its own limit plus a grace period for the worker's interrupt
                    message = self.worker.receive(time.monotonic() + (self.timeout + 5 if current is not None else 60))
                return
            except (TimeoutError, _WorkerDied) as failure:
                self.worker.close()
                self.worker = None
                if current is None or self.restarts >= MAX_RESTARTS:
                    raise _WorkerDied("the submission could not be executed") from failure
                reason = f"timed out after {self.timeout:g} s" if isinstance(failure, TimeoutError) else "ended the process"
                self.cell_errors[current] = reason
                self.skip.add(current)
                self.restarts += 1

    def value(self, name: str) -> object:
        if self.worker is None:
            self.start()
        reply = self.worker.request(("get", name), time.monotonic() + self.timeout + 5)
        if reply[0] == "value":
            return reply[1]
        if reply[0] == "callable":
            return _RemoteFunction(self, name)
        if reply[0] == "undefined":
            return None
        raise _AnswerUnavailable(f"`{name}` is a {reply[1] if len(reply) > 1 else 'value'} the grader cannot read")

    def call(self, name: str, args: tuple, kwargs: dict) -> object:
        if self.worker is None:
            self.start()
        try:
            reply = self.worker.request(("call", name, args, kwargs), time.monotonic() + self.timeout + 5)
        except TimeoutError:
            self.close()
            raise TimeoutError(f"timed out after {self.timeout:g} s") from None
        except _WorkerDied:
            self.close()
            raise RuntimeError("ended the grading process") from None
        if reply[0] == "value":
            return reply[1]
        if reply[0] == "raised":
            raise RuntimeError(reply[1])
        raise _AnswerUnavailable(f"`{name}` returned a {reply[1]}, which the grader cannot read")

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None


class _AnswerUnavailable(Exception):
    pass


class _RemoteFunction:
    """A student's function, called in the worker; only its (plain-data) result comes back."""

    def __init__(self, session: _Session, name: str):
        self._session, self.__name__ = session, name

    def __call__(self, *args, **kwargs):
        return self._session.call(self.__name__, args, kwargs)


class _Environment(dict):
    """The submission's variables, fetched from the worker on first use."""

    def __init__(self, session: _Session):
        super().__init__()
        self._session = session

    def get(self, name, default=None):
        if name not in self:
            self[name] = self._session.value(name)
        return dict.get(self, name, default)


def _exercise_name(notebook: dict, path: Path, available: Sequence[str]) -> str:
    metadata = notebook.get("metadata", {}).get("hepml", {})
    name = metadata.get("exercise") if isinstance(metadata, dict) else None
    if isinstance(name, str) and name in available:
        return name
    for candidate in available:
        if path.stem.startswith(candidate):
            return candidate
    numbers = re.match(r"(\d\d)\D", path.name)
    matches = [candidate for candidate in available if numbers and candidate.startswith(numbers.group(1) + "-")]
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
        available = [master.stem for master in sorted((root / "solutions").glob("[0-9][0-9]-*.ipynb"))]
        name = exercise or _exercise_name(notebook or {}, path, available)
        try:
            exercise_set = load_tests(name, root=root)
        except Exception as error:  # noqa: BLE001 - reported as a grading failure
            raise GradingError(f"cannot load the tests of {name}: {error}") from error
    max_score = sum(exercise_set.points.values())
    if notebook is None:
        questions = [QuestionResult(q, 0.0, p, False, unreadable) for q, p in exercise_set.points.items()]
        return SubmissionResult(str(path), 0.0, max_score, questions, unreadable)

    protected = [root / "solutions", root / "build"]
    with tempfile.TemporaryDirectory(prefix="hepml-grade-") as temporary:
        folder = Path(temporary)
        copy = folder / "submission.ipynb"
        copy.write_text(json.dumps(notebook))
        session = _Session(copy, folder, timeout, protected)
        environment = _Environment(session)
        questions, error = [], None
        try:
            session.start()
        except _WorkerDied as failure:
            error = f"the notebook could not be executed: {failure}"
        for question, tests in exercise_set.tests.items():
            if error:
                questions.append(QuestionResult(question, 0.0, exercise_set.points[question], False, error))
                continue
            questions.append(_grade_question(question, tests, environment, session))
        session.close()
    score = round(sum(question.score for question in questions), 6)
    return SubmissionResult(str(path), score, max_score, questions, error)


def _grade_question(question, tests, environment, session) -> QuestionResult:
    for test in tests:
        for variable in test.variables:
            try:
                environment.get(variable)
            except _AnswerUnavailable as problem:
                environment[variable] = _Unavailable(str(problem))
            except (TimeoutError, _WorkerDied):
                session.close()
                environment[variable] = None
    result = run_question(question, tests, _Unwrapped(environment))
    if result.passed:
        return result
    # an answer that is not defined usually means its cell failed: say which cells did
    notes = [f"code cell {index + 1}: {message}" for index, message in sorted(session.cell_errors.items())]
    message = result.message
    if notes and "is not defined" in message:
        message += " [errors in the notebook: " + "; ".join(notes[:3]) + "]"
    return QuestionResult(result.name, result.score, result.max_score, False, message)


class _Unavailable:
    def __init__(self, reason: str):
        self.reason = reason


class _Unwrapped(dict):
    """Environment view that turns unreadable answers into a clear failure of the test."""

    def __init__(self, environment: _Environment):
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
            notebooks += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
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


def write_gradebook(results: Sequence[SubmissionResult], path: str | Path) -> None:
    """Write one CSV row per submission: notebook, score, max_score, one column per question."""
    questions = list(dict.fromkeys(q.name for result in results for q in result.questions))
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["notebook", "score", "max_score", *questions, "problems"])
        for result in results:
            scores = {q.name: q.score for q in result.questions}
            problems = "; ".join(f"{q.name}: {q.message}" for q in result.questions if not q.passed)
            writer.writerow(
                [result.notebook, f"{result.score:g}", f"{result.max_score:g}", *(f"{scores.get(q, 0):g}" for q in questions), problems]
            )
