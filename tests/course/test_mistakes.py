"""Declared typical mistakes: hashed so they cannot flip, and caught in every exercise set.

The first tests prove the rounding scheme of :mod:`hepml.course.mistakes` on numbers built to sit
on bin edges. The parametrized class runs each master's code (not its tests or mistakes), and
for every declared mistake checks what a student who makes it sees and gets: the exercise's
check cell fails with the mistake's docstring in its message, the hidden tests score 0, and the
right answer passes everything.
"""

import contextlib
import io

import nbformat
import numpy as np
import pytest

from hepml.course import exercises, mistakes, paths
from hepml.course.feedback import Checker, run_question

ROOT = paths.repository_root()
SOLUTIONS = paths.solutions(ROOT)


def _masters():
    return [
        pytest.param(
            path,
            id=paths.page_name(path),
        )
        for path in SOLUTIONS
    ]


SALT = "00-test/q1"


def _signature(value, variable="x"):
    return mistakes.MistakeSignature.from_value("a mistake", {variable: value}, SALT)


class TestRoundingCannotFlip:
    # values on, just below and just above the edges of the logarithmic grid, from 1e-8 to 1e13
    EDGES = [
        sign * (1 + mistakes.RTOL) ** k * shift
        for sign in (1.0, -1.0)
        for k in range(-184_000, 300_000, 7_919)
        for shift in (1.0, 1 - 1e-12, 1 + 1e-12)
    ]

    def test_a_value_within_the_tolerance_always_matches(self):
        for value in self.EDGES:
            signature = _signature(value)
            for factor in (1.0, 1 + 0.99 * mistakes.RTOL, 1 - 0.99 * mistakes.RTOL):
                assert signature.matches({"x": value * factor}), (value, factor)

    def test_a_value_beyond_twice_the_tolerance_never_matches(self):
        for value in self.EDGES:
            signature = _signature(value)
            for factor in (1 + 2.01 * mistakes.RTOL, 1 - 2.01 * mistakes.RTOL, -1.0, 10.0):
                assert not signature.matches({"x": value * factor}), (value, factor)

    def test_zero_and_tiny_numbers_share_one_bin(self):
        assert _signature(0.0).matches({"x": 1e-14})
        assert _signature(-1e-13).matches({"x": 0.0})
        assert not _signature(0.0).matches({"x": 1e-3})

    def test_arrays_match_by_shape_and_values(self):
        grid = np.linspace(-4, 4, 81)
        signature = _signature(0.5 / np.cosh(grid))
        assert signature.matches({"x": 0.5 / np.cosh(grid) * (1 + 1e-7)})
        assert signature.matches({"x": list(0.5 / np.cosh(grid))})
        assert not signature.matches({"x": 0.5 / np.cosh(grid) ** 2})
        assert not signature.matches({"x": 0.5 / np.cosh(grid[:-1])})
        # one entry off by 10% of the largest entry is a different answer
        changed = 0.5 / np.cosh(grid)
        changed[40] *= 1.1
        assert not signature.matches({"x": changed})

    def test_choices_match_exactly(self):
        assert _signature("Ridge").matches({"x": " ridge "})
        assert not _signature("ridge").matches({"x": "lasso"})
        assert _signature(True).matches({"x": True})
        assert not _signature(True).matches({"x": 1.0})
        assert _signature(3).matches({"x": 3.0})

    def test_missing_unreadable_or_placeholder_answers_match_nothing(self):
        class Unreadable:
            def __array__(self, *args, **kwargs):
                raise AssertionError("cannot read")

        signature = _signature(1.5)
        for value in (None, Ellipsis, Unreadable(), float("nan"), {"a": 1}):
            assert not signature.matches({"x": value})
        assert not signature.matches({})

    def test_the_hash_depends_on_the_question_and_the_variable(self):
        one = _signature(2.5).digests["x"]
        assert mistakes.MistakeSignature.from_value("m", {"x": 2.5}, "00-test/q2").digests[
            "x"
        ].split(",") != one.split(",")
        assert _signature(2.5, "y").digests["y"] != one
        # the stored text never shows the value
        assert "2.5" not in one and "25" not in one.replace(",", "")

    def test_serialised_signatures_read_back_equal(self):
        signatures = {"q1": [_signature(2.5), _signature(np.arange(3.0), "y")]}
        assert mistakes.loads(mistakes.dumps(signatures)) == {"q1": tuple(signatures["q1"])}


