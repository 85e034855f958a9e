"""The engine: composes a model's eligibility and rules over columns, piece by piece.

Data flows one way: columns → pieces of the period (cut at 1 January, at every parameter
change and at every rule's new version) → per piece, the values in force, eligibility and
the rules, each given only what it declares → proration by days → one rounding per line
(each rule's :class:`~secpa_model.core.rounding.Rounding`, else the model's).

:func:`compute` is the only implementation; :func:`secpa_model.allocate` (one structure)
and :func:`secpa_model.allocate_frame` (many) both call it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from secpa_model.core.errors import CoverageError, InputError, ModelError
from secpa_model.core.identity_cache import by_identity
from secpa_model.core.money import EXACT_LIMIT, describe_limit, format_euros
from secpa_model.core.periods import Period, days_in_year, overlap_days, split_period
from secpa_model.model.eligibility import Test
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters, ParameterSnapshot
from secpa_model.model.rules import (
    Rule,
    RuleInputs,
    RuleParameters,
    RuleResult,
    check_amounts,
    user_code,
)
from secpa_model.model.structure import Columns


@dataclass(frozen=True)
class Piece:
    """One piece of the period: the values in force, who fails which condition, and each
    rule's annual amounts on it."""

    period: Period
    year_days: int
    active_days: NDArray[np.int64]
    failed: NDArray[np.integer[Any]]
    params: ParameterSnapshot
    rules: dict[str, RuleResult]


@dataclass(frozen=True)
class BatchResult:
    """What the engine returns for many structures: the rounded cents of each line,
    eligibility and reasons, and the pieces behind them (what explanations are built from).
    The one type between the engine and :class:`~secpa_model.Allocation` or a frame."""

    model: Model
    span: Period
    pieces: list[Piece]
    line_cents: dict[str, NDArray[np.int64]]
    eligible: NDArray[np.bool_]
    reason_mask: NDArray[np.int64]
    active_days: NDArray[np.int64]
    starts: NDArray[np.int64]
    ends: NDArray[np.int64]

    @property
    def total_cents(self) -> NDArray[np.int64]:
        """The exact sum of the rounded lines."""
        return sum(self.line_cents.values(), np.zeros_like(self.eligible, dtype=np.int64))


