"""Budget projections: a portfolio's totals per calendar year, per period and per month
or quarter, with the cumulative consumption of an envelope (enveloppe budgétaire).

Entry and exit dates are respected (the experimentation's waves): each structure is paid
only on its days of participation, by the one engine (:func:`secpa_model.allocate_frame`).
A portfolio is one row per structure, or a structure-year table (a ``year`` column): a row
for year Y then counts on the days of Y only, with that year's figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Final, Literal, NamedTuple

import pandas as pd

from secpa_model.analysis.outputs import envelope_cents, structure_years
from secpa_model.analysis.scenarios import Scenario, as_parameters
from secpa_model.analysis.views import budget_html
from secpa_model.core.errors import InputError
from secpa_model.core.money import CENT, cents_to_euros, exact_sum
from secpa_model.core.periods import (
    STEP_MONTHS,
    Period,
    PeriodLike,
    calendar_steps,
    overlap_days,
    split_period,
)
from secpa_model.core.rounding import CENT_HALF_UP
from secpa_model.io.portfolio import Portfolio, as_portfolio
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters
from secpa_model.model.structure import StructureBase

Frequency = Literal["month", "quarter", "year"]
"""The steps of a projection's timeline: calendar months, quarters or years."""
FREQUENCIES: Final[tuple[str, ...]] = tuple(STEP_MONTHS)
"""The frequencies :func:`project_budget` takes."""
MAX_STEPS: Final = 1_200
"""The most rows a projection computes, per table (calendar years, and steps of the
timeline): 100 years of months. Each is an allocation of the whole portfolio, so a table of
a year 1 and a year 9999 is refused by name rather than computed for hours."""


class BudgetProjection(NamedTuple):
    """What :func:`project_budget` returns (docs/scenarios.md, section 4).

    ``by_year`` (a row per calendar year) and ``by_period`` (a row per given period, with
    ``envelope_eur``, ``gap_eur`` = envelope − total, ``gap_pct`` and ``within_envelope``)
    have ``label``, ``start``, ``end``, ``structures_participating``, ``structure_years``,
    the lines and total in cents, ``total_eur`` and ``per_structure_year_eur``; ``timeline``
    cuts each period into months, quarters or years (the same columns after ``period``,
    without the mean per structure-year, then ``cumulative_cents``, ``cumulative_eur`` and
    the envelope's ``envelope_eur``, ``consumed_pct``, ``remaining_eur``,
    ``within_envelope``), each step the difference of two cumulative amounts so that the
    steps add up exactly to the period's total. ``parameters`` and ``model`` are
    those used; ``errors`` the invalid rows left out by a portfolio's ``valid()``.
    """

    by_year: pd.DataFrame
    by_period: pd.DataFrame
    parameters: Parameters
    model: Model
    timeline: pd.DataFrame
    errors: pd.DataFrame

    def _repr_html_(self) -> str:
        return budget_html(self)


