"""Many structures at once: validate a DataFrame into columns, allocate, return a DataFrame.

The rules and the engine are the same as for one structure (:func:`secpa_model.allocate`);
only the validation of the input differs, and it is vectorised too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final, Literal, NamedTuple, overload

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model.eligibility import reason_strings
from secpa_model.engine import compute, reference_parameters
from secpa_model.errors import InputError
from secpa_model.money import cents_to_euros
from secpa_model.parameters import Parameters
from secpa_model.periods import Period, PeriodLike
from secpa_model.rules import LINE_KEYS
from secpa_model.structures import KINDS, LOCATIONS, OPEN_END, OPEN_START, StructureColumns

REQUIRED_COLUMNS: Final[tuple[str, ...]] = (
    "structure_id",
    "kind",
    "location",
    "file_active_mg",
    "poverty_rate",
)
OPTIONAL_COLUMNS: Final[dict[str, object]] = {
    "interpreting_hours_in_person": 0.0,
    "interpreting_hours_phone": 0.0,
    "psychologist_cost_requested": 0,
    "segur_psychologist_funding": 0,
    "ars_psychology_agreement": False,
    "entry_date": None,
    "exit_date": None,
}
YEAR_COLUMN: Final = "year"
RESULT_COLUMNS: Final[tuple[str, ...]] = (
    "structure_id",
    "eligible",
    "reasons",
    *(f"{key}_cents" for key in LINE_KEYS),
    "total_cents",
)
ERROR_COLUMNS: Final[tuple[str, ...]] = ("row", "field", "value", "message")
MAX_ERRORS_SHOWN: Final = 20

_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_TRUE_WORDS: Final = frozenset({"true", "yes", "oui", "1", "vrai"})
_FALSE_WORDS: Final = frozenset({"false", "no", "non", "0", "faux"})
# Tolerance for "a whole number of cents" on float input: a micro-cent (see money.py).
_CENT_TOLERANCE: Final = 1e-6


class ReportedAllocation(NamedTuple):
    """What ``allocate_frame(..., errors="report")`` returns: the allocations of the valid
    rows and one row per problem of the invalid ones (row label, field, value, message)."""

    allocations: pd.DataFrame
    errors: pd.DataFrame


@dataclass
class _Problems:
    """Invalid cells found while converting a frame, collected column by column."""

    index: pd.Index
    parts: list[pd.DataFrame]

    def add(self, mask: NDArray[np.bool_], field: str, values: pd.Series, message: str) -> None:
        if not mask.any():
            return
        self.parts.append(
            pd.DataFrame(
                {
                    "row": self.index[mask],
                    "field": field,
                    "value": values.to_numpy(dtype=object)[mask],
                    "message": message,
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({name: pd.Series(dtype=object) for name in ERROR_COLUMNS})
        return pd.concat(self.parts, ignore_index=True)


def frame_to_columns(
    frame: pd.DataFrame,
) -> tuple[StructureColumns, pd.DataFrame, NDArray[np.bool_]]:
    """Validate ``frame`` column by column (vectorised).

    Returns the columns of **all** rows (invalid cells hold placeholders), the problems
    found (one row per invalid cell) and the mask of valid rows.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [name for name in REQUIRED_COLUMNS if name not in frame.columns]
    if missing:
        raise InputError(
            f"missing required columns: {', '.join(missing)} "
            f"(columns present: {', '.join(map(str, frame.columns)) or 'none'})"
        )
    if frame.columns.duplicated().any():
        duplicated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise InputError(f"duplicated columns: {', '.join(duplicated)}")
    size = len(frame)
    problems = _Problems(frame.index, [])

    def column(name: str) -> pd.Series:
        if name in frame.columns:
            return frame[name]
        return pd.Series([OPTIONAL_COLUMNS[name]] * size, index=frame.index, dtype=object)

    ids = column("structure_id")
    id_missing = ids.isna().to_numpy() | (ids.astype(str).str.strip() == "").to_numpy()
    problems.add(id_missing, "structure_id", ids, "structure_id is missing or empty")

    kind = _categories(column("kind"), "kind", KINDS, problems)
    location = _categories(column("location"), "location", LOCATIONS, problems)

    file_active = _numbers(column("file_active_mg"), "file_active_mg", problems)
    not_whole = np.isfinite(file_active) & (file_active != np.floor(file_active))
    problems.add(
        not_whole,
        "file_active_mg",
        column("file_active_mg"),
        "file_active_mg must be a whole number of patients",
    )
    poverty = _numbers(column("poverty_rate"), "poverty_rate", problems)
    percent = (poverty > 1) & (poverty <= 100)
    problems.add(
        percent,
        "poverty_rate",
        column("poverty_rate"),
        "poverty_rate looks like a percentage: give it as a fraction in [0, 1] (31 → 0.31)",
    )
    problems.add(
        poverty > 100,
        "poverty_rate",
        column("poverty_rate"),
        "poverty_rate must be a fraction in [0, 1]",
    )
    hours_in_person = _numbers(
        column("interpreting_hours_in_person"), "interpreting_hours_in_person", problems
    )
    hours_phone = _numbers(column("interpreting_hours_phone"), "interpreting_hours_phone", problems)
    requested = _cents(
        column("psychologist_cost_requested"), "psychologist_cost_requested", problems
    )
    segur = _cents(column("segur_psychologist_funding"), "segur_psychologist_funding", problems)
    agreement = _booleans(column("ars_psychology_agreement"), "ars_psychology_agreement", problems)
    entry = _ordinals(column("entry_date"), "entry_date", OPEN_START, problems)
    exit_ = _ordinals(column("exit_date"), "exit_date", OPEN_END, problems)
    problems.add(exit_ < entry, "exit_date", column("exit_date"), "exit_date is before entry_date")

    errors = problems.frame()
    valid = ~frame.index.isin(errors["row"]) if len(errors) else np.ones(size, dtype=np.bool_)
    columns = StructureColumns(
        structure_id=ids.astype(str).to_numpy(dtype=object),
        kind=kind,
        location=location,
        file_active_mg=np.nan_to_num(file_active).astype(np.int64),
        poverty_rate=np.nan_to_num(poverty),
        interpreting_hours_in_person=np.nan_to_num(hours_in_person),
        interpreting_hours_phone=np.nan_to_num(hours_phone),
        psychologist_cost_requested_cents=requested,
        segur_psychologist_funding_cents=segur,
        ars_psychology_agreement=agreement,
        entry=entry,
        exit=exit_,
    )
    return columns, errors, np.asarray(valid, dtype=np.bool_)


