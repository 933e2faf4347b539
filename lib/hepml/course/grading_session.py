"""The grader's side of a submission's worker process: start it, talk to it, restart it.

:class:`Session` runs one submission in a :mod:`hepml.course.grading_worker` process, skipping
in a new worker the cells that hung or killed the previous one. Replies come back through
:class:`SafeUnpickler`, which builds nothing but plain data. :class:`Environment` is the
submission's variables as the tests of :mod:`hepml.course.grading` see them.
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

#: Output one cell of a submission may print before it is stopped.
OUTPUT_LIMIT = 2**20
#: Times a worker is restarted after it hung or died, before the remaining cells are given up.
MAX_RESTARTS = 4


class SafeUnpickler(pickle.Unpickler):
    """Build only plain data: numbers, strings, containers, NumPy arrays and scalars."""

    ALLOWED = {
        ("builtins", "complex"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "slice"),
        ("builtins", "range"),
        ("builtins", "bytearray"),
        ("builtins", "Ellipsis"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.numeric", "_frombuffer"),
        ("copyreg", "_reconstructor"),
    }

    def find_class(self, module: str, name: str):
        if (module, name) in self.ALLOWED or (module == "numpy.dtypes" and name.endswith("DType")):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refused to build {module}.{name}")


class WorkerDied(Exception):
    pass


class Worker:
    """One worker process and its two pipes."""

    def __init__(
        self, notebook: Path, folder: Path, skip: set[int], timeout: float, protected: list[Path]
    ):
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
            sys.executable,
            "-I",
            "-B",
            "-m",
            "hepml.course.grading_worker",
            str(request_read),
            str(response_write),
            str(notebook),
            ",".join(map(str, sorted(skip))),
            repr(float(timeout)),
            str(OUTPUT_LIMIT),
            *map(str, protected),
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
            raise WorkerDied("the submission sent a reply too large to read")
        try:
            return SafeUnpickler(io.BytesIO(self._read(size, deadline))).load()
        except Exception as error:  # noqa: BLE001 - a malformed reply is the submission's fault
            raise WorkerDied(
                f"unreadable reply from the submission ({type(error).__name__})"
            ) from None

    def request(self, message: tuple, deadline: float) -> object:
        data = pickle.dumps(message, protocol=4)
        try:
            os.write(self._request, struct.pack("!Q", len(data)) + data)
        except OSError:
            raise WorkerDied("the submission's process has ended") from None
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
                raise WorkerDied("the submission's process ended")
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


class Session:
    """Executes a submission in a worker.

    The worker is restarted without the cells that hung or killed it.
    """

    def __init__(self, notebook: Path, folder: Path, timeout: float, protected: list[Path]):
        self.notebook, self.folder, self.timeout, self.protected = (
            notebook,
            folder,
            timeout,
            protected,
        )
        self.skip: set[int] = set()
        self.cell_errors: dict[int, str] = {}
        self.worker: Worker | None = None
        self.restarts = 0

    def start(self) -> None:
        """Execute the notebook until the worker is ready for requests (restarting as needed)."""
        while True:
            self.worker = Worker(
                self.notebook, self.folder, self.skip, self.timeout, self.protected
            )
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
                    message = self.worker.receive(
                        time.monotonic() + (self.timeout + 5 if current is not None else 60)
                    )
                return
            except (TimeoutError, WorkerDied) as failure:
                self.worker.close()
                self.worker = None
                if current is None or self.restarts >= MAX_RESTARTS:
                    raise WorkerDied("the submission could not be executed") from failure
                reason = (
                    f"timed out after {self.timeout:g} s"
                    if isinstance(failure, TimeoutError)
                    else "ended the process"
                )
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
            return RemoteFunction(self, name)
        if reply[0] == "undefined":
            return None
        raise AnswerUnavailable(
            f"`{name}` is a {reply[1] if len(reply) > 1 else 'value'} the grader cannot read"
        )

    def call(self, name: str, args: tuple, kwargs: dict) -> object:
        if self.worker is None:
            self.start()
        try:
            reply = self.worker.request(
                ("call", name, args, kwargs), time.monotonic() + self.timeout + 5
            )
        except TimeoutError:
            self.close()
            raise TimeoutError(f"timed out after {self.timeout:g} s") from None
        except WorkerDied:
            self.close()
            raise RuntimeError("ended the grading process") from None
        if reply[0] == "value":
            return reply[1]
        if reply[0] == "raised":
            raise RuntimeError(reply[1])
        raise AnswerUnavailable(f"`{name}` returned a {reply[1]}, which the grader cannot read")

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None


class AnswerUnavailable(Exception):
    pass


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
