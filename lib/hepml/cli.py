"""The course command line, ``python -m hepml``.

Sub-commands:

- ``bench [--json] NOTEBOOK...``: execute notebooks, report seconds and peak memory of each;
- ``execute NOTEBOOK...``: execute notebooks and store their outputs (refresh after an edit).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from hepml.bench import run_notebook


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
    bench.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")
    bench.set_defaults(handler=_bench)

    execute = commands.add_parser("execute", help="execute notebooks and store their outputs")
    execute.add_argument("notebooks", nargs="+", help=".ipynb files")
    execute.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")
    execute.set_defaults(handler=_execute)
    return parser


def _bench(arguments: argparse.Namespace) -> int:
    results = []
    for notebook in arguments.notebooks:
        result = run_notebook(notebook, timeout=arguments.timeout)
        results.append(result)
        if not arguments.json:
            status = "ok" if result.ok else f"FAILED: {result.error}"
            print(f"{result.notebook:<45} {result.seconds:8.1f} s {result.peak_rss_mb:8.0f} MB  {status}", flush=True)
    if arguments.json:
        print(json.dumps([result.as_dict() for result in results], indent=2))
    return 0 if all(result.ok for result in results) else 1


def _execute(arguments: argparse.Namespace) -> int:
    failed = 0
    for notebook in arguments.notebooks:
        result = run_notebook(notebook, timeout=arguments.timeout, write=True)
        status = "written" if result.ok else f"FAILED (not written): {result.error}"
        print(f"{result.notebook}: {result.seconds:.1f} s, {result.peak_rss_mb:.0f} MB, {status}", file=sys.stderr)
        failed += not result.ok
    return 1 if failed else 0
