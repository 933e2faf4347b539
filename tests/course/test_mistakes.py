"""Declared typical mistakes: rounded so they cannot flip, encrypted, and caught in every set.

The first tests prove the rounding scheme of :mod:`hepml.course.mistakes` on numbers built to sit
on bin edges, and that a stored mistake shows neither its value nor its message until a matching
value decrypts it. The parametrized class runs each master's code (not its tests or mistakes),
and for every declared mistake checks what a student who makes it sees and gets: the exercise's
check cell fails with the mistake's docstring in its message, the hidden tests score 0, and the
right answer passes everything; and it scans each exercise for the plain text of every message
and every solution value.
"""

import ast
import contextlib
import io
import re

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

    def test_the_tag_and_key_depend_on_the_question_and_the_variable(self):
        one = _signature(2.5)
        other_question = mistakes.MistakeSignature.from_value(
            "a mistake", {"x": 2.5}, "00-test/q2"
        )
        assert other_question.tags["x"] != one.tags["x"]
        assert other_question.ciphertext != one.ciphertext
        # a signature moved to another question does not decrypt there
        moved = mistakes.MistakeSignature(one.tags, one.ciphertext, "00-test/q2")
        assert moved.reveal({"x": 2.5}) is None
        assert _signature(2.5, "y").tags["y"] != one.tags["x"]

    def test_the_stored_text_shows_neither_the_value_nor_the_message(self):
        signature = mistakes.MistakeSignature.from_value(
            "divides by m instead of m - 1", {"x": 2.5}, SALT
        )
        entry = signature.entry()
        stored = "".join(entry)
        assert "2.5" not in stored and "25" not in stored
        for word in ("divides", "instead", "m - 1"):
            assert word not in stored
        # read back without the plain text, it is the value that decrypts the message
        read = mistakes.MistakeSignature.from_entry(entry, SALT)
        assert read.description is None
        assert read.reveal({"x": 2.5 * (1 + 0.5 * mistakes.RTOL)}) == (
            "divides by m instead of m - 1"
        )
        assert read.reveal({"x": 2.6}) is None
        assert read.message({"x": 2.5}) == (
            "`x` looks like a typical mistake: divides by m instead of m - 1"
        )

    def test_a_tampered_or_wrongly_keyed_ciphertext_reveals_nothing(self):
        signature = _signature(2.5)
        data = bytearray(mistakes.base64.b64decode(signature.ciphertext))
        data[-1] ^= 1
        tampered = mistakes.MistakeSignature(
            signature.tags, mistakes.base64.b64encode(bytes(data)).decode(), SALT
        )
        assert tampered.reveal({"x": 2.5}) is None
        assert signature.reveal({"x": 2.5}) == "a mistake"

    def test_every_variable_of_a_mistake_must_match(self):
        signature = mistakes.MistakeSignature.from_value(
            "two wrong values", {"a": 1.5, "b": np.arange(3.0)}, SALT
        )
        assert signature.reveal({"a": 1.5, "b": np.arange(3.0)}) == "two wrong values"
        assert signature.reveal({"a": 1.5, "b": np.arange(3.0) + 1}) is None
        assert signature.reveal({"a": 1.6, "b": np.arange(3.0)}) is None

    def test_a_mistake_of_several_variables_has_one_joint_tag(self):
        both = mistakes.MistakeSignature.from_value("two", {"a": 1.5, "b": 2.5}, SALT)
        entry = both.entry()
        assert [item for item in entry if ":" in item] == [f"a:{both.tags['a']}", "b:"]
        # the joint tag is not the tag of either value alone: a search cannot confirm
        # one variable's value without trying it together with the other's
        alone = {_signature(1.5, "a").tags["a"], _signature(2.5, "b").tags["b"]}
        assert both.tags["a"] not in alone
        read = mistakes.MistakeSignature.from_entry(entry, SALT)
        assert read.reveal({"a": 1.5, "b": 2.5}) == "two"
        assert read.reveal({"a": 1.5, "b": 2.6}) is None

    def test_each_try_costs_a_stretched_key_derivation(self, monkeypatch):
        calls = []
        derive = mistakes.hashlib.pbkdf2_hmac

        def counted(name, password, salt, iterations, *args):
            calls.append(iterations)
            return derive(name, password, salt, iterations, *args)

        monkeypatch.setattr(mistakes.hashlib, "pbkdf2_hmac", counted)
        mistakes._stretched.cache_clear()
        signature = mistakes.MistakeSignature.from_value("two", {"a": 1.5, "b": 2.5}, SALT)
        assert len(calls) == 2
        mistakes._stretched.cache_clear()
        calls.clear()
        assert signature.reveal({"a": 1.7, "b": 2.7}) is None
        # the student's bin and both neighbours, once per variable, whatever the mistakes
        assert len(calls) == 6
        assert set(calls) == {mistakes.ITERATIONS} and mistakes.ITERATIONS >= 10_000
        calls.clear()
        other = mistakes.MistakeSignature.from_value("other", {"a": 1.7, "b": 2.7}, SALT)
        assert other.reveal({"a": 1.7, "b": 2.7}) == "other" and calls == []  # shared

    def test_serialised_signatures_read_back_equal(self):
        signatures = {"q1": [_signature(2.5), _signature(np.arange(3.0), "y")]}
        text = mistakes.dumps(signatures)
        assert "a mistake" not in text  # the grader's copy is encrypted too
        read = mistakes.loads(text)
        assert read == {"q1": tuple(signatures["q1"])}
        assert read["q1"][1].reveal({"y": np.arange(3.0)}) == "a mistake"


