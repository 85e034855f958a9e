"""How the results of an analysis show in a notebook: HTML tables (``_repr_html_``) built
with :func:`~secpa_model.core.html.html_table`, amounts in euros, the assumptions of each
parameter set and the note of each model (a proposal says so) below the table.

The tables summarise (per scenario, per model, per period); the whole results stay in the
objects' DataFrames.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

import numpy as np
import pandas as pd

from secpa_model.core.html import Cell, CellLike, html_table
from secpa_model.core.money import cents_to_euros, exact_sum
from secpa_model.core.periods import Period
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters


# What each view reads of the result it shows: the results' modules import the views for
# their ``_repr_html_``, so the views name no result class (data flows one way).
class ComparisonView(Protocol):
    """What :func:`comparison_html` reads of a :class:`~secpa_model.Comparison`."""

    @property
    def summary(self) -> pd.DataFrame: ...
    @property
    def errors(self) -> pd.DataFrame: ...
    @property
    def parameters(self) -> Mapping[str, Parameters]: ...
    @property
    def model(self) -> Model: ...
    @property
    def period(self) -> Period | None: ...


class ModelComparisonView(Protocol):
    """What :func:`model_comparison_html` reads of a :class:`~secpa_model.ModelComparison`."""

    @property
    def summary(self) -> pd.DataFrame: ...
    @property
    def lines(self) -> pd.DataFrame: ...
    @property
    def errors(self) -> pd.DataFrame: ...
    @property
    def parameters(self) -> Mapping[str, Parameters]: ...
    @property
    def models(self) -> Mapping[str, Model]: ...
    @property
    def period(self) -> Period | None: ...


class BudgetView(Protocol):
    """What :func:`budget_html` reads of a :class:`~secpa_model.BudgetProjection`."""

    @property
    def by_year(self) -> pd.DataFrame: ...
    @property
    def by_period(self) -> pd.DataFrame: ...
    @property
    def timeline(self) -> pd.DataFrame: ...
    @property
    def parameters(self) -> Parameters: ...
    @property
    def model(self) -> Model: ...


__all__ = [
    "assumption_notes",
    "budget_html",
    "comparison_html",
    "line_labels",
    "model_comparison_html",
]

_PERCENT_PLACES = 2
MAX_STEPS_SHOWN = 60
"""The steps of a budget's timeline a notebook shows (five years of months); the
projection's ``timeline`` holds them all."""


def line_labels(model: Model, keys: Sequence[str]) -> list[str]:
    """The people's names of the lines ``keys`` of ``model``."""
    labels = {rule.key: rule.label for rule in model.rules}
    return [labels.get(key, key) for key in keys]


