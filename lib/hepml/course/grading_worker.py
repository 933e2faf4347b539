"""The untrusted half of the grader: executes one submission and answers questions about it.

Run by :mod:`hepml.course.grading` as
``python -I -B -m hepml.course.grading_worker REQUEST_FD RESPONSE_FD NOTEBOOK SKIP TIMEOUT
OUTPUT_LIMIT MODE PROTECTED...`` in a fresh process, inside its scratch folder: normally in
the bubblewrap sandbox of :mod:`hepml.course.sandbox` (MODE ``sandboxed``), or, with
``--no-sandbox``, as a plain process (MODE ``strict``).
It executes the notebook's code cells in one namespace, cell by cell, each under a time limit
and an output limit, skipping the cells listed in SKIP (cells that hung or ended the process
in an earlier attempt). Then it serves requests from the grader on its request pipe:

- ``("get", name)``: the value of a variable, if it is plain data (numbers, strings, NumPy
  arrays, and lists, tuples and dicts of them), else its kind (``callable``, ``undefined``, ...);
- ``("call", name, args, kwargs)``: call a function of the notebook, reply with its result;
- ``("exit",)``.

The grader never runs student code itself and never trusts this process: it decodes replies with
an unpickler that only builds plain data, and it runs the tests in its own process. Student code
here may patch NumPy or the test helpers, write files or print forever: none of it reaches the
score. The isolation is the sandbox's; a Python audit hook only adds clear messages on top of
it: from the first cell on it refuses to write or delete files outside the scratch folder and to
read the protected folders (the masters and the autograder archives). In ``strict`` mode (no
sandbox) it also refuses to start processes or send signals; an audit hook is no security
boundary (``ctypes`` gets around it), which is why that mode must be asked for.
"""

from __future__ import annotations

import io
import os
import pickle
import re
import signal
import struct
import sys
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


def main(argv: list[str]) -> int:
    request_fd, response_fd = int(argv[0]), int(argv[1])
    notebook_path = Path(argv[2])
    skip = {int(index) for index in argv[3].split(",") if index}
    timeout = float(argv[4])
    output_limit = int(argv[5])
    strict = argv[6] != "sandboxed"
    protected = [Path(path) for path in argv[7:]]

    # Import what notebooks import (hepml.setup_notebook imports torch when installed) before the
    # first cell, so a cell's time limit measures the student's code, not the library imports.
    import importlib.util
    import json

    import numpy  # noqa: F401

    import hepml.simulate  # noqa: F401
    import hepml.style  # noqa: F401

    if importlib.util.find_spec("torch") is not None:
        import torch  # noqa: F401

        # An optimiser's first step imports torch._dynamo, which creates its cache directory
        # under /tmp: import it now, before the audit hook forbids creating directories.
        import torch._dynamo  # noqa: F401

    cells = [
        "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for cell in json.loads(notebook_path.read_text(encoding="utf-8"))["cells"]
        if cell.get("cell_type") == "code"
    ]
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
    _install_audit_hook(Path.cwd(), protected, strict)
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
    sys.exit(main(sys.argv[1:]))