def _categories(
    series: pd.Series, field: str, allowed: tuple[str, ...], problems: _Problems
) -> NDArray[np.int8]:
    normalized = series.astype("string").str.strip() if series.dtype == object else series
    codes = pd.Categorical(normalized, categories=list(allowed)).codes.astype(np.int8)
    problems.add(codes < 0, field, series, f"{field} must be one of {', '.join(allowed)}")
    return np.where(codes < 0, 0, codes).astype(np.int8)


def _numbers(series: pd.Series, field: str, problems: _Problems) -> NDArray[np.float64]:
    if pd.api.types.is_bool_dtype(series):
        problems.add(
            np.ones(len(series), dtype=np.bool_), field, series, f"{field} must be a number"
        )
        return np.zeros(len(series), dtype=np.float64)
    if pd.api.types.is_numeric_dtype(series):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        not_number = np.zeros(len(series), dtype=np.bool_)
    else:
        is_bool = series.map(lambda v: isinstance(v, bool | np.bool_)).to_numpy(dtype=np.bool_)
        coerced = pd.to_numeric(series.where(~is_bool), errors="coerce")
        values = coerced.to_numpy(dtype=np.float64, na_value=np.nan)
        not_number = (np.isnan(values) & series.notna().to_numpy()) | is_bool
        problems.add(not_number, field, series, f"{field} must be a number")
    missing = np.isnan(values) & ~not_number
    problems.add(missing, field, series, f"{field} is missing (NaN or empty)")
    problems.add(np.isinf(values), field, series, f"{field} must be finite")
    problems.add(values < 0, field, series, f"{field} must be ≥ 0")
    return np.where(np.isfinite(values), values, 0.0)


def _cents(series: pd.Series, field: str, problems: _Problems) -> NDArray[np.int64]:
    euros = _numbers(series, field, problems)
    cents = euros * 100
    whole = np.round(cents)
    problems.add(
        np.abs(cents - whole) > _CENT_TOLERANCE,
        field,
        series,
        f"{field} has more than two decimals (finer than a cent)",
    )
    return whole.astype(np.int64)


def _booleans(series: pd.Series, field: str, problems: _Problems) -> NDArray[np.bool_]:
    if pd.api.types.is_bool_dtype(series) and not series.isna().any():
        return series.to_numpy(dtype=np.bool_)
    words = series.map(lambda v: str(v).strip().lower() if v is not None else "")
    true = words.isin(_TRUE_WORDS).to_numpy()
    false = words.isin(_FALSE_WORDS).to_numpy()
    problems.add(
        ~(true | false),
        field,
        series,
        f"{field} must be true or false",
    )
    return true


def _ordinals(
    series: pd.Series, field: str, open_value: int, problems: _Problems
) -> NDArray[np.int64]:
    empty = series.isna().to_numpy()
    parsed = pd.to_datetime(series, errors="coerce", format="mixed")
    bad = parsed.isna().to_numpy() & ~empty
    problems.add(bad, field, series, f"{field} must be a date (YYYY-MM-DD) or empty")
    days = parsed.to_numpy(dtype="datetime64[D]").astype(np.int64) + _EPOCH_ORDINAL
    return np.where(empty | bad, open_value, days).astype(np.int64)


