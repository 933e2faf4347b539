"""The grader survives bad submissions: each failure mode costs only the affected questions.

A folder of submissions, each made from the chapter 01 master with one problem, is graded once
by ``python -m hepml grade --json --csv`` (the way an instructor runs it); every test below checks
one submission's scores and reasons in that run.
"""

import csv
import json
import subprocess
import sys
import time

import nbformat
import pytest
from submission_notebooks import FULL, MASTER, master_with, message, scores

from hepml.course import paths

ROOT = paths.repository_root()

TIMEOUT = 5


def _submission(folder, name, question=None, prefix="", replace=None):
    """The master with ``prefix`` put in front of (or ``replace`` instead of) one answer cell."""
    if question is None:
        notebook = master_with()
    elif replace is not None:
        notebook = master_with(replacements={question: replace})
    else:
        notebook = master_with(prefixes={question: prefix})
    path = folder / f"01-statistics-{name}.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    outside = tmp_path_factory.mktemp("outside") / "keep.txt"
    outside.write_text("must survive grading")
    _submission(folder, "good")
    _submission(folder, "raises", "q1", 'raise ZeroDivisionError("division by zero")')
    _submission(folder, "nan", "q3", replace="eta_density = np.full(81, np.nan)")
    _submission(folder, "loop", "q2", "while True:\n    pass")
    _submission(
        folder,
        "stubborn-loop",
        "q4",
        "import time\nwhile True:\n    try:\n        time.sleep(0.2)\n"
        "    except BaseException:\n        pass",
    )
    _submission(folder, "sys-exit", "q1", "import sys\nsys.exit(3)")
    _submission(folder, "os-exit", "q2", "import os\nos._exit(0)")
    _submission(folder, "prints", "q3", 'print("x" * 5_000_000)')
    _submission(folder, "deletes", "q1", f"import os\nos.remove({str(outside)!r})")
    _submission(
        folder,
        "forges",
        "q1",
        replace=(
            "import json, pathlib\n"
            "fake = {'score': 10, 'tests': "
            "[{'name': q, 'score': 3} for q in ('q1', 'q2', 'q3', 'q4')]}\n"
            "pathlib.Path('results.json').write_text(json.dumps(fake))\n"
            "try:\n"
            f"    pathlib.Path({str(folder / 'results.json')!r}).write_text(json.dumps(fake))\n"
            "except PermissionError:\n"
            "    pass\n"
            "import numpy as np\nimport hepml.course.checks\n"
            "hepml.course.checks.check_scalar = lambda *args, **kwargs: 0.0\n"
            "hepml.course.checks.check_array = lambda *args, **kwargs: np.zeros(81)\n"
            "np.isclose = lambda *args, **kwargs: np.array(True)\n"
            "mean_energy, variance_energy = 1.0, 1.0"
        ),
    )
    _submission(folder, "reads-master", "q2", f"open({str(MASTER)!r}).read()")
    _submission(folder, "early-exit", "q1", "import os\nos._exit(0)")
    _submission(
        folder,
        "forgets-mistags",
        "q2",
        replace=(
            "p_tag = efficiency * b_fraction\n"
            "purity = efficiency * b_fraction / (p_tag + mistag_rate * (1 - b_fraction))"
        ),
    )
    (folder / "01-statistics-garbage.ipynb").write_text("{this is not json")
    gradebook = folder.parent / "gradebook.csv"
    start = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "hepml",
            "grade",
            str(folder),
            "--json",
            "--csv",
            str(gradebook),
            "--timeout",
            str(TIMEOUT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - start
    assert result.returncode == 0, result.stderr[-3000:]
    by_name = {
        r["notebook"].rsplit("01-statistics-", 1)[1].removesuffix(".ipynb"): r
        for r in json.loads(result.stdout)
    }
    return {
        "results": by_name,
        "seconds": seconds,
        "gradebook": gradebook,
        "outside": outside,
        "folder": folder,
    }


def test_the_whole_folder_grades_within_two_minutes(graded):
    # the budget is 2 minutes for ten submissions; this folder holds 14
    assert len(graded["results"]) == 14
    assert graded["seconds"] < 120 * 14 / 10, f"grading took {graded['seconds']:.0f} s"


def test_the_gradebook_has_a_row_per_submission_and_a_column_per_question(graded):
    rows = list(csv.DictReader(graded["gradebook"].open()))
    assert len(rows) == 14
    assert list(rows[0])[:8] == [
        "notebook",
        "score",
        "max_score",
        *(f"q{n}" for n in range(1, 6)),
    ]
    good = next(row for row in rows if row["notebook"].endswith("-good.ipynb"))
    assert (good["score"], good["q3"]) == ("12", "3")


def test_a_correct_submission_gets_full_marks(graded):
    assert scores(graded["results"]["good"]) == FULL


@pytest.mark.parametrize(
    ("name", "question", "reason"),
    [
        ("raises", "q1", "ZeroDivisionError: division by zero"),
        ("nan", "q3", "contains NaN"),
        ("loop", "q2", f"timed out after {TIMEOUT} s"),
        ("stubborn-loop", "q4", f"timed out after {TIMEOUT} s"),
        ("sys-exit", "q1", "called sys.exit(3)"),
        ("os-exit", "q2", "ended the process"),
        ("prints", "q3", "printed more than 1024 kB"),
        ("deletes", "q1", "PermissionError: grading sandbox: os.remove"),
        ("reads-master", "q2", "PermissionError: grading sandbox: reading the grader's files"),
        ("early-exit", "q1", "ended the process"),
    ],
)
def test_a_bad_cell_costs_only_its_question_with_a_reason(graded, name, question, reason):
    result = graded["results"][name]
    assert scores(result) == {**FULL, question: 0.0}
    assert reason in message(result, question)


def test_deleting_a_file_outside_the_sandbox_is_refused(graded):
    assert graded["outside"].read_text() == "must survive grading"


def test_forged_results_and_patched_helpers_do_not_raise_the_score(graded):
    result = graded["results"]["forges"]
    # q1's answers are wrong and fail every test despite the forged results file and the patched
    # helpers; the other questions are answered correctly and keep their points
    assert scores(result) == {**FULL, "q1": 0.0}
    assert "`mean_energy` is 1, expected 50.49" in message(result, "q1")


def test_a_declared_mistake_scores_zero_and_is_named(graded):
    # the public test fails it through the hashed mistake, the hidden test on the value
    result = graded["results"]["forgets-mistags"]
    assert scores(result) == {**FULL, "q2": 0.0}
    assert (
        "`p_tag` looks like a typical mistake: leaves out the non-b jets the tagger fires on"
        in (message(result, "q2"))
    )


def test_an_unreadable_file_scores_zero_with_a_reason(graded):
    result = graded["results"]["garbage"]
    assert result["score"] == 0 and result["max_score"] == 12
    assert all("not a readable notebook" in q["message"] for q in result["questions"])


def test_an_unknown_exercise_set_fails_the_grading_not_the_student(tmp_path):
    path = tmp_path / "homework.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), path)
    result = subprocess.run(
        [sys.executable, "-m", "hepml", "grade", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert "cannot tell which exercise set" in result.stderr


def test_safe_unpickler_refuses_anything_but_plain_data():
    import io
    import pickle

    import numpy as np

    from hepml.course.grading.replies import SafeUnpickler

    data = {"a": np.arange(3.0), "b": [1, 2.5, "x"], "c": np.float64(2.0), "d": ...}
    decoded = SafeUnpickler(io.BytesIO(pickle.dumps(data, protocol=4))).load()
    assert (
        np.array_equal(decoded["a"], data["a"])
        and decoded["b"] == data["b"]
        and decoded["d"] is ...
    )
    with pytest.raises(pickle.UnpicklingError, match="refused"):
        SafeUnpickler(io.BytesIO(pickle.dumps(subprocess.Popen, protocol=4))).load()


# --- the class report of this batch ----------------------------------------------------------


@pytest.fixture(scope="module")
def report(graded):
    folder = graded["gradebook"].with_name("report")
    run = subprocess.run(
        [sys.executable, "-m", "hepml", "report", str(graded["gradebook"])]
        + ["--output", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    return folder


def test_the_gradebook_records_the_declared_mistake_made(graded):
    rows = {row["notebook"]: row for row in csv.DictReader(graded["gradebook"].open())}
    (mistaken,) = [row for name, row in rows.items() if name.endswith("-forgets-mistags.ipynb")]
    details = json.loads(mistaken["questions"])
    assert "leaves out the non-b jets" in details["q2"]["mistake"]
    assert details["q2"]["max"] == FULL["q2"] and details["q1"]["mistake"] is None
    good = next(row for name, row in rows.items() if name.endswith("-good.ipynb"))
    assert all(detail["mistake"] is None for detail in json.loads(good["questions"]).values())
    assert {row["exercise"] for row in rows.values()} == {"01-statistics"}


def test_the_report_ranks_the_mistakes_and_lists_what_could_not_be_graded(report):
    import html as html_module
    import re

    assert sorted(path.name for path in report.iterdir()) == [
        "01-statistics-questions.png",
        "01-statistics-scores.png",
        "01-statistics.html",
    ]
    for figure in report.glob("*.png"):
        assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = html_module.unescape((report / "01-statistics.html").read_text())
    assert "14 submissions graded" in page
    mistakes = page.split("Typical mistakes")[1].split("Submissions not graded")[0]
    rows = re.findall(r"<tr><td class=\"n\">(\d+) \((\d+)%\)</td><td>(q\d)", mistakes)
    assert rows == [("1", "7", "q2")]
    assert "leaves out the non-b jets the tagger fires on" in mistakes
    # the mistake links to the section its question names (test_site.py checks every such id)
    assert re.search(
        r'href="file://[^"]*/_build/html/lectures/01-statistics\.html#bayes-theorem', mistakes
    )
    not_graded = page.split("Submissions not graded")[1]
    for name, reason in [
        ("garbage", "not a readable notebook"),
        ("loop", "stopped at its time limit"),
        ("stubborn-loop", "stopped at its time limit"),
        ("os-exit", "ended its process"),
    ]:
        assert re.search(rf"01-statistics-{name}\.ipynb: [^<]*{reason}", not_graded), name
    assert "01-statistics-good.ipynb" not in not_graded


def test_the_report_refuses_a_gradebook_without_the_mistakes(tmp_path):
    old = tmp_path / "old.csv"
    old.write_text("notebook,score,max_score,q1,problems,isolation\na.ipynb,1,2,1,,bubblewrap\n")
    run = subprocess.run(
        [sys.executable, "-m", "hepml", "report", str(old)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert run.returncode == 2 and "`gradebook`" in run.stderr and "grade again" in run.stderr