def assumption_notes(parameters: Mapping[str, Parameters], span: Period | None) -> list[str]:
    """One sentence per distinct list of assumed values in force over ``span``, naming the
    parameter sets (by label) that rest on it; none when no value is an assumption."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for label, params in parameters.items():
        paths = tuple(params.assumed_paths(span))
        if paths:
            groups.setdefault(paths, []).append(label)
    return [
        f"ASSUMPTIONS (not published values) in the parameters of {', '.join(labels)}: "
        + ", ".join(paths)
        for paths, labels in groups.items()
    ]


def _euros(cents: Any) -> Decimal:
    return cents_to_euros(int(cents))


def _percent(value: Any) -> str:
    number = float(value)
    return "-" if np.isnan(number) else f"{number:+.{_PERCENT_PLACES}f} %"


def _period_text(span: Period | None) -> str:
    return f"over {span}" if span is not None else "over each row's year"


def comparison_html(comparison: ComparisonView) -> str:
    """A :class:`~secpa_model.Comparison` as an HTML table: one row per scenario (baseline
    first), its portfolio total per line and in all, the difference to the baseline, the
    eligible and changed structures; the assumptions below."""
    model = comparison.model
    keys = model.line_keys
    rows: list[list[CellLike]] = [
        [
            str(record["scenario"]),
            *(_euros(record[f"{key}_cents"]) for key in keys),
            _euros(record["total_cents"]),
            _euros(record["difference_cents"]),
            _percent(record["difference_pct"]),
            int(record["eligible_structures"]),
            int(record["structures_changed"]),
        ]
        for record in comparison.summary.to_dict("records")
    ]
    notes = [f"Portfolio totals per scenario ({model.name}); differences are to the first row."]
    if model.note:
        notes.append(model.note)
    if len(comparison.errors):
        notes.append(f"{len(comparison.errors)} problems in invalid rows left out (see .errors).")
    return html_table(
        [
            "Scenario",
            *line_labels(model, keys),
            "Total",
            "Difference",
            "Difference %",
            "Eligible",
            "Changed",
        ],
        rows,
        caption=f"Comparison {_period_text(comparison.period)}",
        notes=notes,
        assumption_notes=assumption_notes(comparison.parameters, comparison.period),
    )


def _line_totals(lines: pd.DataFrame, model: Model) -> list[list[CellLike]]:
    own = lines[lines["model"] == model.name]
    return [
        [
            model.name,
            label,
            cents_to_euros(exact_sum(own.loc[own["line"] == key, "amount_cents"])),
        ]
        for key, label in zip(model.line_keys, line_labels(model, model.line_keys), strict=True)
    ]


def model_comparison_html(comparison: ModelComparisonView) -> str:
    """A :class:`~secpa_model.ModelComparison` as HTML: one row per model (the baseline
    first) with its total, difference, eligible structures and who gains or loses; then
    each model's lines summed over the portfolio; each model's note (a proposal says so)
    and the assumptions below."""
    rows: list[list[CellLike]] = [
        [
            str(record["model"]),
            _euros(record["total_cents"]),
            _euros(record["difference_cents"]),
            _percent(record["difference_pct"]),
            int(record["eligible_structures"]),
            int(record["gains"]),
            int(record["loses"]),
            int(record["unchanged"]),
        ]
        for record in comparison.summary.to_dict("records")
    ]
    models = list(comparison.models.values())
    notes = [f"{model.name}: {model.note}" for model in models if model.note]
    if len(comparison.errors):
        notes.append(f"{len(comparison.errors)} problems in invalid rows left out (see .errors).")
    summary = html_table(
        ["Model", "Total", "Difference", "Difference %", "Eligible", "Gain", "Lose", "Unchanged"],
        rows,
        caption=f"Models compared {_period_text(comparison.period)} (differences to the first row)",
        notes=notes,
        assumption_notes=assumption_notes(comparison.parameters, comparison.period),
    )
    by_line = html_table(
        ["Model", "Line", "Portfolio total"],
        [row for model in models for row in _line_totals(comparison.lines, model)],
        caption="Each model's lines, summed over the portfolio",
    )
    return summary + by_line


def _budget_rows(table: pd.DataFrame, model: Model, envelope: bool) -> list[list[CellLike]]:
    rows: list[list[CellLike]] = []
    for record in table.to_dict("records"):
        row: list[CellLike] = [
            str(record["label"]),
            Cell(f"{record['start']} to {record['end']}", nowrap=True),
            int(record["structures_participating"]),
            Cell(f"{float(record['structure_years']):.2f}", number=True),
            _euros(record["total_cents"]),
        ]
        if envelope:
            within = record["within_envelope"]
            row += [
                record["envelope_eur"],
                record["gap_eur"],
                None if within is None else ("within" if within else "OVERRUN"),
            ]
        row += [_euros(record[f"{key}_cents"]) for key in model.line_keys]
        rows.append(row)
    return rows


def budget_html(projection: BudgetView) -> str:
    """A :class:`~secpa_model.BudgetProjection` as HTML: the given periods against their
    envelopes (gap = envelope − total), then the calendar years, then the steps with the
    cumulative consumption of the envelope (at most :data:`MAX_STEPS_SHOWN`); the lines and
    totals in euros; the model's note and the assumptions below."""
    model = projection.model
    labels = line_labels(model, model.line_keys)
    head = ["Period", "Dates", "Structures", "Structure-years", "Total"]
    starts = [*projection.by_year["start"], *projection.by_period["start"]]
    ends = [*projection.by_year["end"], *projection.by_period["end"]]
    span = Period(min(starts), max(ends)) if starts else None
    notes = [f"Model {model.name}, parameters {projection.parameters.name}."]
    if model.note:
        notes.append(model.note)
    by_period = html_table(
        [*head, "Envelope", "Gap", "Envelope kept", *labels],
        _budget_rows(projection.by_period, model, envelope=True),
        caption="Budget per period, against the envelope (gap = envelope − total)",
        notes=notes,
        assumption_notes=assumption_notes(
            {projection.parameters.name: projection.parameters}, span
        ),
    )
    by_year = html_table(
        [*head, *labels],
        _budget_rows(projection.by_year, model, envelope=False),
        caption="Budget per calendar year",
    )
    steps = html_table(
        ["Period", "Step", "Structures", "Total", "Cumulative", "Consumed", "Remaining"],
        [
            [
                str(record["period"]),
                str(record["label"]),
                int(record["structures_participating"]),
                record["total_eur"],
                record["cumulative_eur"],
                Cell("" if pd.isna(pct) else f"{pct:.1f} %", number=True),
                record["remaining_eur"],
            ]
            for record in projection.timeline.to_dict("records")
            for pct in [record["consumed_pct"]]
        ],
        caption="Per step: the cumulative consumption of the envelope",
        max_rows=MAX_STEPS_SHOWN,
    )
    return by_period + by_year + steps
