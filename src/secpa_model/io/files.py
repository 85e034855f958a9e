"""Files of structures in, files of allocations out: CSV, Parquet and Excel (``.xlsx``).

CSV files may be comma separated (decimal point) or semicolon separated, the French
convention, where a decimal comma (``0,31``) and grouping spaces (``12 345,50``) are
accepted in number columns. Parquet needs the ``parquet`` extra (pyarrow) and Excel the
``excel`` extra (openpyxl): ``pip install 'secpa-model[parquet]'`` or ``'secpa-model[excel]'``.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model.core.errors import InputError
from secpa_model.io.output import atomic_path
from secpa_model.io.readers import read_csv, read_excel, read_parquet
from secpa_model.io.validation import YEAR, YEAR_COLUMN, describe_problems, validate_frame
from secpa_model.model.inputs import KIND_RULES
from secpa_model.model.model import Model
from secpa_model.model.structure import Columns
from secpa_model.models import resolve_model

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
_RESULT_TEXT: Final = ("eligible", "reasons", "total_cents")
_EXCEL_MAX_ROWS: Final = 1_048_576  # rows of an .xlsx sheet, header included
_EXCEL_ILLEGAL_SUFFIX: Final = " cannot be used in worksheets."  # openpyxl's message


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


def read_structures(
    path: str | Path, *, validate: bool = True, model: Model | str | None = None
) -> pd.DataFrame:
    """Read a file of structures (one row per structure, or per structure and year) into a
    DataFrame ready for :func:`~secpa_model.allocate_frame`.

    The format comes from the suffix: ``.csv`` (comma or semicolon separated, detected from
    the header; with semicolons a decimal comma is accepted, and a dotted number refused as
    ambiguous), ``.parquet`` / ``.pq`` or ``.xlsx`` (first sheet). A file that is malformed,
    empty, names a column twice or is not what its suffix says is refused whole
    (:mod:`secpa_model.io.readers` lists every case). The columns are the input names of
    ``model`` (default: the experimentation; optional ones may be left out) and optionally
    ``year``; other columns are kept as they are. Rows keep the file's order, numbered from 0
    (the first row after the header).

    With ``validate=True`` (default) every cell is checked as by
    :func:`~secpa_model.allocate_frame` and any problem raises
    :class:`~secpa_model.InputError` naming the file, row, field and value; the
    frame returned is typed: text ids and categories, int64 file active (and year),
    float64 rates, hours and euros (whole cents), bool agreement, dates as
    :class:`datetime.date` or None. With ``validate=False`` the cells are returned as
    read (after the decimal-comma conversion), e.g. for ``allocate_frame(...,
    errors="report")``.
    """
    resolved = resolve_model(model)
    file = Path(path)
    fmt = _format_of(file)
    if not file.is_file():
        raise InputError(f"{file}: no such file")
    if fmt == "csv":
        raw = read_csv(file, resolved)
    elif fmt == "parquet":
        _require_extra(fmt, "reading")
        raw = read_parquet(file)
    else:
        _require_extra(fmt, "reading")
        raw = read_excel(file, resolved)
    raw = raw.reset_index(drop=True)
    if not validate:
        return raw
    try:
        validated = validate_frame(raw, resolved)
    except InputError as exc:
        raise InputError(f"{file}: {exc}") from exc
    if len(validated.problems):
        raise InputError(
            f"{file} (rows numbered from 0 after the header): "
            + describe_problems(validated.problems)
        )
    return _typed_frame(resolved, raw, validated.columns, validated.years)


def _typed_frame(
    model: Model, raw: pd.DataFrame, columns: Columns, years: NDArray[np.int64] | None
) -> pd.DataFrame:
    """The validated frame: the engine columns turned back into typed pandas columns (each
    by its input's kind), the year, then the file's other columns as read."""
    index = raw.index
    typed: dict[str, pd.Series] = {
        item.name: KIND_RULES[item.kind].to_series(item, columns[item.name], index)
        for item in model.inputs
    }
    if years is not None:
        typed[YEAR_COLUMN] = KIND_RULES[YEAR.kind].to_series(YEAR, years, index)
    for name in raw.columns:
        if name not in typed:
            typed[str(name)] = raw[name]
    return pd.DataFrame(typed, index=index)


def write_allocations(frame: pd.DataFrame, path: str | Path, *, index: bool | None = None) -> Path:
    """Write an :func:`~secpa_model.allocate_frame` result (or any frame) to ``path``.

    The format comes from the suffix, as for :func:`read_structures`; CSV is written comma
    separated with a decimal point, UTF-8. ``index=None`` writes the index (as the first
    column) only when it is not the default ``0..n-1``. Cent columns stay int64, so
    nothing is rounded on the way. Returns the path written.

    The file is written whole or not at all (:func:`~secpa_model.io.output.atomic_path`):
    into a temporary file beside ``path``, moved onto it once complete; on any error the
    temporary file is removed and a previous ``path`` is left as it was. A text cell Excel
    does not allow (a control character such as ``"\\x01"``) raises
    :class:`~secpa_model.InputError` naming the file.
    """
    file = Path(path)
    fmt = _format_of(file)
    if index is None:
        index = not frame.index.equals(pd.RangeIndex(len(frame)))
    if fmt != "csv":
        _require_extra(fmt, "writing")
    if fmt == "excel" and len(frame) + 1 > _EXCEL_MAX_ROWS:
        raise InputError(
            f"{file}: {len(frame)} rows do not fit in an Excel sheet "
            f"({_EXCEL_MAX_ROWS} rows with the header): write .parquet or .csv"
        )
    with atomic_path(file) as temporary:
        if fmt == "csv":
            frame.to_csv(temporary, index=index)
        elif fmt == "parquet":
            frame.to_parquet(temporary, index=index)
        else:
            from openpyxl.utils.exceptions import IllegalCharacterError

            try:
                frame.to_excel(temporary, index=index, engine="openpyxl")
            except IllegalCharacterError as exc:
                text = str(exc).removesuffix(_EXCEL_ILLEGAL_SUFFIX)
                raise InputError(
                    f"{file}: cannot write the Excel file: the text {text[:80]!r} holds a "
                    "control character Excel does not allow (codes 0-8, 11, 12, 14-31): "
                    "remove it, or write .csv or .parquet"
                ) from exc
    return file


def read_allocations(path: str | Path, *, model: Model | str | None = None) -> pd.DataFrame:
    """Read back a file written by :func:`write_allocations` with the result's types:
    text id (the ``model``'s id input) and ``reasons`` (empty when eligible), bool
    ``eligible`` and int64 ``*_cents`` columns (an error if a cent cell is not a whole
    number: never rounded). Other columns (an index written as a column, euro columns) are
    kept as read."""
    identifier = resolve_model(model).id_input
    file = Path(path)
    fmt = _format_of(file)
    if not file.is_file():
        raise InputError(f"{file}: no such file")
    text = {identifier: str, "reasons": str}
    if fmt == "csv":
        frame = pd.read_csv(file, dtype=text, keep_default_na=False, na_values=[""])
    elif fmt == "parquet":
        _require_extra(fmt, "reading")
        frame = pd.read_parquet(file)
    else:
        _require_extra(fmt, "reading")
        frame = pd.read_excel(file, engine="openpyxl", dtype=text)
    missing = [name for name in (identifier, *_RESULT_TEXT) if name not in frame.columns]
    if missing:
        raise InputError(f"{file}: not an allocations file, missing columns {', '.join(missing)}")
    frame[identifier] = frame[identifier].astype(str)
    frame["reasons"] = frame["reasons"].fillna("").astype(str)
    frame["eligible"] = frame["eligible"].astype(bool)
    for name in [str(c) for c in frame.columns if str(c).endswith("_cents")]:
        values = pd.to_numeric(frame[name], errors="coerce")
        whole = values.notna() & (values == values.round())
        if not whole.all():
            bad = frame.index[~whole.to_numpy()][0]
            raise InputError(
                f"{file}: {name} must hold whole cents; row {bad} holds {frame[name][bad]!r}"
            )
        frame[name] = values.astype(np.int64)
    return frame
