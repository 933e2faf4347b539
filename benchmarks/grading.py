"""Grading against running: ``hepml grade``, ``otter run`` and plain execution, side by side.

``python benchmarks/grading.py [--jobs 2]`` grades the master and the untouched exercise of
every exercise set three ways, ``jobs`` notebooks at a time, on the same copies:

- ``hepml grade``: the course's grader (sandboxed, warm workers);
- ``otter run``: otter-grader's local runner with the set's autograder zip (one process per
  submission; ``jobs`` of them at a time);
- plain execution: each notebook executed top to bottom in a fresh Jupyter kernel (nbclient,
  errors allowed), the floor any grader that runs the student's code must pay.

It prints the seconds of each and the ratios to plain execution. Run it on an idle machine:
the three share its cores.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _submissions(folder: Path) -> list[Path]:
    """A copy of every master and untouched exercise, with the metadata otter run requires."""
    copies = []
    for master in sorted((ROOT / "solutions").glob("[0-9][0-9]-*.ipynb")):
        for kind, source in (("master", master), ("untouched", ROOT / "exercises" / master.name)):
            notebook = json.loads(source.read_text(encoding="utf-8"))
            notebook["metadata"]["otter"] = {"assignment_name": master.stem}
            copy = folder / f"{master.stem}-{kind}.ipynb"
            copy.write_text(json.dumps(notebook), encoding="utf-8")
            copies.append(copy)
    return copies


def _exercise(path: Path) -> str:
    return path.stem.rsplit("-", 1)[0]


def _in_parallel(commands: list[list[str]], jobs: int, cwd: Path) -> float:
    def run(command: list[str]) -> None:
        subprocess.run(command, cwd=cwd, capture_output=True, check=False)

    start = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(run, commands))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="notebooks at a time (default 2)")
    jobs = parser.parse_args().jobs
    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as temporary:
        folder = Path(temporary)
        (folder / "submissions").mkdir()
        submissions = _submissions(folder / "submissions")
        times = {}
        start = time.perf_counter()
        hepml = [sys.executable, "-m", "hepml", "grade", str(folder / "submissions")]
        graded = subprocess.run(
            [*hepml, "--json", "--jobs", str(jobs)], capture_output=True, check=True, text=True
        )
        times["hepml grade"] = time.perf_counter() - start
        scores = {Path(r["notebook"]).stem: r["score"] for r in json.loads(graded.stdout)}
        otter = []
        for path in submissions:
            output = folder / "otter" / path.stem
            output.mkdir(parents=True)
            archive = ROOT / "build" / "exercises" / _exercise(path) / "autograder.zip"
            otter.append(["otter", "run", "-a", str(archive), "-o", str(output), str(path)])
        times["otter run"] = _in_parallel(otter, jobs, folder)
        plain = [
            [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
             "--allow-errors", "--output-dir", str(folder / "plain"), str(path)]
            for path in submissions
        ]  # fmt: skip
        times["plain execution"] = _in_parallel(plain, jobs, folder)
        # every run must have produced its result, and the graders must agree
        for path in submissions:
            otter_result = json.loads((folder / "otter" / path.stem / "results.json").read_text())
            otter_score = sum(test.get("score") or 0 for test in otter_result["tests"])
            if path.stem.endswith("master") and not scores[path.stem] > 0 < otter_score:
                raise SystemExit(f"{path.name}: the master did not score (hepml, otter)")
            if not (folder / "plain" / path.name).is_file():
                raise SystemExit(f"{path.name}: plain execution wrote nothing")
    floor = times["plain execution"]
    print(f"{len(submissions)} notebooks ({len(submissions) // 2} masters, as many untouched "
          f"exercises), {jobs} at a time")  # fmt: skip
    print(f"{'':<18}{'seconds':>9}{'ratio':>8}")
    for name, seconds in times.items():
        print(f"{name:<18}{seconds:9.1f}{seconds / floor:8.2f}")


if __name__ == "__main__":
    main()
