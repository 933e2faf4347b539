"""Execute notebooks in a fresh kernel and measure wall time and peak memory.

Used by ``python -m hepml bench`` (measure only) and ``python -m hepml execute`` (store the
outputs back into the notebook, which is how lecture and solution outputs are refreshed).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat
import psutil
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

#: Environment of every kernel started here, the same as under the test suite: progress bars
#: off (their residue would end up in stored outputs) and a fixed hash seed.
KERNEL_ENVIRONMENT = {
    "TQDM_DISABLE": "1",
    "PYTHONHASHSEED": "0",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}


@dataclass(frozen=True)
class BenchResult:
    """Outcome of executing one notebook."""

    notebook: str
    seconds: float
    peak_rss_mb: float
    ok: bool
    error: str | None

    def as_dict(self) -> dict:
        """Return the result as a JSON-serialisable dictionary."""
        return asdict(self)


class _PeakMemory:
    """Poll the resident memory of a process and all its children in a background thread."""

    def __init__(self, pid: int, interval: float = 0.02):
        self._process = psutil.Process(pid)
        self._interval = interval
        self._stop = threading.Event()
        self.peak_bytes = 0
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> _PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self._tree_rss())
            self._stop.wait(self._interval)

    def _tree_rss(self) -> int:
        total = 0
        try:
            processes = [self._process, *self._process.children(recursive=True)]
        except psutil.Error:
            return 0
        for process in processes:
            try:
                total += process.memory_info().rss
            except psutil.Error:
                continue
        return total


def run_notebook(path: str | Path, *, timeout: int = 600, write: bool = False) -> BenchResult:
    """Execute a notebook top to bottom in a fresh kernel and measure it.

    Parameters
    ----------
    path
        The ``.ipynb`` file. It is executed with its own folder as working directory.
    timeout
        Seconds any single cell may run before execution is stopped.
    write
        If true and execution succeeds, the executed notebook (outputs and widget state) is
        written back to ``path``.

    Returns
    -------
    BenchResult
        Wall seconds, peak resident memory of the kernel and its child processes in MB, and
        whether execution succeeded (with the error's last line if not).
    """
    path = Path(path)
    if path.suffix != ".ipynb":
        raise ValueError(f"path must be a .ipynb notebook, got {str(path)!r}")
    if not path.is_file():
        raise FileNotFoundError(f"no notebook at {str(path)!r}")
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="hepml-kernel-") as sockets:
        # Local sockets rather than TCP ports: nothing listens on the network, and ipykernel does
        # not warn about unencrypted TCP on every start.
        kernel = KernelManager(
            kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "kernel")
        )
        return _run(path, notebook, kernel, timeout=timeout, write=write)


def _run(
    path: Path,
    notebook: nbformat.NotebookNode,
    kernel: KernelManager,
    *,
    timeout: int,
    write: bool,
) -> BenchResult:
    """Execute ``notebook`` with ``kernel`` while polling the kernel's memory.

    See :func:`run_notebook`.
    """
    client = NotebookClient(
        notebook,
        km=kernel,
        timeout=timeout,
        record_timing=False,
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    start = time.perf_counter()
    error = None
    kernel.start_kernel(cwd=str(path.parent.resolve()), env={**os.environ, **KERNEL_ENVIRONMENT})
    try:
        with _PeakMemory(kernel.provisioner.pid) as memory:
            try:
                client.execute()
            except Exception as exc:  # noqa: BLE001 - every failure is reported, not raised
                error = _last_line(exc)
    finally:
        if kernel.has_kernel:
            kernel.shutdown_kernel(now=True)
    seconds = time.perf_counter() - start
    if write and error is None:
        nbformat.write(notebook, path)
    return BenchResult(
        notebook=str(path),
        seconds=round(seconds, 2),
        peak_rss_mb=round(memory.peak_bytes / 2**20, 1),
        ok=error is None,
        error=error,
    )


def _last_line(exc: Exception) -> str:
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__
