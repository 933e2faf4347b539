"""Every exercise set: the stub scores 0, the master full marks, nothing leaks, exercises/ fresh.

Parametrized over ``solutions/NN-topic.ipynb``, so a new chapter's master is covered by adding it.
"""

import concurrent.futures
import re
import shutil
import time
import zipfile

import nbformat
import pytest

from hepml.course import exercises, paths
from hepml.course.grading import grade_submission
from hepml.course.grading.grade import protected_folders
from hepml.course.grading.sandbox import Limits
from hepml.course.grading.session import WarmWorker

ROOT = paths.repository_root()
SOLUTIONS = paths.solutions(ROOT)


def _code_lines(notebook):
    return [
        line.strip()
        for cell in notebook.cells
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
    ]


@pytest.fixture(scope="module")
def warm():
    """One warm worker grades every set here, as ``python -m hepml grade`` grades a folder."""
    with WarmWorker(protected_folders(ROOT), Limits()) as worker:
        yield worker


def test_there_is_at_least_one_exercise_set():
    assert SOLUTIONS, "no exercise masters in solutions/"


@pytest.mark.parametrize("master", SOLUTIONS, ids=[paths.page_name(p) for p in SOLUTIONS])
class TestExerciseSet:
    def test_untouched_exercise_scores_zero_with_a_reason_per_question(self, master, warm):
        result = grade_submission(ROOT / "exercises" / master.name, timeout=20, warm=warm)
        assert result.score == 0 and result.max_score > 0
        # a placeholder left as `...`, or a function whose body is still `...` (it returns None)
        missing = re.compile(
            r"`[^`]+` is still `\.\.\.`: replace the placeholder"
            r"|`[^`]+` is not defined: run the cell that computes it"
        )
        for question in result.questions:
            assert question.score == 0 and not question.passed
            # public and hidden tests alike say only that an answer is missing: an untouched
            # exercise learns nothing about the answers from its feedback
            for part in question.message.split("; "):
                assert missing.match(part), (question.name, part)

    def test_master_scores_full_marks(self, master, warm):
        result = grade_submission(master, timeout=20, warm=warm)
        assert result.score == result.max_score, [
            q.message for q in result.questions if not q.passed
        ]

    def test_no_solution_line_appears_in_the_exercise(self, master):
        student = _code_lines(nbformat.read(ROOT / "exercises" / master.name, as_version=4))
        solution, inside = [], False
        for line in _code_lines(nbformat.read(master, as_version=4)):
            if line.startswith("# BEGIN SOLUTION") or line.startswith("# END SOLUTION"):
                inside = line.startswith("# BEGIN")
            elif inside or re.search(r"# SOLUTION( NO PROMPT)?$", line):
                code = re.sub(r"\s*# SOLUTION( NO PROMPT)?$", "", line)
                if code and not code.startswith("#"):
                    solution.append(code)
        assert solution, "the master has no marked solution lines"
        assert not [line for line in solution if line in student]

    def test_hidden_tests_are_not_in_the_exercise(self, master):
        text = (ROOT / "exercises" / master.name).read_text()
        tests = exercises.load_tests(master.stem, root=ROOT).tests
        hidden = [t.function.__name__ for ts in tests.values() for t in ts if t.hidden]
        public = [t.function.__name__ for ts in tests.values() for t in ts if not t.hidden]
        assert hidden and public
        assert not [name for name in hidden if name in text]
        assert all(name in text for name in public)

    def test_every_question_has_public_and_hidden_tests(self, master):
        for question, tests in exercises.load_tests(master.stem, root=ROOT).tests.items():
            assert any(t.hidden for t in tests) and not all(t.hidden for t in tests), question

    def test_exercise_has_no_outputs_and_is_tagged_with_its_set(self, master):
        notebook = nbformat.read(ROOT / "exercises" / master.name, as_version=4)
        assert notebook.metadata["hepml"]["exercise"] == master.stem
        assert all(not cell.outputs for cell in notebook.cells if cell.cell_type == "code")
        assert notebook.cells[-1].source == "checker.summary()"

    def test_exercise_equals_a_fresh_generation(self, master):
        # The build that grading uses is generated from today's master and hepml, and it
        # never writes exercises/, so a stale committed exercise fails here in any test order.
        fresh = exercises.generated_exercise(master.stem, root=ROOT)
        assert fresh == (ROOT / "exercises" / master.name).read_text(encoding="utf-8"), (
            "run `python -m hepml exercises`"
        )


def test_builds_never_write_exercises_nor_hide_the_archive_and_regenerate_the_same(tmp_path):
    # Once, on the smallest master: a build runs otter assign and the master's code (about
    # 15 s), and the code path does not depend on the chapter.
    master = min(SOLUTIONS, key=lambda path: path.stat().st_size)
    (tmp_path / "solutions").mkdir()
    copy = tmp_path / "solutions" / master.name
    shutil.copy(master, copy)
    assert exercises.generate(copy, root=tmp_path) is True
    exercise = tmp_path / "exercises" / master.name
    fresh = exercise.read_text(encoding="utf-8")

    # A stale committed exercise and a stale build: grading rebuilds the archive but leaves
    # exercises/ alone, and test workers read the archive meanwhile (a CI run failed on a
    # folder deleted under a reader).
    exercise.write_text(fresh.replace("checker.summary()", "checker.summary()  # stale"))
    build = tmp_path / "build" / "exercises" / master.stem
    (build / "source.sha256").unlink()
    failures, reads = [], 0
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        rebuild = pool.submit(exercises.load_tests, master.stem, root=tmp_path)
        while not rebuild.done():
            try:
                exercises._read_archive(master.stem, build / "autograder.zip")
            except (OSError, zipfile.BadZipFile) as error:
                failures.append(repr(error))
            reads += 1
            time.sleep(0.01)  # a reader every 10 ms, not a spinning core
    assert rebuild.result().tests
    assert reads > 10 and not failures, (reads, failures[:3])
    assert "# stale" in exercise.read_text(encoding="utf-8")
    assert exercises.generated_exercise(master.stem, root=tmp_path) == fresh

    # Generation is deterministic: a current exercise is not rewritten.
    exercise.write_text(fresh, encoding="utf-8")
    assert exercises.generate(copy, root=tmp_path) is False


def test_a_change_to_hepml_makes_the_build_stale(tmp_path):
    master = SOLUTIONS[0]
    (tmp_path / "solutions").mkdir()
    copy = tmp_path / "solutions" / master.name
    shutil.copy(master, copy)
    before = exercises._source_digest(copy)
    package = tmp_path / "hepml"
    shutil.copytree(paths.repository_root() / "lib" / "hepml", package)
    assert exercises._source_digest(copy, package) == before  # same files, same stamp
    simulators = package / "simulate" / "__init__.py"
    simulators.write_text(simulators.read_text() + "# changed\n")
    assert exercises._source_digest(copy, package) != before
