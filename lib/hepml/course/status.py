"""The book's execution status page: how long each notebook runs and how much memory it needs.

``python -m hepml status`` executes every lecture and solution notebook with
:func:`hepml.course.bench.run_notebook` and writes ``book/status.md``: a table of seconds, peak
memory and success per notebook, followed by the pinned package versions they ran with.
"""

from __future__ import annotations

import platform
import re
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from hepml.course.bench import BenchResult

#: Limits every notebook must respect (see CONTRIBUTING.md).
SECONDS_BUDGET = 60.0
MEMORY_BUDGET_MB = 1536.0

_PIN = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s;#]+)")


def pinned_versions(requirements: str | Path) -> list[tuple[str, str, str | None]]:
    """Read the exact pins of a requirements file and look up the installed versions.

    Parameters
    ----------
    requirements
        Path of a pip requirements file with lines such as ``numpy==2.4.6``.

    Returns
    -------
    list of (name, pinned, installed)
        One entry per ``name==version`` line, in file order; ``installed`` is ``None`` when the
        package is not installed.
    """
    path = Path(requirements)
    if not path.is_file():
        raise FileNotFoundError(f"requirements must be an existing file, got {str(path)!r}")
    versions = []
    for line in path.read_text().splitlines():
        match = _PIN.match(line)
        if match is None:
            continue
        name, pinned = match.groups()
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        versions.append((name, pinned, installed))
    return versions


def render_status_page(
    results: Sequence[BenchResult],
    versions: Sequence[tuple[str, str, str | None]],
    *,
    root: str | Path = ".",
) -> str:
    """Return the status page as MyST markdown.

    Parameters
    ----------
    results
        One bench result per notebook, in the order they should be listed.
    versions
        ``(name, pinned, installed)`` triples, as returned by :func:`pinned_versions`.
    root
        Notebook paths are shown relative to this folder.
    """
    if not results:
        raise ValueError("results must hold at least one notebook's bench result")
    root = Path(root).resolve()
    lines = [
        "# Execution status",
        "",
        (
            "Every lecture and exercise-solution notebook, executed top to bottom "
            "in a fresh kernel on"
        ),
        (
            "two CPU cores. *Seconds* is the wall time including the kernel start, "
            "*MB* the peak memory"
        ),
        f"of the kernel and its child processes. The budget is {SECONDS_BUDGET:.0f} s and "
        f"{MEMORY_BUDGET_MB:.0f} MB per notebook (Binder gives",
        "about 2 GB). The table is regenerated, not edited: run `python -m hepml status` from the",
        "repository root and commit `book/status.md`.",
        "",
        "| notebook | seconds | MB | status |",
        "|---|---:|---:|---|",
    ]
    for result in results:
        name = _relative(result.notebook, root)
        if not result.ok:
            status = f"failed: {result.error}"
        elif result.seconds > SECONDS_BUDGET or result.peak_rss_mb > MEMORY_BUDGET_MB:
            status = "over budget"
        else:
            status = "ok"
        lines.append(
            f"| `{name}` | {result.seconds:.1f} | {result.peak_rss_mb:.0f} | "
            f"{status.replace('|', '/')} |"
        )
    total = sum(result.seconds for result in results)
    peak = max(result.peak_rss_mb for result in results)
    passed = sum(result.ok for result in results)
    lines += [
        "",
        f"{passed} of {len(results)} notebooks ran without error; {total:.0f} s in total, "
        f"largest peak memory {peak:.0f} MB.",
        "",
        "## Versions",
        "",
        (
            f"Python {platform.python_version()} on {platform.system()} {platform.machine()}; "
            "the packages pinned in"
        ),
        "`requirements.txt`:",
        "",
        "| package | pinned | installed |",
        "|---|---|---|",
    ]
    for name, pinned, installed in versions:
        shown = "not installed" if installed is None else installed
        mark = (
            ""
            if installed == pinned or (installed or "").startswith(pinned + "+")
            else " (differs)"
        )
        lines.append(f"| {name} | {pinned} | {shown}{mark} |")
    return "\n".join(lines) + "\n"


def _relative(notebook: str, root: Path) -> str:
    path = Path(notebook).resolve()
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