@pytest.fixture(scope="module")
def executed():
    """Each master's executed namespace, declared mistakes, tests and exercise, once per master."""
    cache = {}

    def get(master):
        if master not in cache:
            notebook = nbformat.read(master, as_version=4)
            namespace = mistakes.master_namespace(notebook)
            declared = mistakes.declared_mistakes(notebook, namespace)
            exercise_set = exercises.load_tests(master.stem, root=ROOT)
            exercise = nbformat.read(ROOT / "exercises" / master.name, as_version=4)
            cache[master] = (namespace, declared, exercise_set, exercise)
        return cache[master]

    return get


def _check_cell(exercise, question):
    (cell,) = [
        c
        for c in exercise.cells
        if c.cell_type == "code" and c.source.startswith(f"# Check {question} ")
    ]
    return cell.source


def _run_check_cell(source, environment, exercise_set):
    """Run an exercise's check cell as a student would; return what it prints."""
    namespace = dict(environment)
    namespace["checker"] = Checker(exercise_set.name, points=exercise_set.points)
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(source, namespace)  # noqa: S102
    return output.getvalue()


@pytest.mark.parametrize("master", _masters())
class TestDeclaredMistakes:
    def test_every_question_declares_at_least_three_mistakes(self, master, executed):
        _, declared, exercise_set, _ = executed(master)
        counts = {question: len(declared.get(question, [])) for question in exercise_set.tests}
        assert all(count >= 3 for count in counts.values()), counts
        descriptions = [mistakes.description(f) for fs in declared.values() for f in fs]
        assert all(descriptions), "every mistake needs a docstring"

    def test_the_right_answer_passes_the_check_cells_and_every_test(self, master, executed):
        namespace, _, exercise_set, exercise = executed(master)
        for question, tests in exercise_set.tests.items():
            printed = _run_check_cell(_check_cell(exercise, question), namespace, exercise_set)
            assert printed.startswith(f"{question}: passed"), printed
            graded = run_question(
                question, tests, namespace, mistakes=exercise_set.mistakes.get(question, ())
            )
            assert graded.passed, graded.message

    def test_every_mistake_fails_its_check_cell_with_its_message(self, master, executed):
        namespace, declared, exercise_set, exercise = executed(master)
        for question, functions in declared.items():
            source = _check_cell(exercise, question)
            for function in functions:
                environment = {**namespace, **mistakes.call_mistake(function, namespace)}
                printed = _run_check_cell(source, environment, exercise_set)
                assert printed.startswith(f"{question}: FAILED"), (function.__name__, printed)
                assert mistakes.description(function) in printed, (function.__name__, printed)

    def test_every_mistake_scores_zero_on_the_hidden_tests_and_when_graded(self, master, executed):
        namespace, declared, exercise_set, _ = executed(master)
        for question, functions in declared.items():
            tests = exercise_set.tests[question]
            hidden = [test for test in tests if test.hidden]
            for function in functions:
                environment = {**namespace, **mistakes.call_mistake(function, namespace)}
                assert run_question(question, hidden, environment).score == 0, function.__name__
                graded = run_question(
                    question, tests, environment, mistakes=exercise_set.mistakes[question]
                )
                assert graded.score == 0, (function.__name__, graded.message)

    def test_the_exercise_holds_neither_mistake_code_nor_wrong_values(self, master, executed):
        _, declared, _, exercise = executed(master)
        text = nbformat.writes(exercise)
        assert "mistake_q" not in text and mistakes.TAG not in text
        for functions in declared.values():
            for function in functions:
                # the check cell shows the description, and hashes instead of the code
                assert mistakes.description(function) in text
