"""The grader's side of a submission's worker process: start it, talk to it, restart it.

:class:`Session` runs one submission in a :mod:`hepml.course.grading_worker` process (inside the
bubblewrap sandbox of :mod:`hepml.course.sandbox` unless told otherwise), skipping in a new
worker the cells that hung or killed the previous one, all within one total time limit that
counts every restart. Nothing that comes back is trusted: a reply's size is checked before it is
read, then it is decoded and checked by :mod:`hepml.course.grading_replies`; anything else ends
the worker with a reason. :class:`Environment`
is the submission's variables as the tests of :mod:`hepml.course.grading` see them.
"""

from __future__ import annotations

import io
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

from hepml.course.grading_replies import (
    MAX_REPLY_BYTES,
    OutOfTime,
    SafeUnpickler,
    WorkerDied,
    checked,
)
from hepml.course.sandbox import SCRATCH, Limits, limits_command, sandbox_command

#: Output one cell of a submission may print before it is stopped.
OUTPUT_LIMIT = 2**20
#: Times a worker is restarted after it hung or died, before the remaining cells are given up.
MAX_RESTARTS = 4
#: Seconds a worker may take to start (import numpy, torch, hepml) before its first cell.
START_SECONDS = 60.0


class Worker:
    """One worker process (in its sandbox) and its two pipes.

    Parameters
    ----------
    notebook
        The grader's normalised copy of the submission.
    skip
        Indices of the code cells not to execute.
    timeout
        Seconds per cell and per call of a student function.
    protected
        Folders the worker's audit hook refuses to read (clear messages on top of the sandbox).
    limits
        Resource limits; ``None`` runs without them (only for the tests of this module).
    sandboxed
        Run in bubblewrap; ``False`` is the weaker isolation of ``--no-sandbox``.
    """

    def __init__(
        self,
        notebook: Path,
        skip: set[int],
        timeout: float,
        protected: list[Path],
        limits: Limits,
        sandboxed: bool = True,
    ):
        request_read, self._request = os.pipe()
        self._response, response_write = os.pipe()
        folder = SCRATCH if sandboxed else notebook.parent
        environment = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(folder),
            "TMPDIR": "/tmp" if sandboxed else str(folder),
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": str(folder / ".matplotlib"),
            "TQDM_DISABLE": "1",
            "PYTHONHASHSEED": "0",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
        command = [
            sys.executable,
            "-I",
            "-B",
            "-m",
            "hepml.course.grading_worker",
            str(request_read),
            str(response_write),
            str(SCRATCH / "submission.ipynb" if sandboxed else notebook),
            ",".join(map(str, sorted(skip))),
            repr(float(timeout)),
            str(OUTPUT_LIMIT),
            "sandboxed" if sandboxed else "strict",
            *map(str, protected),
        ]
        if sandboxed:
            command = sandbox_command(command, notebook=notebook, limits=limits)
        else:
            command = limits_command(command, limits)
        try:
            self.process = subprocess.Popen(
                command,
                cwd=folder if not sandboxed else "/",
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(request_read, response_write),
                start_new_session=True,
            )
        finally:
            os.close(request_read)
            os.close(response_write)
        self._buffer = bytearray()

    def receive(self, deadline: float, allowed: set[str]) -> tuple:
        """The next reply, checked to be one of the ``allowed`` kinds.

        Raises
        ------
        TimeoutError
            If no complete reply arrived before ``deadline`` (a ``time.monotonic()`` value).
        WorkerDied
            If the worker ended or sent something malformed or too large.
        """
        size = struct.unpack("!Q", self._read(8, deadline))[0]
        if size > MAX_REPLY_BYTES:
            raise WorkerDied("the submission sent a reply too large to read")
        data = self._read(size, deadline)
        try:
            message = SafeUnpickler(io.BytesIO(data)).load()
        except Exception as error:  # noqa: BLE001 - a malformed reply is the submission's fault
            raise WorkerDied(
                f"unreadable reply from the submission ({type(error).__name__})"
            ) from None
        return checked(message, allowed)

    def request(self, message: tuple, deadline: float, allowed: set[str]) -> tuple:
        """Send ``message`` and return the checked reply (see :meth:`receive`)."""
        data = pickle.dumps(message, protocol=4)
        try:
            os.write(self._request, struct.pack("!Q", len(data)) + data)
        except OSError:
            raise WorkerDied("the submission's process has ended") from None
        return self.receive(deadline, allowed)

    def _read(self, size: int, deadline: float) -> bytes:
        while len(self._buffer) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self._response], [], [], remaining)
            if not ready:
                raise TimeoutError
            chunk = os.read(self._response, min(2**20, size - len(self._buffer)))
            if not chunk:
                raise WorkerDied("the submission's process ended")
            self._buffer += chunk
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def close(self) -> None:
        """Kill the worker and, with it, its sandbox and every process in it."""
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


