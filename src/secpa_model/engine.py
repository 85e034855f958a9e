"""The engine: composes eligibility and the four rules over columns, piece by piece.

Data flows one way: columns → pieces of the period (cut at 1 January and at every
parameter change) → per piece, the values in force, eligibility and the four rules →
proration by days → one rounding per line (:data:`secpa_model.money.ROUNDING_RULE`).

:func:`compute` is the only implementation; :func:`allocate` (one structure) and
:func:`secpa_model.allocate_frame` (many) both call it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from secpa_model.allocation import Allocation
from secpa_model.eligibility import NOT_PARTICIPATING, failed_conditions
from secpa_model.errors import CoverageError
from secpa_model.money import round_cents
from secpa_model.parameters import Parameters, ParameterSnapshot, load_parameters
from secpa_model.periods import Period, PeriodLike, days_in_year, overlap_days, split_period
from secpa_model.rules import LINE_KEYS, RULES, RuleResult
from secpa_model.structures import Structure, StructureColumns
from secpa_model.trace import build_allocation


@lru_cache(maxsize=1)
def reference_parameters() -> Parameters:
    """The shipped reference parameter set (loaded once)."""
    return load_parameters()


@dataclass(frozen=True)
class PieceResult:
    """One piece of the period: the values in force and each rule's annual amounts."""

    period: Period
    year_days: int
    active_days: NDArray[np.int64]
    failed: NDArray[np.int64]
    params: ParameterSnapshot
    rules: dict[str, RuleResult]


@dataclass(frozen=True)
class BatchResult:
    """The engine's output for many structures: cents per line, eligibility and reasons."""

    span: Period
    pieces: list[PieceResult]
    line_cents: dict[str, NDArray[np.int64]]
    eligible: NDArray[np.bool_]
    reason_mask: NDArray[np.int64]
    active_days: NDArray[np.int64]
    starts: NDArray[np.int64]
    ends: NDArray[np.int64]

    @property
    def total_cents(self) -> NDArray[np.int64]:
        """The exact sum of the rounded lines."""
        total = np.zeros_like(self.eligible, dtype=np.int64)
        for cents in self.line_cents.values():
            total = total + cents
        return total


def compute(
    columns: StructureColumns,
    starts: NDArray[np.int64],
    ends: NDArray[np.int64],
    span: Period,
    parameters: Parameters,
) -> BatchResult:
    """Allocate every structure over its own window ``[starts[i], ends[i]]`` (day ordinals,
    inclusive, already intersected with entry and exit dates), all inside ``span``.

    Raises :class:`~secpa_model.errors.CoverageError` when a structure participates on a
    day the parameters do not cover.
    """
    size = len(columns)
    # one row per line: the float64 cents accumulated over the pieces, rounded at the end
    accumulated = np.zeros((len(LINE_KEYS), size), dtype=np.float64)
    reason_mask = np.zeros(size, dtype=np.int64)
    eligible_days = np.zeros(size, dtype=np.int64)
    total_days = np.zeros(size, dtype=np.int64)
    pieces: list[PieceResult] = []

    for piece in split_period(span, parameters.change_dates()):
        active = overlap_days(piece, starts, ends)
        if not active.any():
            continue
        params = _snapshot(parameters, piece.start)
        failed = failed_conditions(columns, params)
        paid_days = np.where(failed == 0, active, 0)
        year_days = days_in_year(piece.start.year)
        results = {rule.KEY: rule.compute(columns, params) for rule in RULES}
        annual = np.stack([result.annual_cents for result in results.values()])
        # the piece's share of the annual amount: « au prorata des jours »
        accumulated += annual * paid_days / year_days
        reason_mask |= np.where(active > 0, failed, 0)
        eligible_days += paid_days
        total_days += active
        pieces.append(PieceResult(piece, year_days, active, failed, params, results))

    reason_mask |= np.where(total_days == 0, NOT_PARTICIPATING.bit, 0)
    rounded = round_cents(accumulated)  # once per line (element-wise: one call for all)
    return BatchResult(
        span=span,
        pieces=pieces,
        line_cents={key: rounded[line] for line, key in enumerate(LINE_KEYS)},
        eligible=eligible_days > 0,
        reason_mask=reason_mask,
        active_days=total_days,
        starts=starts,
        ends=ends,
    )


def windows(
    columns: StructureColumns, period: Period
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each structure's participation window inside ``period`` (day ordinals, inclusive)."""
    starts = np.maximum(columns.entry, period.start.toordinal())
    ends = np.minimum(columns.exit, period.end.toordinal())
    return starts, ends


# Snapshots already built, per parameter set (kept alive here, so its id is not reused) and
# day: a Parameters is frozen, so the values in force on a day never change. Bounded.
def _snapshot(parameters: Parameters, day: date) -> ParameterSnapshot:
    try:
        return parameters.at(day)
    except CoverageError as exc:
        raise CoverageError(
            f"{exc}. A structure participates on {day}: choose a period inside the "
            "parameters' coverage, or set the structure's entry_date."
        ) from exc


def allocate(
    structure: Structure, period: PeriodLike, parameters: Parameters | None = None
) -> Allocation:
    """The itemised, fungible allocation of one structure over ``period``.

    ``period`` is required: a year (``2022``) or a :class:`~secpa_model.Period` (inclusive).
    The one-structure path is a batch of one through :func:`compute`.
    """
    if not isinstance(structure, Structure):
        raise TypeError(f"allocate needs a Structure, got {type(structure).__name__}")
    span = Period.parse(period)
    params = parameters if parameters is not None else reference_parameters()
    columns = StructureColumns.from_structures([structure])
    starts, ends = windows(columns, span)
    batch = compute(columns, starts, ends, span, params)
    return build_allocation(structure, batch, 0, span, params.name)
