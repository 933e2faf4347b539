"""The Gradescope export: build the zip, run ``run_autograder`` in a harness laid out like theirs.

Gradescope unpacks the zip into ``/autograder/source``, puts the upload in
``/autograder/submission`` and reads ``/autograder/results/results.json``; here the same layout
lives under a temporary folder (``AUTOGRADER_ROOT``), one per submission, run side by side.
"""

import json
import os
import stat
import subprocess
import sys
import zipfile

import nbformat
import pytest

from hepml.course import paths

ROOT = paths.repository_root()
SET = "01-statistics"
MISTAKE = "p_tag = efficiency * b_fraction"  # 01 q2's declared mistake "forgets_mistags"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    output = tmp_path_factory.mktemp("gradescope") / f"{SET}.zip"
    run = subprocess.run(
        [sys.executable, "-m", "hepml", "gradescope", SET, "--output", str(output)]
        + ["--timeout", "10"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    return output


def _with_q2_mistake():
    """The solution with the declared q2 mistake "forgets_mistags" typed in after q2's answer."""
    notebook = nbformat.read(ROOT / "solutions" / f"{SET}.ipynb", as_version=4)
    ends = [i for i, c in enumerate(notebook.cells) if c.source == "# END SOLUTION"]
    end = ends[1]
    notebook.cells.insert(end + 1, nbformat.v4.new_code_cell(MISTAKE))
    return notebook


@pytest.fixture(scope="module")
def graded(bundle, tmp_path_factory):
    crash = nbformat.read(ROOT / "solutions" / f"{SET}.ipynb", as_version=4)
    for cell in crash.cells:
        if cell.cell_type == "code":
            cell.source = "import os\nos._exit(1)"
    submissions = {
        "solution": nbformat.read(ROOT / "solutions" / f"{SET}.ipynb", as_version=4),
        "stub": nbformat.read(ROOT / "exercises" / f"{SET}.ipynb", as_version=4),
        "crash": crash,
        "mistake": _with_q2_mistake(),
    }
    runs = {}
    for name, notebook in submissions.items():
        harness = tmp_path_factory.mktemp(name) / "autograder"
        with zipfile.ZipFile(bundle) as archive:
            archive.extractall(harness / "source")
        (harness / "submission").mkdir()
        (harness / "results").mkdir()
        nbformat.write(notebook, harness / "submission" / f"{SET}.ipynb")
        script = harness / "source" / "run_autograder"
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
        environment = {**os.environ, "AUTOGRADER_ROOT": str(harness)}
        environment["AUTOGRADER_PYTHON"] = sys.executable
        runs[name] = (harness, subprocess.Popen([str(script)], env=environment))
    results = {}
    for name, (harness, process) in runs.items():
        assert process.wait(timeout=600) == 0
        results[name] = json.loads((harness / "results" / "results.json").read_text())
    return results


def test_the_zip_holds_what_gradescope_needs(bundle):
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert {"setup.sh", "run_autograder", "requirements.txt", "gradescope.json"} <= names
    assert f"build/exercises/{SET}/autograder.zip" in names
    assert "lib/hepml/course/grading/grade.py" in names
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert not [name for name in names if name.startswith(("solutions/", "exercises/"))]
    run = subprocess.run(["bash", "-n", "-c", zipfile.ZipFile(bundle).read("setup.sh").decode()])
    assert run.returncode == 0


def test_the_solution_gets_full_marks(graded):
    result = graded["solution"]
    assert result["score"] == 12
    assert all(t["score"] == t["max_score"] and t["output"] == "passed" for t in result["tests"])


def test_the_untouched_exercise_gets_zero_with_reasons(graded):
    result = graded["stub"]
    assert result["score"] == 0
    assert all(t["score"] == 0 and "`" in t["output"] for t in result["tests"])


def test_a_crashing_submission_gets_zero_and_still_a_results_file(graded):
    result = graded["crash"]
    assert result["score"] == 0 and len(result["tests"]) == 10  # public and hidden of 5 questions
    assert all(t["score"] == 0 and t["output"] for t in result["tests"])


def test_public_tests_are_visible_and_hidden_ones_after_publication(graded):
    tests = graded["solution"]["tests"]
    assert sum(t["max_score"] for t in tests) == 12
    visibility = {t["name"]: t["visibility"] for t in tests}
    assert visibility["q1 (public tests)"] == "visible"
    assert visibility["q1 (hidden tests)"] == "after_published"
    assert set(visibility.values()) == {"visible", "after_published"}
    assert all({"name", "score", "max_score", "output", "visibility"} <= set(t) for t in tests)


def test_a_declared_mistake_is_named_as_by_the_local_grader(graded, tmp_path):
    from hepml.course.grading import grade_submission

    submission = tmp_path / f"{SET}.ipynb"
    nbformat.write(_with_q2_mistake(), submission)
    local = {q.name: q for q in grade_submission(submission, timeout=20).questions}
    name = (
        "leaves out the non-b jets the tagger fires on"  # the mistake's description in the master
    )
    assert name in local["q2"].message and local["q2"].score == 0
    tests = {t["name"]: t for t in graded["mistake"]["tests"]}
    assert name in tests["q2 (public tests)"]["output"]
    assert tests["q2 (public tests)"]["score"] == tests["q2 (hidden tests)"]["score"] == 0
    assert graded["mistake"]["score"] == 12 - local["q2"].max_score


def test_public_points_are_carried_by_the_hidden_entry_and_lost_with_it():
    from hepml.course.feedback import QuestionResult
    from hepml.course.grading.gradebook import SubmissionResult
    from hepml.course.grading.gradescope import results_json

    def questions(hidden_passed):
        return [
            QuestionResult("q1 (public tests)", 1.0, 1.0, True, "all tests passed"),
            QuestionResult("q1 (hidden tests)", 2.0 * hidden_passed, 2.0, hidden_passed, "x"),
            QuestionResult("q2 (public tests)", 0.5, 0.5, True, "all tests passed"),
        ]

    for hidden_passed, expected in ((True, 3.5), (False, 0.5)):
        result = SubmissionResult("a.ipynb", 0.0, 3.5, questions(hidden_passed), None)
        report = results_json(result)
        tests = {t["name"]: t for t in report["tests"]}
        # visible at once: the feedback, no points, so no score moves before publication
        assert (tests["q1 (public tests)"]["score"], tests["q1 (public tests)"]["max_score"]) == (
            0,
            0,
        )
        assert tests["q1 (hidden tests)"]["max_score"] == 3.0
        assert tests["q1 (hidden tests)"]["score"] == (3.0 if hidden_passed else 0.0)
        assert tests["q2 (public tests)"]["score"] == 0.5  # a question without hidden tests
        assert report["score"] == expected == sum(t["score"] for t in report["tests"])
        assert sum(t["max_score"] for t in report["tests"]) == 3.5
