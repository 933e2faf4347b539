"""Stored outputs do not depend on the machine's thread count.

The main nbval run uses the default environment; here every executed notebook is compared again
with one OpenMP/BLAS thread, the setting of a small Binder or a laptop with OMP_NUM_THREADS=1.
"""

import os
import subprocess
import sys

import pytest

from hepml.course import paths

ROOT = paths.repository_root()
EXECUTED = paths.executed_notebooks(ROOT)

SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


@pytest.mark.parametrize("path", EXECUTED, ids=[paths.page_name(p) for p in EXECUTED])
def test_outputs_are_identical_with_one_thread(path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "--nbval-sanitize-with",
            str(ROOT / "tests" / "nbval_sanitize.cfg"),
            str(path),
        ],
        cwd=ROOT,
        env={**os.environ, **SINGLE_THREAD},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:]
