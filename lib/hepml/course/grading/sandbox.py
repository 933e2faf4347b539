"""The operating-system sandbox a submission's worker runs in: bubblewrap plus resource limits.

:func:`sandbox_command` wraps a command in `bubblewrap <https://github.com/containers/bubblewrap>`_
(Debian package ``bubblewrap``) so that it runs

- in its own PID, network, IPC, UTS and mount namespaces (``--unshare-pid --unshare-net
  --unshare-ipc --unshare-uts``, a cgroup namespace where possible), in a new terminal session,
  killed with the grader (``--die-with-parent``); when the sandbox's main process is killed the
  PID namespace's init dies and the kernel kills every process left in it;
- on a file-system view holding only the Python installation, the virtual environment, the
  ``hepml`` package and the other folders the grader imports packages from
  (:func:`import_paths`), all read-only, ``/usr`` read-only, a fresh ``/proc`` and ``/dev``, a
  small private ``/tmp`` and a private writable scratch folder ``/submission`` (a size-capped
  tmpfs). Nothing else of the repository (``.git``, ``solutions/``, ``build/``, the
  submissions) nor the instructor's home is visible;
- as the unprivileged user ``nobody`` when the grader runs as root (``setpriv``), with no
  capabilities;
- under resource limits set by ``prlimit`` before Python starts: address space (memory), number
  of processes and threads, size of any file written, open files, no core dumps, no POSIX
  message queues.

One sandbox serves one grading job: its warm worker (:mod:`hepml.course.grading.worker`) forks
a process per submission and, between two submissions, kills every process of the first and
empties every folder it could write.

:func:`bubblewrap_problem` tells whether this machine can run the sandbox at all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "SCRATCH",
    "Limits",
    "bubblewrap_problem",
    "import_paths",
    "readonly_paths",
    "sandbox_command",
    "worker_sys_path",
]

#: Where the submission's private scratch folder appears inside the sandbox.
SCRATCH = Path("/submission")
#: The unprivileged user and group the worker becomes when the grader runs as root.
NOBODY = 65534

INSTALL_HINT = (
    "install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`) or, accepting that "
    "submissions then see the file system and can harm each other, pass --no-sandbox"
)


@dataclass(frozen=True)
class Limits:
    """Resource limits of one submission's worker (each set as soft and hard limit).

    Parameters
    ----------
    memory_bytes
        Address space of the worker (``RLIMIT_AS``). Importing torch takes about 0.9 GB of it.
    processes
        Processes and threads of the sandbox's user (``RLIMIT_NPROC``).
    file_bytes
        Largest file the submission may write (``RLIMIT_FSIZE``).
    open_files
        Open file descriptors (``RLIMIT_NOFILE``).
    scratch_bytes
        Size of the scratch folder and of ``/tmp`` (each a tmpfs).
    """

    memory_bytes: int = 2560 * 2**20
    processes: int = 128
    file_bytes: int = 64 * 2**20
    open_files: int = 256
    scratch_bytes: int = 256 * 2**20

    def __post_init__(self) -> None:
        for name in ("memory_bytes", "processes", "file_bytes", "open_files", "scratch_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"`{name}` must be a positive integer, got {value!r}")


def _within(path: Path, folders: Sequence[Path]) -> bool:
    return any(folder == path or folder in path.parents for folder in folders)


def import_paths() -> list[Path]:
    """The folders of the grader's ``sys.path`` a worker imports from, in the grader's order.

    That is every entry inside Python's installation or the environment and every folder that
    holds installed packages (``*.dist-info``, ``*.egg-info``): a user site, a ``--target``
    folder on ``PYTHONPATH``, a stacked environment. Never the current folder nor a folder
    of scripts or tests, which may hold the masters; ``hepml`` itself is bound on its own.
    """
    prefixes = [Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()]
    paths: list[Path] = []
    for entry in sys.path:
        if not entry:
            continue
        path = Path(entry).resolve()
        if not path.exists() or path in paths:
            continue
        installed = path.is_dir() and (
            next(path.glob("*.dist-info"), None) or next(path.glob("*.egg-info"), None)
        )
        if _within(path, prefixes) or installed:
            paths.append(path)
    return paths


def worker_sys_path() -> list[str]:
    """The ``sys.path`` of a worker: :func:`import_paths` and the folder holding ``hepml``."""
    import hepml

    home = Path(hepml.__file__).resolve().parents[1]
    paths = import_paths()
    return [str(path) for path in (paths if home in paths else [*paths, home])]


def readonly_paths() -> list[Path]:
    """The folders a worker needs to read: Python's installation, the environment, ``hepml``
    and the other folders of :func:`import_paths`."""
    import hepml

    paths = {Path(sys.base_prefix), Path(sys.prefix), Path(hepml.__file__).resolve().parent}
    paths.update(import_paths())
    executable = Path(sys.executable).resolve()
    if not any(parent in paths for parent in executable.parents):
        paths.add(executable.parent)
    resolved = sorted({path.resolve() for path in paths if path.exists()})
    # a folder inside another bound folder is bound with it
    return [path for path in resolved if not _within(path, [p for p in resolved if p != path])]


def bubblewrap_problem() -> str | None:
    """``None`` if bubblewrap can run a sandbox here, else what is wrong and how to fix it."""
    binary = shutil.which("bwrap")
    if binary is None:
        return f"bubblewrap (`bwrap`) is not installed: {INSTALL_HINT}"
    command = sandbox_command(["/usr/bin/true"], limits=Limits(), paths=[])
    try:
        result = subprocess.run(command, capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap cannot start a sandbox here ({error}): {INSTALL_HINT}"
    if result.returncode != 0:
        detail = result.stderr.decode(errors="replace").strip()[-300:]
        return f"bubblewrap cannot start a sandbox here ({detail}): {INSTALL_HINT}"
    return None


def sandbox_command(
    command: Sequence[str],
    *,
    limits: Limits,
    paths: Sequence[Path] | None = None,
) -> list[str]:
    """``command`` wrapped in bubblewrap, ``setpriv`` and ``prlimit``; see the module docstring.

    Parameters
    ----------
    command
        The program and its arguments, as seen inside the sandbox.
    limits
        Resource limits of the worker.
    paths
        Folders mounted read-only at their own path (default: :func:`readonly_paths`).
    """
    paths = readonly_paths() if paths is None else [Path(p) for p in paths]
    arguments = ["bwrap", "--die-with-parent", "--new-session"]
    root = os.geteuid() == 0
    if root:
        # no user namespace: the worker becomes `nobody` so that the process limit applies
        arguments += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
        arguments += ["--unshare-cgroup-try", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        arguments += ["--unshare-all", "--disable-userns"]
    arguments += ["--ro-bind", "/usr", "/usr"]
    for link in ("bin", "lib", "lib64", "sbin"):
        if Path("/", link).is_symlink():
            arguments += ["--symlink", os.readlink(Path("/", link)), f"/{link}"]
        elif Path("/", link).is_dir():
            arguments += ["--ro-bind", f"/{link}", f"/{link}"]
    # The private /tmp comes before the read-only binds: a checkout or venv under /tmp (as in
    # a CI clone) is then bound on top of it instead of being hidden by it.
    arguments += ["--perms", "1777", "--size", str(limits.scratch_bytes), "--tmpfs", "/tmp"]
    created = {Path("/"), Path("/usr"), Path("/tmp")}
    for path in sorted(set(paths)):
        if path == Path("/usr") or Path("/usr") in path.parents:
            continue
        for parent in reversed(path.parents):
            if parent not in created:
                arguments += ["--perms", "0755", "--dir", str(parent)]
                created.add(parent)
        arguments += ["--ro-bind", str(path), str(path)]
        created.add(path)
    arguments += ["--proc", "/proc", "--dev", "/dev"]
    size = str(limits.scratch_bytes)
    arguments += ["--perms", "0777", "--size", size, "--tmpfs", str(SCRATCH)]
    arguments += ["--chdir", str(SCRATCH), "--"]
    if root:
        arguments += ["/usr/bin/setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}"]
        arguments += ["--clear-groups", "--inh-caps=-all", "--bounding-set=-all"]
    arguments += [
        "/usr/bin/prlimit",
        f"--as={limits.memory_bytes}",
        f"--nproc={limits.processes}",
        f"--fsize={limits.file_bytes}",
        f"--nofile={limits.open_files}",
        "--core=0",
        "--msgqueue=0",  # no POSIX message queue, which could outlive a submission
        "--",
        *command,
    ]
    return arguments


def limits_command(command: Sequence[str], limits: Limits) -> list[str]:
    """``command`` under ``prlimit`` only (the weaker, unsandboxed mode of ``--no-sandbox``)."""
    return [
        "prlimit",
        f"--as={limits.memory_bytes}",
        f"--fsize={limits.file_bytes}",
        f"--nofile={limits.open_files}",
        "--core=0",
        "--",
        *command,
    ]