def project_budget(
    structures: Portfolio | pd.DataFrame | Sequence[StructureBase],
    periods: PeriodLike | Sequence[PeriodLike] | Mapping[str, PeriodLike] | None,
    parameters: Parameters | Scenario | None = None,
    envelope: Decimal | int | str | Mapping[str, Decimal | int | str] | None = None,
    *,
    freq: Frequency = "month",
) -> BudgetProjection:
    """Project the budget of ``structures`` over ``periods`` (one, a list, a mapping
    ``label -> period``, or None: a structure-year table's years), per calendar year, per
    period and per ``freq`` step, against ``envelope`` (euros: one amount, or a mapping
    ``label -> euros``); docs/scenarios.md, section 4."""
    if freq not in FREQUENCIES:
        raise ValueError(f"freq must be one of {', '.join(FREQUENCIES)}, got {freq!r}")
    checked = as_portfolio(_as_frame(structures)).check()
    resolved = checked.model
    params = as_parameters(parameters, resolved)
    problems = checked.problems
    labelled = _labelled(periods, checked)
    envelopes = _envelopes(envelope, labelled)
    budget = _Budget(checked, params)

    span = Period(min(p.start for p in labelled.values()), max(p.end for p in labelled.values()))
    steps = {label: calendar_steps(period, freq) for label, period in labelled.items()}
    _check_size(span, sum(len(found) for found in steps.values()), freq)
    by_year = pd.DataFrame([budget.row(str(p.start.year), p) for p in split_period(span)])
    rows = [budget.row(label, period) for label, period in labelled.items()]
    by_period = pd.DataFrame(
        [{**r, **_gap(r["total_cents"], envelopes.get(r["label"]))} for r in rows]
    )
    timeline = pd.DataFrame(
        [
            step
            for label, period in labelled.items()
            for step in budget.steps(label, period, steps[label], envelopes.get(label))
        ]
    )
    for table in (by_period, timeline):  # None where no envelope: object, as given
        for name in ("envelope_eur", "remaining_eur", "gap_eur", "within_envelope"):
            if name in table:
                table[name] = table[name].astype(object)
    for table in (by_year, by_period, timeline):  # what the charts draw without model=
        table.attrs["model"] = resolved.name
    return BudgetProjection(by_year, by_period, params, resolved, timeline, problems)


class _Budget:
    """A portfolio and the parameters it is projected with."""

    def __init__(self, portfolio: Portfolio, params: Parameters) -> None:
        self.portfolio, self.params = portfolio, params
        self.columns = [*(f"{key}_cents" for key in portfolio.model.line_keys), "total_cents"]

    def lines(self, period: Period) -> list[int]:
        """The portfolio's total per line over ``period`` (cents), then the total."""
        result = self.portfolio.allocate_lines(period, self.params)
        return [exact_sum(result[column]) for column in self.columns]

    def row(self, label: str, period: Period, amounts: list[int] | None = None) -> dict[str, Any]:
        """A row of ``by_year`` or ``by_period`` (``amounts``: the lines and total, default
        those over ``period``): dates, presence, amounts and the mean per structure-year."""
        amounts = self.lines(period) if amounts is None else amounts
        years = float(structure_years(self.portfolio, period).sum())
        starts, ends, _ = self.portfolio.windows(period)
        present = overlap_days(period, starts, ends) > 0
        total = amounts[-1]
        exact = cents_to_euros(total) / Decimal(repr(years)) if years else None
        return {
            "label": label,
            "start": period.start,
            "end": period.end,
            "structures_participating": int(self.portfolio.ids[present].nunique()),
            "structure_years": years,
            **dict(zip(self.columns, amounts, strict=True)),
            "total_eur": cents_to_euros(total),
            "per_structure_year_eur": None
            if exact is None
            else exact.quantize(CENT, CENT_HALF_UP.decimal_mode),
        }

    def steps(
        self, label: str, period: Period, steps: list[tuple[str, Period]], envelope: int | None
    ) -> list[dict[str, Any]]:
        """The rows of the timeline of ``period``: each step's amounts as the difference of
        the cumulative amounts at its end and at the previous step's end."""
        found = []
        before = [0] * len(self.columns)
        for step_label, step in steps:
            cumulative = self.lines(Period(period.start, step.end))
            amounts = [now - then for now, then in zip(cumulative, before, strict=True)]
            before, total = cumulative, cumulative[-1]
            row = self.row(step_label, step, amounts)
            del row["per_structure_year_eur"]
            found.append(
                {
                    "period": label,
                    **row,
                    "cumulative_cents": total,
                    "cumulative_eur": cents_to_euros(total),
                    **_consumption(total, envelope),
                }
            )
        return found


