"""Budget projections: a portfolio's totals per calendar year and per period, against an
envelope (enveloppe budgétaire).

Entry and exit dates are respected (the experimentation's waves): each structure is paid
only on its days of participation, by the one engine (:func:`secpa_model.allocate_frame`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

import pandas as pd

from secpa_model.analysis.outputs import structure_years
from secpa_model.analysis.scenarios import Scenario, as_parameters
from secpa_model.analysis.views import budget_html
from secpa_model.core.errors import InputError
from secpa_model.core.money import CENT, cents_to_euros, euros_to_cents, exact_sum
from secpa_model.core.periods import Period, PeriodLike, overlap_days, split_period
from secpa_model.engine.compute import windows
from secpa_model.io.frames import YEAR_COLUMN, allocate_frame
from secpa_model.io.validation import problems_error, validate_frame
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters
from secpa_model.model.structure import Columns, StructureBase
from secpa_model.models import resolve_model


def budget_columns(model: Model | str | None = None) -> tuple[str, ...]:
    """The columns of a projection's tables for ``model`` (its lines in cents)."""
    return (
        "label",
        "start",
        "end",
        "structures_participating",
        "structure_years",
        *(f"{key}_cents" for key in resolve_model(model).line_keys),
        "total_cents",
        "total_eur",
        "per_structure_year_eur",
    )


class BudgetProjection(NamedTuple):
    """What :func:`project_budget` returns.

    ``by_year``: one row per calendar year from the earliest period start to the latest
    period end (the first and last years clipped to them), ``label`` being the year.
    ``by_period``: one row per given period, plus ``envelope_eur``, ``gap_eur``
    (envelope − total: positive is headroom, negative an overrun), ``gap_pct`` (of the
    envelope) and ``within_envelope`` when an envelope is given for it (else empty).

    Both have :func:`budget_columns`: the dates, ``structures_participating`` (at least one
    day in the span), ``structure_years`` (participation days over the days of their
    years, summed), the lines and total in int64 cents, the total in Decimal euros, and the
    total per structure-year (Decimal euros, rounded half up to the cent; for reading only).
    ``parameters`` is the parameter set used, ``model`` the model computed.

    In a notebook it shows as tables in euros, with the envelopes and the assumptions
    (:func:`~secpa_model.analysis.views.budget_html`).
    """

    by_year: pd.DataFrame
    by_period: pd.DataFrame
    parameters: Parameters
    model: Model

    def _repr_html_(self) -> str:
        return budget_html(self)


def project_budget(
    portfolio: pd.DataFrame | Sequence[StructureBase],
    periods: PeriodLike | Sequence[PeriodLike] | Mapping[str, PeriodLike],
    parameters: Parameters | Scenario | None = None,
    envelope: Decimal | int | str | Mapping[str, Decimal | int | str] | None = None,
    *,
    model: Model | str | None = None,
    allow_duplicates: bool = False,
) -> BudgetProjection:
    """Project the budget of ``portfolio`` (one row per structure, with entry and exit
    dates) over ``periods``, per calendar year and per period, against ``envelope``.

    ``periods``: one period, a list (labelled by ``str(period)``), or a mapping
    ``label -> period``. ``envelope``: euros, either one amount (only with one period) or a
    mapping ``label -> euros`` (periods without an envelope get empty gap columns).
    ``parameters``: a Parameters or a :class:`~secpa_model.Scenario` of ``model``
    (default: its reference values); ``model``: default the experimentation.

    An invalid portfolio raises :class:`~secpa_model.InputError` (as
    :func:`allocate_frame` does): a budget is never computed on part of the rows. Rows that
    repeat an id are invalid unless ``allow_duplicates``.
    """
    frame = _as_frame(portfolio)
    if YEAR_COLUMN in frame.columns:
        raise InputError(
            "project_budget takes one row per structure (with entry_date/exit_date); "
            f"drop the {YEAR_COLUMN!r} column"
        )
    labelled = _labelled(periods)
    envelopes = _envelopes(envelope, labelled)
    resolved = resolve_model(model)
    params = (
        as_parameters(parameters, resolved)
        if parameters is not None
        else resolved.reference_parameters()
    )
    validated = validate_frame(frame, resolved, allow_duplicates=allow_duplicates)
    if len(validated.problems):
        raise problems_error(validated.problems)
    columns = validated.columns

    span = Period(min(p.start for p in labelled.values()), max(p.end for p in labelled.values()))
    years = [(str(piece.start.year), piece) for piece in split_period(span)]
    rows = [*years, *labelled.items()]
    found = [
        _row(resolved, frame, columns, label, p, params, allow_duplicates) for label, p in rows
    ]
    by_year = pd.DataFrame(found[: len(years)])
    by_period = pd.DataFrame(found[len(years) :])
    by_period = _with_envelopes(by_period, envelopes)
    return BudgetProjection(by_year, by_period, params, resolved)


def _as_frame(portfolio: pd.DataFrame | Sequence[StructureBase]) -> pd.DataFrame:
    if isinstance(portfolio, pd.DataFrame):
        return portfolio
    structures = list(portfolio)
    if not all(isinstance(s, StructureBase) for s in structures):
        raise InputError("portfolio must be a DataFrame or a list of Structure")
    return pd.DataFrame([s.inputs() for s in structures])


def _labelled(
    periods: PeriodLike | Sequence[PeriodLike] | Mapping[str, PeriodLike],
) -> dict[str, Period]:
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


def _row(
    model: Model,
    frame: pd.DataFrame,
    columns: Columns,
    label: str,
    period: Period,
    params: Parameters,
    allow_duplicates: bool,
) -> dict[str, Any]:
    result = allocate_frame(frame, period, params, model=model, allow_duplicates=allow_duplicates)
    starts, ends = windows(model, columns, period)
    participation = float(structure_years(model, columns, period).sum())
    total = exact_sum(result["total_cents"])
    per_year = (
        (cents_to_euros(total) / Decimal(repr(participation))).quantize(CENT)
        if participation
        else None
    )
    return {
        "label": label,
        "start": period.start,
        "end": period.end,
        "structures_participating": int((overlap_days(period, starts, ends) > 0).sum()),
        "structure_years": participation,
        **{f"{key}_cents": exact_sum(result[f"{key}_cents"]) for key in model.line_keys},
        "total_cents": total,
        "total_eur": cents_to_euros(total),
        "per_structure_year_eur": per_year,
    }


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
