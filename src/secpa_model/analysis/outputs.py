"""What uncertainty analyses look at: one output of a portfolio (a line or the total, over a
period), computed many times under many parameter sets by one engine call each, the frame
validated once.

An :class:`Output` names it (``Output("2024-01-01..2025-04-30")``: the total over that
period; ``Output(2025, line="interpreting")``: one line over 2025). A
:class:`PortfolioEvaluator` holds a validated frame and gives the output's value in cents,
exactly what :func:`~secpa_model.allocate_frame` would sum (entry and exit dates
respected).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model.core.errors import InputError
from secpa_model.core.money import exact_sum
from secpa_model.core.periods import Period, PeriodLike, days_in_year, overlap_days, split_period
from secpa_model.engine.compute import compute, windows
from secpa_model.io.frames import YEAR_COLUMN, describe_problems
from secpa_model.io.validation import validate_frame
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters
from secpa_model.model.structure import Columns
from secpa_model.models import resolve_model

TOTAL = "total"
"""The name of the total among a model's lines (``Output(..., line=TOTAL)``)."""


@dataclass(frozen=True, init=False)
class Output:
    """One output: the sum over the portfolio of ``line`` (a line key of the model, or
    :data:`TOTAL`) over ``period``."""

    period: Period
    line: str

    def __init__(self, period: PeriodLike, line: str = TOTAL) -> None:
        object.__setattr__(self, "period", Period.parse(period))
        object.__setattr__(self, "line", line)

    def check(self, model: Model) -> None:
        """An :class:`~secpa_model.InputError` if ``line`` is not one of ``model``'s."""
        if self.line != TOTAL and self.line not in model.line_keys:
            known = ", ".join([*model.line_keys, TOTAL])
            raise InputError(f"unknown output line {self.line!r} (lines of {model.name}: {known})")

    @property
    def label(self) -> str:
        """``line over period``, for tables and charts."""
        return f"{self.line} over {self.period}"


def structure_years(model: Model, columns: Columns, period: Period) -> NDArray[np.float64]:
    """Each structure's participation in ``period`` in years: its days in each calendar
    year over that year's days, summed (entry and exit dates respected)."""
    starts, ends = windows(model, columns, period)
    years = np.zeros(columns.size, dtype=np.float64)
    for piece in split_period(period):
        years += overlap_days(piece, starts, ends) / days_in_year(piece.start.year)
    return years


class PortfolioEvaluator:
    """A portfolio validated once for ``model``, evaluated under many parameter sets.

    An invalid frame raises :class:`~secpa_model.InputError` (every problem named), as
    :func:`~secpa_model.allocate_frame` does; it takes one row per structure (entry and
    exit dates), not a table of structure-years.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        model: Model | str | None = None,
        *,
        allow_duplicates: bool = False,
    ) -> None:
        self.model = resolve_model(model)
        if not isinstance(frame, pd.DataFrame):
            raise InputError(f"expected a DataFrame of structures, got {type(frame).__name__}")
        if YEAR_COLUMN in frame.columns:
            raise InputError(
                f"give one row per structure (with entry_date/exit_date); drop the "
                f"{YEAR_COLUMN!r} column"
            )
        validated = validate_frame(frame, self.model, allow_duplicates=allow_duplicates)
        if len(validated.problems):
            raise InputError(describe_problems(validated.problems))
        self.frame = frame
        self.columns = validated.columns
        self.size = len(frame)

    def per_structure(self, parameters: Parameters, output: Output) -> NDArray[np.int64]:
        """The output of each structure, in int64 cents (row order of the frame)."""
        output.check(self.model)
        starts, ends = windows(self.model, self.columns, output.period)
        batch = compute(self.model, self.columns, starts, ends, output.period, parameters)
        if output.line != TOTAL:
            return np.asarray(batch.line_cents[output.line], dtype=np.int64)
        total = np.zeros(self.size, dtype=np.int64)
        for cents in batch.line_cents.values():
            total = total + np.asarray(cents, dtype=np.int64)
        return total

    def structure_years(self, period: Period) -> NDArray[np.float64]:
        """Each structure's participation in ``period``, in years (:func:`structure_years`)."""
        return structure_years(self.model, self.columns, period)

    def cents(self, parameters: Parameters, output: Output) -> int:
        """The output summed over the portfolio, in cents (an exact integer sum)."""
        return exact_sum(self.per_structure(parameters, output))