def _check_size(span: Period, steps: int, freq: str) -> None:
    """An :class:`InputError` when a table would have more than :data:`MAX_STEPS` rows."""
    years = span.end.year - span.start.year + 1
    if years > MAX_STEPS or steps > MAX_STEPS:
        raise InputError(
            f"a projection over {span} would compute {years} calendar years and {steps} "
            f"steps ({freq}s); at most {MAX_STEPS} each: give shorter periods, or a coarser "
            "freq (check the years of the table)"
        )


def _consumption(cumulative: int, envelope: int | None) -> dict[str, Any]:
    """The envelope columns of a timeline row: envelope, percent consumed, remaining."""
    if envelope is None:
        return {
            "envelope_eur": None,
            "consumed_pct": float("nan"),
            "remaining_eur": None,
            "within_envelope": None,
        }
    return {
        "envelope_eur": cents_to_euros(envelope),
        "consumed_pct": 100.0 * cumulative / envelope if envelope else float("nan"),
        "remaining_eur": cents_to_euros(envelope - cumulative),
        "within_envelope": cumulative <= envelope,
    }


def _as_frame(
    structures: Portfolio | pd.DataFrame | Sequence[StructureBase],
) -> Portfolio | pd.DataFrame:
    if isinstance(structures, Portfolio | pd.DataFrame):
        return structures
    listed = list(structures)
    if not all(isinstance(s, StructureBase) for s in listed):
        raise InputError("structures must be a Portfolio, a DataFrame or a list of Structure")
    return pd.DataFrame([s.inputs() for s in listed])


def _labelled(
    periods: PeriodLike | Sequence[PeriodLike] | Mapping[str, PeriodLike] | None,
    portfolio: Portfolio,
) -> dict[str, Period]:
    if periods is None:
        years = portfolio.years
        if years is None:
            raise InputError("give the periods to project (or a 'year' column: its years)")
        if len(years) == 0:
            raise InputError("no valid row to take the years from: give the periods")
        span = Period(date(int(years.min()), 1, 1), date(int(years.max()), 12, 31))
        return {str(span): span}
    if isinstance(periods, Mapping):
        items: Iterable[tuple[str, PeriodLike]] = periods.items()
    elif isinstance(periods, Period | int | str):
        items = [(str(Period.parse(periods)), periods)]
    else:
        items = [(str(Period.parse(p)), p) for p in periods]
    labelled = {str(label): Period.parse(p) for label, p in items}
    if not labelled:
        raise ValueError("project_budget needs at least one period")
    return labelled


def _envelopes(
    envelope: Decimal | int | str | Mapping[str, Decimal | int | str] | None,
    labelled: dict[str, Period],
) -> dict[str, int]:
    if envelope is None:
        return {}
    if isinstance(envelope, Mapping):
        unknown = sorted(set(envelope) - set(labelled))
        if unknown:
            raise ValueError(
                f"envelopes given for unknown periods: {', '.join(unknown)} "
                f"(periods: {', '.join(labelled)})"
            )
        return {label: _cents(amount, label) for label, amount in envelope.items()}
    if len(labelled) != 1:
        raise ValueError("one envelope amount needs exactly one period; map labels to amounts")
    return {next(iter(labelled)): _cents(envelope, "envelope")}


def _cents(amount: Any, label: str) -> int:
    if isinstance(amount, float):
        raise ValueError(f"envelope of {label}: give euros as int, Decimal or str, not {amount!r}")
    return envelope_cents(amount, f"envelope of {label}")


def _gap(total: int, envelope: int | None) -> dict[str, Any]:
    """The envelope columns of a ``by_period`` row: envelope, gap (envelope − total) in
    euros and percent, and whether the total is within it."""
    if envelope is None:
        return {
            "envelope_eur": None,
            "gap_eur": None,
            "gap_pct": float("nan"),
            "within_envelope": None,
        }
    return {
        "envelope_eur": cents_to_euros(envelope),
        "gap_eur": cents_to_euros(envelope - total),
        "gap_pct": 100.0 * (envelope - total) / envelope if envelope else float("nan"),
        "within_envelope": total <= envelope,
    }
