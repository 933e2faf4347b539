"""hepml: the helper package of the machine-learning course for physics students.

It has three parts, one folder each, and at the top what every notebook uses:

- :mod:`hepml.simulate`: seeded toy-physics simulators with known truth, one module per
  physics domain (``simulate.tagged_jets(...)``, ``simulate.calorimeter_showers(...)``);
- :mod:`hepml.methods`: from-scratch teaching implementations, one module per concept, each
  tested against its scikit-learn, SciPy or torch twin (``from hepml.methods import linear``);
- :mod:`hepml.course`: the course machinery (command line, exercise generation, checks and
  feedback, grading, bench and status page);
- at the top: :mod:`hepml.reproducibility` (:func:`setup_notebook` seeds every generator, fixes
  thread counts and applies the style), :mod:`hepml.style` (the house plotting style),
  :mod:`hepml.plotting` (recurring figures), :mod:`hepml.widgets` (interactive demos that also
  work on the static site), :mod:`hepml.validation` (argument checks) and :mod:`hepml.prose`
  (:func:`glue` puts computed numbers into a lecture's text);
- :mod:`hepml.training`: the torch training loop of chapters 7-13, imported explicitly
  (``from hepml.training import fit_model``) because it needs torch.

Notebooks start with ``rng = hepml.setup_notebook(seed=...)``.
"""

from hepml.prose import glue
from hepml.reproducibility import environment_report, seed_everything, setup_notebook

__version__ = "0.1.0"

__all__ = ["environment_report", "glue", "seed_everything", "setup_notebook", "__version__"]
