"""Files of structures in, files of allocations out: CSV, JSON Lines (``.jsonl``), Parquet
and Excel (``.xlsx``).

CSV files may be comma separated (decimal point) or semicolon separated, the French
convention, where a decimal comma (``0,31``) and grouping spaces (``12 345,50``) are
accepted in number columns; they are written in either style (:data:`CSV_STYLES`). JSON
Lines hold one JSON object per line (:mod:`secpa_model.io.json_lines`). Excel needs the
``excel`` extra (openpyxl): ``pip install 'secpa-model[excel]'``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal, NamedTuple, get_args

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model.core.errors import InputError
from secpa_model.core.safe_text import (
    FORMULA_STARTS,
    QUOTED_STARTS,
    SPREADSHEET_QUOTE,
    quote_spreadsheet_text,
    starts_like_formula,
    unquote_spreadsheet_text,
)
from secpa_model.io.json_lines import read_json_lines, read_structure_lines, write_frame_lines
from secpa_model.io.locations import RowLocations
from secpa_model.io.output import atomic_path
from secpa_model.io.readers import csv_separator, read_csv, read_excel, read_parquet
from secpa_model.io.validation import (
    ERROR_COLUMNS,
    YEAR,
    YEAR_COLUMN,
    problems_error,
    validate_frame,
)
from secpa_model.model.inputs import KIND_RULES
from secpa_model.model.model import Model
from secpa_model.model.structure import Columns
from secpa_model.models import resolve_model

__all__ = [
    "CSV_STYLES",
    "FORMATS",
    "CsvStyle",
    "LocatedFrame",
    "RowsRead",
    "read_allocations",
    "read_located",
    "read_structure_rows",
    "read_structures",
    "write_allocations",
]

FORMATS: Final[dict[str, str]] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
}
"""File suffixes understood by :func:`read_structures` and :func:`write_allocations`."""

_EXTRAS: Final[dict[str, tuple[str, str]]] = {
    "excel": ("openpyxl", "excel"),
}
_RESULT_TEXT: Final = ("eligible", "reasons", "total_cents")
_BAD_LINES_SHOWN: Final = 20  # bad lines of a JSON Lines file a message lists
_EXCEL_MAX_ROWS: Final = 1_048_576  # rows of an .xlsx sheet, header included
_EXCEL_ILLEGAL_SUFFIX: Final = " cannot be used in worksheets."  # openpyxl's message
_EXCEL_NOT_TEXT: Final = ("f", "e")  # openpyxl's types of a text taken as formula or error
# Where a spreadsheet may start a new cell inside an unquoted CSV field: a carriage return (a
# new row: Python's csv quotes a field for "\n" only) or the other style's separator (a
# semicolon, the list separator of a French spreadsheet, in a comma file; a comma in a
# semicolon file) followed by a formula's first character.
_SPLITS_A_FIELD: Final = {other: re.compile(f"\r|{other}[=+\\-@\t]") for other in (";", ",")}
_QUOTE_MINIMAL: Final[Literal[0]] = 0  # csv.QUOTE_MINIMAL
_QUOTE_TEXTS: Final[Literal[2]] = 2  # csv.QUOTE_NONNUMERIC: every text in double quotes

CsvStyle = Literal["default", "fr"]
"""How a CSV file is written: ``"default"``, comma separated with a decimal point, UTF-8
without a byte order mark (for programs); ``"fr"``, as a French Excel writes and reads
it: semicolon separated, decimal comma, UTF-8 with a byte order mark (so that Excel reads
``≥`` and ``→`` as UTF-8, not as Windows-1252)."""
CSV_STYLES: Final[tuple[str, ...]] = get_args(CsvStyle)
"""The CSV styles: ``default`` and ``fr``."""
# (separator, decimal mark, encoding, the other separator a spreadsheet may split on)
_CSV_WRITING: Final[dict[str, tuple[str, str, str, str]]] = {
    "default": (",", ".", "utf-8", ";"),
    "fr": (";", ",", "utf-8-sig", ","),
}


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


class RowsRead(NamedTuple):
    """The rows of a file of structures as read (:func:`read_structure_rows`), one problem
    per line of a JSON Lines file that is not a structure (empty for other formats: their
    shape problems refuse the whole file), in the columns of an errors frame
    (:data:`~secpa_model.io.validation.ERROR_COLUMNS`), labelled by the row number it
    would have had, and where each row number is in the file."""

    frame: pd.DataFrame
    problems: pd.DataFrame
    rows: RowLocations


def read_structure_rows(
    path: str | Path, *, model: Model | str | None = None, encoding: str | None = None
) -> RowsRead:
    """The cells of a file of structures as read (``read_structures(path,
    validate=False)``), with the bad lines of a JSON Lines file given back as problems
    instead of refusing the file, so that a caller may report them beside the invalid rows
    (``secpa-model batch --errors report``). The rows of a JSON Lines file keep their
    numbers (a bad line's number is missing from the index); other files are numbered
    from 0. ``encoding``: as for :func:`read_structures`."""
    resolved = resolve_model(model)
    file = Path(path)
    fmt = _format_of(file)
    if not file.is_file():
        raise InputError(f"{file}: no such file")
    if encoding is not None and fmt != "csv":
        raise InputError(f"{file}: an encoding is chosen for a CSV file only (this is {fmt})")
    no_problems = pd.DataFrame({name: pd.Series(dtype=object) for name in ERROR_COLUMNS})
    if fmt == "jsonl":
        lines = read_structure_lines(file, resolved)
        return RowsRead(lines.frame, lines.problems, RowLocations(str(file), lines.lines))
    if fmt == "csv":
        raw, rows = read_csv(file, resolved, encoding=encoding)
    elif fmt == "parquet":
        raw, rows = read_parquet(file), RowLocations(str(file))
    else:
        _require_extra(fmt, "reading")
        raw, rows = read_excel(file, resolved)
    return RowsRead(raw.reset_index(drop=True), no_problems, rows)


def read_structures(
    path: str | Path,
    *,
    validate: bool = True,
    model: Model | str | None = None,
    encoding: str | None = None,
) -> pd.DataFrame:
    """Read a file of structures (one row per structure, or per structure and year) into a
    DataFrame ready for :func:`~secpa_model.allocate_frame`.

    The format comes from the suffix: ``.csv`` (comma or semicolon separated, detected from
    the header; with semicolons a decimal comma is accepted, and a dotted number refused as
    ambiguous), ``.jsonl`` (JSON Lines: one JSON object per line, see
    :mod:`secpa_model.io.json_lines`), ``.parquet`` / ``.pq`` or ``.xlsx`` (first sheet).
    A file that is malformed, empty, names a column twice or is not what its suffix says is
    refused whole (:mod:`secpa_model.io.readers` lists every case), as is a JSON Lines file
    with a line that is not a JSON object (each such line named). The columns (keys) are
    the input names of ``model`` (default: the experimentation; optional ones may be left
    out) and optionally ``year``; other columns are kept as they are. Rows keep the file's
    order, numbered from 0 (the first row after the header; in JSON Lines the first line
    that is not blank).

    ``encoding`` (CSV only): the text's encoding, e.g. ``"cp1252"``; by default UTF-8 is
    tried first (strictly), then Windows-1252 with a
    :class:`~secpa_model.io.readers.EncodingFallbackWarning` (see
    :mod:`secpa_model.io.readers`).

    With ``validate=True`` (default) every cell is checked as by
    :func:`~secpa_model.allocate_frame` and any problem raises
    :class:`~secpa_model.InputError` naming the file, and for each problem the row, its
    line in the file (the header is line 1) or its sheet row, the structure id, the field
    and the value (its :attr:`~secpa_model.SecpaError.problems` hold them as data); the
    frame returned is typed: text ids and categories, int64 file active (and year),
    float64 rates, hours and euros (whole cents), bool agreement, dates as
    :class:`datetime.date` or None. With ``validate=False`` the cells are returned as
    read (after the decimal-comma conversion); ``portfolio(path)`` reads and validates
    a file in one step, keeping each row's line.
    """
    resolved = resolve_model(model)
    raw, rows = read_located(path, resolved, encoding=encoding)
    if not validate:
        return raw
    try:
        validated = validate_frame(raw, resolved)
    except InputError as exc:
        raise rows.error(exc) from exc
    if len(validated.problems):
        raise problems_error(validated.problems, rows)
    return _typed_frame(resolved, raw, validated.columns, validated.years)


class LocatedFrame(NamedTuple):
    """What :func:`read_located` returns: the rows as read, and where they are."""

    frame: pd.DataFrame
    rows: RowLocations


def read_located(
    path: str | Path, model: Model | str | None = None, *, encoding: str | None = None
) -> LocatedFrame:
    """The rows of a file of structures as read (as ``read_structures(path,
    validate=False)``) and where each row is in the file (its line, or its sheet row), for
    errors that name them. A JSON Lines file with a line that is not a structure is
    refused, naming each such line."""
    file = Path(path)
    read = read_structure_rows(file, model=model, encoding=encoding)
    if len(read.problems):
        raise problems_error(read.problems, read.rows)
    return LocatedFrame(read.frame.reset_index(drop=True), read.rows)


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


def write_allocations(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    index: bool | None = None,
    csv_style: CsvStyle = "default",
) -> Path:
    """Write an :func:`~secpa_model.allocate_frame` result (or any frame) to ``path``.

    The format comes from the suffix, as for :func:`read_structures`. CSV is written in
    ``csv_style`` (:data:`CsvStyle`): by default comma separated with a decimal point,
    UTF-8 without a byte order mark; ``"fr"``: semicolon separated with a decimal comma,
    UTF-8 with a byte order mark, as a French Excel opens it (``≥`` and ``→`` shown
    right). JSON Lines (``.jsonl``): one JSON object per row, the column names as keys
    (:mod:`secpa_model.io.json_lines`). ``index=None`` writes the index (as the first
    column, or key) only when it is not the default ``0..n-1``. Cent columns stay int64
    (JSON integers), so nothing is rounded on the way; :func:`read_allocations` reads
    every format and style back exactly. Returns the path written.

    The file is written whole or not at all (:func:`~secpa_model.io.output.atomic_path`):
    into a temporary file beside ``path``, moved onto it once complete; on any error the
    temporary file is removed and a previous ``path`` is left as it was. A text cell Excel
    does not allow (a control character such as ``"\\x01"``) raises
    :class:`~secpa_model.InputError` naming the file.

    Nothing written is a live formula (OWASP, CSV injection), and only text cells are
    concerned (a negative number stays a number):

    * CSV: a text cell (values, index and header) that starts with ``=``, ``+``, ``-``,
      ``@``, a tab or a carriage return, or with a single quote ``'``, is written with one
      more ``'`` in front (``=1+2`` as ``'=1+2``, ``'a`` as ``''a``); other cells are
      written as they are. :func:`read_allocations` removes exactly one leading ``'`` from
      every text cell that starts with one, giving the original text back.
    * Excel: every text is a text cell (``=1+2`` or ``#REF!`` is never a formula or an
      error value), the ones starting like a formula marked with Excel's quote prefix
      (so that editing them keeps them text); the value is the original text.
    * Parquet is typed, and JSON Lines is not a spreadsheet's format (JSON escapes what
      must be): written as they are.
    """
    file = Path(path)
    fmt = _format_of(file)
    if csv_style not in _CSV_WRITING:
        raise ValueError(f"csv_style must be one of {', '.join(CSV_STYLES)}, got {csv_style!r}")
    if index is None:
        index = not frame.index.equals(pd.RangeIndex(len(frame)))
    if fmt in _EXTRAS:
        _require_extra(fmt, "writing")
    if fmt == "excel" and len(frame) + 1 > _EXCEL_MAX_ROWS:
        raise InputError(
            f"{file}: {len(frame)} rows do not fit in an Excel sheet "
            f"({_EXCEL_MAX_ROWS} rows with the header): write .parquet or .csv"
        )
    with atomic_path(file) as temporary:
        if fmt == "csv":
            separator, decimal, encoding, other = _CSV_WRITING[csv_style]
            quoted = _quoted_for_csv(_decimals_marked(frame, decimal), index=index)
            splits = _splits(quoted, index=index, other=other)
            quoted.to_csv(
                temporary,
                index=index,
                quoting=_QUOTE_TEXTS if splits else _QUOTE_MINIMAL,
                sep=separator,
                decimal=decimal,
                encoding=encoding,
            )
        elif fmt == "jsonl":
            with temporary.open("w", encoding="utf-8", newline="\n") as stream:
                write_frame_lines(frame, stream, index=index)
        elif fmt == "parquet":
            frame.to_parquet(temporary, index=index)
        else:
            from openpyxl.utils.exceptions import IllegalCharacterError

            try:
                if _formula_like(frame, index=index):
                    _write_excel(frame, temporary, index=index)
                else:
                    frame.to_excel(temporary, index=index, engine="openpyxl")
            except IllegalCharacterError as exc:
                text = str(exc).removesuffix(_EXCEL_ILLEGAL_SUFFIX)
                raise InputError(
                    f"{file}: cannot write the Excel file: the text {text[:80]!r} holds a "
                    "control character Excel does not allow (codes 0-8, 11, 12, 14-31): "
                    "remove it, or write .csv or .parquet"
                ) from exc
    return file


def _decimals_marked(frame: pd.DataFrame, mark: str) -> pd.DataFrame:
    """``frame`` with each :class:`~decimal.Decimal` cell (exact euros) written as its
    digits with ``mark`` as the decimal mark (pandas applies the CSV's decimal mark to
    floats only); ``frame`` itself when the mark is a point or no cell is a Decimal."""
    if mark == ".":
        return frame
    marked = frame.copy(deep=False)
    changed = False
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if pd.api.types.is_object_dtype(values.dtype) and any(
            isinstance(value, Decimal) for value in values
        ):
            text = values.map(lambda v: str(v).replace(".", mark) if isinstance(v, Decimal) else v)
            marked.isetitem(position, text.array)
            changed = True
    return marked if changed else frame


def _quote_cell(value: object) -> object:
    return quote_spreadsheet_text(value) if isinstance(value, str) else value


def _unquote_cell(value: object) -> object:
    return unquote_spreadsheet_text(value) if isinstance(value, str) else value


def _any_starts(values: Iterable[Any], starts: tuple[str, ...]) -> bool:
    return any(isinstance(value, str) and value.startswith(starts) for value in values)


def _text_mapped(values: pd.Series, starts: tuple[str, ...], cell: Any) -> pd.Series | None:
    """``values`` with ``cell`` applied to each text when a text starts with one of
    ``starts``; None when none does or the column holds no text."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = values.cat.categories
        if not _any_starts(categories, starts):
            return None
        return values.cat.rename_categories([cell(c) for c in categories])
    if isinstance(values.dtype, pd.StringDtype):
        found = bool(values.str.startswith(starts, na=False).any())
    elif pd.api.types.is_object_dtype(values.dtype):
        found = _any_starts(values, starts)
    else:
        return None
    return values.map(cell) if found else None


