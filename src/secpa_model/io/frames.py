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
The result keeps the ``year`` column, so that a structure's rows can be told apart.

Kept columns
------------
Besides the id (and ``year``), the result carries the input columns named by ``keep``
(a name, a region…), copied as given, right after the id. By default it keeps the
identifying columns found in the frame: those whose name, ignoring case, accents, spaces
and hyphens, is one of :data:`IDENTIFYING_COLUMNS`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
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
from secpa_model.engine.distributed import ByValue, is_dask_frame, ship_code, unwrap
from secpa_model.engine.parameters import parameters_for
from secpa_model.io.validation import (
    ERROR_COLUMNS,
    MAX_ERRORS_SHOWN,
    TEXT_DTYPE,
    YEAR_COLUMN,
    ValidatedFrame,
    describe_problems,
    duplicate_problems,
    problems_error,
    validate_frame,
)
from secpa_model.model.eligibility import MAX_TABLE_CONDITIONS, reason_table, reason_texts
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters
from secpa_model.model.text_cells import TextTable
from secpa_model.models import resolve_model

__all__ = [
    "ERROR_COLUMNS",
    "IDENTIFYING_COLUMNS",
    "MAX_ERRORS_SHOWN",
    "YEAR_COLUMN",
    "PreparedFrame",
    "ReportedAllocation",
    "add_euro_columns",
    "allocate_frame",
    "allocate_reported",
    "allocate_validated",
    "cent_columns",
    "describe_problems",
    "kept_columns",
    "prepare_frame",
    "result_columns",
    "row_windows",
]

_EPOCH_YEAR: Final = 1970
_EPOCH_ORDINAL: Final = date(_EPOCH_YEAR, 1, 1).toordinal()

IDENTIFYING_COLUMNS: Final[tuple[str, ...]] = (
    "name",
    "nom",
    "label",
    "libelle",
    "raison_sociale",
    "finess",
    "siret",
    "region",
    "departement",
    "commune",
    "city",
)
"""The input columns :func:`allocate_frame` keeps by default (besides the id and ``year``):
a column is kept when its name, lower-cased, without accents and with spaces and hyphens
as ``_``, is one of these (``Nom``, ``Région``, ``raison sociale`` are kept)."""

Keep = Sequence[str] | None
"""What ``keep=`` takes: column names, or None for the identifying columns found."""


def cent_columns(model: Model | str | None = None) -> tuple[str, ...]:
    """The int64 cent columns of a result: ``<line>_cents`` per line, then ``total_cents``."""
    return (*(f"{key}_cents" for key in resolve_model(model).line_keys), "total_cents")


def result_columns(model: Model | str | None = None) -> tuple[str, ...]:
    """The columns of an :func:`allocate_frame` result, in order, without the ``year`` and
    kept columns (which come right after the id)."""
    resolved = resolve_model(model)
    return (resolved.id_input, "eligible", "reasons", *cent_columns(resolved))


