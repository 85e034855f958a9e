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

from secpa_model.analysis.outputs import structure_years
from secpa_model.analysis.scenarios import Scenario, as_parameters
from secpa_model.analysis.views import budget_html
from secpa_model.core.errors import InputError
from secpa_model.core.money import CENT, cents_to_euros, euros_to_cents, exact_sum
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
from secpa_model.models import resolve_model

Frequency = Literal["month", "quarter", "year"]
"""The steps of a projection's timeline: calendar months, quarters or years."""
FREQUENCIES: Final[tuple[str, ...]] = tuple(STEP_MONTHS)
"""The frequencies :func:`project_budget` takes."""
MAX_STEPS: Final = 1_200
"""The most rows a projection computes, per table (calendar years, and steps of the
timeline): 100 years of months. Each is an allocation of the whole portfolio, so a table of
a year 1 and a year 9999 is refused by name rather than computed for hours."""


def _amount_columns(model: Model | str | None) -> tuple[str, ...]:
    """The columns a projection's tables share: dates, presence, lines and total."""
    return (
        "start",
        "end",
        "structures_participating",
        "structure_years",
        *(f"{key}_cents" for key in resolve_model(model).line_keys),
        "total_cents",
        "total_eur",
    )


def budget_columns(model: Model | str | None = None) -> tuple[str, ...]:
    """The columns of a projection's ``by_year`` and ``by_period`` tables for ``model`` (its
    lines in cents)."""
    return ("label", *_amount_columns(model), "per_structure_year_eur")


def timeline_columns(model: Model | str | None = None) -> tuple[str, ...]:
    """The columns of a projection's ``timeline`` for ``model``."""
    envelope = ("envelope_eur", "consumed_pct", "remaining_eur", "within_envelope")
    return (
        "period",
        "label",
        *_amount_columns(model),
        "cumulative_cents",
        "cumulative_eur",
        *envelope,
    )


class BudgetProjection(NamedTuple):
    """What :func:`project_budget` returns (docs/scenarios.md, section 4).

    ``by_year`` (a row per calendar year) and ``by_period`` (a row per given period, with
    ``envelope_eur``, ``gap_eur`` = envelope − total, ``gap_pct`` and ``within_envelope``)
    have :func:`budget_columns`; ``timeline`` cuts each period into months, quarters or
    years (:func:`timeline_columns`), each step the difference of two cumulative amounts so
    that the steps add up exactly to the period's total. ``parameters`` and ``model`` are
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
    by_year = pd.DataFrame(
        [budget.row(str(piece.start.year), piece) for piece in split_period(span)],
        columns=list(budget_columns(resolved)),
    )
    by_period = pd.DataFrame(
        [budget.row(label, period) for label, period in labelled.items()],
        columns=list(budget_columns(resolved)),
    )
    by_period = _with_envelopes(by_period, envelopes)
    timeline = pd.DataFrame(
        [
            step
            for label, period in labelled.items()
            for step in budget.steps(label, period, steps[label], envelopes.get(label))
        ],
        columns=list(timeline_columns(resolved)),
    )
    for name in ("envelope_eur", "remaining_eur", "within_envelope"):  # as in by_period
        timeline[name] = timeline[name].astype(object)
    for table in (by_year, by_period, timeline):  # what the charts draw without model=
        table.attrs["model"] = resolved.name
    return BudgetProjection(by_year, by_period, params, resolved, timeline, problems)


class _Budget:
    """A portfolio and the parameters it is projected with."""

    def __init__(self, portfolio: Portfolio, params: Parameters) -> None:
        self.portfolio = portfolio
        self.model = portfolio.model
        self.params = params

    def lines(self, period: Period) -> list[int]:
        """The portfolio's total per line over ``period`` (cents), then the total."""
        result = self.portfolio.allocate_lines(period, self.params)
        keys = [f"{key}_cents" for key in self.model.line_keys]
        return [exact_sum(result[column]) for column in [*keys, "total_cents"]]

    def presence(self, period: Period) -> tuple[int, float]:
        """The structures paid for at least one day of ``period`` (distinct ids) and the
        structure-years (each row's days in ``period`` over its year's days, summed)."""
        days = structure_years(self.portfolio, period)
        starts, ends, _ = self.portfolio.windows(period)
        present = overlap_days(period, starts, ends) > 0
        structures = int(self.portfolio.ids[present].nunique()) if present.any() else 0
        return structures, float(days.sum())

    def row(self, label: str, period: Period) -> dict[str, Any]:
        """A row of ``by_year`` or ``by_period``."""
        amounts = self.lines(period)
        return {"label": label, **self._amounts(period, amounts)}

    def steps(
        self, label: str, period: Period, steps: list[tuple[str, Period]], envelope: int | None
    ) -> list[dict[str, Any]]:
        """The rows of the timeline of ``period``: each step's amounts as the difference of
        the cumulative amounts at its end and at the previous step's end."""
        found = []
        before = [0] * (len(self.model.line_keys) + 1)
        for step_label, step in steps:
            cumulative = self.lines(Period(period.start, step.end))
            amounts = [now - then for now, then in zip(cumulative, before, strict=True)]
            before = cumulative
            total = cumulative[-1]
            row = {"period": label, "label": step_label, **self._amounts(step, amounts)}
            del row["per_structure_year_eur"]
            row["cumulative_cents"] = total
            row["cumulative_eur"] = cents_to_euros(total)
            row.update(_consumption(total, envelope))
            found.append(row)
        return found

    def _amounts(self, period: Period, amounts: list[int]) -> dict[str, Any]:
        structures, structure_years = self.presence(period)
        total = amounts[-1]
        exact = cents_to_euros(total) / Decimal(repr(structure_years)) if structure_years else None
        per_year = None if exact is None else exact.quantize(CENT, CENT_HALF_UP.decimal_mode)
        keys = [f"{key}_cents" for key in self.model.line_keys]
        return {
            "start": period.start,
            "end": period.end,
            "structures_participating": structures,
            "structure_years": structure_years,
            **dict(zip([*keys, "total_cents"], amounts, strict=True)),
            "total_eur": cents_to_euros(total),
            "per_structure_year_eur": per_year,
        }


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
    if isinstance(amount, bool | float):
        raise ValueError(f"envelope of {label}: give euros as int, Decimal or str, not {amount!r}")
    cents = euros_to_cents(amount)
    if cents < 0:
        raise ValueError(f"envelope of {label} is negative: {amount!r}")
    return cents


def _with_envelopes(by_period: pd.DataFrame, envelopes: dict[str, int]) -> pd.DataFrame:
    out = by_period.copy()
    envelope_eur: list[Decimal | None] = []
    gap_eur: list[Decimal | None] = []
    gap_pct: list[float] = []
    within: list[bool | None] = []
    for label, total in zip(out["label"], out["total_cents"], strict=True):
        cents = envelopes.get(label)
        if cents is None:
            envelope_eur.append(None)
            gap_eur.append(None)
            gap_pct.append(float("nan"))
            within.append(None)
            continue
        envelope_eur.append(cents_to_euros(cents))
        gap_eur.append(cents_to_euros(cents - int(total)))
        gap_pct.append(100.0 * (cents - int(total)) / cents if cents else float("nan"))
        within.append(int(total) <= cents)
    out["envelope_eur"] = pd.Series(envelope_eur, index=out.index, dtype=object)
    out["gap_eur"] = pd.Series(gap_eur, index=out.index, dtype=object)
    out["gap_pct"] = gap_pct
    out["within_envelope"] = pd.Series(within, index=out.index, dtype=object)
    return out
