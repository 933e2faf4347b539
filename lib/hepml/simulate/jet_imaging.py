"""Jet images: each jet's constituents as a pT-weighted picture in the (eta, phi) plane.

A calorimeter sees a jet as energy deposits in cells of pseudorapidity and azimuth; a jet image
is the same picture made from the particles: pixel ``(i, j)`` holds the summed transverse
momentum of the particles whose azimuth falls into row ``i`` and whose pseudorapidity falls into
column ``j``. :func:`jet_images` applies the standard preprocessing before pixelising, each
step switchable. Cogan et al. (2015) and de Oliveira et al. (2016) centre on the leading subjet;
this module centres on the pT-weighted centroid and takes the principal axis, closer to
Macaluso and Shih (2018):

1. **centre**: translate the jet so that its pT-weighted centroid sits at (0, 0);
2. **rotate**: rotate it about (0, 0) so that its principal axis (the major axis of the
   pT-weighted second moments about the centroid) points along phi, vertically in the image;
3. **flip**: reflect phi -> -phi if the lower half (phi < 0) carries more pT than the upper
   half, then eta -> -eta if the left half (eta < 0) carries more pT than the right half, so
   the harder side of every jet is up and right.

The three steps remove the directions that carry no information about the jet's origin (where
the jet points, the orientation of its prongs), which a network would otherwise have to learn
from more examples.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hepml.validation import check_int, check_real

_FIELDS = ("pt", "eta", "phi")


def jet_images(
    constituents: Any,
    n_pixels: int = 32,
    extent: float = 1.0,
    *,
    centre: bool = True,
    rotate: bool = True,
    flip: bool = True,
) -> np.ndarray:
    """Pixelise jets into pT-weighted images in (eta, phi) after the standard preprocessing.

    Parameters
    ----------
    constituents
        ``awkward.Array`` of jets, each a list of records with fields ``pt``, ``eta``, ``phi``
        (as :attr:`~hepml.simulate.jets.JetSample.constituents`: coordinates relative to the
        jet axis, so azimuth differences are small).
    n_pixels
        Pixels per side, >= 1.
    extent
        Half-width of the image, > 0: it covers ``[-extent, extent)`` in eta (columns) and in
        phi (rows), after preprocessing. The default 1.0 holds the whole disc of radius 1
        around the centre, so jets of radius R = 0.8 fit even after centring moved them.
        Particles outside are dropped.
    centre, rotate, flip
        Apply each preprocessing step of the module docstring (in this order). Each is
        independent: ``rotate`` alone turns about the jet axis (0, 0), using the principal axis
        measured about the centroid; ``flip`` alone uses the halves about (0, 0).

    Returns
    -------
    numpy.ndarray
        Float64 images of shape ``(n_jets, n_pixels, n_pixels)``; ``images[k, i, j]`` is the pT
        [GeV] in row ``i`` (phi, increasing with ``i``) and column ``j`` (eta, increasing with
        ``j``). ``plt.imshow(image, origin="lower", extent=(-extent, extent, -extent, extent))``
        shows eta horizontally and phi vertically. Each image sums to the pT inside it.
    """
    pt, eta, phi, counts = _flat_constituents(_check_constituents(constituents, "constituents"))
    n_pixels = check_int(n_pixels, "n_pixels", minimum=1)
    extent = check_real(extent, "extent", minimum=0.0, strict_minimum=True)
    for flag, name in ((centre, "centre"), (rotate, "rotate"), (flip, "flip")):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    x, y = _preprocess(pt, eta, _wrap(phi), counts, centre=centre, rotate=rotate, flip=flip)
    return _pixelise(pt, x, y, counts, n_pixels, extent)


def _preprocess(
    pt: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    counts: np.ndarray,
    *,
    centre: bool,
    rotate: bool,
    flip: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Centre, rotate and flip the particles (x = eta, y = phi) of every jet at once."""
    n_jets = len(counts)
    jet = np.repeat(np.arange(n_jets), counts)

    def per_jet_sum(values: np.ndarray) -> np.ndarray:
        return np.bincount(jet, weights=values, minlength=n_jets)

    total = per_jet_sum(pt)
    safe_total = np.where(total > 0, total, 1.0)
    if centre or rotate:
        x_mean = per_jet_sum(pt * x) / safe_total
        y_mean = per_jet_sum(pt * y) / safe_total
    if centre:
        x = x - x_mean[jet]
        y = y - y_mean[jet]
        x_mean = y_mean = np.zeros(n_jets)
    if rotate:
        dx, dy = x - x_mean[jet], y - y_mean[jet]
        c_xx, c_yy, c_xy = (
            per_jet_sum(pt * dx * dx),
            per_jet_sum(pt * dy * dy),
            per_jet_sum(pt * dx * dy),
        )
        # angle of the major axis from the eta axis; turning by pi/2 minus it makes it vertical
        theta = 0.5 * np.arctan2(2 * c_xy, c_xx - c_yy)
        alpha = (np.pi / 2 - theta)[jet]
        x, y = x * np.cos(alpha) - y * np.sin(alpha), x * np.sin(alpha) + y * np.cos(alpha)
    if flip:
        lower_heavier = per_jet_sum(pt * (y < 0)) > per_jet_sum(pt * (y > 0))
        y = np.where(lower_heavier[jet], -y, y)
        left_heavier = per_jet_sum(pt * (x < 0)) > per_jet_sum(pt * (x > 0))
        x = np.where(left_heavier[jet], -x, x)
    return x, y


