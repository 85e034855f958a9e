"""How the results of an analysis show in a notebook: HTML tables (``_repr_html_``) drawn
by :func:`~secpa_model.core.html.html_table` from the results' frames, amounts in euros,
the assumptions of each parameter set and the note of each model (a proposal says so)
below the table.

The tables summarise (per scenario, per model, per period); the whole results stay in the
objects' DataFrames.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import pandas as pd

from secpa_model.core.html import euros_of_cents, html_table
from secpa_model.core.money import exact_sum
from secpa_model.core.periods import Period
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters


# What each view reads of the result it shows: the results' modules import the views for
# their ``_repr_html_``, so the views name no result class (data flows one way).
class _ComparedView(Protocol):
    """What the views read of a comparison of scenarios or of models."""

    @property
    def summary(self) -> pd.DataFrame: ...
    @property
    def errors(self) -> pd.DataFrame: ...
    @property
    def parameters(self) -> Mapping[str, Parameters]: ...
    @property
    def period(self) -> Period | None: ...


class ComparisonView(_ComparedView, Protocol):
    """What :func:`comparison_html` reads of a :class:`~secpa_model.Comparison`."""

    @property
    def model(self) -> Model: ...


class ModelComparisonView(_ComparedView, Protocol):
    """What :func:`model_comparison_html` reads of a :class:`~secpa_model.ModelComparison`."""

    @property
    def lines(self) -> pd.DataFrame: ...
    @property
    def models(self) -> Mapping[str, Model]: ...


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
_CHANGES = ("Difference %", "Eligible", "Changed")
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


def _percent(value: Any) -> str:
    number = float(value)
    return "-" if math.isnan(number) else f"{number:+.{_PERCENT_PLACES}f} %"


def _period_text(span: Period | None) -> str:
    return f"over {span}" if span is not None else "over each row's year"


def _cents(model: Model) -> list[str]:
    return [f"{key}_cents" for key in model.line_keys]


def comparison_html(comparison: ComparisonView) -> str:
    """A :class:`~secpa_model.Comparison` as an HTML table: one row per scenario (baseline
    first), its portfolio total per line and in all, the difference to the baseline, the
    eligible and changed structures; the assumptions below."""
    model = comparison.model
    euros = [*_cents(model), "total_cents", "difference_cents"]
    notes = [f"Portfolio totals per scenario ({model.name}); differences are to the first row."]
    notes += [model.note] if model.note else []
    return html_table(
        comparison.summary[
            ["scenario", *euros, "difference_pct", "eligible_structures", "structures_changed"]
        ],
        ["Scenario", *line_labels(model, model.line_keys), "Total", "Difference", *_CHANGES],
        caption=f"Comparison {_period_text(comparison.period)}",
        formats={**dict.fromkeys(euros, euros_of_cents), "difference_pct": _percent},
        notes=notes + _left_out(comparison),
        assumption_notes=assumption_notes(comparison.parameters, comparison.period),
    )


def _left_out(comparison: _ComparedView) -> list[str]:
    """A note of the problems of the invalid rows left out, when there are some."""
    problems = len(comparison.errors)
    return [f"{problems} problems in invalid rows left out (see .errors)."] if problems else []


def model_comparison_html(comparison: ModelComparisonView) -> str:
    """A :class:`~secpa_model.ModelComparison` as HTML: one row per model (the baseline
    first) with its total, difference, eligible structures and who gains or loses; then
    each model's lines summed over the portfolio; each model's note (a proposal says so)
    and the assumptions below."""
    models = list(comparison.models.values())
    notes = [f"{model.name}: {model.note}" for model in models if model.note]
    summary = html_table(
        comparison.summary[
            [
                "model",
                "total_cents",
                "difference_cents",
                "difference_pct",
                "eligible_structures",
                "gains",
                "loses",
                "unchanged",
            ]
        ],
        ["Model", "Total", "Difference", "Difference %", "Eligible", "Gain", "Lose", "Unchanged"],
        caption=f"Models compared {_period_text(comparison.period)} (differences to the first row)",
        formats={"total_cents": euros_of_cents, "difference_cents": euros_of_cents}
        | {"difference_pct": _percent},
        notes=notes + _left_out(comparison),
        assumption_notes=assumption_notes(comparison.parameters, comparison.period),
    )
    lines = comparison.lines
    totals = [
        (model.name, label, exact_sum(lines.loc[in_model & (lines["line"] == key), "amount_cents"]))
        for model in models
        for in_model in [lines["model"] == model.name]
        for key, label in zip(model.line_keys, line_labels(model, model.line_keys), strict=True)
    ]
    by_line = html_table(
        pd.DataFrame(totals, columns=["Model", "Line", "Portfolio total"]),
        caption="Each model's lines, summed over the portfolio",
        formats={"Portfolio total": euros_of_cents},
    )
    return summary + by_line


def _budget_table(table: pd.DataFrame, model: Model, envelope: bool) -> pd.DataFrame:
    shown = table.assign(dates=table["start"].astype(str) + " to " + table["end"].astype(str))
    columns = ["label", "dates", "structures_participating", "structure_years", "total_cents"]
    if envelope:
        shown["kept"] = shown["within_envelope"].map({True: "within", False: "OVERRUN"})
        columns += ["envelope_eur", "gap_eur", "kept"]
    return shown[columns + _cents(model)]


def budget_html(projection: BudgetView) -> str:
    """A :class:`~secpa_model.BudgetProjection` as HTML: the given periods against their
    envelopes (gap = envelope − total), then the calendar years, then the steps with the
    cumulative consumption of the envelope (at most :data:`MAX_STEPS_SHOWN`); the lines and
    totals in euros; the model's note and the assumptions below."""
    model = projection.model
    labels = line_labels(model, model.line_keys)
    head = ["Period", "Dates", "Structures", "Structure-years", "Total"]
    formats = dict.fromkeys(["total_cents", *_cents(model)], euros_of_cents)
    formats["structure_years"] = "{:.2f}".format
    starts = [*projection.by_year["start"], *projection.by_period["start"]]
    ends = [*projection.by_year["end"], *projection.by_period["end"]]
    span = Period(min(starts), max(ends)) if starts else None
    notes = [f"Model {model.name}, parameters {projection.parameters.name}."]
    if model.note:
        notes.append(model.note)
    by_period = html_table(
        _budget_table(projection.by_period, model, envelope=True),
        [*head, "Envelope", "Gap", "Envelope kept", *labels],
        caption="Budget per period, against the envelope (gap = envelope − total)",
        formats=formats,
        nowrap=["dates"],
        notes=notes,
        assumption_notes=assumption_notes(
            {projection.parameters.name: projection.parameters}, span
        ),
    )
    by_year = html_table(
        _budget_table(projection.by_year, model, envelope=False),
        [*head, *labels],
        caption="Budget per calendar year",
        formats=formats,
        nowrap=["dates"],
    )
    steps = html_table(
        projection.timeline[
            [
                "period",
                "label",
                "structures_participating",
                "total_eur",
                "cumulative_eur",
                "consumed_pct",
                "remaining_eur",
            ]
        ],
        ["Period", "Step", "Structures", "Total", "Cumulative", "Consumed", "Remaining"],
        caption="Per step: the cumulative consumption of the envelope",
        formats={"consumed_pct": lambda pct: "" if pd.isna(pct) else f"{pct:.1f} %"},
        max_rows=MAX_STEPS_SHOWN,
    )
    return by_period + by_year + steps
