"""The untrusted half of the grader: a warm worker that forks one process per submission.

Run by :mod:`hepml.course.grading.session` as
``python -I -B PATH/worker.py SYS_PATH CONTROL_FD MODE PROTECTED...``, normally
in the bubblewrap sandbox of :mod:`hepml.course.grading.sandbox` (MODE ``sandboxed``), or, with
``--no-sandbox``, as a plain process (MODE ``strict``). It imports what notebooks import (NumPy,
torch, hepml) once, makes itself non-dumpable (no process of the same user may trace it or read
its memory), and then serves the grader on its control socket:

- ``("fork", FOLDER, SKIP, TIMEOUT, OUTPUT_LIMIT)`` with two file descriptors (the submission's
  request and response pipes): fork a process for one submission. That process receives the
  submission's code cells on its request pipe, executes them in one namespace, cell by cell,
  each under a time limit and an output limit, skipping the cells listed in SKIP (cells that hung
  or ended the process in an earlier attempt), then answers requests about its variables:
  ``("get", name)`` (the value if it is plain data, else its kind), ``("call", name, args,
  kwargs)`` (call a function of the notebook) and ``("exit",)``.
- ``("reset",)``: end the submission: kill every process it started and, in the sandbox, empty
  every folder it could write (``/submission``, ``/tmp``) and remove its System V IPC objects,
  restoring the files the warm-up itself had written. Only then does the next submission's
  process start, so nothing of one submission is visible to the next.

The grader never runs student code itself and never trusts this process: it decodes replies with
an unpickler that only builds plain data, and it runs the tests in its own process. Student code
here may patch NumPy or the test helpers, write files or print forever: none of it reaches the
score, and none of it reaches the warm worker, whose memory a forked process cannot touch. The
isolation is the sandbox's; a Python audit hook only adds clear messages on top of it: from the
first cell on it refuses to write or delete files outside the scratch folder and to read the
protected folders (the masters and the autograder archives). In ``strict`` mode (no sandbox) it
also refuses to start processes or send signals; an audit hook is no security boundary
(``ctypes`` gets around it), which is why that mode must be asked for.
"""

from __future__ import annotations

import io
import os
import pickle
import re
import signal
import struct
import sys
import time
import types
from pathlib import Path

#: Largest reply in bytes; a bigger value is reported as too large instead of sent.
MAX_MESSAGE_BYTES = 64 * 2**20


class CellTimeout(BaseException):
    """Raised in a cell that ran longer than its time limit."""


class OutputLimitExceeded(Exception):
    """Raised by print() once a cell has written more than the output limit."""


class _LimitedOutput(io.TextIOBase):
    def __init__(self, limit: int):
        self.limit = limit
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.written += len(text)
        if self.written > self.limit:
            raise OutputLimitExceeded(f"printed more than {self.limit // 1024} kB of output")
        return len(text)


def send(fd: int, message: object) -> None:
    """Write one length-prefixed pickled message."""
    data = pickle.dumps(message, protocol=4)
    if len(data) > MAX_MESSAGE_BYTES:
        data = pickle.dumps(("too_large", len(data)), protocol=4)
    payload = struct.pack("!Q", len(data)) + data
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def receive(fd: int) -> object:
    """Read one length-prefixed pickled message (from the trusted grader)."""
    size = struct.unpack("!Q", _read_exactly(fd, 8))[0]
    return pickle.loads(_read_exactly(fd, size))


