"""hepml: the helper package of the machine-learning course for physics students.

Each module is small and named after what it does:

- :mod:`hepml.reproducibility` seeds every random generator and fixes thread counts;
- :mod:`hepml.style` is the house plotting style;
- :mod:`hepml.simulate` holds seeded toy-physics simulators with known truth;
- :mod:`hepml.widgets` is the interactive-demo pattern that also works on the static site;
- :mod:`hepml.plotting` draws the recurring figures (parity, loss curves, ROC, decision boundaries);
- :mod:`hepml.likelihood` has entropy, KL divergence and negative-log-likelihood fits (chapter 2);
- :mod:`hepml.linear` has least squares, gradient descent, ridge and lasso from scratch (chapter 3);
- :mod:`hepml.classify` and :mod:`hepml.metrics` have logistic regression, the perceptron, the loss
  zoo and classifier metrics (chapter 4);
- :mod:`hepml.model_selection` has k-fold cross-validation and the bias-variance decomposition
  (chapter 5);
- :mod:`hepml.bench` executes notebooks and measures their time and memory;
- :mod:`hepml.status` writes the book's execution-status page from those measurements;
- :mod:`hepml.checks` and :mod:`hepml.feedback` are the exercise tests' helpers and check cells;
- :mod:`hepml.exercises` generates exercise notebooks from otter-grader masters;
- :mod:`hepml.grading` (with :mod:`hepml.grading_worker`) grades submissions robustly;
- :mod:`hepml.cli` is the ``python -m hepml`` command line.

Notebooks usually start with ``hepml.setup_notebook(seed=...)``.
"""

from hepml.reproducibility import environment_report, seed_everything, setup_notebook

__version__ = "0.1.0"

__all__ = ["environment_report", "seed_everything", "setup_notebook", "__version__"]
