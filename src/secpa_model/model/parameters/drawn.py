"""Parameter values drawn many times at once (what a Monte Carlo run computes with).

A simulation tiles its structures over the draws of a chunk: row ``r`` is structure
``r % structures`` under draw ``r // structures``. A drawn value is then an array with one
entry per row, and a drawn scale (:class:`DrawnScale`) evaluates each row with its own
draw's brackets; a rule's numpy formula computes every draw of a chunk in one pass without
knowing it (``params.amount_cents(path)`` is an array instead of an int, and numpy
broadcasts it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from secpa_model.model.parameters.models import Scale


@dataclass(frozen=True)
class DrawnScale:
    """A scale whose bracket values differ by draw (its thresholds and mode do not).

    ``values`` holds one row of bracket values per draw (in the scale's unit, euros already
    rounded to the cent); ``structures``: how many consecutive rows share a draw.
    :meth:`evaluate` gives, for each row, the scale of that row's draw at ``x``.
    """

    base: Scale
    values: NDArray[np.float64]
    structures: int

    @property
    def mode(self) -> str:
        """``step`` or ``linear``, as the base scale."""
        return self.base.mode

    @property
    def thresholds(self) -> NDArray[np.float64]:
        """The thresholds (the same for every draw)."""
        return self.base.thresholds

    def evaluate(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """The value at each ``x``, row ``r`` under draw ``r // structures`` (vectorised)."""
        x = np.asarray(x, dtype=np.float64)
        draw = np.arange(x.shape[0]) // self.structures
        thresholds = self.base.thresholds
        index = np.searchsorted(thresholds, x, side="right") - 1
        low = np.maximum(index, 0)
        found = self.values[draw, low]
        if self.mode == "step":
            return np.where(index >= 0, found, 0.0)
        last = len(thresholds) - 1
        high = np.minimum(low + 1, last)
        span = thresholds[high] - thresholds[low]
        with np.errstate(invalid="ignore", divide="ignore"):
            weight = np.where(span > 0, (x - thresholds[low]) / np.where(span > 0, span, 1), 0.0)
        line = found + weight * (self.values[draw, high] - found)
        line = np.where(index >= last, self.values[draw, last], line)
        return np.where(index >= 0, line, 0.0)
