"""The assertion helpers say what is wrong; questions are scored test by test."""

import numpy as np
import pytest

from hepml.course.checks import (
    call,
    check_array,
    check_defined,
    check_scalar,
    check_that,
    describe_exception,
)
from hepml.course.feedback import Checker, TestSpec, run_question


def _message(function, *args, **kwargs):
    with pytest.raises(AssertionError) as error:
        function(*args, **kwargs)
    return str(error.value)


def test_placeholder_and_missing_answers_are_named():
    assert (
        _message(check_defined, ..., "x")
        == "`x` is still `...`: replace the placeholder with your answer"
    )
    assert "`x` is not defined" in _message(check_scalar, None, "x")
    assert check_defined(0, "x") == 0


def test_check_scalar_reports_value_expected_and_tolerance():
    assert (
        _message(check_scalar, 0.14, "purity", 0.9459, rtol=1e-6)
        == "`purity` is 0.14, expected 0.9459 within rel. 1e-06"
    )
    assert _message(check_scalar, float("nan"), "p") == "`p` is NaN"
    assert "expected a finite number" in _message(check_scalar, np.inf, "p")
    assert "should be a real number, got str 'a'" in _message(check_scalar, "a", "p")
    assert "should be a real number" in _message(check_scalar, np.array([1.0, 2.0]), "p")
    assert _message(check_scalar, 1.5, "p", maximum=1.0) == "`p` is 1.5, expected at most 1"
    assert (
        check_scalar(np.float64(0.5), "p", 0.5) == 0.5
        and type(check_scalar(np.array([2]), "p")) is float
    )
    assert check_scalar(1.0 + 1e-7, "p", 1.0, rtol=1e-6) == pytest.approx(1.0)


def test_check_array_reports_shape_nan_and_the_worst_entry():
    expected = np.linspace(0, 1, 5)
    assert (
        _message(check_array, np.zeros(3), "estimate", expected)
        == "`estimate` has shape (3,), expected (5,)"
    )
    assert (
        _message(check_array, [1.0, np.nan], "estimate", shape=(2,))
        == "`estimate` contains NaN at 1 of 2 entries"
    )
    wrong = expected.copy()
    wrong[3] += 0.5
    message = _message(check_array, wrong, "estimate", expected, rtol=1e-6)
    assert message.startswith(
        "`estimate` differs from the expected values at 1 of 5 entries "
        "(e.g. at index 3: 1.25 instead of 0.75"
    )
    matrix = np.zeros((3, 4))
    wrong = matrix.copy()
    wrong[2, 1] = 1.0
    assert "(e.g. at index (2, 1): 1 instead of 0;" in _message(
        check_array, wrong, "Z_test", matrix
    )
    assert np.array_equal(check_array(list(expected), "estimate", expected), expected)
    assert "should be an array of real numbers" in _message(check_array, ["a", "b"], "estimate")


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (np.array([1 + 2j, 2 + 0j]), "complex numbers"),  # the real part alone is right
        (np.array([True, False]), "booleans"),
        (["1", "2"], "strings"),
        (np.array([1.0, None], dtype=object), "entries that are not real numbers"),
    ],
)
def test_check_array_never_casts_an_answer_that_is_not_real(answer, kind):
    with pytest.raises(
        AssertionError, match=f"should be an array of real numbers, got an array of {kind}"
    ):
        check_array(answer, "w", [1.0, 2.0] if kind != "booleans" else [1.0, 0.0])


def test_check_array_accepts_integers_and_lists_of_floats():
    assert check_array([1, 2], "w", [1.0, 2.0]).dtype == float
    assert check_array(np.array([1.0, 2.0], dtype=object), "w", [1.0, 2.0]).dtype == float


def test_call_turns_the_students_exception_into_one_line():
    def purity(efficiency, b_fraction):
        return efficiency / (b_fraction - b_fraction)

    assert _message(call, purity, "purity", 0.7, b_fraction=0.2) == (
        "`purity(0.7, b_fraction=0.2)` raised ZeroDivisionError: float division by zero"
    )
    assert "should be a function" in _message(call, 3.0, "purity")
    assert call(lambda x: 2 * x, "f", 2) == 4


def test_check_that_and_describe_exception():
    check_that(True, "never shown")
    assert _message(check_that, np.array(False), "density is negative") == "density is negative"
    assert describe_exception(ValueError("first\n\n  last line  ")) == "ValueError: last line"
    assert describe_exception(KeyError()) == "KeyError"


def test_run_question_gives_partial_credit_and_collects_messages():
    def passes(x):
        check_scalar(x, "x", 2.0)

    def fails(x):
        check_scalar(x, "x", 3.0)

    def crashes(y):
        return {}["key"]

    result = run_question(
        "q1", [TestSpec(passes, 1.0), TestSpec(fails, 2.0), TestSpec(crashes, 1.0)], {"x": 2.0}
    )
    assert (result.score, result.max_score, result.passed) == (1.0, 4.0, False)
    assert result.message == "`x` is 2, expected 3 within rel. 1e-06; KeyError: 'key'"
    assert run_question("q1", [TestSpec(passes, 1.0)], {"x": 2.0}).message == "all tests passed"


def test_public_points_count_only_when_every_hidden_test_passes():
    def form(x):
        check_scalar(x, "x", minimum=0.0)

    def value(x):
        check_scalar(x, "x", expected=3.0)

    def other_part(y):
        check_scalar(y, "y", expected=1.0)

    tests = [TestSpec(form, 1.0), TestSpec(value, 2.0, hidden=True)]
    assert run_question("q1", tests, {"x": 3.0}).score == 3.0
    wrong = run_question("q1", tests, {"x": 2.0})  # the right form, a wrong value
    assert (wrong.score, wrong.max_score, wrong.passed) == (0.0, 3.0, False)
    # a hidden test that passes keeps its own points; the public ones still need them all
    two_parts = [*tests, TestSpec(other_part, 1.0, hidden=True)]
    assert run_question("q1", two_parts, {"x": 2.0, "y": 1.0}).score == 1.0
    assert run_question("q1", two_parts, {"x": 3.0, "y": 1.0}).score == 4.0
    # without hidden tests (the student's check cell) the public points are what they say
    assert run_question("q1", tests[:1], {"x": 2.0}).score == 1.0


def test_checker_prints_pass_fail_points_and_summary(capsys):
    def public(answer):
        check_scalar(answer, "answer", minimum=0.0)

    checker = Checker("00-demo", points={"q1": 2, "q2": 1})
    checker.check("q1", {"answer": -1.0}, [public], points=[1])
    assert capsys.readouterr().out == (
        "q1: FAILED, 0 of 1 public points; when graded they count only if the hidden tests "
        "(worth 1 more) pass\n"
        "  - `answer` is -1, expected at least 0\n"
    )
    checker.check("q1", {"answer": 1.0}, [public], points=[1])
    assert capsys.readouterr().out.startswith("q1: passed, 1 of 1 public points")
    checker.summary()
    out = capsys.readouterr().out
    assert (
        "q2: not checked yet" in out
        and "Public tests: 1 of 1 points. The graded total is out of 3" in out
    )
    with pytest.raises(ValueError, match="question must be one of"):
        checker.check("q9", {}, [public], points=[1])
