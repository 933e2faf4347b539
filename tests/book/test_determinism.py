"""Stored outputs depend neither on the thread count nor on the CPU's vector instructions.

The stored outputs are made by ``python -m hepml execute`` with this machine's defaults. The
suite's nbval pass re-executes every lecture and solution as another machine would: one
OpenMP/BLAS thread (a small Binder, a laptop with OMP_NUM_THREADS=1) and the kernels an AVX2
laptop runs (``OTHER_MACHINE`` in ``conftest.py``, which sets it for the kernels nbval
starts). One execution thus serves both checks: the outputs are reproduced, and on another
machine. A number that differs is printed at more digits than survive: round it to what does
(CONTRIBUTING.md, "Printed numbers"). This file proves that the variables take effect, in a
plain Python and in a kernel started the way nbval starts its kernels.
"""

import os
import subprocess
import sys

from conftest import OTHER_MACHINE

# Printed by a child Python (or a kernel) started with OTHER_MACHINE.
_REPORT = """
import torch, threadpoolctl
from numpy._core._multiarray_umath import __cpu_features__ as numpy_features
blas = [i for i in threadpoolctl.threadpool_info() if i["internal_api"] == "openblas"]
print(torch.backends.cpu.get_cpu_capability(), blas[0]["architecture"], blas[0]["num_threads"])
print("numpy-avx512:", any(v for k, v in numpy_features.items() if k == "X86_V4"))
print("torch-threads:", torch.get_num_threads())
"""
EXPECTED = ["AVX2", "Haswell", "1", "numpy-avx512:", "False", "torch-threads:", "1"]


def test_the_variables_simulate_an_avx2_machine_with_one_thread():
    env = {**os.environ, **OTHER_MACHINE}
    result = subprocess.run(
        [sys.executable, "-c", _REPORT], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == EXPECTED


def test_without_the_variables_this_machine_differs():
    # the check above would be empty if this machine were already such a machine
    env = {k: v for k, v in os.environ.items() if k not in OTHER_MACHINE}
    result = subprocess.run(
        [sys.executable, "-c", _REPORT], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() != EXPECTED


def test_nbvals_kernels_run_as_the_other_machine():
    from nbval.kernel import RunningKernel

    kernel = RunningKernel("python3")
    try:
        reply = kernel.execute_cell_input(_REPORT, allow_stdin=False)
        printed = []
        while True:
            message = kernel.get_message(stream="iopub", timeout=60)
            content = message["content"]
            if message["parent_header"].get("msg_id") != reply:
                continue
            if message["msg_type"] == "stream":
                printed.append(content["text"])
            elif message["msg_type"] == "error":
                raise AssertionError("\n".join(content["traceback"]))
            elif message["msg_type"] == "status" and content["execution_state"] == "idle":
                break
    finally:
        kernel.stop()
    assert "".join(printed).split() == EXPECTED
