import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import hepml
from hepml.reproducibility import as_generator, seed_everything


def test_same_seed_same_numbers_in_numpy_python_and_torch():
    import random

    def draw():
        seed_everything(7)
        # The legacy global generator on purpose: seed_everything must seed it.
        return random.random(), np.random.random(), torch.rand(1).item()  # noqa: NPY002

    assert draw() == draw()


def test_returned_generator_is_seeded():
    assert seed_everything(3).normal() == np.random.default_rng(3).normal()


def test_thread_count_is_fixed_whatever_the_environment():
    code = (
        "import hepml, torch; hepml.seed_everything(0, threads=2); print(torch.get_num_threads())"
    )
    for threads in ("1", "2"):
        env = {**os.environ, "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads}
        output = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert output.stdout.strip() == "2"


def test_setup_notebook_applies_house_style():
    import matplotlib as mpl

    mpl.rcParams["figure.facecolor"] = "black"
    hepml.setup_notebook(seed=0)
    assert mpl.rcParams["figure.facecolor"] == "white"


def test_environment_report_lists_versions():
    report = hepml.environment_report()
    assert f"numpy {np.__version__}" in report
    assert f"torch {torch.__version__}" in report
    assert "not installed" in hepml.environment_report(packages=("no_such_package_xyz",))


@pytest.mark.parametrize("bad, error", [(-1, ValueError), (1.5, TypeError), ("1", TypeError)])
def test_bad_seed_is_rejected(bad, error):
    with pytest.raises(error, match="seed"):
        seed_everything(bad)
    with pytest.raises(error, match="seed"):
        as_generator(bad)


def test_bad_thread_count_is_rejected():
    with pytest.raises(ValueError, match="threads must be >= 1"):
        seed_everything(0, threads=0)


def test_as_generator_passes_generators_through():
    rng = np.random.default_rng(1)
    assert as_generator(rng) is rng
