"""Grade on Gradescope: an autograder zip that runs the course's own grader.

``python -m hepml gradescope NN-topic`` calls :func:`build_autograder`, which writes a zip in
Gradescope's autograder format:

- ``setup.sh``: run once when Gradescope builds the image (Ubuntu, as root): installs
  ``bubblewrap`` and Python's ``venv`` with apt-get, then the pinned ``requirements.txt`` and
  this ``hepml`` package into ``/autograder/venv``;
- ``run_autograder``: run for every submission; calls ``python -m hepml.course.grading.gradescope``
  (:func:`main`), which grades the uploaded notebook in ``/autograder/submission`` with
  :func:`hepml.course.grading.grade_submission` and writes ``/autograder/results/results.json``;
- ``requirements.txt``, ``pyproject.toml``, ``README.md`` and ``lib/hepml/``: the package;
- ``build/exercises/NN-topic/autograder.zip``: the set's tests, public and hidden (the archive
  of :func:`hepml.course.exercises.build_folder`), with ``mistakes.json`` beside it (the declared
  mistakes' signatures, so the feedback names them), and ``gradescope.json``: the set and its
  time limits.

Each question becomes two Gradescope tests, ``qN (public tests)`` (visible at once, as in the
student's check cell, with the feedback but no points) and ``qN (hidden tests)`` (shown after the
grades are published, with all the question's points: the public ones count only when the hidden
tests pass), each with the grader's message as output. ``AUTOGRADER_ROOT`` relocates
``/autograder`` (the tests run the harness under a temporary folder). The worker runs in
bubblewrap when the container allows it; otherwise (Docker without user namespaces) it runs as a
plain process, isolated from other submissions by Gradescope's one container per submission,
and the results' output says so.
"""

from __future__ import annotations

import json
import os
import sys
import time
import zipfile
from pathlib import Path

from hepml.course.exercises import ExerciseSet, _read_archive, build_folder
from hepml.course.feedback import TestSpec
from hepml.course.paths import repository_root

__all__ = ["build_autograder", "main", "results_json", "split_by_visibility"]

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \\
    bubblewrap python3 python3-venv python3-pip util-linux
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet -r /autograder/source/requirements.txt
/autograder/venv/bin/pip install --quiet --no-deps /autograder/source
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it always writes results/results.json.
set -uo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
python="${AUTOGRADER_PYTHON:-$root/venv/bin/python}"
cd "$root/source"
exec "$python" -I -m hepml.course.grading.gradescope "$root"
"""

SUFFIXES = {"public": " (public tests)", "hidden": " (hidden tests)"}


def split_by_visibility(exercise_set: ExerciseSet) -> ExerciseSet:
    """The set with each question split into its public and its hidden tests.

    Both parts keep the question's declared mistakes: a public test fails an answer that looks
    like one of them, as in the student's check cell and in ``hepml grade``.
    """
    tests: dict[str, list[TestSpec]] = {}
    declared = {}
    for question, specs in exercise_set.tests.items():
        for kind, hidden in (("public", False), ("hidden", True)):
            part = [spec for spec in specs if spec.hidden is hidden]
            if part:
                tests[question + SUFFIXES[kind]] = part
                declared[question + SUFFIXES[kind]] = exercise_set.mistakes.get(question, ())
    return ExerciseSet(exercise_set.name, tests, declared)


def build_autograder(
    exercise: str, output: str | Path, *, root: Path | None = None, timeout: float = 30.0
) -> Path:
    """Write the Gradescope autograder zip of exercise set ``exercise``; see the module docstring.

    Parameters
    ----------
    exercise
        The set, e.g. ``"01-statistics"`` (its master ``solutions/NN-topic.ipynb`` must exist).
    output
        The zip to write.
    root
        Repository root (default: the one this package is installed from).
    timeout
        Seconds per code cell on Gradescope (the total per submission is the grader's default).

    Raises
    ------
    FileNotFoundError
        If there is no master for ``exercise``.
    ValueError
        If ``timeout`` is not a positive number.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"`timeout` must be a positive number of seconds, got {timeout!r}")
    root = repository_root() if root is None else Path(root)
    archive = build_folder(exercise, root=root) / "autograder.zip"
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    config = {"exercise": exercise, "timeout": float(timeout)}
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as bundle:
        _add(bundle, "setup.sh", SETUP, executable=True)
        _add(bundle, "run_autograder", RUN, executable=True)
        _add(bundle, "gradescope.json", json.dumps(config, indent=2) + "\n")
        for name in ("requirements.txt", "pyproject.toml", "README.md"):
            bundle.write(root / name, name)
        package = root / "lib" / "hepml"
        for path in sorted(package.rglob("*.py")):
            bundle.write(path, str(path.relative_to(root)))
        # The mistakes' signatures next to the archive: without them Gradescope would grade
        # the same but not name a declared mistake in its feedback, as `hepml grade` does.
        for built in (archive, archive.with_name("mistakes.json")):
            bundle.write(built, f"build/exercises/{exercise}/{built.name}")
    return output


