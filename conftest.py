"""Shared test setup, for the tests in tests/ and the notebooks nbval runs alike.

At the repository root so that it applies to any run: the whole suite, or nbval on one
notebook (``python -m pytest --nbval lectures/NN-topic.ipynb``).

nbval starts each notebook's kernel from this process's environment, so the kernel environment
used by ``python -m hepml execute`` (progress bars off, fixed hash seed) is set here too: the
outputs nbval compares are then produced under the same conditions as the stored ones.

The same kernels also run as another machine would (``OTHER_MACHINE``): one OpenMP/BLAS thread
and the vector instructions of an AVX2 laptop (torch's ATen dispatch, OpenBLAS's core type and
NumPy's SIMD dispatch stop at AVX2). The stored outputs are made by ``python -m hepml execute``
with this machine's defaults (AVX-512), so the one nbval pass that compares every notebook
with its stored outputs is also the check that they do not depend on the machine: a number
printed at more digits than survive fails here (CONTRIBUTING.md, "Printed numbers").
``tests/book/test_determinism.py`` proves that nbval's kernels see these settings.
"""

import os
from pathlib import Path

import pytest

from hepml.course import paths
from hepml.course.bench import KERNEL_ENVIRONMENT

SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
# NumPy 2.4 groups AVX-512 (Skylake) into its dispatch target X86_V4: without that name in the
# list, NumPy keeps dispatching to AVX-512 kernels (`np.show_runtime()` lists it as found).
AVX2_MACHINE = {
    "ATEN_CPU_CAPABILITY": "avx2",
    "OPENBLAS_CORETYPE": "Haswell",
    "NPY_DISABLE_CPU_FEATURES": (
        "AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR X86_V4"
    ),
}
OTHER_MACHINE = {**SINGLE_THREAD, **AVX2_MACHINE}

os.environ.update(KERNEL_ENVIRONMENT)
os.environ.update(OTHER_MACHINE)

ROOT = paths.repository_root()


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository root."""
    return ROOT
