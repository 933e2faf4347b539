"""Stored outputs depend neither on the thread count nor on the CPU's vector instructions.

The main nbval run uses the default environment of this machine (AVX-512). Here every executed
notebook is compared again in one nbval pass that changes both: one OpenMP/BLAS thread (a small
Binder, a laptop with OMP_NUM_THREADS=1) and the kernels an AVX2 laptop would run (torch's
ATen dispatch, OpenBLAS's core type and NumPy's SIMD dispatch all told to stop at AVX2). A
number that differs between the two runs is printed at more digits than survive: round it to
what does (CONTRIBUTING.md, "Printed numbers").
"""

import os
import subprocess
import sys

import pytest

from hepml.course import paths

ROOT = paths.repository_root()
EXECUTED = paths.executed_notebooks(ROOT)

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

# Printed by a child Python started with OTHER_MACHINE, to show the variables take effect.
_REPORT = """
import torch, threadpoolctl
from numpy._core._multiarray_umath import __cpu_features__ as numpy_features
blas = [i for i in threadpoolctl.threadpool_info() if i["internal_api"] == "openblas"]
print(torch.backends.cpu.get_cpu_capability(), blas[0]["architecture"], blas[0]["num_threads"])
print("numpy-avx512:", any(v for k, v in numpy_features.items() if k == "X86_V4"))
print("torch-threads:", torch.get_num_threads())
"""


def test_the_variables_simulate_an_avx2_machine_with_one_thread():
    env = {**os.environ, **OTHER_MACHINE}
    result = subprocess.run(
        [sys.executable, "-c", _REPORT], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == [
        "AVX2",
        "Haswell",
        "1",
        "numpy-avx512:",
        "False",
        "torch-threads:",
        "1",
    ]


@pytest.mark.parametrize("path", EXECUTED, ids=[paths.page_name(p) for p in EXECUTED])
def test_outputs_are_identical_with_one_thread_on_an_avx2_machine(path):
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
        env={**os.environ, **OTHER_MACHINE},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:]