def _add(bundle: zipfile.ZipFile, name: str, text: str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = (0o755 if executable else 0o644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, text)


def results_json(result, *, note: str = "") -> dict:
    """Gradescope's ``results.json`` for a graded submission.

    ``result`` is a :class:`~hepml.course.grading.gradebook.SubmissionResult`.

    A question's public tests check the form of an answer, not its value, so their points count
    only when its hidden tests pass (as in :func:`hepml.course.feedback.run_question`). Where a
    question has hidden tests, its ``(hidden tests)`` entry therefore carries all its points and
    its ``(public tests)`` entry, visible at once, only the feedback: a public score that dropped
    to 0 would tell the student, before the grades are published, that the value is wrong.
    """
    by_name = {question.name: question for question in result.questions}
    tests = []
    for question in result.questions:
        hidden = question.name.endswith(SUFFIXES["hidden"])
        score, max_score = question.score, question.max_score
        if hidden:
            public = by_name.get(
                question.name.removesuffix(SUFFIXES["hidden"]) + SUFFIXES["public"]
            )
            if public is not None:
                max_score += public.max_score
                score += public.score if question.passed else 0.0
        elif question.name.removesuffix(SUFFIXES["public"]) + SUFFIXES["hidden"] in by_name:
            score = max_score = 0.0
        tests.append(
            {
                "name": question.name,
                "score": round(score, 6),
                "max_score": round(max_score, 6),
                "output": "passed" if question.passed else question.message,
                "visibility": "after_published" if hidden else "visible",
            }
        )
    total = round(sum(test["score"] for test in tests), 6)
    output = f"{total:g} / {result.max_score:g} points"
    if result.error:
        output += f". {result.error}"
    return {
        "score": total,
        "output": output + (f"\n{note}" if note else ""),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def main(argv: list[str] | None = None) -> int:
    """Grade ``ROOT/submission/*.ipynb`` into ``ROOT/results/results.json`` (always written)."""
    from hepml.course.grading import SandboxUnavailable, grade_submission, require_sandbox

    argv = sys.argv[1:] if argv is None else argv
    root = Path(argv[0] if argv else os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        source = root / "source"
        config = json.loads((source / "gradescope.json").read_text())
        name = config["exercise"]
        exercise_set = split_by_visibility(
            _read_archive(name, source / "build" / "exercises" / name / "autograder.zip")
        )
        notebooks = sorted((root / "submission").glob("*.ipynb"))
        if not notebooks:
            report = {
                "score": 0.0,
                "output": "No .ipynb file in the submission: upload your exercise notebook.",
                "tests": [
                    {"name": q, "score": 0.0, "max_score": p, "output": "no notebook submitted"}
                    for q, p in exercise_set.points.items()
                ],
            }
        else:
            preferred = [path for path in notebooks if path.name.startswith(name)]
            try:
                require_sandbox()
                sandbox, note = True, "Graded in a bubblewrap sandbox."
            except SandboxUnavailable:
                sandbox = False
                note = (
                    "bubblewrap is not available in this container: the notebook ran as a plain "
                    "process, isolated by Gradescope's container of this submission."
                )
            result = grade_submission(
                (preferred or notebooks)[0],
                timeout=config["timeout"],
                exercise_set=exercise_set,
                root=source,
                sandbox=sandbox,
            )
            report = results_json(result, note=note)
    except Exception as error:  # noqa: BLE001 - Gradescope must always get a results file
        report = {
            "score": 0.0,
            "output": f"The autograder failed: {type(error).__name__}: {error}",
        }
    report["execution_time"] = round(time.monotonic() - started, 1)
    results.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