def _read_exactly(fd: int, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = os.read(fd, min(remaining, 2**20))
        if not chunk:
            raise EOFError("the grader closed the pipe")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


#: A line that is an IPython magic or shell escape; ``[ \t]`` (not ``\s``, which also matches
#: newlines) keeps the substitution linear in the size of the cell.
_MAGIC = re.compile(r"^([ \t]*)[%!][^\n]*$", re.MULTILINE)
#: Longest error message sent back for a cell.
MAX_ERROR = 2000


def _strip_magics(source: str) -> str:
    """Replace IPython magics and shell escapes by ``pass`` so the cell is plain Python."""
    return _MAGIC.sub(r"\1pass", source)


def _describe(error: BaseException) -> str:
    try:
        text = str(error)[: 4 * MAX_ERROR]
    except Exception:  # noqa: BLE001 - a hostile __str__
        text = ""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    name = type(error).__name__[:100]
    return (f"{name}: {lines[-1].strip()}" if lines else name)[:MAX_ERROR]


def _is_data(value: object, depth: int = 0) -> bool:
    import numpy as np

    if depth > 4:
        return False
    if (
        value is None
        or value is Ellipsis
        or isinstance(value, (bool, int, float, complex, str, bytes))
    ):
        return True
    if isinstance(value, np.ndarray):
        return type(value) is np.ndarray and value.dtype.kind in "biufcU"
    if isinstance(value, np.generic):
        return value.dtype.kind in "biufcU"
    if type(value) in (list, tuple):
        return len(value) <= 100_000 and all(_is_data(item, depth + 1) for item in value)
    if type(value) is dict:
        return len(value) <= 10_000 and all(
            _is_data(key, depth + 1) and _is_data(item, depth + 1) for key, item in value.items()
        )
    return False


def _install_audit_hook(sandbox: Path, protected: list[Path], strict: bool) -> None:
    sandbox = sandbox.resolve()
    protected = [path.resolve() for path in protected]

    def inside(path: object, folder: Path) -> bool:
        if isinstance(path, int):
            return True  # an already open file descriptor
        try:
            resolved = Path(os.fsdecode(path)).resolve()
        except (TypeError, ValueError, OSError):
            return False
        return resolved == folder or folder in resolved.parents

    def writes(mode: object, flags: object) -> bool:
        if isinstance(mode, str) and any(letter in mode for letter in "wax+"):
            return True
        write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
        return isinstance(flags, int) and bool(flags & write_flags)

    forbidden = {
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "subprocess.Popen",
        "os.kill",
        "os.killpg",
        "signal.pthread_kill",
        "pty.spawn",
    }
    changes_files = {
        "os.remove",
        "os.rmdir",
        "os.rename",
        "os.truncate",
        "os.chmod",
        "os.chown",
        "os.link",
        "os.symlink",
        "os.utime",
        "shutil.rmtree",
        "shutil.move",
        "shutil.copyfile",
        "os.mkdir",
    }

    if not strict:
        forbidden = set()

    def hook(event: str, arguments: tuple) -> None:
        if event in forbidden:
            raise PermissionError(f"grading sandbox: {event} is not allowed")
        if event == "open" and arguments:
            path = arguments[0]
            mode = arguments[1] if len(arguments) > 1 else None
            flags = arguments[2] if len(arguments) > 2 else None
            if any(inside(path, folder) for folder in protected) and not isinstance(path, int):
                raise PermissionError("grading sandbox: reading the grader's files is not allowed")
            if writes(mode, flags) and not inside(path, sandbox):
                raise PermissionError(
                    f"grading sandbox: writing {os.fsdecode(path)!r} is not allowed"
                )
        elif event in changes_files and arguments:
            paths = [
                argument
                for argument in arguments[:2]
                if isinstance(argument, (str, bytes, os.PathLike))
            ]
            for path in paths:
                if not inside(path, sandbox):
                    raise PermissionError(
                        f"grading sandbox: {event} on {os.fsdecode(path)!r} is not allowed"
                    )

    sys.addaudithook(hook)


def _warm_up() -> None:
    """Import what notebooks import (``hepml.setup_notebook`` imports torch when installed), so
    that neither the submissions nor their cells' time limits pay for the library imports."""
    import importlib.util

    import numpy  # noqa: F401

    import hepml.simulate  # noqa: F401
    import hepml.style  # noqa: F401

    if importlib.util.find_spec("torch") is not None:
        import torch  # noqa: F401

        # An optimiser's first step imports torch._dynamo, which creates its cache directory
        # under /tmp: import it now, before the audit hook forbids creating directories.
        import torch._dynamo  # noqa: F401


def _prctl(option: int, value: int) -> None:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}, {value}) failed")