def _tiny_master(path, mistake_value):
    """A one-question master whose answer is a choice, with one declared mistake."""
    cells = [
        nbformat.v4.new_raw_cell("# ASSIGNMENT CONFIG\nname: 00-test"),
        nbformat.v4.new_code_cell("import numpy as np"),
        nbformat.v4.new_raw_cell("# BEGIN QUESTION\nname: q1\npoints: 1"),
        nbformat.v4.new_raw_cell("# BEGIN SOLUTION"),
        nbformat.v4.new_code_cell('choice, ratio = "a", 2.5  # SOLUTION'),
        nbformat.v4.new_raw_cell("# END SOLUTION"),
        nbformat.v4.new_raw_cell("# BEGIN TESTS"),
        nbformat.v4.new_code_cell("def test_q1(choice, ratio):\n    pass"),
        nbformat.v4.new_raw_cell("# END TESTS"),
        nbformat.v4.new_code_cell(
            f'def mistake_q1_wrong():\n    """a wrong option"""\n    return {mistake_value}',
            metadata={"tags": [mistakes.TAG]},
        ),
        nbformat.v4.new_raw_cell("# END QUESTION"),
    ]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def test_a_mistake_on_a_choice_is_refused_and_one_on_a_number_is_encrypted(tmp_path):
    with pytest.raises(ValueError, match="choice"):
        mistakes.signatures(_tiny_master(tmp_path / "a.ipynb", '{"choice": "b"}'), "00-test")
    made = mistakes.signatures(_tiny_master(tmp_path / "b.ipynb", '{"ratio": 0.4}'), "00-test")
    (signature,) = made["q1"]
    assert signature.reveal({"ratio": 0.4}) == "a wrong option"
    assert signature.reveal({"ratio": 2.5}) is None
    assert "a wrong option" not in mistakes.dumps(made)


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


def _is_choice(value):
    return isinstance(value, (str, bool, np.bool_))


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
    def test_a_choice_declares_no_mistakes(self, master, executed):
        # a question may declare fewer than three mistakes, or none: a mistake from which
        # the answer follows is not declared (CONTRIBUTING, "Exercise masters", item 7)
        namespace, declared, exercise_set, _ = executed(master)
        variables = mistakes.answer_variables(nbformat.read(master, as_version=4))
        for question in exercise_set.tests:
            if all(_is_choice(namespace.get(v)) for v in variables[question]):
                # a pure choice: mistakes would name the wrong options and leave the right one
                assert not declared.get(question), question
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

    def test_a_wrong_but_plausible_answer_earns_nothing_on_its_question(self, master, executed):
        # each answer of a question off, the others right, as a student's slip would put it
        # (10 % off, one too many, the other option of a choice): the public checks, which see
        # only the form, may pass, but the question must score 0 when graded (issue 24, item 5)
        namespace, _, exercise_set, _ = executed(master)
        notebook = nbformat.read(master, as_version=4)
        passed_public = 0
        for question, variables in mistakes.answer_variables(notebook).items():
            tests = exercise_set.tests[question]
            public = [test for test in tests if not test.hidden]
            options = _string_literals(notebook, question)
            for variable in variables:
                if callable(namespace.get(variable)):
                    continue  # a function the tests call, not an answer
                slip = _plausible_slip(namespace[variable], variable, options, public, namespace)
                wrong = {**namespace, variable: slip}
                graded = run_question(
                    question, tests, wrong, mistakes=exercise_set.mistakes.get(question, ())
                )
                assert graded.score == 0, (question, variable, slip)
                passed_public += run_question(question, public, wrong).passed
        # the slips are plausible: in every set some pass every public check, and those
        # checks' points were earned before this rule
        assert passed_public >= 1, master.name

    def test_the_exercise_shows_no_message_and_no_solution_value(self, master, executed):
        namespace, declared, _, exercise = executed(master)
        text = _readable_text(exercise)
        assert "mistake_q" not in text and mistakes.TAG not in text
        for functions in declared.values():
            for function in functions:
                # neither the mistake's code nor its message: only its encrypted form
                assert function.__name__ not in text
                assert mistakes.description(function) not in text, function.__name__
        tokens = set(re.findall(r"\d[\d.]*(?:e[+-]?\d+)?", text))
        prompted = _prompted_answers(exercise)
        assert prompted, "no `answer = ...` prompt found"
        for variable in prompted:
            forms = _printed_forms(namespace[variable])
            shown = [sorted(entry & tokens) for entry in forms if entry & tokens]
            # a printed array shows all its entries; one of hundreds that rounds like a
            # number of the text (03's 1.15 GeV calibration) is chance, not a leak
            assert len(shown) < (2 if len(forms) > 1 else 1), (variable, shown)


