"""The course machinery used by instructors and by the test suite, not by the lectures.

- :mod:`~hepml.course.cli`: the ``python -m hepml`` command line;
- :mod:`~hepml.course.paths`: the repository root and its notebooks;
- :mod:`~hepml.course.bench` and :mod:`~hepml.course.status`: execute notebooks, measure them
  and write the book's status page;
- :mod:`~hepml.course.exercises`: generate student notebooks from the otter-grader masters;
- :mod:`~hepml.course.checks` and :mod:`~hepml.course.feedback`: the exercise tests' helpers
  and the check cells students run;
- :mod:`~hepml.course.mistakes`: the typical mistakes a master declares, stored in the exercise
  as salted tags of rounded wrong values, each message encrypted with its wrong value;
- :mod:`~hepml.course.grading`: grade submissions, each in a bubblewrap sandbox, into a
  gradebook, a class report and a Gradescope export (a subpackage, one module per part).
"""
