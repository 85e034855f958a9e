"""Files of structures in, files of allocations out: CSV, Parquet and Excel (``.xlsx``).

CSV files may be comma separated (decimal point) or semicolon separated, the French
convention, where a decimal comma (``0,31``) and grouping spaces (``12 345,50``) are
accepted in number columns. Parquet needs the ``parquet`` extra (pyarrow) and Excel the
``excel`` extra (openpyxl): ``pip install 'secpa-model[parquet]'`` or ``'secpa-model[excel]'``.
"""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model.errors import InputError
from secpa_model.frame_validation import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    YEAR_COLUMN,
    describe_problems,
    validate_frame,
)
from secpa_model.frames import CENT_COLUMNS, RESULT_COLUMNS
from secpa_model.structures import KINDS, LOCATIONS, OPEN_END, OPEN_START, StructureColumns

__all__ = ["FORMATS", "read_allocations", "read_structures", "write_allocations"]

FORMATS: Final[dict[str, str]] = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
}
"""File suffixes understood by :func:`read_structures` and :func:`write_allocations`."""

_EXTRAS: Final[dict[str, tuple[str, str]]] = {
    "parquet": ("pyarrow", "parquet"),
    "excel": ("openpyxl", "excel"),
}
_NUMBER_COLUMNS: Final[tuple[str, ...]] = (
    "file_active_mg",
    "poverty_rate",
    "interpreting_hours_in_person",
    "interpreting_hours_phone",
    "psychologist_cost_requested",
    "segur_psychologist_funding",
    YEAR_COLUMN,
)
_TEXT_COLUMNS: Final[tuple[str, ...]] = ("structure_id", "kind", "location")
_EXCEL_MAX_ROWS: Final = 1_048_576  # rows of an .xlsx sheet, header included
# grouping spaces of French numbers: space, no-break space, narrow no-break space
_GROUPING: Final = r"[ \u00a0\u202f]"
_FRENCH_NUMBER: Final = r"\s*[+-]?(\d+|\d{1,3}(" + _GROUPING + r"\d{3})+)(,\d*)?\s*"


def _format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(FORMATS)
        raise InputError(f"{path}: unknown file type {path.suffix!r} (known: {known})")
    return fmt


def _require_extra(fmt: str, action: str) -> None:
    module, extra = _EXTRAS[fmt]
    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{action} {fmt.capitalize()} files needs the optional dependency {module}: "
            f"install it with pip install 'secpa-model[{extra}]'"
        ) from exc


def read_structures(path: str | Path, *, validate: bool = True) -> pd.DataFrame:
    """Read a file of structures (one row per structure, or per structure and year) into a
    DataFrame ready for :func:`~secpa_model.allocate_frame`.

    The format comes from the suffix: ``.csv`` (comma or semicolon separated, detected from
    the header; with semicolons a decimal comma is accepted), ``.parquet`` / ``.pq`` or
    ``.xlsx`` (first sheet). The columns are the :class:`~secpa_model.Structure` field
    names (optional ones may be left out) and optionally ``year``; other columns are kept
    as they are. Rows keep the file's order, numbered from 0 (the first row after the
    header).

    With ``validate=True`` (default) every cell is checked as by
    :func:`~secpa_model.allocate_frame` and any problem raises
    :class:`~secpa_model.errors.InputError` naming the file, row, field and value; the
    frame returned is typed: text ids and categories, int64 file active (and year),
    float64 rates, hours and euros (whole cents), bool agreement, dates as
    :class:`datetime.date` or None. With ``validate=False`` the cells are returned as
    read (after the decimal-comma conversion), e.g. for ``allocate_frame(...,
    errors="report")``.
    """
    file = Path(path)
    fmt = _format_of(file)
    if not file.is_file():
        raise InputError(f"{file}: no such file")
    if fmt == "csv":
        raw = _read_csv(file)
    elif fmt == "parquet":
        _require_extra(fmt, "reading")
        raw = pd.read_parquet(file)
    else:
        _require_extra(fmt, "reading")
        raw = pd.read_excel(file, engine="openpyxl", dtype={"structure_id": str})
    raw = raw.reset_index(drop=True)
    if not validate:
        return raw
    try:
        validated = validate_frame(raw)
    except InputError as exc:
        raise InputError(f"{file}: {exc}") from exc
    if len(validated.problems):
        raise InputError(
            f"{file} (rows numbered from 0 after the header): "
            + describe_problems(validated.problems)
        )
    return _typed_frame(raw, validated.columns, validated.years)


def _read_csv(file: Path) -> pd.DataFrame:
    with file.open(encoding="utf-8-sig") as handle:
        header = handle.readline()
    semicolon = header.count(";") > header.count(",")
    frame = pd.read_csv(
        file,
        sep=";" if semicolon else ",",
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8-sig",
        skipinitialspace=True,
    )
    if semicolon:
        for name in _NUMBER_COLUMNS:
            if name in frame.columns:
                frame[name] = _decimal_comma(frame[name])
    return frame


