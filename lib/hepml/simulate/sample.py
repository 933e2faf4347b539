"""The common shape of every simulated sample: features ``X``, targets ``y`` and the truth.

Every simulator of :mod:`hepml.simulate` returns a :class:`Sample` (or a subclass that adds the
parameters it was generated with), so ``model.fit(sample.X, sample.y)`` works for all of them and
a reader meets one convention: ``X`` has one row per event and one column per feature, ``y`` one
entry per event.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Sample:
    """Simulated events: features, targets and the names of the feature columns.

    Attributes
    ----------
    X
        Features, shape ``(n_events, n_features)``.
    y
        Targets, shape ``(n_events,)``: class labels (1 signal, 0 background) or a quantity to
        regress, as each simulator documents.
    feature_names
        Names with units of the columns of ``X``.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.X.ndim != 2 or self.X.shape[1] != len(self.feature_names):
            raise ValueError(
                f"X must have shape (n, {len(self.feature_names)}), got {self.X.shape}"
            )
        if self.y.shape != (len(self.X),):
            raise ValueError(f"y must have shape ({len(self.X)},), got {self.y.shape}")

    def __len__(self) -> int:
        return len(self.y)
