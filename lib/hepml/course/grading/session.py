"""The grader's side of the workers: start a warm worker, fork a process per submission.

:class:`WarmWorker` is one sandbox (:mod:`hepml.course.grading.sandbox`) running
:mod:`hepml.course.grading.worker`, which imports the heavy libraries once and then forks a
fresh process for each submission; between two submissions it kills everything the first
started and empties what it wrote. :class:`Session` runs one submission in such a process,
skipping in a new process the cells that hung or killed the previous one, all within one total
time limit that counts every restart. Nothing that comes back is trusted: a reply's size is
checked before it is read, then it is decoded and checked by :mod:`hepml.course.grading.replies`;
anything else ends the process with a reason. :class:`Environment` is the submission's
variables as the tests of :mod:`hepml.course.grading.grade` see them.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hepml.course.grading.replies import (
    MAX_REPLY_BYTES,
    OutOfTime,
    SafeUnpickler,
    WorkerDied,
    checked,
)
from hepml.course.grading.sandbox import (
    SCRATCH,
    Limits,
    limits_command,
    sandbox_command,
    worker_sys_path,
)

#: Output one cell of a submission may print before it is stopped.
OUTPUT_LIMIT = 2**20
#: Times a worker is restarted after it hung or died, before the remaining cells are given up.
MAX_RESTARTS = 4
#: Seconds a warm worker may take to start (import numpy, torch, hepml).
START_SECONDS = 90.0
#: Seconds a submission's process may take to start and to end (kill, wipe its files).
FORK_SECONDS = 15.0
#: Lines of a warm worker's own output quoted when it could not start.
ERROR_LINES = 12


class WorkerUnavailable(RuntimeError):
    """A warm worker could not start: a problem of the grading machine, not of a submission."""


class WarmWorker:
    """A sandbox whose worker has imported the libraries and forks a process per submission.

    The sandbox starts on first use and again whenever it ended (a submission may kill it).

    Parameters
    ----------
    protected
        Folders the worker's audit hook refuses to read (clear messages on top of the sandbox).
    limits
        Resource limits of the sandbox, and so of every submission's process.
    sandboxed
        Run in bubblewrap; ``False`` is the weaker isolation of ``--no-sandbox``.
    """

    def __init__(self, protected: list[Path], limits: Limits, sandboxed: bool = True):
        self.protected, self.limits, self.sandboxed = protected, limits, sandboxed
        self.process: subprocess.Popen | None = None
        self._socket: socket.socket | None = None
        self._log = tempfile.TemporaryFile()
        self._home = tempfile.TemporaryDirectory(prefix="hepml-worker-")

    def start(self) -> None:
        """Start the sandbox and wait until its worker has imported the libraries.

        Raises
        ------
        WorkerUnavailable
            If the worker ended or hung while starting, with its last lines of output (a
            library that cannot be imported, too little memory for the limits, ...).
        """
        self.close()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        folder = SCRATCH if self.sandboxed else Path(self._home.name)
        environment = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(folder),
            "TMPDIR": "/tmp" if self.sandboxed else str(folder),
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": str(folder / ".matplotlib"),
            "TQDM_DISABLE": "1",
            "PYTHONHASHSEED": "0",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
        # run by path, with the grader's import folders: `-I` ignores PYTHONPATH and user sites
        command = [
            sys.executable,
            "-I",
            "-B",
            str(Path(__file__).with_name("worker.py")),
            json.dumps(worker_sys_path()),
            str(theirs.fileno()),
            "sandboxed" if self.sandboxed else "strict",
            *map(str, self.protected),
        ]
        if self.sandboxed:
            command = sandbox_command(command, limits=self.limits)
        else:
            command = limits_command(command, self.limits)
        self._log.seek(0)
        self._log.truncate()
        try:
            self.process = subprocess.Popen(
                command,
                cwd="/" if self.sandboxed else folder,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=self._log,
                pass_fds=(theirs.fileno(),),
                start_new_session=True,
            )
        except OSError as error:
            ours.close()
            raise WorkerUnavailable(f"the grading worker could not start: {error}") from None
        finally:
            theirs.close()
        self._socket = ours
        try:
            self._receive(time.monotonic() + START_SECONDS, {"warm"})
        except (TimeoutError, WorkerDied) as failure:
            reason = "it took too long" if isinstance(failure, TimeoutError) else "it ended"
            self.close()
            raise WorkerUnavailable(
                f"the grading worker could not start ({reason}); its last output:\n"
                + self.output()
            ) from None

    def output(self) -> str:
        """The last lines the sandbox and its worker wrote (never a submission's output)."""
        self._log.seek(0)
        lines = self._log.read()[-(2**16) :].decode(errors="replace").strip().splitlines()
        return "\n".join(lines[-ERROR_LINES:]) or "(nothing)"

    def fork(self, folder: Path, skip: set[int], timeout: float, deadline: float):
        """Start a submission's process; return its request and response pipes.

        Raises
        ------
        TimeoutError
            If the process did not start before ``deadline``.
        WorkerDied
            If the worker ended (it is started again on the next call).
        """
        if self.process is None or self.process.poll() is not None:
            self.start()
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        message = pickle.dumps(
            ("fork", str(folder), sorted(skip), float(timeout), OUTPUT_LIMIT), protocol=4
        )
        try:
            socket.send_fds(self._socket, [message], [request_read, response_write])
            self._receive(min(deadline, time.monotonic() + FORK_SECONDS), {"forked"})
        except (OSError, TimeoutError, WorkerDied) as failure:
            for fd in (request_write, response_read):
                os.close(fd)
            self.close()
            if isinstance(failure, TimeoutError):
                raise
            raise WorkerDied("the submission's process has ended") from None
        finally:
            os.close(request_read)
            os.close(response_write)
        return request_write, response_read

    def reset(self) -> None:
        """End the current submission: kill its processes and wipe its files (or, if the
        worker does not confirm that in time, the whole sandbox)."""
        if self.process is None:
            return
        try:
            self._socket.send(pickle.dumps(("reset",), protocol=4))
            self._receive(time.monotonic() + FORK_SECONDS, {"clean"})
        except (OSError, TimeoutError, WorkerDied):
            self.close()

    def _receive(self, deadline: float, allowed: set[str]) -> tuple:
        remaining = deadline - time.monotonic()
        ready, _, _ = select.select([self._socket], [], [], max(remaining, 0))
        if not ready:
            raise TimeoutError
        data = self._socket.recv(2**16)
        if not data:
            raise WorkerDied("the grading worker ended")
        try:
            message = SafeUnpickler(io.BytesIO(data)).load()
        except Exception:  # noqa: BLE001 - a malformed reply ends the worker
            raise WorkerDied("unreadable reply from the grading worker") from None
        return checked(message, allowed)

    def close(self) -> None:
        """Kill the sandbox and everything in it."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.process.wait()
            self.process = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def __enter__(self) -> WarmWorker:
        return self

    def __exit__(self, *exception) -> None:
        self.close()
        self._log.close()
        self._home.cleanup()


class Worker:
    """One submission's process, forked by a :class:`WarmWorker`, and its two pipes.

    Parameters
    ----------
    warm
        The warm worker that forks it.
    cells
        The submission's code cells.
    skip
        Indices of the code cells not to execute.
    timeout
        Seconds per cell and per call of a student function.
    folder
        Its scratch folder (``/submission`` in the sandbox).
    deadline
        When it must have started, a ``time.monotonic()`` value.
    """

    def __init__(
        self,
        warm: WarmWorker,
        cells: list[str],
        skip: set[int],
        timeout: float,
        folder: Path,
        deadline: float,
    ):
        self._warm = warm
        self._request, self._response = warm.fork(folder, skip, timeout, deadline)
        self._buffer = bytearray()
        data = pickle.dumps(cells, protocol=4)
        try:
            os.write(self._request, struct.pack("!Q", len(data)))
            view = memoryview(data)
            while view:
                view = view[os.write(self._request, view) :]
        except OSError:
            self.close()
            raise WorkerDied("the submission's process has ended") from None

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
        """End the process and everything it started (the warm worker survives)."""
        self._warm.reset()
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
        cells: list[str],
        timeout: float,
        warm: WarmWorker,
        *,
        total: float,
        folder: Path = SCRATCH,
    ):
        self.sources, self.timeout, self.warm, self.total = cells, timeout, warm, total
        self.folder = folder
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
            current = None
            try:
                self.worker = Worker(
                    self.warm,
                    self.sources,
                    self.skip,
                    self.timeout,
                    self.folder,
                    self._until(FORK_SECONDS),
                )
                message = self.worker.receive(self._until(FORK_SECONDS), {"cells"})
                cells = message[1]
                if self.cells is not None and cells != self.cells:
                    raise WorkerDied("the submission's process sent a malformed reply")
                self.cells = cells
                message = self.worker.receive(self._until(FORK_SECONDS), {"cell", "ready"})
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
                    wait = self.timeout + 5 if current is not None else FORK_SECONDS
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