def _decimal_comma(series: pd.Series) -> pd.Series:
    """French numbers to numbers with a decimal point: ``12 345,50`` → ``12345.50``.

    Only a value written as a French number is converted; any other text is left as it
    is (and reported by validation if it is not a number).
    """
    text = series.astype("string")
    french = text.str.fullmatch(_FRENCH_NUMBER).fillna(False).astype(bool)
    converted = text.str.replace(_GROUPING, "", regex=True).str.replace(",", ".", regex=False)
    return text.where(~french, converted).astype(object).where(text.notna(), None)


def _typed_frame(
    raw: pd.DataFrame, columns: StructureColumns, years: NDArray[np.int64] | None
) -> pd.DataFrame:
    """The validated frame: the engine columns turned back into typed pandas columns."""
    index = raw.index

    def dates(ordinals: NDArray[np.int64], open_value: int) -> pd.Series:
        values = [None if o == open_value else date.fromordinal(int(o)) for o in ordinals]
        return pd.Series(values, index=index, dtype=object)

    def text(values: NDArray[np.object_]) -> pd.Series:
        return pd.Series(values, index=index, dtype=str)

    typed: dict[str, pd.Series] = {
        "structure_id": text(columns.structure_id),
        "kind": text(np.array(KINDS, dtype=object)[columns.kind]),
        "location": text(np.array(LOCATIONS, dtype=object)[columns.location]),
        "file_active_mg": pd.Series(columns.file_active_mg, index=index),
        "poverty_rate": pd.Series(columns.poverty_rate, index=index),
        "interpreting_hours_in_person": pd.Series(
            columns.interpreting_hours_in_person, index=index
        ),
        "interpreting_hours_phone": pd.Series(columns.interpreting_hours_phone, index=index),
        "psychologist_cost_requested": pd.Series(
            columns.psychologist_cost_requested_cents / 100, index=index
        ),
        "segur_psychologist_funding": pd.Series(
            columns.segur_psychologist_funding_cents / 100, index=index
        ),
        "ars_psychology_agreement": pd.Series(columns.ars_psychology_agreement, index=index),
        "entry_date": dates(columns.entry, OPEN_START),
        "exit_date": dates(columns.exit, OPEN_END),
    }
    if years is not None:
        typed[YEAR_COLUMN] = pd.Series(years, index=index)
    known = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, YEAR_COLUMN)
    for name in raw.columns:
        if name not in known:
            typed[str(name)] = raw[name]
    return pd.DataFrame(typed, index=index)


def write_allocations(frame: pd.DataFrame, path: str | Path, *, index: bool | None = None) -> Path:
    """Write an :func:`~secpa_model.allocate_frame` result (or any frame) to ``path``.

    The format comes from the suffix, as for :func:`read_structures`; CSV is written comma
    separated with a decimal point, UTF-8. ``index=None`` writes the index (as the first
    column) only when it is not the default ``0..n-1``. Cent columns stay int64, so
    nothing is rounded on the way. Returns the path written.
    """
    file = Path(path)
    fmt = _format_of(file)
    if index is None:
        index = not frame.index.equals(pd.RangeIndex(len(frame)))
    if fmt == "csv":
        frame.to_csv(file, index=index)
    elif fmt == "parquet":
        _require_extra(fmt, "writing")
        frame.to_parquet(file, index=index)
    else:
        _require_extra(fmt, "writing")
        if len(frame) + 1 > _EXCEL_MAX_ROWS:
            raise InputError(
                f"{file}: {len(frame)} rows do not fit in an Excel sheet "
                f"({_EXCEL_MAX_ROWS} rows with the header): write .parquet or .csv"
            )
        frame.to_excel(file, index=index, engine="openpyxl")
    return file


def read_allocations(path: str | Path) -> pd.DataFrame:
    """Read back a file written by :func:`write_allocations` with the result's types:
    text ``structure_id`` and ``reasons`` (empty when eligible), bool ``eligible`` and
    int64 cent columns (an error if a cent cell is not a whole number: never rounded).
    Other columns (an index written as a column, euro columns) are kept as read."""
    file = Path(path)
    fmt = _format_of(file)
    if not file.is_file():
        raise InputError(f"{file}: no such file")
    text = {"structure_id": str, "reasons": str}
    if fmt == "csv":
        frame = pd.read_csv(file, dtype=text, keep_default_na=False, na_values=[""])
    elif fmt == "parquet":
        _require_extra(fmt, "reading")
        frame = pd.read_parquet(file)
    else:
        _require_extra(fmt, "reading")
        frame = pd.read_excel(file, engine="openpyxl", dtype=text)
    missing = [name for name in RESULT_COLUMNS if name not in frame.columns]
    if missing:
        raise InputError(f"{file}: not an allocations file, missing columns {', '.join(missing)}")
    frame["structure_id"] = frame["structure_id"].astype(str)
    frame["reasons"] = frame["reasons"].fillna("").astype(str)
    frame["eligible"] = frame["eligible"].astype(bool)
    for name in CENT_COLUMNS:
        values = pd.to_numeric(frame[name], errors="coerce")
        whole = values.notna() & (values == values.round())
        if not whole.all():
            bad = frame.index[~whole.to_numpy()][0]
            raise InputError(
                f"{file}: {name} must hold whole cents; row {bad} holds {frame[name][bad]!r}"
            )
        frame[name] = values.astype(np.int64)
    return frame
