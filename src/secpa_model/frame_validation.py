"""Validation of a DataFrame of structures, column by column (vectorised).

The one-structure path validates a :class:`~secpa_model.Structure` with pydantic; a frame of
a million rows cannot afford a model per row, so this module checks each column with numpy
and pandas and reports **every** invalid cell (row label, field, value, message) instead of
stopping at the first. The checks mirror the :class:`~secpa_model.Structure` validators; the
messages are fixed texts (one per kind of problem) so an errors frame can be grouped.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model.errors import InputError
from secpa_model.structures import KINDS, LOCATIONS, OPEN_END, OPEN_START, StructureColumns

REQUIRED_COLUMNS: Final[tuple[str, ...]] = (
    "structure_id",
    "kind",
    "location",
    "file_active_mg",
    "poverty_rate",
)
"""Columns a frame of structures must have."""

OPTIONAL_COLUMNS: Final[dict[str, object]] = {
    "interpreting_hours_in_person": 0.0,
    "interpreting_hours_phone": 0.0,
    "psychologist_cost_requested": 0,
    "segur_psychologist_funding": 0,
    "ars_psychology_agreement": False,
    "entry_date": None,
    "exit_date": None,
}
"""Columns that may be left out, with the default a missing column takes (as in Structure)."""

YEAR_COLUMN: Final = "year"
"""The optional column of a structure-year table: each row is allocated over its year."""

ERROR_COLUMNS: Final[tuple[str, ...]] = ("row", "field", "value", "message")
"""The columns of an errors frame: row label, field (column), offending value, message."""

MAX_ERRORS_SHOWN: Final = 20
"""How many problems an :class:`InputError` message lists before giving a count."""

_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_TRUE_WORDS: Final = ("true", "yes", "oui", "vrai", "1")
_FALSE_WORDS: Final = ("false", "no", "non", "faux", "0")
# Float input counts as a whole number of cents within a micro-cent (as in money.py).
_CENT_TOLERANCE: Final = 1e-6
# how alike (difflib ratio, case ignored) an unknown column must be to a field to be refused
# as a misspelling of it
_NEAR_MISS: Final = 0.85
# Beyond 2**53 a float64 no longer holds every integer: cents or patients would be inexact.
_EXACT_LIMIT: Final = float(2**53)
_DEFAULT_TEXT = pd.Series(["text"]).dtype
TEXT_DTYPE: Final = _DEFAULT_TEXT if isinstance(_DEFAULT_TEXT, pd.StringDtype) else pd.StringDtype()
"""The dtype of text columns: ``str`` in pandas 3, ``string`` in pandas 2."""
_FIRST_YEAR: Final = date.min.year
_LAST_YEAR: Final = date.max.year


@dataclass(frozen=True)
class ValidatedFrame:
    """A frame turned into engine columns, with every problem found.

    ``columns`` holds **all** rows (invalid cells hold placeholders: use ``valid``);
    ``years`` is the ``year`` column (None without one); ``problems`` has one row per
    invalid cell, in row order (:data:`ERROR_COLUMNS`); ``valid`` masks the valid rows;
    ``ids`` is the ``structure_id`` column as stripped text, on the frame's index.
    """

    columns: StructureColumns
    years: NDArray[np.int64] | None
    problems: pd.DataFrame
    valid: NDArray[np.bool_]
    ids: pd.Series


@dataclass
class _Problems:
    """Invalid cells found while converting a frame, collected column by column."""

    size: int
    parts: list[tuple[NDArray[np.intp], str, list[object], str]] = field(default_factory=list)

    def add(self, mask: NDArray[np.bool_], name: str, values: pd.Series, message: str) -> None:
        positions = np.flatnonzero(mask)
        if len(positions) == 0:
            return
        shown = [_plain(value) for value in values.iloc[positions].to_numpy(dtype=object)]
        self.parts.append((positions, name, shown, message))

    def invalid(self) -> NDArray[np.bool_]:
        mask = np.zeros(self.size, dtype=np.bool_)
        for positions, *_ in self.parts:
            mask[positions] = True
        return mask

    def frame(self, index: pd.Index) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=list(ERROR_COLUMNS), dtype=object)
        positions = np.concatenate([part[0] for part in self.parts])
        # in row order; within a row, in the order of the columns' checks (stable sort)
        order = np.argsort(positions, kind="stable")
        fields = np.concatenate(
            [np.full(len(p), name, dtype=object) for p, name, _, _ in self.parts]
        )
        values = np.empty(len(positions), dtype=object)
        values[:] = [value for part in self.parts for value in part[2]]
        messages = np.concatenate(
            [np.full(len(p), message, dtype=object) for p, _, _, message in self.parts]
        )
        return pd.DataFrame(
            {
                "row": pd.Series(index[positions[order]], dtype=object),
                "field": pd.Series(fields[order], dtype=object),
                "value": pd.Series(values[order], dtype=object),
                "message": pd.Series(messages[order], dtype=object),
            }
        )


def _plain(value: object) -> object:
    """A numpy scalar as the Python value it holds (for readable messages)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def _reject_misspelt_columns(columns: pd.Index) -> None:
    """Other columns are ignored, but not one that looks like a misspelt field: an optional
    column under a wrong name would otherwise silently take its default."""
    known = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, YEAR_COLUMN]
    guesses = {
        str(name): close[0]
        for name in columns
        if str(name) not in known
        and (close := difflib.get_close_matches(str(name).lower(), known, n=1, cutoff=_NEAR_MISS))
    }
    if guesses:
        listed = "; ".join(f"{name!r}: did you mean {field!r}?" for name, field in guesses.items())
        raise InputError(
            f"unknown columns that look like misspelt fields ({listed}); rename them, or "
            "drop them (other columns are ignored)"
        )


