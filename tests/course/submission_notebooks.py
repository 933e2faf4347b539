"""Submissions made from the chapter 01 master, shared by the grading tests.

``test_grading.py`` and ``test_grading_hostile.py`` both build a folder of notebooks from the
master with code put in front of (or instead of) one question's answer cell, and read the
graded results back by question.
"""

import nbformat

from hepml.course import paths

MASTER = paths.repository_root() / "solutions" / "01-statistics.ipynb"
FULL = {"q1": 2.0, "q2": 2.0, "q3": 3.0, "q4": 3.0, "q5": 2.0}

# The solution cell of each question, found by a line only it contains.
ANSWER_CELL = {
    "q1": "mean_energy = energies.sum()",
    "q2": "purity = efficiency * b_fraction",
    "q3": "eta_density = 0.5 / np.cosh",
    "q4": "bias_estimate = per_experiment.mean()",
    "q5": "bias_ratio = 50 / 5",
}


def master_with(prefixes=None, replacements=None, extra_cells=()):
    """The master with code put in front of or instead of some answer cells.

    Parameters
    ----------
    prefixes, replacements
        ``{question: code}``: the code goes in front of, or replaces, that question's cell.
    extra_cells
        ``(position, source)`` pairs: new code cells inserted at those positions.
    """
    notebook = nbformat.read(MASTER, as_version=4)
    edits = {q: (code, False) for q, code in (prefixes or {}).items()}
    edits.update({q: (code, True) for q, code in (replacements or {}).items()})
    for question, (code, replace) in edits.items():
        (cell,) = [
            c
            for c in notebook.cells
            if c.cell_type == "code" and ANSWER_CELL[question] in c.source
        ]
        cell.source = code if replace else code + "\n" + cell.source
    for position, source in extra_cells:
        notebook.cells.insert(position, nbformat.v4.new_code_cell(source))
    return notebook


def scores(result):
    """``{question: score}`` of one submission's graded result."""
    return {q["name"]: q["score"] for q in result["questions"]}


def message(result, question):
    """The grader's message for one question of a submission's graded result."""
    return next(q["message"] for q in result["questions"] if q["name"] == question)