def _set_dumpable(dumpable: bool) -> None:
    """Allow or forbid processes of the same user to trace this one or read its memory."""
    _prctl(4, int(dumpable))  # PR_SET_DUMPABLE


def _die_with(parent: int) -> None:
    """Be killed as soon as the process ``parent`` ends (e.g. killed by the submission)."""
    _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


#: The folders a submission can write in the sandbox, emptied after each submission.
WRITABLE = (Path("/submission"), Path("/tmp"))
#: Seconds the processes of a submission may take to die before the worker gives up.
KILL_SECONDS = 10.0
#: Largest file of the warm-up (font caches) restored after each submission.
MAX_KEPT_FILE = 16 * 2**20


def _snapshot(folders: tuple[Path, ...]) -> list[tuple[Path, bytes | None]]:
    """The folders and files under ``folders`` (what the warm-up wrote), in creation order."""
    kept: list[tuple[Path, bytes | None]] = []
    for folder in folders:
        for parent, directories, files in os.walk(folder):
            for name in sorted(directories):
                kept.append((Path(parent, name), None))
            for name in sorted(files):
                path = Path(parent, name)
                if path.is_file() and path.stat().st_size <= MAX_KEPT_FILE:
                    kept.append((path, path.read_bytes()))
    return kept


def _empty(folder: Path) -> None:
    for entry in list(folder.iterdir()):
        if entry.is_dir() and not entry.is_symlink():
            entry.chmod(0o700)  # a submission may have made its folders unreadable
            _empty(entry)
            entry.rmdir()
        else:
            entry.unlink()


def _remove_ipc_objects() -> None:
    """Remove the System V shared memory, semaphores and message queues left in the sandbox's
    IPC namespace. (POSIX message queues cannot be made: the sandbox's limit for them is 0.)"""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    ipc_rmid = 0
    for table, remove in (("shm", libc.shmctl), ("sem", libc.semctl), ("msg", libc.msgctl)):
        listing = Path("/proc/sysvipc", table)
        if not listing.exists():
            continue
        for line in listing.read_text().splitlines()[1:]:
            identifier = int(line.split()[1])
            if table == "sem":
                remove(identifier, 0, ipc_rmid)
            else:
                remove(identifier, ipc_rmid, None)