def _string_literals(notebook, question):
    """The strings the question's test cells mention: the options of a choice question."""
    literals = []
    for owner, role, cell in mistakes.question_cells(notebook):
        if owner == question and role == "tests":
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    literals.append(node.value)
    return literals


def _plausible_slip(value, variable, options, public, namespace):
    """A wrong answer of the same form as ``value``: another option of a choice that the
    public checks accept where there is one, a number 10 % off, a count one too many."""
    if isinstance(value, (bool, np.bool_)):
        return not value
    if isinstance(value, str):
        for option in options:
            if option.strip().lower() == value.strip().lower() or not option.strip():
                continue
            if run_question("slip", public, {**namespace, variable: option}).passed:
                return option
        return value + " (slip)"
    if isinstance(value, (int, np.integer)):
        return value + 1
    array = np.asarray(value)
    if array.dtype.kind in "iu":
        return array + 1
    if array.dtype.kind == "f":
        slipped = array * 1.1 if np.any(array != 0) else array + 0.1
        return float(slipped) if array.ndim == 0 else slipped
    raise TypeError(f"no plausible slip for {variable} = {value!r}")


def _readable_text(exercise):
    """Everything a student can read in the exercise, except the mistakes' tags and
    ciphertexts (random-looking strings, in which a digit run could match by chance)."""
    lines = []
    for cell in exercise.cells:
        for line in cell.source.splitlines():
            if re.fullmatch(r'\s*"([A-Za-z0-9+/=]+|\w+:[0-9a-f]+)",', line):
                continue
            lines.append(line)
    return "\n".join(lines)


def _prompted_answers(exercise):
    """The variables an exercise asks for: those it sets to the `...` placeholder."""
    names = []
    for cell in exercise.cells:
        if cell.cell_type == "code":
            names += re.findall(r"^(\w+) = \.\.\.$", cell.source, re.MULTILINE)
    return names


def _printed_forms(value):
    """For each entry of a solution value, the ways it would be printed with at least three
    significant digits (one set per entry; none for a value that is not numeric).

    Shorter forms (16, 0.5, 2.0) are left out: they occur in any text by chance.
    """
    try:
        numbers = np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError):
        return []
    forms = []
    for number in numbers[:5000]:
        if not np.isfinite(number):
            forms.append(set())
            continue
        number = abs(float(number))
        candidates = {repr(number), str(number)}
        if number == int(number) and number < 1e15:
            candidates.add(str(int(number)))
        candidates |= {f"{number:.{p}g}" for p in range(3, 10)}
        candidates |= {f"{number:.{p}f}" for p in range(1, 7)}
        candidates |= {f"{number:.{p}e}" for p in range(2, 6)}
        forms.append(
            {
                form
                for form in candidates
                if len(form.split("e")[0].replace(".", "").strip("0")) >= 3
            }
        )
    return forms


def test_the_scan_finds_a_value_at_any_printed_precision_but_not_short_numbers():
    (forms,) = _printed_forms(2881)
    assert "2881" in forms
    (forms,) = _printed_forms(0.8149999999)
    assert {"0.815", "0.8150", "8.150e-01"} <= forms
    (forms,) = _printed_forms(-1.2742871)
    assert {"1.27", "1.274", "1.2743", "1.27e+00"} <= forms
    assert _printed_forms(16.0) == [set()] and _printed_forms(0.5) == [set()]
    assert len(_printed_forms(np.ones((2, 3)))) == 6 and _printed_forms("a") == []