def _quoted_labels(labels: pd.Index) -> pd.Index:
    """An index or header with its texts quoted for CSV (each level of a MultiIndex), and
    its names (written as the header of the index columns)."""
    quoted: pd.Index
    if isinstance(labels, pd.MultiIndex):
        levels = [_quoted_labels(level) for level in labels.levels]
        same = all(new is old for new, old in zip(levels, labels.levels, strict=True))
        quoted = labels if same else labels.set_levels([list(level) for level in levels])
    else:
        quoted = labels.map(_quote_cell) if _any_starts(labels, QUOTED_STARTS) else labels
    if _any_starts(labels.names, QUOTED_STARTS):
        quoted = quoted.set_names([_quote_cell(name) for name in labels.names])
    return quoted


def _quoted_for_csv(frame: pd.DataFrame, *, index: bool) -> pd.DataFrame:
    """``frame`` with every text cell quoted for CSV (:func:`quote_spreadsheet_text`): the
    values, the header, and the index when it is written. ``frame`` itself when no cell
    needs it; otherwise a copy (``frame`` is not modified)."""
    quoted = frame.copy(deep=False)
    changed = False
    for position in range(frame.shape[1]):
        column = _text_mapped(frame.iloc[:, position], QUOTED_STARTS, _quote_cell)
        if column is not None:
            quoted.isetitem(position, column.array)
            changed = True
    header = _quoted_labels(frame.columns)
    rows = _quoted_labels(frame.index) if index else frame.index
    if header is not frame.columns or rows is not frame.index:
        quoted = quoted.set_axis(header, axis=1).set_axis(rows, axis=0)
        changed = True
    return quoted if changed else frame


