"""What uncertainty analyses look at: one output of a portfolio (a line or the total, over a
period), computed many times under many parameter sets by one engine call each, the frame
validated once.

An :class:`Output` names it (``Output("2024-01-01..2025-04-30")``: the total over that
period; ``Output(2025, line="interpreting")``: one line over 2025). :func:`output_cents`
gives its value over a :class:`~secpa_model.Portfolio` in cents, exactly what
:func:`~secpa_model.allocate_frame` would sum (entry and exit dates respected).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from secpa_model.core.errors import InputError
from secpa_model.core.money import euros_to_cents, exact_sum
from secpa_model.core.periods import Period, PeriodLike, days_in_year, overlap_days, split_period
from secpa_model.core.safe_text import shown
from secpa_model.io.frames import YEAR_COLUMN
from secpa_model.io.portfolio import Portfolio
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters

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


def one_row_per_structure(portfolio: Portfolio) -> Portfolio:
    """``portfolio``, checked to have one row per structure (entry and exit dates), not a
    table of structure-years: an :class:`~secpa_model.InputError` otherwise, or when it
    has problems (:meth:`~secpa_model.Portfolio.check`)."""
    if portfolio.years is not None:
        raise InputError(
            f"give one row per structure (with entry_date/exit_date); drop the "
            f"{YEAR_COLUMN!r} column"
        )
    return portfolio.check()


def structure_years(portfolio: Portfolio, period: Period) -> NDArray[np.float64]:
    """Each structure's participation in ``period`` in years: its days in each calendar
    year over that year's days, summed (entry and exit dates respected)."""
    starts, ends, _ = portfolio.windows(period)
    years = np.zeros(portfolio.size, dtype=np.float64)
    for piece in split_period(period):
        years += overlap_days(piece, starts, ends) / days_in_year(piece.start.year)
    return years


def per_structure(
    portfolio: Portfolio, parameters: Parameters, output: Output
) -> NDArray[np.int64]:
    """The output of each structure of ``portfolio``, in int64 cents (its row order)."""
    output.check(portfolio.model)
    batch = portfolio.compute(output.period, parameters)
    if output.line != TOTAL:
        return np.asarray(batch.line_cents[output.line], dtype=np.int64)
    return batch.total_cents


def output_cents(portfolio: Portfolio, parameters: Parameters, output: Output) -> int:
    """The output summed over ``portfolio``, in cents (an exact integer sum)."""
    return exact_sum(per_structure(portfolio, parameters, output))


def envelope_cents(amount: object, what: str, error: type[Exception] = ValueError) -> int:
    """An envelope in euros (an int, a Decimal, text, or a float read as the decimal it
    prints as) in exact cents; ``error`` naming ``what`` for anything else, an amount finer
    than a cent or a negative one."""
    if isinstance(amount, bool):
        raise error(f"{what}: give euros, not {amount!r}")
    try:
        number = Decimal(repr(amount)) if isinstance(amount, float) else amount
        if not isinstance(number, Decimal | int | str):
            raise ValueError(f"{shown(amount)} is not an amount in euros")
        cents = euros_to_cents(number)
    except (ValueError, ArithmeticError) as exc:
        raise error(f"{what}: {exc}") from None
    if cents < 0:
        raise error(f"{what}: {shown(amount)} € is negative")
    return cents
