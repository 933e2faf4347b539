"""The clean rendering of a master that the book's solution pages show."""

import re

import nbformat
import pytest

from hepml.course import exercises, paths
from hepml.course.solution_pages import MISTAKES_TAG, clean_solution, is_master

ROOT = paths.repository_root()
SOLUTIONS = paths.solutions(ROOT)

#: Anything of otter's or of the tests that must never reach a solution page.
FORBIDDEN = re.compile(
    r"#\s*(SOLUTION|HIDDEN|BEGIN|END)\b|ASSIGNMENT CONFIG|\bdef test_|\btest_q\d"
)


def _raw(source):
    return nbformat.v4.new_raw_cell(source, metadata={"tags": ["remove-cell"]})


def _toy_master():
    """A master with every construct: markers, prompt, tests, declared mistakes, trailer."""
    answer = nbformat.v4.new_code_cell(
        "helper = 2 * 3  # SOLUTION NO PROMPT\n"
        "answer = helper + 1  # SOLUTION\n"
        "# BEGIN SOLUTION NO PROMPT\n"
        'print(f"answer {answer}")\n'
        "# END SOLUTION\n"
        '""" # BEGIN PROMPT\n'
        "answer = ...\n"
        '""" # END PROMPT'
    )
    answer.outputs = [nbformat.v4.new_output("stream", name="stdout", text="answer 7\n")]
    cells = [
        nbformat.v4.new_markdown_cell("# Exercises 9: Toys\n\nReplace every `...`."),
        _raw("# ASSIGNMENT CONFIG\nname: 09-toys"),
        nbformat.v4.new_code_cell("import numpy as np"),
        _raw("# BEGIN QUESTION\nname: q1\npoints: 1"),
        nbformat.v4.new_markdown_cell("## Question 1 (1 point)\n\nCompute `answer`."),
        _raw("# BEGIN PROMPT"),
        nbformat.v4.new_markdown_cell("_Type your answer here._"),
        _raw("# END PROMPT"),
        _raw("# BEGIN SOLUTION"),
        answer,
        _raw("# END SOLUTION"),
        nbformat.v4.new_code_cell(
            "wrong_answer = 6  # forgot the + 1",
            metadata={"tags": [MISTAKES_TAG, "remove-cell"]},
        ),
        _raw("# BEGIN TESTS"),
        nbformat.v4.new_code_cell("def test_q1_public(answer):\n    assert answer > 0"),
        nbformat.v4.new_code_cell("# HIDDEN\ndef test_q1_value(answer):\n    assert answer == 7"),
        _raw("# END TESTS"),
        _raw("# END QUESTION"),
        nbformat.v4.new_markdown_cell("## Your score\n\nThe cell below adds up the points."),
    ]
    return nbformat.v4.new_notebook(cells=cells)


def _text(notebook):
    return "\n".join(cell.source for cell in notebook.cells)


def test_toy_master_keeps_question_solution_and_output_only():
    master = _toy_master()
    clean = clean_solution(master, exercise="../exercises/09-toys.ipynb")
    code = [cell for cell in clean.cells if cell.cell_type == "code"]
    assert [cell.source for cell in code] == [
        "import numpy as np",
        'helper = 2 * 3\nanswer = helper + 1\nprint(f"answer {answer}")',
    ]
    assert code[1].outputs[0]["text"] == "answer 7\n"
    text = _text(clean)
    assert not FORBIDDEN.search(text), FORBIDDEN.search(text)
    assert "Question 1" in text and "Your score" not in text
    assert "wrong_answer" not in text and "Type your answer" not in text
    assert "answer = ..." not in text
    assert clean.cells[0].source.startswith("# Solutions 9: Toys")
    assert "](../exercises/09-toys.ipynb)" in clean.cells[1].source
    assert all(cell.cell_type != "raw" for cell in clean.cells)
    assert len({cell.id for cell in clean.cells}) == len(clean.cells)
    # the master itself is untouched
    assert "# SOLUTION" in _text(master) and len(master.cells) == 18


def test_every_construct_of_the_toy_master_is_seen_by_the_forbidden_pattern():
    # the pattern the page tests use fails on the raw master: the check can fail
    master = _toy_master()
    assert FORBIDDEN.search(_text(master))
    for cell in master.cells:
        if cell.cell_type == "code" and "test_q1" in cell.source:
            assert FORBIDDEN.search(cell.source)


def test_is_master_tells_a_master_from_a_plain_notebook():
    assert is_master(_toy_master())
    assert not is_master(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]))
    assert not is_master(nbformat.read(ROOT / "lectures" / "01-statistics.ipynb", as_version=4))


def test_clean_solution_rejects_a_path():
    with pytest.raises(TypeError, match="notebook"):
        clean_solution(str(SOLUTIONS[0]))


@pytest.mark.parametrize("master", SOLUTIONS, ids=[paths.page_name(p) for p in SOLUTIONS])
def test_real_master_renders_every_solution_line_and_no_test(master):
    notebook = nbformat.read(master, as_version=4)
    clean = clean_solution(notebook)
    text = _text(clean)
    assert not FORBIDDEN.search(text), FORBIDDEN.search(text)
    clean_lines = {line.strip() for line in text.splitlines()}
    missing = exercises.solution_lines(notebook) - clean_lines
    assert not missing, missing
    tests = exercises.load_tests(master.stem, root=ROOT).tests
    names = [test.function.__name__ for cases in tests.values() for test in cases]
    assert names and not [name for name in names if name in text]
    mistakes = [c for c in notebook.cells if MISTAKES_TAG in c.metadata.get("tags", [])]
    assert not [c for c in mistakes if c.source.strip() and c.source.strip() in text]
    # every solution cell keeps its stored output
    stored = [c.outputs for c in notebook.cells if c.cell_type == "code" and c.outputs]
    shown = [c.outputs for c in clean.cells if c.cell_type == "code" and c.outputs]
    assert stored and shown == stored