def _only_text(values: pd.Series) -> pd.Series:
    """The texts among ``values`` (an object column may mix them with other values)."""
    return values[values.map(lambda value: isinstance(value, str))].astype("string")


def _texts(frame: pd.DataFrame, *, index: bool) -> Iterator[pd.Series]:
    """The texts of ``frame`` as a file holds them, a group at a time: the header's labels
    and names, the index's when it is written, then each column holding text (the
    categories of a categorical one)."""
    for axis in [frame.columns, frame.index] if index else [frame.columns]:
        parts = [
            part
            for label in axis.to_flat_index()
            for part in (label if isinstance(label, tuple) else (label,))
        ]
        yield _only_text(pd.Series([*parts, *axis.names], dtype=object))
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if isinstance(values.dtype, pd.CategoricalDtype):
            yield _only_text(pd.Series(values.cat.categories, dtype=object))
        elif isinstance(values.dtype, pd.StringDtype):
            yield values.dropna()
        elif pd.api.types.is_object_dtype(values.dtype):
            yield _only_text(values)


def _splits(frame: pd.DataFrame, *, index: bool, other: str) -> bool:
    """Whether a text cell (value, header or written index) holds a carriage return, or
    ``other`` (the separator of the other CSV style) followed by a formula's first
    character: then every text is written in double quotes, so that no spreadsheet starts a
    cell inside it."""
    pattern = _SPLITS_A_FIELD[other]
    return any(bool(texts.str.contains(pattern).any()) for texts in _texts(frame, index=index))