def validate_frame(frame: pd.DataFrame) -> ValidatedFrame:
    """Validate ``frame`` column by column and convert it to engine columns.

    Problems with the frame as a whole (not a DataFrame, missing or duplicated columns)
    raise :class:`~secpa_model.errors.InputError` at once; problems with cells are
    collected (see :class:`ValidatedFrame`).
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    if len(frame.columns) == 0 and len(frame) == 0:
        frame = pd.DataFrame({name: pd.Series(dtype=object) for name in REQUIRED_COLUMNS})
    duplicated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
    if duplicated:
        raise InputError(f"duplicated columns: {', '.join(duplicated)}")
    missing = [name for name in REQUIRED_COLUMNS if name not in frame.columns]
    if missing:
        present = ", ".join(map(str, frame.columns)) or "none"
        raise InputError(
            f"missing required columns: {', '.join(missing)} (columns present: {present})"
        )
    _reject_misspelt_columns(frame.columns)
    size = len(frame)
    problems = _Problems(size)

    def column(name: str) -> pd.Series:
        if name in frame.columns:
            return frame[name]
        default = OPTIONAL_COLUMNS[name]
        # a typed column of defaults (None: an empty date column, NaN)
        values = np.full(size, np.nan if default is None else default)
        return pd.Series(values, index=frame.index)

    ids = _identifiers(column("structure_id"), problems)
    kind = _categories(column("kind"), "kind", KINDS, problems)
    location = _categories(column("location"), "location", LOCATIONS, problems)
    file_active = _whole_numbers(
        column("file_active_mg"), "file_active_mg", "a whole number of patients", problems
    )
    poverty = _poverty_rates(column("poverty_rate"), problems)
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
    years = None
    if YEAR_COLUMN in frame.columns:
        years = _whole_numbers(
            frame[YEAR_COLUMN],
            YEAR_COLUMN,
            f"a whole year between {_FIRST_YEAR} and {_LAST_YEAR}",
            problems,
            low=_FIRST_YEAR,
            high=_LAST_YEAR,
        )

    columns = StructureColumns(
        structure_id=ids.to_numpy(dtype=object),
        kind=kind,
        location=location,
        file_active_mg=file_active,
        poverty_rate=poverty,
        interpreting_hours_in_person=hours_in_person,
        interpreting_hours_phone=hours_phone,
        psychologist_cost_requested_cents=requested,
        segur_psychologist_funding_cents=segur,
        ars_psychology_agreement=agreement,
        entry=entry,
        exit=exit_,
    )
    return ValidatedFrame(columns, years, problems.frame(frame.index), ~problems.invalid(), ids)


def describe_problems(problems: pd.DataFrame) -> str:
    """The message of an :class:`InputError`: the problems in row order, the first
    :data:`MAX_ERRORS_SHOWN` of them with row label, field and value, then a count."""
    rows = problems["row"].nunique()
    lines = [
        f"  row {row!r}: {name} = {value!r}: {message}"
        for row, name, value, message in problems.head(MAX_ERRORS_SHOWN).itertuples(index=False)
    ]
    more = len(problems) - MAX_ERRORS_SHOWN
    if more > 0:
        lines.append(f"  ... and {more} more problem{'s' if more > 1 else ''}")
    head = (
        f"{rows} invalid row{'s' if rows > 1 else ''} "
        f"({len(problems)} problem{'s' if len(problems) > 1 else ''}):"
    )
    return "\n".join([head, *lines])


def _is_text(series: pd.Series) -> bool:
    return isinstance(series.dtype, pd.StringDtype) or series.dtype == object


def _blank(series: pd.Series) -> NDArray[np.bool_]:
    """Missing cells: NaN, None, NaT, or text made only of spaces."""
    missing = series.isna().to_numpy(dtype=np.bool_)
    if isinstance(series.dtype, pd.StringDtype):
        missing = missing | (series.str.strip() == "").fillna(False).to_numpy(dtype=np.bool_)
    elif series.dtype == object:
        missing = missing | series.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(
            dtype=np.bool_
        )
    return missing


def _text_if_all_text(series: pd.Series) -> pd.Series:
    """An object column holding only text (and missing cells) as a text column: the
    string methods of pandas then run in C instead of once per cell in Python."""
    if series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in (
        "string",
        "empty",
    ):
        return series.astype(TEXT_DTYPE)
    return series


def _identifiers(shown: pd.Series, problems: _Problems) -> pd.Series:
    name = "structure_id"
    series = _text_if_all_text(shown)
    if pd.api.types.is_integer_dtype(series) and not pd.api.types.is_bool_dtype(series):
        cells = series.to_numpy(dtype=object)
        present = series.notna().to_numpy(dtype=np.bool_)
        cells[present] = [str(value) for value in cells[present]]
        cells[~present] = None
        text = pd.Series(cells, index=series.index, dtype=object)
        not_text = np.zeros(len(series), dtype=np.bool_)
    elif isinstance(series.dtype, pd.StringDtype):
        text = series.str.strip()
        not_text = np.zeros(len(series), dtype=np.bool_)
    else:
        is_text = series.map(lambda v: isinstance(v, str), na_action="ignore")
        not_text = ~is_text.fillna(True).to_numpy(dtype=np.bool_)
        text = series.where(~not_text).astype(object).map(str.strip, na_action="ignore")
    problems.add(not_text, name, shown, "structure_id must be text")
    empty = (text.isna() | (text == "")).fillna(True).to_numpy(dtype=np.bool_) & ~not_text
    problems.add(empty, name, shown, "structure_id is missing or empty")
    if empty.any() or not_text.any():
        text = text.where(~(empty | not_text), "")
    return text.astype(TEXT_DTYPE)


def _categories(
    shown: pd.Series, name: str, allowed: tuple[str, ...], problems: _Problems
) -> NDArray[np.int8]:
    series = _text_if_all_text(shown)
    # factorize (hashing each cell once, in C), then look the few distinct values up
    raw, uniques = pd.factorize(series)
    distinct = [value.strip() if isinstance(value, str) else value for value in uniques]
    lookup = pd.Index(allowed, dtype=object).get_indexer(pd.Index(distinct, dtype=object))
    blank = np.array([value == "" for value in distinct] + [True], dtype=np.bool_)
    codes = np.where(raw >= 0, lookup[np.maximum(raw, 0)], -1) if len(lookup) else raw
    missing = blank[raw]  # raw == -1 (NaN, None) picks the last entry: missing
    problems.add(missing, name, shown, f"{name} is missing (NaN or empty)")
    problems.add((codes < 0) & ~missing, name, shown, f"{name} must be one of {', '.join(allowed)}")
    return np.where(codes < 0, 0, codes).astype(np.int8)


def _raw_numbers(
    series: pd.Series, name: str, problems: _Problems
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Float values and the mask of usable ones (a number, present, finite, not negative)."""
    if (
        pd.api.types.is_bool_dtype(series)
        or pd.api.types.is_datetime64_any_dtype(series)
        or pd.api.types.is_timedelta64_dtype(series)
    ):
        everything = np.ones(len(series), dtype=np.bool_)
        problems.add(everything, name, series, f"{name} must be a number")
        return np.zeros(len(series), dtype=np.float64), ~everything
    if pd.api.types.is_float_dtype(series) and getattr(series.dtype, "itemsize", 8) < 8:
        # float32 0.35 is 0.3499999940…: read it as the decimal it prints as (never float32)
        values = series.to_numpy(dtype=np.float32, na_value=np.nan).astype(str).astype(np.float64)
        not_number = np.zeros(len(series), dtype=np.bool_)
    elif pd.api.types.is_numeric_dtype(series):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        not_number = np.zeros(len(series), dtype=np.bool_)
    else:
        candidates = series
        is_bool = np.zeros(len(series), dtype=np.bool_)
        if series.dtype == object:
            is_bool = series.map(lambda v: isinstance(v, bool | np.bool_)).to_numpy(dtype=np.bool_)
            candidates = series.where(~is_bool)
        values = pd.to_numeric(candidates, errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        not_number = (np.isnan(values) & ~_blank(series)) | is_bool
        problems.add(not_number, name, series, f"{name} must be a number")
    missing = np.isnan(values) & ~not_number
    problems.add(missing, name, series, f"{name} is missing (NaN or empty)")
    infinite = np.isinf(values)
    problems.add(infinite, name, series, f"{name} must be finite")
    negative = values < 0
    problems.add(negative & ~infinite, name, series, f"{name} must be ≥ 0")
    usable = ~(not_number | missing | infinite | negative)
    return values, usable


def _numbers(series: pd.Series, name: str, problems: _Problems) -> NDArray[np.float64]:
    values, usable = _raw_numbers(series, name, problems)
    return np.where(usable, values, 0.0)


def _whole_numbers(
    series: pd.Series,
    name: str,
    what: str,
    problems: _Problems,
    low: float = 0,
    high: float = _EXACT_LIMIT,
) -> NDArray[np.int64]:
    values, usable = _raw_numbers(series, name, problems)
    bad = usable & ((values != np.floor(values)) | (values < low) | (values > high))
    problems.add(bad, name, series, f"{name} must be {what}")
    return np.where(usable & ~bad, values, low).astype(np.int64)


def _poverty_rates(series: pd.Series, problems: _Problems) -> NDArray[np.float64]:
    name = "poverty_rate"
    values, usable = _raw_numbers(series, name, problems)
    percent = usable & (values > 1) & (values <= 100)
    problems.add(
        percent,
        name,
        series,
        "poverty_rate looks like a percentage: give it as a fraction in [0, 1] (31 → 0.31)",
    )
    too_large = usable & (values > 100)
    problems.add(too_large, name, series, "poverty_rate must be a fraction in [0, 1]")
    return np.where(usable & ~percent & ~too_large, values, 0.0)


def _cents(series: pd.Series, name: str, problems: _Problems) -> NDArray[np.int64]:
    """Euros to integer cents; finer than a cent is an error, never rounded."""
    values, usable = _raw_numbers(series, name, problems)
    with np.errstate(over="ignore"):  # an overflow is too large: reported just below
        cents = np.where(usable, values * 100, 0.0)
    too_large = cents > _EXACT_LIMIT
    cents = np.where(too_large, 0.0, cents)
    problems.add(too_large, name, series, f"{name} is too large to be exact in cents")
    whole = np.round(cents)
    if _is_text(series):
        # exact decimal check of text and Decimal values (a float would hide 1e-9 €)
        fine = np.zeros(len(series), dtype=np.bool_)
        for position in np.flatnonzero(usable & ~too_large):
            fine[position] = _finer_than_cent(series.iloc[position])
    else:
        fine = np.abs(cents - whole) > _CENT_TOLERANCE
    problems.add(
        fine & ~too_large,
        name,
        series,
        f"{name} has more than two decimals (finer than a cent)",
    )
    return np.where(too_large | fine, 0, whole).astype(np.int64)


def _finer_than_cent(value: object) -> bool:
    if isinstance(value, float | int | np.number):
        cents = float(value) * 100
        return bool(abs(cents - round(cents)) > _CENT_TOLERANCE)
    try:
        amount = Decimal(str(value).strip()) * 100
    except InvalidOperation:  # pragma: no cover - already reported as not a number
        return False
    return amount != amount.to_integral_value()


def _booleans(series: pd.Series, name: str, problems: _Problems) -> NDArray[np.bool_]:
    if pd.api.types.is_bool_dtype(series) and not series.isna().any():
        return series.to_numpy(dtype=np.bool_)
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        true, false = values == 1, values == 0
    else:
        if isinstance(series.dtype, pd.StringDtype):
            words = series.str.strip().str.lower()
        else:
            words = series.map(_word)
        true = words.isin(_TRUE_WORDS).to_numpy(dtype=np.bool_)
        false = words.isin(_FALSE_WORDS).to_numpy(dtype=np.bool_)
    missing = _blank(series)
    problems.add(missing, name, series, f"{name} is missing (NaN or empty)")
    problems.add(~(true | false | missing), name, series, f"{name} must be true or false")
    return np.asarray(true, dtype=np.bool_)


def _word(value: object) -> object:
    """A cell of an object column of booleans as a lower-case word ("true", "1", ...)."""
    if isinstance(value, str | bool | np.bool_):
        return str(value).strip().lower()
    if isinstance(value, int | float | np.number) and value in (0, 1):
        return str(int(value))
    return value


def _ordinals(
    series: pd.Series, name: str, open_value: int, problems: _Problems
) -> NDArray[np.int64]:
    """Dates to day ordinals; empty is an open end (no entry or no exit date)."""
    empty = _blank(series)
    message = f"{name} must be a date (YYYY-MM-DD) or empty"
    if pd.api.types.is_bool_dtype(series) or (
        pd.api.types.is_numeric_dtype(series) and not empty.all()
    ):
        problems.add(~empty, name, series, message)
        return np.full(len(series), open_value, dtype=np.int64)
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        problems.add(~empty, name, series, message)
        return np.full(len(series), open_value, dtype=np.int64)
    if pd.api.types.is_datetime64_dtype(series):
        parsed = series
    elif empty.all():
        return np.full(len(series), open_value, dtype=np.int64)
    else:
        # every cell as text: a number (an Excel day number, say) is then not a date, where
        # pandas would read it as nanoseconds since 1970
        text = series.astype("string").str.strip()
        parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
    days = parsed.to_numpy(dtype="datetime64[D]")
    not_midnight = (parsed.to_numpy() != days).astype(np.bool_) & parsed.notna().to_numpy()
    bad = (parsed.isna().to_numpy(dtype=np.bool_) & ~empty) | not_midnight
    problems.add(bad, name, series, message)
    ordinals = np.where(np.isnat(days), 0, days.astype(np.int64)) + _EPOCH_ORDINAL
    return np.where(empty | bad, open_value, ordinals).astype(np.int64)
