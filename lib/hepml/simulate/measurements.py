"""Repeated measurements and counting experiments (chapter 1).

- :func:`gaussian_measurements`: a detector with Gaussian resolution measuring one quantity;
- :func:`counting_experiment`: Poisson counts of a cut-and-count search.
"""

from __future__ import annotations

import numpy as np

from hepml.reproducibility import as_generator
from hepml.validation import check_int, check_real, check_shape


def gaussian_measurements(
    true_value: float,
    resolution: float,
    size: int | tuple[int, ...],
    seed: int | np.random.Generator = 0,
) -> np.ndarray:
    """Repeated measurements of one quantity by a detector with Gaussian resolution.

    Parameters
    ----------
    true_value
        The value being measured, e.g. a particle mass in GeV.
    resolution
        Standard deviation of a single measurement (same unit as ``true_value``), > 0.
    size
        Number of measurements, or a shape such as ``(n_experiments, m)`` for many
        experiments of ``m`` measurements each.
    seed
        Integer seed or NumPy generator.

    Returns
    -------
    numpy.ndarray
        Measurements with shape ``size``.
    """
    true_value = check_real(true_value, "true_value")
    resolution = check_real(resolution, "resolution", minimum=0.0, strict_minimum=True)
    shape = check_shape(size, "size")
    return as_generator(seed).normal(true_value, resolution, size=shape)


def counting_experiment(
    signal: float,
    background: float,
    n_experiments: int,
    seed: int | np.random.Generator = 0,
) -> np.ndarray:
    """Event counts of a cut-and-count search repeated ``n_experiments`` times.

    Each count is Poisson distributed with mean ``signal + background``.

    Parameters
    ----------
    signal, background
        Expected numbers of signal and background events, >= 0.
    n_experiments
        Number of pseudo-experiments, >= 1.
    seed
        Integer seed or NumPy generator.

    Returns
    -------
    numpy.ndarray
        Integer counts with shape ``(n_experiments,)``.
    """
    signal = check_real(signal, "signal", minimum=0.0)
    background = check_real(background, "background", minimum=0.0)
    n_experiments = check_int(n_experiments, "n_experiments", minimum=1)
    return as_generator(seed).poisson(signal + background, size=n_experiments)