def _formula_like(frame: pd.DataFrame, *, index: bool) -> bool:
    """Whether a text cell starts like a formula or is an Excel error value (``#REF!``):
    openpyxl would write those as formulas or errors."""
    from openpyxl.cell.cell import ERROR_CODES

    return any(
        bool((texts.str.startswith(FORMULA_STARTS) | texts.isin(ERROR_CODES)).any())
        for texts in _texts(frame, index=index)
    )


def _write_excel(frame: pd.DataFrame, path: Path, *, index: bool) -> None:
    """``frame`` as an .xlsx file where every text is a text cell (when
    :func:`_formula_like`): openpyxl takes a text starting with ``=`` as a formula and
    ``#REF!`` as an error value, both turned back into text here; a text that starts like
    a formula gets Excel's quote prefix."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, index=index)
        for sheet in writer.sheets.values():
            for row in sheet.iter_rows():
                for cell in row:
                    if not isinstance(cell.value, str):
                        continue
                    if cell.data_type in _EXCEL_NOT_TEXT:
                        cell.data_type = "s"
                    if starts_like_formula(cell.value):
                        cell.quotePrefix = True


def _unquoted_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """A CSV written by :func:`write_allocations` back to its texts: one leading ``'``
    removed from each text cell and header that starts with one."""
    starts = (SPREADSHEET_QUOTE,)
    for position in range(frame.shape[1]):
        column = _text_mapped(frame.iloc[:, position], starts, _unquote_cell)
        if column is not None:
            frame.isetitem(position, column.array)
    if _any_starts(frame.columns, starts):
        frame.columns = frame.columns.map(_unquote_cell)
    return frame


def _read_written_csv(file: Path, text: dict[str, type[str]]) -> pd.DataFrame:
    """A CSV file written by :func:`write_allocations`, in the style its header shows."""
    with file.open(encoding="utf-8-sig", newline="") as stream:
        header = stream.readline()
    separator = csv_separator(header)
    return pd.read_csv(
        file,
        dtype=text,
        keep_default_na=False,
        na_values=[""],
        sep=separator,
        decimal="," if separator == ";" else ".",
        encoding="utf-8-sig",
    )


def _read_written_lines(file: Path) -> pd.DataFrame:
    """A JSON Lines file written by :func:`write_allocations`: one row per object."""
    problems: list[tuple[int, str]] = []
    records = [
        data
        for _, _, data in read_json_lines(
            file, lambda row, line, start, message: problems.append((row, message))
        )
    ]
    if problems:
        listed = "; ".join(message for _, message in problems[:_BAD_LINES_SHOWN])
        raise InputError(f"{file}: not an allocations file: {listed}")
    return pd.DataFrame.from_records(records)


def read_allocations(path: str | Path, *, model: Model | str | None = None) -> pd.DataFrame:
    """Read back a file written by :func:`write_allocations` with the result's types:
    text id (the ``model``'s id input) and ``reasons`` (empty when eligible), bool
    ``eligible`` and int64 ``*_cents`` columns (an error if a cent cell is not a whole
    number: never rounded). Other columns (an index written as a column, euro columns) are
    kept as read.

    A CSV file may be in either style of :func:`write_allocations` (detected from its
    header: semicolons mean the ``"fr"`` style, with decimal commas; a byte order mark is
    dropped). A CSV cell the writer quoted is given back as it was: one leading ``'`` is
    removed from every text cell (and header) that starts with one (the rule of
    :func:`write_allocations`); JSON Lines, Excel and Parquet cells are read as they are
    (a JSON Lines file that is not one object per line is refused, naming the lines)."""
    identifier = resolve_model(model).id_input
    file = Path(path)
    fmt = _format_of(file)
    if not file.is_file():
        raise InputError(f"{file}: no such file")
    text = {identifier: str, "reasons": str}
    if fmt == "csv":
        frame = _unquoted_csv(_read_written_csv(file, text))
    elif fmt == "jsonl":
        frame = _read_written_lines(file)
    elif fmt == "parquet":
        frame = pd.read_parquet(file)
    else:
        _require_extra(fmt, "reading")
        frame = pd.read_excel(
            file, engine="openpyxl", dtype=text, keep_default_na=False, na_values=[""]
        )
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