def _end_submission(child: int | None, sandboxed: bool, kept: list) -> None:
    """Kill everything the submission started and, in the sandbox, wipe what it wrote."""
    if not sandboxed:
        if child is not None:
            try:
                os.killpg(child, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            os.waitpid(child, 0)
        return
    # In the sandbox's PID namespace, -1 is every process but its init and this one; a killed
    # process counts until it is reaped (by this process or by the sandbox's init).
    give_up = time.monotonic() + KILL_SECONDS
    while True:
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            break
        if time.monotonic() > give_up:
            raise RuntimeError("a process of the submission survived SIGKILL")
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            time.sleep(0.001)
    for folder in WRITABLE:
        _empty(folder)
    _remove_ipc_objects()
    for path, content in kept:
        if content is None:
            path.mkdir()
        else:
            path.write_bytes(content)


def _control_send(control, message: tuple) -> None:
    control.sendall(pickle.dumps(message, protocol=4))


def main(argv: list[str]) -> int:
    import socket

    control = socket.socket(fileno=int(argv[0]))
    sandboxed = argv[1] == "sandboxed"
    protected = [Path(path) for path in argv[2:]]
    if sandboxed and os.getpid() > 16:
        # kill(-1) below is only safe in the sandbox's own PID namespace
        raise SystemExit(f"not in a PID namespace of its own (pid {os.getpid()})")
    _warm_up()
    _set_dumpable(False)
    kept = _snapshot(WRITABLE) if sandboxed else []
    _control_send(control, ("warm",))
    child = None
    while True:
        message, fds, _, _ = socket.recv_fds(control, 2**16, 2)
        if not message:
            return 0
        request = pickle.loads(message)
        if request[0] == "reset":
            _end_submission(child, sandboxed, kept)
            child = None
            _control_send(control, ("clean",))
            continue
        _, folder, skip, timeout, output_limit = request
        request_fd, response_fd = fds
        parent = os.getpid()
        child = os.fork()
        if child == 0:
            code = 1
            try:
                # a submission that kills this worker dies with it
                _die_with(parent)
                control.close()
                code = _run_submission(
                    request_fd,
                    response_fd,
                    Path(folder),
                    set(skip),
                    timeout,
                    output_limit,
                    not sandboxed,
                    protected,
                )
            finally:
                os._exit(code)
        os.close(request_fd)
        os.close(response_fd)
        _control_send(control, ("forked",))


def _run_submission(
    request_fd: int,
    response_fd: int,
    folder: Path,
    skip: set[int],
    timeout: float,
    output_limit: int,
    strict: bool,
    protected: list[Path],
) -> int:
    """Execute one submission's cells, then answer the grader's requests (a forked process)."""
    import tempfile

    os.setsid()
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    _set_dumpable(True)
    os.chdir(folder)
    os.environ.update(HOME=str(folder), TMPDIR="/tmp" if not strict else str(folder))
    os.environ["MPLCONFIGDIR"] = str(folder / ".matplotlib")
    tempfile.tempdir = None
    cells = receive(request_fd)
    send(response_fd, ("cells", len(cells)))

    namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__}
    namespace["display"] = lambda *args, **kwargs: None
    namespace["get_ipython"] = lambda: types.SimpleNamespace(
        run_line_magic=lambda *a, **k: None,
        run_cell_magic=lambda *a, **k: None,
        system=lambda *a, **k: None,
    )

    def on_alarm(signum, frame):
        raise CellTimeout(f"timed out after {timeout:g} s")

    signal.signal(signal.SIGALRM, on_alarm)
    _install_audit_hook(folder, protected, strict)
    real_stdout, real_stderr = sys.stdout, sys.stderr
    for index, source in enumerate(cells):
        if index in skip:
            continue
        send(response_fd, ("cell", index))
        output = _LimitedOutput(output_limit)
        sys.stdout = sys.stderr = output
        error = None
        try:
            code = compile(_strip_magics(source), f"<cell {index + 1}>", "exec")
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                exec(code, namespace)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except CellTimeout as exc:
            error = str(exc)
        except SystemExit as exc:
            error = (
                f"called sys.exit({'' if exc.code is None else exc.code!r}); the exit was ignored"
            )
        except BaseException as exc:  # noqa: BLE001 - every failure of a cell is recorded
            error = _describe(exc)
        finally:
            sys.stdout, sys.stderr = real_stdout, real_stderr
        send(response_fd, ("cell_done", index, error))

    send(response_fd, ("ready",))
    while True:
        try:
            request = receive(request_fd)
        except EOFError:
            return 0
        if request[0] == "exit":
            return 0
        name = request[1]
        if name not in namespace:
            send(response_fd, ("undefined",))
            continue
        value = namespace[name]
        if request[0] == "get":
            if callable(value) and not _is_data(value):
                send(response_fd, ("callable",))
            elif _is_data(value):
                send(response_fd, ("value", value))
            else:
                send(response_fd, ("unsupported", type(value).__name__))
        elif request[0] == "call":
            output = _LimitedOutput(output_limit)
            sys.stdout = sys.stderr = output
            try:
                signal.setitimer(signal.ITIMER_REAL, timeout)
                try:
                    result = value(*request[2], **request[3])
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            except BaseException as exc:  # noqa: BLE001 - reported to the grader as the call's error
                reply = ("raised", _describe(exc))
            else:
                reply = (
                    ("value", result)
                    if _is_data(result)
                    else ("unsupported", type(result).__name__)
                )
            finally:
                sys.stdout, sys.stderr = real_stdout, real_stderr
            send(response_fd, reply)


if __name__ == "__main__":
    import json

    # run by path under `python -I`: the grader passes the folders it imports from itself
    sys.path[:] = json.loads(sys.argv[1])
    sys.exit(main(sys.argv[2:]))
