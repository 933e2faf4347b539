"""Run the course's notebooks in an environment other than the course's own pinned one.

Helpers of ``test_colab.py`` (Google Colab's package versions) and ``test_lowest_versions.py``
(the lower bounds of ``pyproject.toml``). Each builds a fresh virtual environment from a version
file in ``tests/environments/``, installs ``hepml`` from this checkout on top, and executes every
lecture, solution and exercise notebook in it with that environment's own nbclient and kernel.

Building an environment downloads and installs a few hundred MB, so it is cached like the CI
venv of ``.ci/run``: under ``$HEPML_CI_CACHE`` (default ``~/.cache/hepml-ci``) in a folder named
after a hash of the version file, ``pyproject.toml`` and the install steps. On a cache hit only
``hepml`` itself is reinstalled (``--no-deps``), so the notebooks always run today's code.

A notebook that passed is not executed again while nothing it ran has changed: its result is
kept in the environment's folder under a key made of everything the run depended on (the
environment's own key, the notebook and its chapter's master and exercise, the source of every
``hepml`` module the kernel had imported when the notebook ended, and every data file of the
package). Any change to one of them runs it again; so does ``HEPML_FOREIGN_RERUN=1``. Failures
are never kept. What was reused is printed with the test's output.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import AVX2_MACHINE
from hepml.course import paths
from hepml.course.bench import KERNEL_ENVIRONMENT

ROOT = paths.repository_root()
VERSIONS = ROOT / "tests" / "environments"

# Executed by the foreign environment's own Python: every notebook in one process, one fresh
# kernel each; prints one JSON object per notebook with its errors and stderr text.
RUNNER = r"""
import json, sys, time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

# Appended to each notebook (and not part of its errors): the hepml modules the kernel ran.
MODULES = ("import json as _j, sys as _s\n"
           "print('HEPML-MODULES', _j.dumps(sorted(m for m in _s.modules"
           " if m == 'hepml' or m.startswith('hepml.'))))")

for name in sys.argv[1:]:
    path = Path(name)
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(MODULES))
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.monotonic()
    failure = None
    try:
        client.execute()
    except CellExecutionError as error:
        failure = str(error)[-3000:]
    except Exception as error:  # a kernel that died, a timeout
        failure = f"{type(error).__name__}: {error}"[-3000:]
    modules = None
    last = notebook.cells.pop()
    for output in last.get("outputs", []):
        if output.get("name") == "stdout" and output["text"].startswith("HEPML-MODULES "):
            modules = json.loads(output["text"].split(" ", 1)[1])
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    errors = [f"{o['ename']}: {o['evalue']}" for o in outputs if o["output_type"] == "error"]
    stderr = [o["text"] for o in outputs if o.get("name") == "stderr"]
    print(json.dumps({
        "notebook": name, "failure": failure, "errors": errors, "stderr": stderr,
        "seconds": round(time.monotonic() - start, 1), "modules": modules,
    }), flush=True)
