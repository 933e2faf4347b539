"""Run an exercise's tests and report, per question, pass/fail, points and what is wrong.

The same code scores a question in a student's notebook (public tests, :class:`Checker`) and in
the grader (public and hidden tests, :mod:`hepml.course.grading`), so a student sees the messages
the grader would give. A test is a function whose parameters name the notebook variables it
checks; it passes unless it raises (see :mod:`hepml.course.checks` for helpers with readable
messages).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass

from hepml.course.checks import describe_exception
from hepml.course.mistakes import MistakeSignature

__all__ = ["Checker", "QuestionResult", "TestSpec", "run_question"]


@dataclass(frozen=True)
class TestSpec:
    """One test of a question: the function, its points and whether students can see it."""

    __test__ = False  # not a pytest test class

    function: Callable[..., object]
    points: float
    hidden: bool = False

    @property
    def variables(self) -> list[str]:
        """Names of the notebook variables the test reads (its parameters)."""
        return list(inspect.signature(self.function).parameters)


@dataclass(frozen=True)
class QuestionResult:
    """Score of one question."""

    name: str
    score: float
    max_score: float
    passed: bool
    message: str
    #: The message of the declared typical mistake the answer made, if it made one.
    mistake: str | None = None

    def as_dict(self) -> dict:
        """Return the result as a JSON-serialisable dictionary."""
        return asdict(self)


def run_question(
    name: str,
    tests: Sequence[TestSpec],
    environment: Mapping[str, object],
    *,
    max_score: float | None = None,
    mistakes: Sequence[MistakeSignature] = (),
) -> QuestionResult:
    """Run every test of question ``name`` against the notebook variables in ``environment``.

    Parameters
    ----------
    name
        The question's name, e.g. ``"q1"``.
    tests
        Its tests. A hidden test earns its points if it returns without raising; a public test
        only checks the form of an answer, so its points count only when, besides, every hidden
        test of the question passes (where the question has hidden tests). A wrong value thus
        earns nothing from the public checks it passes.
    environment
        Notebook variables by name; a missing name is passed to the test as ``None``.
    max_score
        Points of the question; defaults to the sum of the tests' points.
    mistakes
        The question's declared typical mistakes (:mod:`hepml.course.mistakes`). A public test
        that reads a variable of a mistake the answer looks like fails with that mistake's
        message (decrypted with the answer's own rounded value), whatever the test itself
        would say.

    Returns
    -------
    QuestionResult
        Points earned, whether every test passed, the failure messages (one line each) and the
        declared mistake the answer made, if any.
    """
    public_score = hidden_score = 0.0
    failures, hidden_failed, made = [], False, None
    for test in tests:
        looks_like = None
        if not test.hidden:
            looks_like = next(
                (
                    message
                    for mistake in mistakes
                    if set(mistake.variables) & set(test.variables)
                    and (message := mistake.message(environment)) is not None
                ),
                None,
            )
        if looks_like is not None:
            failures.append(looks_like)
            made = made or looks_like
            continue
        try:
            test.function(**{variable: environment.get(variable) for variable in test.variables})
        except AssertionError as error:
            failures.append(str(error).strip() or "a test failed")
            hidden_failed |= test.hidden
        except Exception as error:  # noqa: BLE001 - any failure of the answer costs the test's points
            failures.append(describe_exception(error))
            hidden_failed |= test.hidden
        else:
            if test.hidden:
                hidden_score += test.points
            else:
                public_score += test.points
    score = hidden_score + (0.0 if hidden_failed else public_score)
    unique = list(dict.fromkeys(failures))
    total = sum(test.points for test in tests) if max_score is None else max_score
    return QuestionResult(
        name=name,
        score=round(score, 6),
        max_score=round(total, 6),
        passed=not failures,
        message="; ".join(unique) if unique else "all tests passed",
        mistake=made,
    )


class Checker:
    """The check cells of a student's exercise notebook.

    Parameters
    ----------
    exercise
        Name of the exercise set, e.g. ``"01-statistics"``.
    points
        Points of each question when graded (public and hidden tests together).

    Examples
    --------
    The generated exercise notebooks create one checker after the setup cell and call it after
    each answer::

        checker = Checker("01-statistics", points={"q1": 2, "q2": 2})
        checker.check("q1", globals(), [test_q1_answers_are_numbers], points=[1.0])
        checker.summary()
    """

    def __init__(self, exercise: str, points: Mapping[str, float]):
        self.exercise = exercise
        self.points = dict(points)
        self._results: dict[str, QuestionResult] = {}

    def check(
        self,
        question: str,
        environment: Mapping[str, object],
        tests: Sequence[Callable[..., object]],
        points: Sequence[float],
        mistakes: Sequence[Sequence[str]] = (),
    ) -> None:
        """Run the public tests of ``question`` and print pass/fail, points and what is wrong.

        Parameters
        ----------
        question
            The question's name, e.g. ``"q1"``.
        environment
            The notebook's variables: pass ``globals()``.
        tests
            The question's public test functions.
        points
            Points of each test.
        mistakes
            The question's typical mistakes, as the generator writes them: for each mistake,
            a list of ``"variable:tag"`` strings followed by the chunks of its encrypted
            message (see :mod:`hepml.course.mistakes`).
        """
        if question not in self.points:
            raise ValueError(f"question must be one of {sorted(self.points)}, got {question!r}")
        if len(tests) != len(points):
            raise ValueError(
                f"tests and points must have the same length, got {len(tests)} and {len(points)}"
            )
        specs = [TestSpec(test, float(value)) for test, value in zip(tests, points)]
        salt = f"{self.exercise}/{question}"
        signatures = [MistakeSignature.from_entry(entry, salt) for entry in mistakes or ()]
        result = run_question(question, specs, environment, mistakes=signatures)
        self._results[question] = result
        hidden = self.points[question] - result.max_score
        later = (
            f"; when graded they count only if the hidden tests (worth {hidden:g} more) pass"
            if hidden > 0
            else ""
        )
        if result.passed:
            print(
                f"{question}: passed, {result.score:g} of {result.max_score:g} "
                f"public points{later}"
            )
        else:
            print(
                f"{question}: FAILED, {result.score:g} of {result.max_score:g} "
                f"public points{later}"
            )
            for message in result.message.split("; "):
                print(f"  - {message}")

    def summary(self) -> None:
        """Print the points earned on the public tests, question by question, and in total."""
        earned = possible = 0.0
        for question in self.points:
            result = self._results.get(question)
            if result is None:
                print(f"{question}: not checked yet (run its check cell)")
                continue
            status = "passed" if result.passed else "FAILED"
            print(f"{question}: {status}, {result.score:g} of {result.max_score:g} public points")
            earned += result.score
            possible += result.max_score
        total = sum(self.points.values())
        print(
            f"Public tests: {earned:g} of {possible:g} points. "
            f"The graded total is out of {total:g}: hidden tests check the values, and a "
            "question's public points count only when its hidden tests pass."
        )
