"""Generate student exercise notebooks and autograder archives from otter-grader masters.

A master ``solutions/NN-topic.ipynb`` is written in otter-grader's format (see CONTRIBUTING.md,
"Exercise masters"). :func:`generate` runs ``otter assign`` on it, then turns otter's student
notebook into ``exercises/NN-topic.ipynb``:

- otter's ``grader.check("qN")`` cells become cells that hold the question's public tests and call
  :class:`hepml.course.feedback.Checker` (otter's own check cannot read tests from notebook
  metadata on Colab, so an exercise notebook carries its public tests and works alone); their
  source is collapsed on the book page, in JupyterLab and on Colab, so a student sees the
  check's message rather than its code;
- a checker cell follows the setup cell and a score summary ends the notebook;
- outputs are cleared, cell ids and metadata are made deterministic, so regenerating an
  unchanged master rewrites nothing.

The autograder archive with every test (public and hidden) goes to ``build/exercises/NN-topic/``,
which is not committed and never published to students. :func:`load_tests` reads it back for
:mod:`hepml.course.grading`, regenerating it when the master or ``hepml`` has changed.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from hepml.course import mistakes, paths
from hepml.course.feedback import TestSpec

__all__ = [
    "ExerciseSet",
    "build_folder",
    "generate",
    "generate_all",
    "generated_exercise",
    "load_tests",
    "solution_lines",
]

#: The installed ``hepml`` package, whose modules are part of every build's stamp.
_PACKAGE = Path(__file__).resolve().parents[1]

_CHECK_CELL = re.compile(r'^\s*grader\.check\(\s*"(?P<question>[^"]+)"\s*\)\s*$')


@dataclass(frozen=True)
class ExerciseSet:
    """The tests of one exercise set, as the grader uses them, and its declared mistakes."""

    name: str
    tests: dict[str, list[TestSpec]]
    mistakes: dict[str, tuple[mistakes.MistakeSignature, ...]] = field(default_factory=dict)

    @property
    def points(self) -> dict[str, float]:
        """Points of each question (public and hidden tests together)."""
        return {
            question: sum(test.points for test in tests) for question, tests in self.tests.items()
        }


def generate_all(root: Path | None = None) -> list[Path]:
    """Regenerate every ``exercises/NN-topic.ipynb`` and its archive.

    Return the notebooks written.
    """
    root = paths.repository_root() if root is None else Path(root)
    written = []
    for master in paths.solutions(root):
        if generate(master, root=root):
            written.append(root / "exercises" / master.name)
    return written


def generate(master: Path, *, root: Path | None = None) -> bool:
    """Generate the exercise notebook and autograder archive of one master.

    Parameters
    ----------
    master
        The master notebook ``solutions/NN-topic.ipynb``.
    root
        Repository root (default: the one this package is installed from).

    Returns
    -------
    bool
        Whether ``exercises/NN-topic.ipynb`` changed.
    """
    root = paths.repository_root() if root is None else Path(root)
    master = Path(master).resolve()
    if master.suffix != ".ipynb" or not master.is_file():
        raise FileNotFoundError(f"master must be an existing .ipynb file, got {str(master)!r}")
    build = _build(master, root)
    text = (build / "exercise.ipynb").read_text(encoding="utf-8")
    target = root / "exercises" / master.name
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return False
    target.parent.mkdir(exist_ok=True)
    paths.replace_file(target, text.encode())
    return True


def load_tests(name: str, *, root: Path | None = None) -> ExerciseSet:
    """Read the tests of exercise set ``name`` from its autograder archive.

    ``name`` is e.g. ``"01-statistics"``.

    The archive is (re)built first if it is missing, or if the master or ``hepml`` changed
    since it was built. ``exercises/`` is never written here: only :func:`generate` does that,
    so comparing the committed file with :func:`generated_exercise` still finds it stale.
    """
    return _read_archive(name, build_folder(name, root=root) / "autograder.zip")


def generated_exercise(name: str, *, root: Path | None = None) -> str:
    """The text ``exercises/NN-topic.ipynb`` must have: what today's master and code generate.

    Taken from the build folder (rebuilt if stale, as in :func:`load_tests`), so comparing it
    with the committed file costs no extra ``otter assign``.
    """
    return (build_folder(name, root=root) / "exercise.ipynb").read_text(encoding="utf-8")


def build_folder(name: str, *, root: Path | None = None) -> Path:
    """``build/exercises/NN-topic/`` of exercise set ``name``, (re)built first if stale.

    It holds the autograder archive, the declared mistakes' signatures, the generated exercise
    notebook and a stamp; it is rebuilt if missing, or if the master or ``hepml`` changed since.
    """
    root = paths.repository_root() if root is None else Path(root)
    master = root / "solutions" / f"{name}.ipynb"
    if not master.is_file():
        raise FileNotFoundError(f"no exercise master {str(master)!r}")
    build = _folder(root, name)
    stamp = build / "source.sha256"
    if not stamp.is_file() or stamp.read_text() != _source_digest(master):
        _build(master, root)
    return build


def solution_lines(master: nbformat.NotebookNode) -> set[str]:
    """Stripped code lines of a master that are solution code (must never reach students)."""
    lines: set[str] = set()
    for cell in master.cells:
        if cell.cell_type != "code":
            continue
        inside = False
        for line in cell.source.splitlines():
            stripped = line.strip()
            if re.match(r"#\s*BEGIN SOLUTION", stripped):
                inside = True
                continue
            if re.match(r"#\s*END SOLUTION", stripped):
                inside = False
                continue
            marked = re.search(r"#\s*SOLUTION(\s+NO PROMPT)?\s*$", stripped)
            if inside or marked:
                code = re.sub(r"#\s*SOLUTION(\s+NO PROMPT)?\s*$", "", stripped).strip()
                if code and not code.startswith("#"):
                    lines.add(code)
    return lines


def _code_lines(notebook: nbformat.NotebookNode) -> set[str]:
    return {
        line.strip()
        for cell in notebook.cells
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
    }


def _folder(root: Path, name: str) -> Path:
    return root / "build" / "exercises" / name


def _build(master: Path, root: Path) -> Path:
    """Run otter assign and the declared mistakes; write ``build/exercises/NN-topic/``.

    The folder gets the autograder archive, the mistakes' signatures, the exercise notebook and,
    last, the stamp that says they are complete for this master and this ``hepml``. Files are
    replaced, never deleted first: test workers and grading jobs read and rebuild the same
    folder concurrently (a deleted folder failed a reader in CI).
    """
    source_digest = _source_digest(master)
    with tempfile.TemporaryDirectory(prefix="hepml-assign-") as temporary:
        work = Path(temporary)
        shutil.copy(master, work / master.name)
        result = subprocess.run(
            [sys.executable, "-m", "otter", "assign", master.name, "out"],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"otter assign failed on {master.name}:\n"
                f"{result.stdout[-2000:]}{result.stderr[-2000:]}"
            )
        archives = sorted((work / "out" / "autograder").glob("*.zip"))
        if len(archives) != 1:
            raise RuntimeError(
                f"otter assign wrote {len(archives)} autograder archives for {master.name}"
            )
        archive = archives[0].read_bytes()
        student = nbformat.read(work / "out" / "student" / master.name, as_version=4)
        signatures = _mistake_signatures(master)
        archives[0].with_name("mistakes.json").write_text(signatures)
        exercise_set = _read_archive(master.stem, archives[0])
    original = nbformat.read(master, as_version=4)
    notebook = _student_notebook(student, exercise_set, _test_sources(original))
    leaks = sorted(solution_lines(original) & _code_lines(notebook))
    if leaks:
        raise RuntimeError(
            f"solution lines of {master.name} would leak into the exercise: {leaks}"
        )
    build = _folder(root, master.stem)
    build.mkdir(parents=True, exist_ok=True)
    paths.replace_file(build / "autograder.zip", archive)
    paths.replace_file(build / "mistakes.json", signatures.encode())
    paths.replace_file(build / "exercise.ipynb", (nbformat.writes(notebook) + "\n").encode())
    paths.replace_file(build / "source.sha256", source_digest.encode())
    return build


def _source_digest(master: Path, package: Path = _PACKAGE) -> str:
    """Hash of what a build depends on: the master, every module of ``hepml`` and otter.

    ``hepml`` as a whole, because the master runs its simulators and methods to evaluate the
    declared mistakes, and :mod:`hepml.course` shapes the exercise notebook.
    """
    digest = hashlib.sha256(master.read_bytes())
    for module in sorted(package.rglob("*.py")):
        digest.update(str(module.relative_to(package)).encode())
        digest.update(module.read_bytes())
    digest.update(importlib.metadata.version("otter-grader").encode())
    return digest.hexdigest()


def _natural(name: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def _read_archive(name: str, archive: Path) -> ExerciseSet:
    from otter.test_files import ExceptionTestFile

    tests: dict[str, list[TestSpec]] = {}
    with zipfile.ZipFile(archive) as files:
        names = sorted(
            (n for n in files.namelist() if re.fullmatch(r"tests/[^/]+\.py", n)), key=_natural
        )
        for member in names:
            test_file = ExceptionTestFile.from_string(files.read(member).decode(), path=member)
            tests[test_file.name] = [
                TestSpec(case.body.test_func, float(case.points), bool(case.hidden))
                for case in test_file.test_cases
            ]
    signatures = archive.with_name("mistakes.json")
    declared = mistakes.loads(signatures.read_text()) if signatures.is_file() else {}
    return ExerciseSet(name, tests, declared)


def _mistake_signatures(master: Path) -> str:
    """Execute the master in a fresh Python and sign its declared mistakes (JSON: tags and
    encrypted messages).

    A separate process, because the master's setup call seeds and styles the process it runs in.
    """
    code = (
        "import sys\n"
        "from hepml.course import mistakes\n"
        "print(mistakes.dumps(mistakes.signatures(sys.argv[1], sys.argv[2])))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(master), master.stem],
        cwd=master.parent,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MPLBACKEND": "Agg", "TQDM_DISABLE": "1"},
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"the declared mistakes of {master.name} could not be evaluated:\n"
            f"{result.stderr[-3000:]}"
        )
    json.loads(result.stdout)
    return result.stdout


def _test_sources(master: nbformat.NotebookNode) -> dict[str, str]:
    """Source of every test function of the master, by function name, as written there.

    Taken from the master rather than from otter's archive, which re-prints the functions on
    one long line each: the check cells then keep the master's formatting (and line width).
    """
    sources = {}
    for cell in master.cells:
        if cell.cell_type != "code":
            continue
        lines = cell.source.splitlines()
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                sources[node.name] = "\n".join(lines[node.lineno - 1 : node.end_lineno])
    return sources


def _student_notebook(
    student: nbformat.NotebookNode, exercise_set: ExerciseSet, sources: dict[str, str]
) -> nbformat.NotebookNode:
    cells = []
    code_cells_seen = 0
    for cell in student.cells:
        if mistakes.TAG in cell.metadata.get("tags", []):
            continue  # declared mistakes stay in the master: the exercise holds their signatures
        if cell.cell_type == "code":
            match = _CHECK_CELL.match(cell.source)
            if match:
                cell.source = _check_cell_source(match["question"], exercise_set, sources)
                _collapse_source(cell)
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
        if cell.cell_type == "code":
            code_cells_seen += 1
            if code_cells_seen == 2:
                cells.append(nbformat.v4.new_code_cell(_checker_cell_source(exercise_set)))
    cells.append(nbformat.v4.new_code_cell("checker.summary()"))
    for index, cell in enumerate(cells):
        cell.id = f"cell-{index:03d}"
        cell.metadata.pop("execution", None)
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        },
        "language_info": {"name": "python"},
        "hepml": {"exercise": exercise_set.name},
    }
    return notebook


def _collapse_source(cell: nbformat.NotebookNode) -> None:
    """Show a check cell by its output: its test source collapsed wherever it is opened.

    - the book page: the ``hide-input`` tag (myst-nb puts the source behind a "Show code cell
      source" toggle);
    - JupyterLab and Notebook 7: ``jupyter.source_hidden`` (the input is collapsed to a bar
      the student clicks to expand);
    - Colab: ``cellView: "form"`` (the code is hidden behind "Show code").

    The source stays in the cell: a student who wants to read the public tests can, and
    running the cell runs them.
    """
    tags = cell.metadata.setdefault("tags", [])
    if "hide-input" not in tags:
        tags.append("hide-input")
    cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    cell.metadata["cellView"] = "form"


def _checker_cell_source(exercise_set: ExerciseSet) -> str:
    points = ", ".join(
        f'"{question}": {value:g}' for question, value in exercise_set.points.items()
    )
    return (
        "# Each check cell runs its question's public tests with this checker.\n"
        "from hepml.course.feedback import Checker\n\n"
        "checker = Checker(\n"
        f'    "{exercise_set.name}",\n'
        f"    points={{{points}}},\n"
        ")"
    )


def _check_cell_source(question: str, exercise_set: ExerciseSet, sources: dict[str, str]) -> str:
    # Written in ruff's format (one argument per line, trailing commas), so the generated
    # notebook passes the same format check as the masters.
    public = [test for test in exercise_set.tests[question] if not test.hidden]
    names = [test.function.__name__ for test in public]
    lines = [f"# Check {question} with its public tests (grading adds hidden ones)."]
    for name in names:
        lines += [sources[name], "", ""]
    points = ", ".join(f"{test.points:g}" for test in public)
    lines += [
        "checker.check(",
        f'    "{question}",',
        "    globals(),",
        "    [",
        *(f"        {name}," for name in names),
        "    ],",
        f"    points=[{points}],",
        *_mistakes_argument(exercise_set.mistakes.get(question, ())),
        ")",
    ]
    return "\n".join(lines)


def _mistakes_argument(signatures: tuple[mistakes.MistakeSignature, ...]) -> list[str]:
    """The ``mistakes=`` argument of a check cell: tags and encrypted messages, never values."""
    if not signatures:
        return []
    lines = [
        "    # typical mistakes: tags of rounded wrong values, and each message",
        "    # encrypted with its wrong value (readable only by a matching answer)",
        "    mistakes=[",
    ]
    for signature in signatures:
        lines.append("        [")
        lines += [f"            {json.dumps(item)}," for item in signature.entry()]
        lines.append("        ],")
    lines.append("    ],")
    long = [line for line in lines if len(line) > 75]
    if long:
        raise ValueError(
            f"check-cell lines longer than 75 characters (shorten the variables' names): {long}"
        )
    return lines