def _pixelise(
    pt: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    counts: np.ndarray,
    n_pixels: int,
    extent: float,
) -> np.ndarray:
    n_jets = len(counts)
    jet = np.repeat(np.arange(n_jets), counts)
    width = 2 * extent / n_pixels
    column = np.floor((x + extent) / width).astype(np.int64)
    row = np.floor((y + extent) / width).astype(np.int64)
    inside = (column >= 0) & (column < n_pixels) & (row >= 0) & (row < n_pixels)
    flat = (jet * n_pixels + row) * n_pixels + column
    images = np.bincount(flat[inside], weights=pt[inside], minlength=n_jets * n_pixels**2)
    return images.reshape(n_jets, n_pixels, n_pixels)


def _wrap(angle: np.ndarray) -> np.ndarray:
    """Angles wrapped into [-pi, pi)."""
    return (angle + np.pi) % (2 * np.pi) - np.pi


def _check_constituents(value: Any, name: str) -> Any:
    """Check that ``value`` is a jagged awkward array of (pt, eta, phi) records; return it."""
    import awkward as ak

    if not isinstance(value, ak.Array):
        raise TypeError(
            f"{name} must be an awkward.Array of jets (lists of records with fields pt, eta, "
            f"phi), got {type(value).__name__}; e.g. JetSample.constituents"
        )
    missing = [field for field in _FIELDS if field not in value.fields]
    if missing:
        raise ValueError(f"{name} must have the fields pt, eta, phi; missing {missing}")
    if value.ndim != 2:
        raise ValueError(
            f"{name} must be a list of jets, each a list of particles (2 dimensions), "
            f"got {value.ndim} dimensions"
        )
    return value


def _flat_constituents(
    constituents: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The particles of all jets one after another (pt, eta, phi as float64) and the counts."""
    import awkward as ak

    counts = ak.to_numpy(ak.num(constituents, axis=1)).astype(np.int64)
    flat = [
        np.asarray(ak.to_numpy(ak.flatten(constituents[field], axis=1)), dtype=float)
        for field in _FIELDS
    ]
    for field, values in zip(_FIELDS, flat):
        if not np.all(np.isfinite(values)):
            raise ValueError(f"constituents.{field} must be finite")
    if np.any(flat[0] < 0):
        raise ValueError("constituents.pt must be >= 0")
    return flat[0], flat[1], flat[2], counts