@lru_cache(maxsize=1024)
def _plain_name(name: str) -> str:
    """A column name lower-cased, without accents, spaces and hyphens as ``_``."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.replace(" ", "_").replace("-", "_")


def kept_columns(
    frame: pd.DataFrame, keep: Keep = None, model: Model | str | None = None
) -> list[str]:
    """The input columns an :func:`allocate_frame` result carries after the id: ``year``
    when the frame has one, then ``keep`` (default: the :data:`IDENTIFYING_COLUMNS`
    found, in the frame's order). An :class:`~secpa_model.InputError` names a column of
    ``keep`` the frame does not have, or one that is a result column."""
    resolved = resolve_model(model)
    names = [str(name) for name in frame.columns.tolist()]
    if keep is None:
        wanted = [name for name in names if _plain_name(name) in IDENTIFYING_COLUMNS]
    elif isinstance(keep, str):
        raise TypeError(f"keep takes a list of column names, not the text {keep!r}")
    else:
        wanted = [str(name) for name in keep]
    reserved = set(result_columns(resolved))
    clashing = [name for name in wanted if name in reserved and name != resolved.id_input]
    if clashing:
        raise InputError(
            f"keep: {', '.join(map(repr, clashing))} is a column of the result; rename it "
            "in the input to keep it"
        )
    missing = [name for name in wanted if name not in names]
    if missing:
        raise InputError(
            f"keep: no column {', '.join(map(repr, missing))} in the input "
            f"(columns: {', '.join(names)})"
        )
    found = [YEAR_COLUMN] if YEAR_COLUMN in names else []
    for name in wanted:
        if name not in (*found, resolved.id_input):
            found.append(name)
    return found


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
    keep: Keep = None,
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
    keep: Keep = None,
) -> ReportedAllocation: ...


def allocate_frame(
    frame: pd.DataFrame,
    period: PeriodLike | None,
    parameters: Any = None,
    *,
    model: Model | str | None = None,
    allow_duplicates: bool = False,
    errors: Literal["raise", "report"] = "raise",
    keep: Keep = None,
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
    then ``year`` (int64, with a ``year`` column) and the kept columns, ``eligible``
    (bool), ``reasons`` (codes joined by ``;``, empty when eligible), ``<line>_cents``
    (int64) per line of the model and ``total_cents`` (int64). Row ``i`` equals
    ``allocate(Structure(**row_i), period)`` to the cent. Use :func:`add_euro_columns`
    for Decimal euros.

    ``keep``: the input columns copied into the result after the id (as given: a name, a
    region); default None keeps the identifying columns found (:data:`IDENTIFYING_COLUMNS`),
    ``keep=()`` none but ``year`` (see :func:`kept_columns`).

    Rows that repeat an id (an id and a year, in a structure-year table) are invalid, every
    copy named, since each would be funded with its own caps; ``allow_duplicates=True`` funds
    each row as given.

    ``errors="raise"`` (default): any invalid cell raises
    :class:`~secpa_model.InputError` listing row label, field and value, in row
    order (the first :data:`MAX_ERRORS_SHOWN`, then a count). ``errors="report"``: returns
    :class:`ReportedAllocation`, the valid rows' allocations and an errors frame.
    Problems with the frame itself (not a DataFrame, missing or duplicated columns) raise
    in both modes.

    A ``dask.dataframe.DataFrame`` gives a lazy dask DataFrame of the same partitions and
    index (its ``meta`` made here: no ``meta=`` to give), computed on the default
    scheduler or ``dask.distributed`` client; the columns are checked now. Repeated ids
    (and id-year pairs) are looked for across all the partitions before any is
    allocated, the id and year columns of every partition then held at once in one task,
    and refused with the :class:`~secpa_model.InputError` one frame raises (naming the
    rows); a partition's invalid cells raise its own. ``errors="report"`` takes a pandas
    DataFrame.
    """
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report', got {errors!r}")
    resolved = resolve_model(model)
    span = Period.parse(period) if period is not None else None
    params = parameters_for(resolved, parameters)
    if is_dask_frame(frame):
        if errors == "report":
            raise ValueError("errors='report' takes a pandas DataFrame, not a dask DataFrame")
        lazy: pd.DataFrame = _allocate_partitions(  # a dask DataFrame of the same columns
            frame, span, params, resolved, allow_duplicates, keep
        )
        return lazy
    prepared = prepare_frame(
        frame, span, model=resolved, allow_duplicates=allow_duplicates, errors=errors, keep=keep
    )
    result = prepared.allocate(span, params)
    if errors == "report":
        return ReportedAllocation(result, prepared.problems)
    return result


def _allocate_partitions(
    frame: Any,
    period: Period | None,
    params: Parameters,
    model: Model,
    allow_duplicates: bool,
    keep: Keep,
) -> Any:
    """:func:`allocate_frame` of each partition of a dask DataFrame, lazily, after one
    look for repeated ids over them all (unless ``allow_duplicates``)."""
    from dask.delayed import delayed

    meta = allocate_frame(
        frame._meta, period, params, model=model, allow_duplicates=True, keep=keep
    )
    ship_code(model)
    shipped = ByValue((model, params))
    checked = None
    if not allow_duplicates:
        keys = [model.id_input, *([YEAR_COLUMN] if YEAR_COLUMN in frame.columns else [])]
        checked = delayed(_refuse_repeats)(frame[keys].to_delayed(), shipped)
    return frame.map_partitions(_allocate_partition, period, shipped, keep, checked, meta=meta)


def _refuse_repeats(parts: list[pd.DataFrame], shipped: Any) -> None:
    """An :class:`~secpa_model.InputError` naming the rows that repeat an id (and year)
    across ``parts`` (the id and year columns of every partition)."""
    model, _ = unwrap(shipped)
    problems = duplicate_problems(pd.concat(parts), model)
    if len(problems):
        raise problems_error(problems)


def _allocate_partition(
    part: pd.DataFrame, period: Period | None, shipped: Any, keep: Keep, _checked: None
) -> pd.DataFrame:
    model, params = unwrap(shipped)
    # the repeated ids were looked for over every partition (``_checked``) first
    return allocate_frame(part, period, params, model=model, allow_duplicates=True, keep=keep)


def prepare_frame(
    frame: pd.DataFrame,
    period: PeriodLike | None,
    *,
    model: Model | str | None = None,
    allow_duplicates: bool = False,
    errors: Literal["raise", "report"] = "raise",
    keep: Keep = None,
) -> PreparedFrame:
    """A :class:`PreparedFrame` for allocations over ``period``, its errors raised in the
    order :func:`allocate_frame` raises them (a missing period before invalid cells): what
    a function that allocates one frame under many parameter sets starts with."""
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report', got {errors!r}")
    span = Period.parse(period) if period is not None else None
    prepared = PreparedFrame(
        frame, model=model, allow_duplicates=allow_duplicates, errors="report", keep=keep
    )
    _require_period(prepared.validated, span)
    if errors == "raise" and len(prepared.problems):
        raise problems_error(prepared.problems)
    return prepared


def _require_period(validated: ValidatedFrame, period: Period | None) -> None:
    if validated.years is None and period is None:
        raise InputError("a period is required (or a 'year' column giving each row's year)")


class PreparedFrame:
    """A frame of structures validated once, to allocate under many periods and parameter
    sets: what a loop over scenarios calls :func:`allocate_frame` for, without checking
    every cell again at each turn.

    ``PreparedFrame(frame, model=..., allow_duplicates=..., errors=..., keep=...)`` checks
    the frame now, as :func:`allocate_frame` does with the same arguments:
    ``errors="raise"`` (default) raises :class:`~secpa_model.InputError` on any invalid
    cell; ``errors="report"`` keeps the valid rows and lists the others in
    :attr:`problems`. The frame is read now: changing it afterwards changes nothing here.

    ``prepared.allocate(period, parameters)`` equals ``allocate_frame(frame, period,
    parameters, ...)`` (its valid rows, with ``errors="report"``) to the cent, column for
    column.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        model: Model | str | None = None,
        allow_duplicates: bool = False,
        errors: Literal["raise", "report"] = "raise",
        keep: Keep = None,
    ) -> None:
        if errors not in ("raise", "report"):
            raise ValueError(f"errors must be 'raise' or 'report', got {errors!r}")
        self.model: Model = resolve_model(model)
        """The model the frame was validated for."""
        self.validated: ValidatedFrame = validate_frame(
            frame, self.model, allow_duplicates=allow_duplicates
        )
        """The frame as engine columns, with every problem found."""
        kept = kept_columns(frame, keep, self.model)
        if errors == "raise" and len(self.validated.problems):
            raise problems_error(self.validated.problems)
        self.index: pd.Index = frame.index
        """The frame's index (a result has the valid rows' labels)."""
        positions = np.flatnonzero(self.validated.valid)
        # the kept columns of the valid rows, as given (the year as validated), copied now
        self._kept: dict[str, Any] = {
            name: self.validated.years[positions].astype(np.int64)
            if name == YEAR_COLUMN and self.validated.years is not None
            else frame[name].array.take(positions)
            for name in kept
        }

    @property
    def problems(self) -> pd.DataFrame:
        """The problems of the invalid rows (:data:`ERROR_COLUMNS`; empty when there are
        none, and always with ``errors="raise"``)."""
        return self.validated.problems

    def allocate(self, period: PeriodLike | None, parameters: Any = None) -> pd.DataFrame:
        """The allocations of the valid rows over ``period`` under ``parameters`` (default:
        the model's reference values), as :func:`allocate_frame` returns them."""
        span = Period.parse(period) if period is not None else None
        params = parameters_for(self.model, parameters)
        _require_period(self.validated, span)
        result = allocate_validated(self.model, self.validated, span, params, self.index)
        after = result_columns(self.model).index(self.model.id_input)
        for offset, (name, values) in enumerate(self._kept.items(), start=1):
            result.insert(after + offset, name, values)
        return result


def allocate_validated(
    model: Model,
    validated: ValidatedFrame,
    period: Period | None,
    params: Parameters,
    index: pd.Index,
) -> pd.DataFrame:
    """The allocations of the valid rows of a frame already validated (``index``: the
    frame's), as :func:`allocate_frame` returns them without kept columns: for a caller
    that allocates one frame over many periods (a budget projection) and validates it
    once."""
    valid = validated.valid
    columns, years = validated.columns, validated.years
    if not valid.all():
        columns = columns.take(valid)
        years = years[valid] if years is not None else None
        index = index[valid]
    ids = columns[model.id_input]
    if columns.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        lines = {key: empty for key in model.line_keys}
        return _result_frame(model, ids, np.zeros(0, dtype=np.bool_), empty, lines, index)
    starts, ends, span = _row_windows(model, columns, years, period)
    batch = compute(model, columns, starts, ends, span, params)
    return _result_frame(model, ids, batch.eligible, batch.reason_mask, batch.line_cents, index)


def allocate_reported(
    frame: pd.DataFrame,
    period: PeriodLike | None,
    parameters: Any = None,
    *,
    model: Model | str | None = None,
    allow_duplicates: bool = False,
    errors: Literal["raise", "report"] = "raise",
    keep: Keep = None,
) -> ReportedAllocation:
    """:func:`allocate_frame` in either mode, always as a :class:`ReportedAllocation`:
    ``errors="raise"`` raises the same :class:`~secpa_model.InputError` on any invalid
    cell (so its errors frame is empty), ``errors="report"`` reports them."""
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report', got {errors!r}")
    reported = allocate_frame(
        frame,
        period,
        parameters,
        model=model,
        allow_duplicates=allow_duplicates,
        errors="report",
        keep=keep,
    )
    if errors == "raise" and len(reported.errors):
        raise problems_error(reported.errors)
    return reported


def row_windows(
    model: Model, validated: ValidatedFrame, period: Period
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each valid row's window inside ``period`` (day ordinals, inclusive): ``period`` ∩
    its year (with a ``year`` column) ∩ [entry, exit]; empty (start after end) when the row
    is not paid on any day of ``period``."""
    valid = validated.valid
    years = validated.years[valid] if validated.years is not None else None
    starts, ends, _ = _row_windows(model, validated.columns.take(valid), years, period)
    return starts, ends


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
    ids: Any,
    eligible: NDArray[np.bool_],
    reason_mask: NDArray[np.int64],
    line_cents: dict[str, NDArray[np.int64]],
    index: pd.Index,
) -> pd.DataFrame:
    total = np.zeros(len(eligible), dtype=np.int64)
    for cents in line_cents.values():
        total = total + cents
    arrays: list[object] = [
        ids if getattr(ids, "dtype", None) == TEXT_DTYPE else pd.array(ids, dtype=TEXT_DTYPE),
        np.asarray(eligible, dtype=np.bool_),
        _reasons(model.reason_codes, reason_mask),
        *(np.asarray(line_cents[key], dtype=np.int64) for key in model.line_keys),
        total,
    ]
    # built under positions, then named with the model's column index (made once): pandas
    # infers no text index from the names at each call
    result = pd.DataFrame(dict(enumerate(arrays)), index=index, copy=False)
    result.columns = _column_index(result_columns(model)).copy()
    return result


@lru_cache(maxsize=16)
def _column_index(names: tuple[str, ...]) -> pd.Index:
    return pd.Index(names)


@lru_cache(maxsize=16)
def _reason_table(codes: tuple[str, ...]) -> TextTable:
    return TextTable(reason_table(codes))


def _reasons(codes: tuple[str, ...], masks: NDArray[np.int64]) -> Any:
    """The reasons column: a text per mask, looked up in a table (no Python per row)."""
    if len(codes) <= MAX_TABLE_CONDITIONS:
        return _reason_table(codes).take(masks)
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
