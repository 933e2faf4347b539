"""Directions of particles: isotropic angles and pseudorapidity (chapter 1).

- :func:`isotropic_polar_angles`: polar angles of directions uniform on the sphere;
- :func:`pseudorapidity`: ``eta = -ln tan(theta / 2)``.
"""

from __future__ import annotations

import numpy as np

from hepml.reproducibility import as_generator
from hepml.validation import check_array, check_int


def isotropic_polar_angles(n: int, seed: int | np.random.Generator = 0) -> np.ndarray:
    """Polar angles theta (radians) of ``n`` directions uniform on the sphere.

    Uniform on the sphere means ``cos(theta)`` is uniform on [-1, 1], not ``theta`` itself.
    """
    n = check_int(n, "n", minimum=1)
    cos_theta = as_generator(seed).uniform(-1.0, 1.0, size=n)
    return np.arccos(cos_theta)


def pseudorapidity(theta: np.ndarray) -> np.ndarray:
    """Pseudorapidity ``eta = -ln(tan(theta / 2))`` of polar angles in (0, pi)."""
    theta = check_array(theta, "theta")
    if np.any((theta <= 0) | (theta >= np.pi)):
        raise ValueError("theta must lie strictly between 0 and pi radians")
    return -np.log(np.tan(theta / 2))