def _row_windows(
    frame: pd.DataFrame, columns: StructureColumns, period: Period | None
) -> tuple[NDArray[np.int64], NDArray[np.int64], Period]:
    """Each row's window (period ∩ its year ∩ [entry, exit]) and the span covering all."""
    if YEAR_COLUMN in frame.columns:
        years = pd.to_numeric(frame[YEAR_COLUMN], errors="coerce")
        if years.isna().any() or (years != np.floor(years)).any():
            bad = frame.index[years.isna() | (years != np.floor(years))]
            raise InputError(
                f"column 'year' must hold whole years; bad rows: {list(bad[:MAX_ERRORS_SHOWN])}"
            )
        year_values = years.to_numpy(dtype=np.int64)
        low = np.array([date(int(y), 1, 1).toordinal() for y in year_values], dtype=np.int64)
        high = np.array([date(int(y), 12, 31).toordinal() for y in year_values], dtype=np.int64)
        if period is not None:
            low = np.maximum(low, period.start.toordinal())
            high = np.minimum(high, period.end.toordinal())
            span = period
        else:
            span = Period(date(int(year_values.min()), 1, 1), date(int(year_values.max()), 12, 31))
    elif period is None:
        raise InputError("a period is required (or a 'year' column giving each row's year)")
    else:
        low = np.full(len(frame), period.start.toordinal(), dtype=np.int64)
        high = np.full(len(frame), period.end.toordinal(), dtype=np.int64)
        span = period
    return np.maximum(low, columns.entry), np.minimum(high, columns.exit), span


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

    ``frame`` has the :class:`~secpa_model.Structure` field names as columns (optional
    ones take their defaults; other columns are ignored). With a ``year`` column each row
    is allocated over its calendar year (intersected with ``period`` if given).

    Returns a DataFrame with the same index and order: ``structure_id``, ``eligible``,
    ``reasons`` (codes joined by ``;``), ``<line>_cents`` (int64) and ``total_cents``.
    Row ``i`` equals ``allocate(structure_i, period)`` to the cent.

    ``errors="raise"``: any invalid cell raises :class:`~secpa_model.errors.InputError`
    listing row label, field and value (first 20, then a count). ``errors="report"``:
    returns :class:`ReportedAllocation` with the valid rows' allocations and an errors
    frame (row, field, value, message): every input row is in one or the other.
    """
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report', got {errors!r}")
    span = Period.parse(period) if period is not None else None
    columns, problems, valid = frame_to_columns(frame)
    if errors == "raise" and len(problems):
        raise InputError(describe_problems(problems))
    params = parameters if parameters is not None else reference_parameters()
    starts, ends, whole = _row_windows(frame, columns, span)
    if not valid.all():
        columns = _take(columns, valid)
        starts, ends = starts[valid], ends[valid]
    result = _result_frame(columns, starts, ends, whole, params, frame.index[valid])
    if errors == "report":
        return ReportedAllocation(result, problems)
    return result


def _result_frame(
    columns: StructureColumns,
    starts: NDArray[np.int64],
    ends: NDArray[np.int64],
    span: Period,
    params: Parameters,
    index: pd.Index,
) -> pd.DataFrame:
    batch = compute(columns, starts, ends, span, params)
    data: dict[str, object] = {
        "structure_id": columns.structure_id,
        "eligible": batch.eligible,
        "reasons": reason_strings(batch.reason_mask),
    }
    for key in LINE_KEYS:
        data[f"{key}_cents"] = batch.line_cents[key]
    data["total_cents"] = batch.total_cents
    return pd.DataFrame(data, index=index, columns=list(RESULT_COLUMNS))


def _take(columns: StructureColumns, mask: NDArray[np.bool_]) -> StructureColumns:
    return StructureColumns(
        **{name: getattr(columns, name)[mask] for name in columns.__dataclass_fields__}
    )


def describe_problems(problems: pd.DataFrame) -> str:
    """The message of an :class:`InputError`: every bad cell up to 20, then a count."""
    rows = problems["row"].nunique()
    lines = [
        f"  row {row!r}: {field} = {value!r}: {message}"
        for row, field, value, message in problems.head(MAX_ERRORS_SHOWN).itertuples(index=False)
    ]
    more = len(problems) - MAX_ERRORS_SHOWN
    if more > 0:
        lines.append(f"  ... and {more} more problems")
    return f"{rows} invalid row{'s' if rows > 1 else ''} ({len(problems)} problems):\n" + "\n".join(
        lines
    )


def add_euro_columns(result: pd.DataFrame) -> pd.DataFrame:
    """A copy of an ``allocate_frame`` result with ``<line>_eur`` and ``total_eur`` columns
    as exact :class:`~decimal.Decimal` euros (for display and reports)."""
    out = result.copy()
    for name in [*(f"{key}_cents" for key in LINE_KEYS), "total_cents"]:
        euros = [cents_to_euros(int(c)) for c in result[name]]
        out[name.removesuffix("_cents") + "_eur"] = pd.Series(
            euros, index=result.index, dtype=object
        )
    return out
