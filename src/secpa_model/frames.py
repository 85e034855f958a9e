"""Many structures at once: a DataFrame in, a DataFrame of allocations out.

The rules and the engine are the same as for one structure (:func:`secpa_model.allocate`):
both call :func:`secpa_model.engine.compute`, so row ``i`` of :func:`allocate_frame` equals
``allocate(Structure(**row_i), period)`` to the cent. Only the validation of the input
differs, and it is vectorised too (:mod:`secpa_model.frame_validation`).

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
from typing import Final, Literal, NamedTuple, overload

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model.eligibility import CONDITIONS, reason_strings
from secpa_model.engine import compute, reference_parameters
from secpa_model.errors import InputError
from secpa_model.frame_validation import (
    ERROR_COLUMNS,
    MAX_ERRORS_SHOWN,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    TEXT_DTYPE,
    YEAR_COLUMN,
    ValidatedFrame,
    describe_problems,
    validate_frame,
)
from secpa_model.money import cents_to_euros
from secpa_model.parameters import Parameters
from secpa_model.periods import Period, PeriodLike
from secpa_model.rules import LINE_KEYS
from secpa_model.structures import StructureColumns

__all__ = [
    "CENT_COLUMNS",
    "ERROR_COLUMNS",
    "MAX_ERRORS_SHOWN",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "RESULT_COLUMNS",
    "YEAR_COLUMN",
    "ReportedAllocation",
    "add_euro_columns",
    "allocate_frame",
    "describe_problems",
    "frame_to_columns",
]

CENT_COLUMNS: Final[tuple[str, ...]] = (*(f"{key}_cents" for key in LINE_KEYS), "total_cents")
"""The int64 cent columns of a result: one per line, then the total."""

RESULT_COLUMNS: Final[tuple[str, ...]] = ("structure_id", "eligible", "reasons", *CENT_COLUMNS)
"""The columns of an :func:`allocate_frame` result, in order."""

_EPOCH_YEAR: Final = 1970
_EPOCH_ORDINAL: Final = date(_EPOCH_YEAR, 1, 1).toordinal()
_REASON_TEXTS: Final = pd.array(
    list(reason_strings(np.arange(2 ** len(CONDITIONS), dtype=np.int64))), dtype=TEXT_DTYPE
)


class ReportedAllocation(NamedTuple):
    """What ``allocate_frame(..., errors="report")`` returns: the allocations of the valid
    rows and one row per problem of the invalid ones (:data:`ERROR_COLUMNS`: row label,
    field, value, message). Every input row is in one or the other."""

    allocations: pd.DataFrame
    errors: pd.DataFrame


def frame_to_columns(
    frame: pd.DataFrame,
) -> tuple[StructureColumns, pd.DataFrame, NDArray[np.bool_]]:
    """Validate ``frame`` (vectorised): the columns of **all** rows (invalid cells hold
    placeholders), the problems found (one row per invalid cell, in row order) and the
    mask of valid rows. See :func:`secpa_model.frame_validation.validate_frame`."""
    validated = validate_frame(frame)
    return validated.columns, validated.problems, validated.valid


@overload
def allocate_frame(
    frame: pd.DataFrame,
    period: PeriodLike | None,
    parameters: Parameters | None = None,
    *,
    errors: Literal["raise"] = "raise",
) -> pd.DataFrame: ...


@overload
def allocate_frame(
    frame: pd.DataFrame,
    period: PeriodLike | None,
    parameters: Parameters | None = None,
    *,
    errors: Literal["report"],
) -> ReportedAllocation: ...


def allocate_frame(
    frame: pd.DataFrame,
    period: PeriodLike | None,
    parameters: Parameters | None = None,
    *,
    errors: Literal["raise", "report"] = "raise",
) -> pd.DataFrame | ReportedAllocation:
    """Allocate every row of ``frame`` (one structure, or one structure-year, per row).

    ``frame`` has the :class:`~secpa_model.Structure` field names as columns; optional
    columns left out take their defaults (:data:`OPTIONAL_COLUMNS`), an empty date is an
    open end, other columns are ignored (but a misspelt field name is an error). Euros
    must be whole cents; NaN in a number or boolean column is an error (write 0 or false),
    never a default.

    ``period``: a year, a :class:`~secpa_model.Period` or ``"YYYY-MM-DD..YYYY-MM-DD"``.
    With a ``year`` column each row is allocated over its calendar year intersected with
    ``period``; ``period`` may then be None (each row's whole year).

    Returns a DataFrame with the same index and row order (:data:`RESULT_COLUMNS`):
    ``structure_id``, ``eligible`` (bool), ``reasons`` (codes joined by ``;``, empty when
    eligible), ``<line>_cents`` (int64) and ``total_cents`` (int64). Row ``i`` equals
    ``allocate(Structure(**row_i), period)`` to the cent. Use :func:`add_euro_columns`
    for Decimal euros.

    ``errors="raise"`` (default): any invalid cell raises
    :class:`~secpa_model.errors.InputError` listing row label, field and value, in row
    order (the first :data:`MAX_ERRORS_SHOWN`, then a count). ``errors="report"``: returns
    :class:`ReportedAllocation`, the valid rows' allocations and an errors frame.
    Problems with the frame itself (not a DataFrame, missing or duplicated columns) raise
    in both modes.
    """
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report', got {errors!r}")
    span = Period.parse(period) if period is not None else None
    validated = validate_frame(frame)
    if validated.years is None and span is None:
        raise InputError("a period is required (or a 'year' column giving each row's year)")
    if errors == "raise" and len(validated.problems):
        raise InputError(describe_problems(validated.problems))
    params = parameters if parameters is not None else reference_parameters()
    result = _allocate_valid(validated, span, params, frame.index)
    if errors == "report":
        return ReportedAllocation(result, validated.problems)
    return result


def _allocate_valid(
    validated: ValidatedFrame, period: Period | None, params: Parameters, index: pd.Index
) -> pd.DataFrame:
    valid = validated.valid
    columns, years, ids = validated.columns, validated.years, validated.ids
    if not valid.all():
        columns = _take(columns, valid)
        years = years[valid] if years is not None else None
        index = index[valid]
        ids = ids[valid]
    if len(columns) == 0:
        return _result_frame(
            ids,
            np.zeros(0, dtype=np.bool_),
            np.zeros(0, dtype=np.int64),
            {key: np.zeros(0, dtype=np.int64) for key in LINE_KEYS},
            index,
        )
    starts, ends, span = _row_windows(columns, years, period)
    batch = compute(columns, starts, ends, span, params)
    return _result_frame(ids, batch.eligible, batch.reason_mask, batch.line_cents, index)


def _row_windows(
    columns: StructureColumns, years: NDArray[np.int64] | None, period: Period | None
) -> tuple[NDArray[np.int64], NDArray[np.int64], Period]:
    """Each row's window (period ∩ its year ∩ [entry, exit], day ordinals) and the span
    covering every window."""
    if years is None:
        if period is None:  # pragma: no cover - checked by allocate_frame
            raise InputError("a period is required (or a 'year' column giving each row's year)")
        low = np.full(len(columns), period.start.toordinal(), dtype=np.int64)
        high = np.full(len(columns), period.end.toordinal(), dtype=np.int64)
        span = period
    else:
        first_days = _first_day_ordinals(years)
        low = first_days
        high = _first_day_ordinals(years + 1) - 1
        if period is not None:
            low = np.maximum(low, period.start.toordinal())
            high = np.minimum(high, period.end.toordinal())
            span = period
        else:
            span = Period(date(int(years.min()), 1, 1), date(int(years.max()), 12, 31))
    return np.maximum(low, columns.entry), np.minimum(high, columns.exit), span


def _first_day_ordinals(years: NDArray[np.int64]) -> NDArray[np.int64]:
    """The ordinal of 1 January of each year (vectorised through numpy datetimes)."""
    first: NDArray[np.int64] = (years - _EPOCH_YEAR).astype("datetime64[Y]").astype(
        "datetime64[D]"
    ).astype(np.int64) + _EPOCH_ORDINAL
    return first


def _result_frame(
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
        "structure_id": ids.array,
        "eligible": np.asarray(eligible, dtype=np.bool_),
        # 16 possible texts: look each mask up in a text array (no Python per row)
        "reasons": _REASON_TEXTS.take(reason_mask),
    }
    for key in LINE_KEYS:
        data[f"{key}_cents"] = np.asarray(line_cents[key], dtype=np.int64)
    data["total_cents"] = total
    return pd.DataFrame(data, index=index, copy=False)


def _take(columns: StructureColumns, mask: NDArray[np.bool_]) -> StructureColumns:
    return StructureColumns(
        **{name: getattr(columns, name)[mask] for name in columns.__dataclass_fields__}
    )


def add_euro_columns(result: pd.DataFrame) -> pd.DataFrame:
    """A copy of an :func:`allocate_frame` result with ``<line>_eur`` and ``total_eur``
    columns as exact :class:`~decimal.Decimal` euros (for display and reports)."""
    out = result.copy()
    for name in CENT_COLUMNS:
        euros = [cents_to_euros(int(c)) for c in result[name]]
        out[name.removesuffix("_cents") + "_eur"] = pd.Series(
            euros, index=result.index, dtype=object
        )
    return out
