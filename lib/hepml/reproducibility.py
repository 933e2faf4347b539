"""Reproducibility: one call seeds every generator and fixes thread counts.

Stored notebook outputs are compared exactly by nbval, so a notebook must print the same text on
every run, with one or two CPU threads. :func:`setup_notebook` is the first thing each notebook
calls after its imports.
"""

from __future__ import annotations

import importlib
import os
import platform
import random

import numpy as np

from hepml.validation import check_int

#: Thread count used by default: results of threaded reductions depend on how the work is split,
#: so the split is fixed rather than left to the machine.
DEFAULT_THREADS = 2


def seed_everything(seed: int, *, threads: int = DEFAULT_THREADS) -> np.random.Generator:
    """Seed Python, NumPy and (if installed) torch, and fix the number of compute threads.

    Parameters
    ----------
    seed
        Non-negative integer seed.
    threads
        Number of threads torch and the BLAS libraries may use. The same number on every machine
        keeps floating-point reductions, and hence printed results, identical.

    Returns
    -------
    numpy.random.Generator
        A generator seeded with ``seed``; prefer passing it around to using global state.
    """
    seed = check_int(seed, "seed", minimum=0)
    threads = check_int(threads, "threads", minimum=1)
    random.seed(seed)
    # Deliberately the legacy global generator: other libraries draw from it.
    np.random.seed(seed)  # noqa: NPY002
    _limit_blas_threads(threads)
    torch = _optional_torch()
    if torch is not None:
        torch.manual_seed(seed)
        torch.set_num_threads(threads)
    return np.random.default_rng(seed)


def setup_notebook(seed: int = 0, *, threads: int = DEFAULT_THREADS) -> np.random.Generator:
    """Prepare a lecture or exercise notebook: seeds, threads and the house plotting style.

    Parameters
    ----------
    seed
        Non-negative integer seed, see :func:`seed_everything`.
    threads
        Thread count, see :func:`seed_everything`.

    Returns
    -------
    numpy.random.Generator
        A generator seeded with ``seed``.
    """
    from hepml.style import use_house_style

    rng = seed_everything(seed, threads=threads)
    use_house_style()
    return rng


def environment_report(
    packages: tuple[str, ...] = ("numpy", "scipy", "sklearn", "matplotlib", "torch"),
) -> str:
    """Return a short text report of the Python version, CPU count and package versions.

    Parameters
    ----------
    packages
        Import names to report; a package that is not installed is reported as such.
    """
    lines = [
        f"python {platform.python_version()} on {platform.system()} {platform.machine()}",
        f"cpus available: {os.cpu_count()}",
    ]
    for name in packages:
        try:
            module = importlib.import_module(name)
            version = getattr(module, "__version__", "unknown version")
        except ImportError:
            version = "not installed"
        lines.append(f"{name} {version}")
    torch = _optional_torch()
    if torch is not None:
        lines.append(f"torch threads: {torch.get_num_threads()}")
    return "\n".join(lines)


def _optional_torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def _limit_blas_threads(threads: int) -> None:
    # threadpoolctl ships with scikit-learn; without it only torch's threads are fixed.
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=threads)


def as_generator(seed: int | np.random.Generator) -> np.random.Generator:
    """Return a NumPy generator from an integer seed, or the generator itself.

    Every simulator takes ``seed`` through this function, so passing the same integer always
    gives the same sample and passing a generator continues its stream.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_int(seed, "seed", minimum=0))
