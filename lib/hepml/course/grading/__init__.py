"""Grading submitted exercise notebooks: ``python -m hepml grade``, ``report`` and ``gradescope``.

One module per part, in the order a submission meets them:

- :mod:`~hepml.course.grading.submissions`: read a submitted file safely, find the notebooks
  of a folder;
- :mod:`~hepml.course.grading.grade`: grade submissions with the hidden tests
  (:func:`grade_paths`, :func:`grade_submission`);
- :mod:`~hepml.course.grading.sandbox`: the bubblewrap sandbox and resource limits;
- :mod:`~hepml.course.grading.session`: the grader's side of a warm worker and of one
  submission's process;
- :mod:`~hepml.course.grading.worker`: the untrusted side, which executes the submission;
- :mod:`~hepml.course.grading.replies`: what the grader accepts back from it;
- :mod:`~hepml.course.grading.gradebook`: the results and the gradebook CSV;
- :mod:`~hepml.course.grading.gradescope`: the Gradescope autograder export.
"""

from hepml.course.grading.grade import (
    GradingError,
    SandboxUnavailable,
    SubmissionResult,
    WorkerUnavailable,
    collect_notebooks,
    grade_paths,
    grade_submission,
    require_sandbox,
    write_gradebook,
)

__all__ = [
    "GradingError",
    "SandboxUnavailable",
    "SubmissionResult",
    "WorkerUnavailable",
    "collect_notebooks",
    "grade_paths",
    "grade_submission",
    "require_sandbox",
    "write_gradebook",
]
