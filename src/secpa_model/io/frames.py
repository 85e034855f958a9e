"""Many structures at once: a DataFrame in, a DataFrame of allocations out.

The rules and the engine are the same as for one structure (:func:`secpa_model.allocate`):
both call :func:`secpa_model.engine.compute.compute`, so row ``i`` of :func:`allocate_frame`
equals ``allocate(Structure(**row_i), period)`` to the cent. Only the validation of the
input differs, and it is vectorised, from the same input declarations
(:mod:`secpa_model.io.validation`).

Structure-year tables
---------------------
A frame may hold one row per structure **and year**, with a ``year`` column: each row is
then allocated over its calendar year intersected with ``period`` (``period`` may be None:
each row gets its whole year), so a multi-year study is one call. The other fields of the
row (file active, hours, requests…) are that year's. A row whose year does not meet
``period`` is not participating (reason ``not_participating``), like a structure that left.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any, Final, Literal, NamedTuple, overload

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model.core.errors import InputError
from secpa_model.core.money import cents_to_euros
from secpa_model.core.periods import Period, PeriodLike
from secpa_model.engine.compute import compute
from secpa_model.engine.parameters import parameters_for
from secpa_model.io.validation import (
    ERROR_COLUMNS,
    MAX_ERRORS_SHOWN,
    TEXT_DTYPE,
    YEAR_COLUMN,
    ValidatedFrame,
    describe_problems,
    validate_frame,
)
from secpa_model.model.eligibility import MAX_TABLE_CONDITIONS, reason_table, reason_texts
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters
from secpa_model.models import resolve_model

__all__ = [
    "ERROR_COLUMNS",
    "MAX_ERRORS_SHOWN",
    "YEAR_COLUMN",
    "ReportedAllocation",
    "add_euro_columns",
    "allocate_frame",
    "cent_columns",
    "describe_problems",
    "result_columns",
]

_EPOCH_YEAR: Final = 1970
_EPOCH_ORDINAL: Final = date(_EPOCH_YEAR, 1, 1).toordinal()


def cent_columns(model: Model | str | None = None) -> tuple[str, ...]:
    """The int64 cent columns of a result: ``<line>_cents`` per line, then ``total_cents``."""
    return (*(f"{key}_cents" for key in resolve_model(model).line_keys), "total_cents")


def result_columns(model: Model | str | None = None) -> tuple[str, ...]:
    """The columns of an :func:`allocate_frame` result, in order."""
    resolved = resolve_model(model)
    return (resolved.id_input, "eligible", "reasons", *cent_columns(resolved))


class ReportedAllocation(NamedTuple):
    """What ``allocate_frame(..., errors="report")`` returns: the allocations of the valid
    rows and one row per problem of the invalid ones (:data:`ERROR_COLUMNS`: row label,
    field, value, message). Every input row is in one or the other."""

    allocations: pd.DataFrame
    errors: pd.DataFrame


@overload
def allocate_frame(
    frame: pd.DataFrame,
    period: PeriodLike | None,
    parameters: Any = None,
    *,
    model: Model | str | None = None,
    allow_duplicates: bool = False,
    errors: Literal["raise"] = "raise",
) -> pd.DataFrame: ...


@overload
def allocate_frame(
    frame: pd.DataFrame,
    period: PeriodLike | None,
    parameters: Any = None,
    *,
    model: Model | str | None = None,
    allow_duplicates: bool = False,
    errors: Literal["report"],
) -> ReportedAllocation: ...


def allocate_frame(
    frame: pd.DataFrame,
    period: PeriodLike | None,
    parameters: Any = None,
    *,
    model: Model | str | None = None,
    allow_duplicates: bool = False,
    errors: Literal["raise", "report"] = "raise",
) -> pd.DataFrame | ReportedAllocation:
    """Allocate every row of ``frame`` (one structure, or one structure-year, per row).

    ``frame`` has the model's input names as columns; optional columns left out take their
    defaults, an empty date is an open end, other columns are ignored (but a misspelt input
    name is an error). Euros must be whole cents; NaN in a number or boolean column is an
    error (write 0 or false), never a default.

    ``period``: a year, a :class:`~secpa_model.Period` or ``"YYYY-MM-DD..YYYY-MM-DD"``.
    With a ``year`` column each row is allocated over its calendar year intersected with
    ``period``; ``period`` may then be None (each row's whole year). ``parameters``: a
    :class:`~secpa_model.Parameters` or :class:`~secpa_model.Scenario` of the model
    (default: its reference values). ``model``: a :class:`~secpa_model.Model` or a model's
    name (default: the experimentation).

    Returns a DataFrame with the same index and row order (:func:`result_columns`): the id,
    ``eligible`` (bool), ``reasons`` (codes joined by ``;``, empty when eligible),
    ``<line>_cents`` (int64) per line of the model and ``total_cents`` (int64). Row ``i``
    equals ``allocate(Structure(**row_i), period)`` to the cent. Use
    :func:`add_euro_columns` for Decimal euros.

    Rows that repeat an id (an id and a year, in a structure-year table) are invalid, every
    copy named, since each would be funded with its own caps; ``allow_duplicates=True`` funds
    each row as given.

    ``errors="raise"`` (default): any invalid cell raises
    :class:`~secpa_model.InputError` listing row label, field and value, in row
    order (the first :data:`MAX_ERRORS_SHOWN`, then a count). ``errors="report"``: returns
    :class:`ReportedAllocation`, the valid rows' allocations and an errors frame.
    Problems with the frame itself (not a DataFrame, missing or duplicated columns) raise
    in both modes.
    """
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report', got {errors!r}")
    resolved = resolve_model(model)
    span = Period.parse(period) if period is not None else None
    params = parameters_for(resolved, parameters)
    validated = validate_frame(frame, resolved, allow_duplicates=allow_duplicates)
    if validated.years is None and span is None:
        raise InputError("a period is required (or a 'year' column giving each row's year)")
    if errors == "raise" and len(validated.problems):
        raise InputError(describe_problems(validated.problems))
    result = _allocate_valid(resolved, validated, span, params, frame.index)
    if errors == "report":
        return ReportedAllocation(result, validated.problems)
    return result


def _allocate_valid(
    model: Model,
    validated: ValidatedFrame,
    period: Period | None,
    params: Parameters,
    index: pd.Index,
) -> pd.DataFrame:
    valid = validated.valid
    columns, years, ids = validated.columns, validated.years, validated.ids
    if not valid.all():
        columns = columns.take(valid)
        years = years[valid] if years is not None else None
        index = index[valid]
        ids = ids[valid]
    if columns.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        lines = {key: empty for key in model.line_keys}
        return _result_frame(model, ids, np.zeros(0, dtype=np.bool_), empty, lines, index)
    starts, ends, span = _row_windows(model, columns, years, period)
    batch = compute(model, columns, starts, ends, span, params)
    return _result_frame(model, ids, batch.eligible, batch.reason_mask, batch.line_cents, index)


def _row_windows(
    model: Model, columns: Any, years: NDArray[np.int64] | None, period: Period | None
) -> tuple[NDArray[np.int64], NDArray[np.int64], Period]:
    """Each row's window (period ∩ its year ∩ [entry, exit], day ordinals) and the span
    covering every window."""
    size = columns.size
    if years is None:
        if period is None:  # pragma: no cover - checked by allocate_frame
            raise InputError("a period is required (or a 'year' column giving each row's year)")
        low = np.full(size, period.start.toordinal(), dtype=np.int64)
        high = np.full(size, period.end.toordinal(), dtype=np.int64)
        span = period
    else:
        low = _first_day_ordinals(years)
        high = _first_day_ordinals(years + 1) - 1
        if period is not None:
            low = np.maximum(low, period.start.toordinal())
            high = np.minimum(high, period.end.toordinal())
            span = period
        else:
            span = Period(date(int(years.min()), 1, 1), date(int(years.max()), 12, 31))
    if model.entry_input:
        low = np.maximum(low, columns[model.entry_input])
    if model.exit_input:
        high = np.minimum(high, columns[model.exit_input])
    return low, high, span


def _first_day_ordinals(years: NDArray[np.int64]) -> NDArray[np.int64]:
    """The ordinal of 1 January of each year (vectorised through numpy datetimes)."""
    first: NDArray[np.int64] = (years - _EPOCH_YEAR).astype("datetime64[Y]").astype(
        "datetime64[D]"
    ).astype(np.int64) + _EPOCH_ORDINAL
    return first


def _result_frame(
    model: Model,
    ids: pd.Series,
    eligible: NDArray[np.bool_],
    reason_mask: NDArray[np.int64],
    line_cents: dict[str, NDArray[np.int64]],
    index: pd.Index,
) -> pd.DataFrame:
    total = np.zeros(len(eligible), dtype=np.int64)
    for cents in line_cents.values():
        total = total + cents
    data: dict[str, object] = {
        model.id_input: ids.array,
        "eligible": np.asarray(eligible, dtype=np.bool_),
        "reasons": _reasons(model.reason_codes, reason_mask),
    }
    for key in model.line_keys:
        data[f"{key}_cents"] = np.asarray(line_cents[key], dtype=np.int64)
    data["total_cents"] = total
    return pd.DataFrame(data, index=index, copy=False)


@lru_cache(maxsize=16)
def _reason_array(codes: tuple[str, ...]) -> Any:
    return pd.array(list(reason_table(codes)), dtype=TEXT_DTYPE)


def _reasons(codes: tuple[str, ...], masks: NDArray[np.int64]) -> Any:
    """The reasons column: a text per mask, looked up in a table (no Python per row)."""
    if len(codes) <= MAX_TABLE_CONDITIONS:
        return _reason_array(codes).take(masks)
    return pd.array(reason_texts(masks, codes), dtype=TEXT_DTYPE)


def add_euro_columns(result: pd.DataFrame) -> pd.DataFrame:
    """A copy of an :func:`allocate_frame` result with a ``<name>_eur`` column of exact
    :class:`~decimal.Decimal` euros beside every ``<name>_cents`` column."""
    out = result.copy()
    for name in [str(c) for c in result.columns if str(c).endswith("_cents")]:
        euros = [cents_to_euros(int(c)) for c in result[name]]
        out[name.removesuffix("_cents") + "_eur"] = pd.Series(
            euros, index=result.index, dtype=object
        )
    return out