class Session:
    """Executes a submission in a worker, within a total time limit.

    The worker is restarted without the cells that hung or killed it. ``total`` seconds, counted
    from the session's creation, bound everything: execution, restarts and every request.
    """

    def __init__(
        self,
        notebook: Path,
        timeout: float,
        protected: list[Path],
        *,
        total: float,
        limits: Limits,
        sandboxed: bool = True,
    ):
        self.notebook, self.timeout, self.protected = notebook, timeout, protected
        self.limits, self.sandboxed, self.total = limits, sandboxed, total
        self.deadline = time.monotonic() + total
        self.skip: set[int] = set()
        self.cell_errors: dict[int, str] = {}
        self.worker: Worker | None = None
        self.restarts = 0
        self.cells: int | None = None

    def _until(self, seconds: float) -> float:
        if time.monotonic() >= self.deadline:
            self.close()
            raise OutOfTime(self.out_of_time)
        return min(time.monotonic() + seconds, self.deadline)

    @property
    def out_of_time(self) -> str:
        """The reason given when the total time limit ran out."""
        return f"the submission used up its total time limit of {self.total:g} s"

    def start(self) -> None:
        """Execute the notebook until the worker is ready for requests (restarting as needed)."""
        while True:
            self.worker = Worker(
                self.notebook,
                self.skip,
                self.timeout,
                self.protected,
                self.limits,
                self.sandboxed,
            )
            current = None
            try:
                message = self.worker.receive(self._until(START_SECONDS), {"cells"})
                cells = message[1]
                if self.cells is not None and cells != self.cells:
                    raise WorkerDied("the submission's process sent a malformed reply")
                self.cells = cells
                message = self.worker.receive(self._until(START_SECONDS), {"cell", "ready"})
                while message[0] != "ready":
                    if message[0] == "cell":
                        if current is not None or not 0 <= message[1] < cells:
                            raise WorkerDied("the submission's process sent a malformed reply")
                        current = message[1]
                        allowed = {"cell_done"}
                    else:  # cell_done
                        if message[1] != current:
                            raise WorkerDied("the submission's process sent a malformed reply")
                        if message[2]:
                            self.cell_errors[current] = message[2]
                        current = None
                        allowed = {"cell", "ready"}
                    # a cell gets its own limit plus a grace period for the worker's interrupt
                    wait = self.timeout + 5 if current is not None else START_SECONDS
                    message = self.worker.receive(self._until(wait), allowed)
                return
            except (TimeoutError, WorkerDied) as failure:
                self.close()
                if time.monotonic() >= self.deadline:
                    raise OutOfTime(self.out_of_time) from None
                if current is None or self.restarts >= MAX_RESTARTS:
                    raise WorkerDied(f"the submission could not be executed ({failure})") from None
                if isinstance(failure, TimeoutError):
                    reason = f"timed out after {self.timeout:g} s"
                elif "ended" in str(failure):
                    reason = "ended the process"
                else:  # a malformed, unreadable or oversized reply
                    reason = str(failure).replace("the submission's process ", "")
                self.cell_errors[current] = reason
                self.skip.add(current)
                self.restarts += 1

    def value(self, name: str) -> object:
        """The value of variable ``name`` (``None`` if undefined, a :class:`RemoteFunction`)."""
        if self.worker is None:
            self.start()
        reply = self.worker.request(
            ("get", name),
            self._until(self.timeout + 5),
            {"value", "callable", "undefined", "unsupported", "too_large"},
        )
        if reply[0] == "value":
            return reply[1]
        if reply[0] == "callable":
            return RemoteFunction(self, name)
        if reply[0] == "undefined":
            return None
        kind = reply[1] if reply[0] == "unsupported" else "value too large"
        raise AnswerUnavailable(f"`{name}` is a {kind} the grader cannot read")

    def call(self, name: str, args: tuple, kwargs: dict) -> object:
        """Call the submission's function ``name`` in the worker; return its plain-data result."""
        if self.worker is None:
            self.start()
        try:
            reply = self.worker.request(
                ("call", name, args, kwargs),
                self._until(self.timeout + 5),
                {"value", "raised", "unsupported", "too_large"},
            )
        except TimeoutError:
            self.close()
            raise TimeoutError(f"timed out after {self.timeout:g} s") from None
        except OutOfTime:
            raise
        except WorkerDied:
            self.close()
            raise RuntimeError("ended the grading process") from None
        if reply[0] == "value":
            return reply[1]
        if reply[0] == "raised":
            raise RuntimeError(reply[1])
        kind = reply[1] if reply[0] == "unsupported" else "value too large"
        raise AnswerUnavailable(f"`{name}` returned a {kind}, which the grader cannot read")

    def close(self) -> None:
        """Kill the worker, if one runs."""
        if self.worker is not None:
            self.worker.close()
            self.worker = None


class AnswerUnavailable(Exception):
    """An answer exists but is not plain data the grader can read."""


class RemoteFunction:
    """A student's function, called in the worker; only its (plain-data) result comes back."""

    def __init__(self, session: Session, name: str):
        self._session, self.__name__ = session, name

    def __call__(self, *args, **kwargs):
        return self._session.call(self.__name__, args, kwargs)


class Environment(dict):
    """The submission's variables, fetched from the worker on first use."""

    def __init__(self, session: Session):
        super().__init__()
        self._session = session

    def get(self, name, default=None):
        if name not in self:
            self[name] = self._session.value(name)
        return dict.get(self, name, default)