"""


def cache_folder(name: str, version_file: Path, install: list[list[str]]) -> Path:
    """The cache folder of one environment, keyed by what determines its contents.

    That is the version file, ``pyproject.toml`` (hepml's requirements), the install steps and
    the Python that builds it; not this module, whose other code does not change an environment.
    """
    digest = hashlib.sha256()
    for path in (version_file, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    # the checkout's path may appear in a step; the same steps from another clone are the same
    steps = [[argument.replace(str(ROOT), "{checkout}") for argument in step] for step in install]
    digest.update(json.dumps([steps, sys.version]).encode())
    base = Path(os.environ.get("HEPML_CI_CACHE", Path.home() / ".cache" / "hepml-ci"))
    return base / f"{name}-{digest.hexdigest()[:16]}"


def _run(command: list[str], log: Path, **options) -> None:
    with log.open("a") as stream:
        stream.write(f"$ {' '.join(command)}\n")
        stream.flush()
        result = subprocess.run(command, stdout=stream, stderr=subprocess.STDOUT, **options)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed; see {log}:\n{log.read_text()[-3000:]}")


def freeze(python: Path) -> dict[str, str]:
    """Installed distributions of an environment, as {normalised name: version}."""
    text = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {item["name"].lower().replace("_", "-"): item["version"] for item in json.loads(text)}


def pinned(version_file: Path) -> dict[str, str]:
    """The ``name==version`` lines of a version file, as {normalised name: version}."""
    pins = {}
    for line in version_file.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def versions_that_differ(python: Path, version_file: Path) -> dict[str, tuple[str, str | None]]:
    """``{name: (wanted, installed)}`` for every pin of ``version_file`` that ``python`` lacks."""
    installed = freeze(python)
    return {
        name: (version, installed.get(name))
        for name, version in pinned(version_file).items()
        if not installed.get(name, "").startswith(version)
    }


def build(name: str, version_file: Path, install: list[list[str]]) -> dict:
    """Create (or reuse) the cached environment and reinstall today's ``hepml`` into it.

    Parameters
    ----------
    name
        Prefix of the cache folder (``colab``, ``lowest``).
    version_file
        The file in ``tests/environments/`` the environment is built from.
    install
        The argument lists of the environment's Python (``["-m", "pip", "install", ...]`` or
        ``["-c", code]``) that build the environment, run in order; ``{checkout}`` in an argument
        stands for this repository. The last one installs ``hepml``.

    Returns
    -------
    dict
        ``python`` (the environment's interpreter), ``folder``, ``built`` (whether it was built
        now), ``seconds`` (time spent here), ``before`` and ``after``: the installed versions
        before and after the step that installs ``hepml`` with its dependencies.
    """
    start = time.monotonic()
    folder = cache_folder(name, version_file, install)
    python = folder / "bin" / "python"
    complete = folder / ".complete"
    built = not complete.is_file()
    if built:
        subprocess.run(["rm", "-rf", str(folder)], check=True)
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        log = folder / "install.log"
        snapshots = []
        for arguments in install:
            snapshots.append(freeze(python))
            arguments = [a.replace("{checkout}", str(ROOT)) for a in arguments]
            _run([str(python), *arguments], log, env=clean_environment(python))
        snapshots.append(freeze(python))
        (folder / "snapshots.json").write_text(
            json.dumps({"before": snapshots[-2], "after": snapshots[-1]}, indent=1)
        )
        complete.touch()
    else:
        # Today's hepml, without touching anything else (its requirements are in the cache key).
        _run(
            [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall",
             str(ROOT)],
            folder / "install.log",
            env=clean_environment(python),
        )  # fmt: skip
    snapshots = json.loads((folder / "snapshots.json").read_text())
    return {
        "python": python,
        "folder": folder,
        "built": built,
        "seconds": round(time.monotonic() - start, 1),
        **snapshots,
    }


def notebooks() -> list[Path]:
    """Every lecture, solution and exercise notebook."""
    return paths.lectures(ROOT) + paths.solutions(ROOT) + paths.exercises(ROOT)


def clean_environment(python: Path) -> dict[str, str]:
    """This process's environment variables, pointed at the foreign environment.

    One thread, as in the main nbval pass (``conftest.py``), but this machine's own vector
    instructions: these runs compare no outputs, and an older NumPy may refuse to disable a
    CPU feature it does not know.
    """
    environment = {**os.environ, **KERNEL_ENVIRONMENT}
    for name in AVX2_MACHINE:
        environment.pop(name, None)
    # The kernel spec of a venv starts "python" from PATH: make it this environment's.
    environment["PATH"] = f"{python.parent}{os.pathsep}{environment['PATH']}"
    environment["VIRTUAL_ENV"] = str(python.parent.parent)
    environment.pop("PYTHONPATH", None)
    return environment


def _run_notebooks(python: Path, notebook_paths: list[Path]) -> list[dict]:
    if not notebook_paths:
        return []
    result = subprocess.run(
        [str(python), "-c", RUNNER, *[str(p.relative_to(ROOT)) for p in notebook_paths]],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=clean_environment(python),
        timeout=1800,
    )
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 and len(records) < len(notebook_paths):
        raise RuntimeError(f"the notebook runner failed:\n{result.stderr[-3000:]}")
    return records


def _module_file(name: str) -> Path:
    """The source file of a ``hepml`` module in this checkout."""
    base = ROOT / "lib" / Path(*name.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def result_key(folder: Path, notebook: Path, modules: list[str]) -> str:
    """What a notebook's run in the environment ``folder`` depended on, as one digest."""
    digest = hashlib.sha256(folder.name.encode())
    chapter = notebook.name
    inputs = [ROOT / part / chapter for part in ("lectures", "solutions", "exercises")]
    inputs += [_module_file(name) for name in modules]
    package = ROOT / "lib" / "hepml"
    inputs += sorted(
        p for p in package.rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    )  # fmt: skip
    for path in sorted(set(inputs)):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes() if path.is_file() else b"(absent)")
    return digest.hexdigest()


def execute(python: Path, notebook_paths: list[Path]) -> dict[str, dict]:
    """Execute the notebooks with the environment's own nbclient; results keyed by file name.

    A notebook whose last passing run depended on nothing that has changed since (see
    :func:`result_key`) is not executed again: its record says ``"reused": True``.
    """
    folder = python.parent.parent / "passed"
    folder.mkdir(exist_ok=True)
    rerun = os.environ.get("HEPML_FOREIGN_RERUN") == "1"
    records, pending = {}, []
    for path in notebook_paths:
        name = str(path.relative_to(ROOT))
        index = folder / (hashlib.sha256(name.encode()).hexdigest()[:16] + ".json")
        kept = json.loads(index.read_text()) if index.is_file() and not rerun else None
        if kept and kept["key"] == result_key(folder.parent, path, kept["modules"]):
            records[name] = {**kept["record"], "reused": True}
        else:
            pending.append(path)
    for record in _run_notebooks(python, pending):
        record["reused"] = False
        records[record["notebook"]] = record
        passed = record["failure"] is None and not record["errors"] and record["modules"]
        index = folder / (hashlib.sha256(record["notebook"].encode()).hexdigest()[:16] + ".json")
        if passed:
            path = ROOT / record["notebook"]
            key = result_key(folder.parent, path, record["modules"])
            index.write_text(json.dumps({"key": key, "modules": record["modules"],
                                         "record": record}))  # fmt: skip
        else:
            index.unlink(missing_ok=True)
    executed = [n for n, r in records.items() if not r["reused"]]
    print(
        f"{python.parent.parent.name}: {len(records)} notebooks, {len(executed)} executed "
        f"({sum(records[n]['seconds'] for n in executed):.0f} s), "
        f"{len(records) - len(executed)} unchanged since they passed"
    )
    return records