def windows(
    model: Model, columns: Columns, period: Period
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each structure's participation window inside ``period`` (day ordinals, inclusive)."""
    size = columns.size
    starts = np.full(size, period.start.toordinal(), dtype=np.int64)
    ends = np.full(size, period.end.toordinal(), dtype=np.int64)
    if model.entry_input:
        starts = np.maximum(columns[model.entry_input], starts)
    if model.exit_input:
        ends = np.minimum(columns[model.exit_input], ends)
    return starts, ends


@by_identity(64)  # few: each entry keeps a parameter set alive
def change_dates(model: Model, parameters: Parameters) -> tuple[date, ...]:
    """Where a period is cut besides 1 January: parameter changes and new rule versions."""
    return tuple(sorted({*parameters.change_dates(), *model.rule_change_dates}))


def compute(
    model: Model,
    columns: Columns,
    starts: NDArray[np.int64],
    ends: NDArray[np.int64],
    span: Period,
    parameters: Parameters,
    *,
    draws: Callable[[ParameterSnapshot], ParameterSnapshot] | None = None,
) -> BatchResult:
    """Allocate every structure over its own window ``[starts[i], ends[i]]`` (day ordinals,
    inclusive, already intersected with entry and exit dates), all inside ``span``.

    ``draws`` (a simulation): gives each piece's values in force with the drawn values
    beside them (:attr:`ParameterSnapshot.drawn`, one per row of ``columns``).

    Raises :class:`~secpa_model.CoverageError` when a structure participates on a
    day the parameters do not cover.
    """
    size = columns.size
    keys = model.line_keys
    pieces: list[Piece] = []
    codes = model.code

    pieces_of_span = [
        (piece, active)
        for piece in _pieces(span, change_dates(model, parameters))
        if (active := overlap_days(piece, starts, ends)).any()
    ]
    first = _snapshot(parameters, pieces_of_span[0][0].start) if pieces_of_span else None
    # one view per rule and condition, over what it declares and nothing else; its
    # parameters move to the values of each piece
    condition_views: list[tuple[int, Test, RuleInputs, RuleParameters]] = []
    rule_views: list[tuple[Rule, RuleInputs, RuleParameters]] = []
    if first is not None:
        declared = iter(model.declarations)  # conditions first, then rules
        for bit, (condition, (owner, names, paths)) in enumerate(
            zip(model.conditions, declared, strict=False)
        ):
            if condition.fails is not None:
                view = RuleInputs(owner, columns, names, codes)
                condition_views.append(
                    (bit, condition.fails, view, RuleParameters(owner, first, paths))
                )
        for rule, (owner, names, paths) in zip(model.rules, declared, strict=True):
            view = RuleInputs(owner, columns, names, codes)
            rule_views.append((rule, view, RuleParameters(owner, first, paths)))
    # one row per line: the float64 cents accumulated over the pieces, rounded at the end
    accumulated = np.empty((len(keys), size), dtype=np.float64)
    reason_mask = np.zeros(size, dtype=np.int64)
    eligible_days: NDArray[np.int64] | None = None
    total_days: NDArray[np.int64] | None = None
    share: NDArray[np.float64] | None = None
    for number, (piece, active) in enumerate(pieces_of_span):
        snapshot = _snapshot(parameters, piece.start)
        if draws is not None:
            snapshot = draws(snapshot)
        failed = _failures(model, condition_views, snapshot, size)
        paid_days = np.where(failed == 0, active, 0)
        year_days = days_in_year(piece.start.year)
        results = {
            rule.key: rule.evaluate(inputs, values.on(snapshot))
            for rule, inputs, values in rule_views
        }
        # the annual amounts, one row per line: the first piece's in the accumulated rows
        # themselves, a later piece's beside them
        if number == 0:
            annual = accumulated
        else:
            annual = share = np.empty_like(accumulated) if share is None else share
        for line, result in enumerate(results.values()):
            annual[line] = result.annual_cents
        check_amounts(model.rules, annual)
        # the piece's share of the annual amount: « au prorata des jours »; a whole year
        # is the annual amount itself (x·366/366 in float64 is not x beyond 2^44 cents)
        part = paid_days != year_days
        _refuse(model, columns, annual, SHARE_LIMIT, _BEYOND_SHARE, part & (paid_days > 0))
        rows = np.flatnonzero(part)  # prorated on these rows only (a whole year is as is)
        if len(rows):
            annual[:, rows] = annual[:, rows] * paid_days[rows] / year_days
        if number:
            accumulated += annual
        np.bitwise_or(reason_mask, failed, out=reason_mask, where=active > 0)
        if eligible_days is None or total_days is None:
            eligible_days, total_days = paid_days, active
        else:
            eligible_days = eligible_days + paid_days
            total_days = total_days + active
        pieces.append(Piece(piece, year_days, active, failed, snapshot, results))

    if eligible_days is None or total_days is None:  # no structure takes part on any day
        accumulated.fill(0.0)
        eligible_days = total_days = np.zeros(size, dtype=np.int64)
    not_participating = total_days == 0
    np.bitwise_or(reason_mask, 1 << len(model.conditions), out=reason_mask, where=not_participating)
    _refuse(model, columns, accumulated, EXACT_LIMIT, _BEYOND_EXACT)
    line_cents = _rounded(model, accumulated)
    return BatchResult(
        model=model,
        span=span,
        pieces=pieces,
        line_cents=line_cents,
        eligible=eligible_days > 0,
        reason_mask=reason_mask,
        active_days=total_days,
        starts=starts,
        ends=ends,
    )


_SMALL_MASKS: Final = 8
"""Up to this many conditions, who fails which is worked out in bytes."""


def _failures(
    model: Model,
    views: list[tuple[int, Test, RuleInputs, RuleParameters]],
    snapshot: ParameterSnapshot,
    size: int,
) -> NDArray[np.integer[Any]]:
    """Bit ``i`` set where a structure fails condition ``i`` on the piece of ``snapshot``."""
    dtype = np.uint8 if len(model.conditions) <= _SMALL_MASKS else np.int64
    failed: NDArray[np.integer[Any]] | None = None
    for bit, test, inputs, values in views:
        with user_code(f"condition {model.all_conditions[bit].code!r}"):
            fails = np.asarray(test(inputs, values.on(snapshot)), dtype=np.bool_)
        if fails.shape != (size,):
            raise ModelError(
                f"{model.all_conditions[bit].code!r} gave {fails.shape} answers for "
                f"{size} structures"
            )
        if failed is None:  # the first condition: its bit as it is, or shifted
            failed = fails.astype(dtype) if bit == 0 else np.left_shift(fails, bit, dtype=dtype)
        else:
            np.bitwise_or(failed, np.left_shift(fails, bit, dtype=dtype), out=failed)
    return np.zeros(size, dtype=dtype) if failed is None else failed


SHARE_LIMIT: Final = 2**42
"""The largest annual amount (in cents: 43 980 465 111,04 €) whose share of a year float64
computes to the cent: ``amount × days`` is exact below 2^53, and the share is held to
2^-10 cent, closer than any share of a year ``n / 366`` comes to a half cent. A whole year
is exact up to 2^53 cents (:data:`~secpa_model.core.money.EXACT_LIMIT`)."""
_BEYOND_EXACT: Final = f"amounts beyond {describe_limit()}"
_BEYOND_SHARE: Final = (
    f"annual amounts beyond {format_euros(Decimal(SHARE_LIMIT) / 100)} over part of a year"
)


def _refuse(
    model: Model,
    columns: Columns,
    amounts: NDArray[np.float64],
    limit: int,
    what: str,
    where: NDArray[np.bool_] | None = None,
) -> None:
    """An :class:`~secpa_model.InputError` naming the structures and lines whose ``amounts``
    (lines × rows) are beyond ``limit`` (on the rows ``where`` holds), where float64 stops
    holding them to the cent: never an inexact amount."""
    if not amounts.size or np.maximum.reduce(amounts, axis=None) <= limit:
        return  # the usual case, by one pass
    beyond = amounts > limit if where is None else (amounts > limit) & where
    if not beyond.any():
        return
    lines, rows = np.nonzero(beyond)
    ids = columns[model.id_input]
    found = [
        f"{ids[row]} ({model.line_keys[line]})"
        for line, row in zip(lines[:5], rows[:5], strict=True)
    ]
    raise InputError(
        f"{what}, where they stop being exact, for {len(rows)} line(s): {', '.join(found)}; "
        "check the parameters and the inputs"
    )


@lru_cache(maxsize=256)
def _pieces(span: Period, cuts: tuple[date, ...]) -> tuple[Period, ...]:
    """The pieces of ``span`` (cut at 1 January and at ``cuts``), computed once per span."""
    return tuple(split_period(span, cuts))


def _rounded(model: Model, accumulated: NDArray[np.float64]) -> dict[str, NDArray[np.int64]]:
    """Each line rounded once by its rule's rounding (else the model's); the lines that
    share a rounding are rounded in one call."""
    roundings = model.line_roundings
    if roundings.count(model.rounding) == len(roundings):
        # the common case: one call, in place (the engine no longer needs the float cents)
        whole = model.rounding.round(accumulated, overwrite=True)
        return dict(zip(model.line_keys, whole, strict=True))
    rounded: dict[int, NDArray[np.int64]] = {}
    for rounding in dict.fromkeys(roundings):
        lines = [line for line, r in enumerate(roundings) if r == rounding]
        cents = rounding.round(accumulated[lines], overwrite=True)  # a copy: its own
        rounded.update(zip(lines, cents, strict=True))
    return {rule.key: rounded[line] for line, rule in enumerate(model.rules)}


def _snapshot(parameters: Parameters, day: date) -> ParameterSnapshot:
    try:
        return parameters.at(day)
    except CoverageError as exc:
        raise CoverageError(
            f"{exc}. A structure participates on {day}: choose a period inside the "
            "parameters' coverage, or set the structure's entry_date."
        ) from exc
