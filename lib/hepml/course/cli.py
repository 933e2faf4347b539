"""The course command line, ``python -m hepml``.

Sub-commands:

- ``bench [--json] NOTEBOOK...``: execute notebooks, report seconds and peak memory of each;
- ``execute NOTEBOOK...``: execute notebooks and store their outputs (refresh after an edit);
- ``status``: bench every lecture and solution notebook and write the book's page
  ``book/status.md``;
- ``exercises``: regenerate ``exercises/`` and the autograder archives from the masters in
  ``solutions/``;
- ``grade PATH... [--json] [--csv FILE] [--timeout S] [--total-timeout S] [--no-sandbox]``:
  grade submitted notebooks (files or folders), each in a bubblewrap sandbox;
- ``report GRADEBOOK [--output DIR] [--book URL]``: a class report per exercise set (score
  distributions, the typical mistakes ranked, what could not be graded);
- ``gradescope NN-topic [--output FILE]``: write a Gradescope autograder zip for one set;
- ``pdf``: build a PDF of the whole book into ``_build/pdf/hepml-course.pdf``
  (``hepml.course.pdf``; needs Debian's ``chromium`` and ``npm``);
- ``datasets jets [--n N] [--seed S] [--output FILE]``: regenerate the bundled jet data set
  with Pythia 8 and FastJet (``hepml.simulate.jet_generation``; needs the extra ``hepml[jets]``);
- ``colab-cell [--check]``: rewrite the first code cell of every lecture and solution notebook
  to the canonical Colab cell (``hepml.course.colab``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from hepml.course.bench import run_notebook


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = _build_parser()
    arguments = parser.parse_args(argv)
    return arguments.handler(arguments)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m hepml", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    bench = commands.add_parser("bench", help="execute notebooks; report seconds and peak memory")
    bench.add_argument("notebooks", nargs="+", help=".ipynb files")
    bench.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    bench.add_argument(
        "--timeout", type=int, default=600, help="seconds allowed per cell (default 600)"
    )
    bench.set_defaults(handler=_bench)

    execute = commands.add_parser("execute", help="execute notebooks and store their outputs")
    execute.add_argument("notebooks", nargs="+", help=".ipynb files")
    execute.add_argument(
        "--timeout", type=int, default=600, help="seconds allowed per cell (default 600)"
    )
    execute.set_defaults(handler=_execute)

    status = commands.add_parser(
        "status", help="bench every lecture and solution; write the book's status page"
    )
    status.add_argument(
        "--root",
        default=None,
        help="repository root (default: the repository hepml is installed from)",
    )
    status.add_argument(
        "--output", default=None, help="page to write (default: ROOT/book/status.md)"
    )
    status.add_argument(
        "--timeout", type=int, default=600, help="seconds allowed per cell (default 600)"
    )
    status.set_defaults(handler=_status)

    exercises = commands.add_parser(
        "exercises", help="regenerate exercises/ and the autograder archives"
    )
    exercises.set_defaults(handler=_exercises)

    grade = commands.add_parser("grade", help="grade submitted notebooks with the hidden tests")
    grade.add_argument("paths", nargs="+", help=".ipynb files or folders of them")
    grade.add_argument("--json", action="store_true", help="print the results as JSON")
    grade.add_argument(
        "--csv",
        metavar="FILE",
        help="write a gradebook: one row per submission, one column per question",
    )
    grade.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        help="seconds per code cell and per test call (default 30)",
    )
    grade.add_argument(
        "--total-timeout",
        type=float,
        default=None,
        metavar="S",
        help="seconds per submission, restarts included (default 4 x --timeout + 30)",
    )
    grade.add_argument(
        "--no-sandbox",
        action="store_true",
        help="grade without bubblewrap, accepting a much weaker isolation (stated in every "
        "gradebook row): submissions can then read the repository and harm each other",
    )
    grade.add_argument(
        "--exercise", help="exercise set, e.g. 01-statistics (default: read from each notebook)"
    )
    grade.add_argument(
        "--jobs", type=int, default=2, help="submissions graded at the same time (default 2)"
    )
    grade.set_defaults(handler=_grade)

    report = commands.add_parser(
        "report", help="write a class report (scores, typical mistakes) from a gradebook"
    )
    report.add_argument("gradebook", help="CSV written by `grade --csv`")
    report.add_argument(
        "--output", default=None, help="folder for the pages (default: GRADEBOOK-report/)"
    )
    report.add_argument(
        "--book", default=None, help="base URL of the book to link to (default: _build/html)"
    )
    report.set_defaults(handler=_report)

    gradescope = commands.add_parser(
        "gradescope", help="write a Gradescope autograder zip for one exercise set"
    )
    gradescope.add_argument("exercise", help="exercise set, e.g. 01-statistics")
    gradescope.add_argument(
        "--output", default=None, help="zip to write (default build/gradescope/NN-topic.zip)"
    )
    gradescope.add_argument(
        "--timeout", type=float, default=30.0, help="seconds per code cell (default 30)"
    )
    gradescope.set_defaults(handler=_gradescope)

    colab = commands.add_parser(
        "colab-cell", help="make every lecture's and solution's first cell the Colab cell"
    )
    colab.add_argument(
        "--check", action="store_true", help="only list the notebooks that differ (exit 1 if any)"
    )
    colab.set_defaults(handler=_colab_cell)

    datasets = commands.add_parser(
        "datasets", help="regenerate a bundled data set (needs its generators installed)"
    )
    datasets.add_argument("dataset", choices=["jets"], help="which data set")
    datasets.add_argument(
        "--n", type=int, default=5000, help="jets of each class (default 5000, the bundled file)"
    )
    datasets.add_argument("--seed", type=int, default=1, help="Pythia's seed (default 1)")
    datasets.add_argument(
        "--output",
        default=None,
        help="file to write (default: the bundled lib/hepml/simulate/data/jets.root)",
    )
    datasets.set_defaults(handler=_datasets)

    pdf = commands.add_parser("pdf", help="build a PDF of the whole book with Chromium")
    pdf.set_defaults(handler=_pdf)
    return parser


def _datasets(arguments: argparse.Namespace) -> int:
    from hepml.simulate import jet_generation
    from hepml.simulate.jets import JETS_FILE

    output = arguments.output if arguments.output else JETS_FILE
    try:
        return jet_generation.main(arguments.n, arguments.seed, output)
    except (ImportError, TypeError, ValueError) as error:
        print(f"cannot generate the jets: {error}", file=sys.stderr)
        return 1


def _gradescope(arguments: argparse.Namespace) -> int:
    from hepml.course.grading.gradescope import build_autograder
    from hepml.course.paths import repository_root

    root = repository_root()
    output = (
        Path(arguments.output)
        if arguments.output
        else root / "build" / "gradescope" / f"{arguments.exercise}.zip"
    )
    try:
        build_autograder(arguments.exercise, output, root=root, timeout=arguments.timeout)
    except (FileNotFoundError, ValueError) as error:
        print(f"cannot build the autograder: {error}", file=sys.stderr)
        return 1
    print(f"wrote {output} (upload it as the assignment's autograder)", file=sys.stderr)
    return 0


def _pdf(arguments: argparse.Namespace) -> int:
    import time

    from hepml.course.pdf import build_pdf

    start = time.monotonic()
    pdf = build_pdf()
    size = pdf.stat().st_size / 2**20
    print(f"wrote {pdf} ({size:.1f} MB, {time.monotonic() - start:.0f} s)", file=sys.stderr)
    return 0


def _colab_cell(arguments: argparse.Namespace) -> int:
    from hepml.course.colab import write_colab_cells
    from hepml.course.paths import repository_root

    root = repository_root()
    changed = write_colab_cells(root, check=arguments.check)
    verb = "differs" if arguments.check else "rewritten"
    for notebook in changed:
        print(f"{notebook.relative_to(root)}: {verb}", file=sys.stderr)
    print(f"{len(changed)} notebook(s) {verb}", file=sys.stderr)
    if changed and not arguments.check:
        print("run `python -m hepml exercises` to carry it into exercises/", file=sys.stderr)
    return 1 if arguments.check and changed else 0


def _exercises(arguments: argparse.Namespace) -> int:
    from hepml.course.exercises import generate_all
    from hepml.course.paths import repository_root

    root = repository_root()
    written = generate_all(root)
    for notebook in written:
        print(f"wrote {notebook.relative_to(root)}", file=sys.stderr)
    print(
        f"{len(written)} exercise notebook(s) changed; autograder archives in build/exercises/",
        file=sys.stderr,
    )
    return 0


def _report(arguments: argparse.Namespace) -> int:
    from hepml.course.grading.report import write_report

    gradebook = Path(arguments.gradebook)
    output = arguments.output or gradebook.with_name(gradebook.stem + "-report")
    try:
        pages = write_report(gradebook, output, book=arguments.book)
    except (OSError, ValueError) as error:
        print(f"cannot write the report: {error}", file=sys.stderr)
        return 2
    for page in pages:
        print(page)
    return 0


def _grade(arguments: argparse.Namespace) -> int:
    from tqdm import tqdm

    from hepml.course.grading import (
        SandboxUnavailable,
        WorkerUnavailable,
        collect_notebooks,
        grade_paths,
    )
    from hepml.course.grading.gradebook import Gradebook

    notebooks = collect_notebooks(arguments.paths)
    if not notebooks:
        print("no notebooks to grade", file=sys.stderr)
        return 1
    if arguments.no_sandbox:
        isolation = "NO SANDBOX (--no-sandbox): weak isolation, submissions not isolated"
        print(
            "warning: grading without bubblewrap (--no-sandbox): submissions run as plain "
            "processes and can read the repository and harm each other",
            file=sys.stderr,
        )
    else:
        isolation = "bubblewrap"
    gradebook = Gradebook(arguments.csv, isolation) if arguments.csv else None
    # the count graded and the time left, on stderr; silent when the output is JSON
    progress = tqdm(
        total=len(notebooks), unit="submission", file=sys.stderr, disable=arguments.json
    )

    def on_result(result) -> None:
        if gradebook is not None:
            gradebook.add(result)
        progress.update()

    try:
        results = grade_paths(
            notebooks,
            timeout=arguments.timeout,
            exercise=arguments.exercise,
            jobs=arguments.jobs,
            total_timeout=arguments.total_timeout,
            sandbox=not arguments.no_sandbox,
            on_result=on_result,
        )
    except SandboxUnavailable as error:
        print(f"refusing to grade: {error}", file=sys.stderr)
        return 2
    except WorkerUnavailable as error:
        print(f"grading stopped: {error}", file=sys.stderr)
        return 2
    finally:
        progress.close()
    if arguments.json:
        dictionaries = [result.as_dict() for result in results]
        print(json.dumps(dictionaries[0] if len(dictionaries) == 1 else dictionaries, indent=2))
    else:
        for result in results:
            print(f"{result.notebook}: {result.score:g} / {result.max_score:g}")
            if result.error:
                print(f"  {result.error}")
            for question in result.questions:
                if not question.passed:
                    print(
                        f"  {question.name} {question.score:g}/{question.max_score:g}: "
                        f"{question.message}"
                    )
    if gradebook is not None:
        gradebook.results = results  # the final file lists the rows in the submissions' order
        gradebook.write()
    failed = [result for result in results if result.grading_failed]
    for result in failed:
        print(f"grading failed for {result.notebook}: {result.error}", file=sys.stderr)
    return 1 if failed else 0


def _bench(arguments: argparse.Namespace) -> int:
    results = []
    for notebook in arguments.notebooks:
        result = run_notebook(notebook, timeout=arguments.timeout)
        results.append(result)
        if not arguments.json:
            status = "ok" if result.ok else f"FAILED: {result.error}"
            print(
                f"{result.notebook:<45} {result.seconds:8.1f} s "
                f"{result.peak_rss_mb:8.0f} MB  {status}",
                flush=True,
            )
    if arguments.json:
        print(json.dumps([result.as_dict() for result in results], indent=2))
    return 0 if all(result.ok for result in results) else 1


def _execute(arguments: argparse.Namespace) -> int:
    failed = 0
    for notebook in arguments.notebooks:
        result = run_notebook(notebook, timeout=arguments.timeout, write=True)
        status = "written" if result.ok else f"FAILED (not written): {result.error}"
        print(
            f"{result.notebook}: {result.seconds:.1f} s, {result.peak_rss_mb:.0f} MB, {status}",
            file=sys.stderr,
        )
        failed += not result.ok
    return 1 if failed else 0


def _status(arguments: argparse.Namespace) -> int:
    from hepml.course.paths import executed_notebooks, repository_root
    from hepml.course.status import pinned_versions, render_status_page

    root = repository_root() if arguments.root is None else Path(arguments.root)
    notebooks = executed_notebooks(root)
    if not notebooks:
        print(f"no notebooks in {root / 'lectures'} or {root / 'solutions'}", file=sys.stderr)
        return 1
    results = []
    for notebook in notebooks:
        result = run_notebook(notebook, timeout=arguments.timeout)
        print(
            f"{notebook}: {result.seconds:.1f} s, {result.peak_rss_mb:.0f} MB, "
            f"{'ok' if result.ok else result.error}",
            file=sys.stderr,
        )
        results.append(result)
    output = Path(arguments.output) if arguments.output else root / "book" / "status.md"
    output.write_text(
        render_status_page(results, pinned_versions(root / "requirements.txt"), root=root)
    )
    print(f"wrote {output}", file=sys.stderr)
    return 0 if all(result.ok for result in results) else 1
