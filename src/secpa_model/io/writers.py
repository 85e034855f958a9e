"""Files of allocations (or any frame) written a piece of rows at a time, and read back:
CSV, JSON Lines, Parquet and Excel.

A :class:`PieceWriter`'s pieces end to end give the file one write of the whole frame
would. When a piece finds the file written so far wrong (a CSV text a spreadsheet could
split: then every text is quoted; a Parquet column whose type the first pieces could not
tell), :meth:`PieceWriter.write` raises :class:`RewriteError` and the caller writes every
piece again with :meth:`PieceWriter.again`. An Excel sheet is written whole on close (at
most :data:`EXCEL_MAX_ROWS` rows). Nothing written is a live formula (OWASP, CSV injection).
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal, get_args

import pandas as pd

from secpa_model.core.errors import InputError
from secpa_model.core.safe_text import (
    FORMULA_STARTS,
    QUOTED_STARTS,
    SPREADSHEET_QUOTE,
    quote_spreadsheet_text,
    starts_like_formula,
    unquote_spreadsheet_text,
)
from secpa_model.io.json_lines import read_json_lines, write_frame_lines
from secpa_model.io.readers import csv_separator

__all__ = [
    "CSV_STYLES",
    "EXCEL_MAX_ROWS",
    "MANIFEST_KEY",
    "MANIFEST_SHEET",
    "CsvStyle",
    "CsvWriter",
    "ExcelWriter",
    "JsonLinesWriter",
    "ParquetWriter",
    "PieceWriter",
    "RewriteError",
    "excel_manifest",
    "parquet_manifest",
    "read_written_csv",
    "read_written_excel",
    "read_written_lines",
]

MANIFEST_KEY: Final = "secpa-model.manifest"
"""The key of a Parquet file's metadata holding its manifest (:mod:`~secpa_model.io.manifest`)."""
MANIFEST_SHEET: Final = "manifest"
"""The sheet of an .xlsx file holding its manifest, one field per row."""
EXCEL_MAX_ROWS: Final = 1_048_576
"""The rows of an .xlsx sheet, header included."""
_BAD_LINES_SHOWN: Final = 20  # bad lines of a JSON Lines file a message lists
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


class RewriteError(Exception):
    """A piece needs the file written differently from its first line (see the module
    docstring): write every piece again, with :meth:`PieceWriter.again`."""


class PieceWriter(ABC):
    """Writes the pieces of a frame into ``path``, in order: each :meth:`write` appends one
    (every piece has the same columns), :meth:`close` ends the file. ``index``: whether the
    index is written (as the first column, or key); ``csv_style`` for a CSV file; ``name``:
    the file a message names (the final file, when ``path`` is a temporary one).
    :attr:`manifest`, set before the file is closed, is kept in it by the formats that hold
    one (Parquet, Excel)."""

    manifest: str | None = None
    """The JSON text of the file's manifest (:class:`~secpa_model.io.manifest.Manifest`)."""

    def __init__(
        self,
        path: Path,
        *,
        index: bool = False,
        csv_style: CsvStyle = "default",
        name: Path | None = None,
    ) -> None:
        self.path = path
        self.index = index
        self.csv_style = csv_style
        self.name = name or path

    @abstractmethod
    def write(self, frame: pd.DataFrame) -> None:
        """Append the rows of ``frame`` (a :class:`RewriteError` if the file must be written
        again from its start)."""

    @abstractmethod
    def close(self) -> None:
        """End the file."""

    def abort(self) -> None:
        """Stop writing after a failure: the file is left unfinished."""
        self.close()

    def __enter__(self) -> PieceWriter:
        return self

    def __exit__(self, kind: object = None, *_: object) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()

    def again(self) -> PieceWriter:
        """A writer of the same file from its start, that knows what this one learnt."""
        self.close()
        options: dict[str, Any] = {"index": self.index, "csv_style": self.csv_style}
        return type(self)(self.path, name=self.name, **options, **self.learnt())

    def learnt(self) -> dict[str, Any]:
        """What this writer learnt of the file (the arguments of a writer that knows it)."""
        return {}


class CsvWriter(PieceWriter):
    """CSV in ``csv_style``; every text in double quotes when one could be split by a
    spreadsheet (as decided by the first piece, or learnt: :class:`RewriteError`)."""

    def __init__(self, path: Path, *, quote_all: bool | None = None, **options: Any) -> None:
        super().__init__(path, **options)
        if self.csv_style not in _CSV_WRITING:
            raise ValueError(
                f"csv_style must be one of {', '.join(CSV_STYLES)}, got {self.csv_style!r}"
            )
        self.separator, self.decimal, encoding, self.other = _CSV_WRITING[self.csv_style]
        self.quote_all = quote_all
        self._stream = path.open("w", encoding=encoding, newline="")
        self._header = True

    def write(self, frame: pd.DataFrame) -> None:
        quoted = _quoted_for_csv(_decimals_marked(frame, self.decimal), index=self.index)
        splits = _splits(quoted, index=self.index, other=self.other)
        if self.quote_all is None:
            self.quote_all = splits
        elif splits and not self.quote_all:
            self.quote_all = True
            raise RewriteError
        quoted.to_csv(
            self._stream,
            header=self._header,
            index=self.index,
            quoting=_QUOTE_TEXTS if self.quote_all else _QUOTE_MINIMAL,
            sep=self.separator,
            decimal=self.decimal,
        )
        self._header = False

    def close(self) -> None:
        self._stream.close()

    def learnt(self) -> dict[str, Any]:
        return {"quote_all": self.quote_all}


class JsonLinesWriter(PieceWriter):
    """JSON Lines: one object per row (:func:`~secpa_model.io.json_lines.write_frame_lines`)."""

    def __init__(self, path: Path, **options: Any) -> None:
        super().__init__(path, **options)
        self._stream = path.open("w", encoding="utf-8", newline="\n")

    def write(self, frame: pd.DataFrame) -> None:
        write_frame_lines(frame, self._stream, index=self.index)

    def close(self) -> None:
        self._stream.close()


class ParquetWriter(PieceWriter):
    """Parquet, one row group per piece, as pandas' ``to_parquet`` types the whole frame: a
    column the first pieces typed otherwise (only nulls; fewer decimal places) is learnt
    (:class:`RewriteError`)."""

    def __init__(self, path: Path, *, types: dict[str, Any] | None = None, **options: Any):
        super().__init__(path, **options)
        self.types: dict[str, Any] = dict(types or {})
        self._writer: Any = None

    def write(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=self.index)  # as this piece types it
        written = self._writer.schema if self._writer is not None else None
        for field in table.schema:
            known = self.types.get(field.name)
            if known is None and written is not None:
                known = written.field(field.name).type
            if known is None or known == field.type or pa.types.is_null(field.type):
                continue
            try:  # a type the first pieces could not tell (only nulls; fewer decimal places)
                wider = (
                    pa.unify_schemas(
                        [pa.schema([(field.name, known)]), pa.schema([field])],
                        promote_options="permissive",
                    )
                    .field(0)
                    .type
                )
            except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                raise InputError(
                    f"{self.name}: the column {field.name!r} holds values of different "
                    f"types ({known}, {field.type}): write .csv or .jsonl"
                ) from exc
            if wider != known:
                self.types[field.name] = wider
                if written is not None:
                    raise RewriteError
        if self.types:
            schema = pa.schema(
                [field.with_type(self.types.get(field.name, field.type)) for field in table.schema]
            )
            table = pa.Table.from_pandas(frame, schema=schema, preserve_index=self.index)
        if self._writer is None:
            self._writer = pq.ParquetWriter(
                self.path, table.schema, compression="snappy", use_dictionary=_repeating(table)
            )
        elif not table.schema.equals(self._writer.schema, check_metadata=False):
            table = table.cast(self._writer.schema)  # a column of nulls here
        self._writer.write_table(table)

    def close(self) -> None:
        if self._writer is not None:
            if self.manifest is not None:
                self._writer.add_key_value_metadata({MANIFEST_KEY: self.manifest})
            self._writer.close()
            self._writer = None

    def learnt(self) -> dict[str, Any]:
        return {"types": self.types}


def _repeating(table: Any) -> list[str]:
    """The columns of a (first) piece holding at most half as many distinct values as rows:
    dictionary-encoded (a column of amounts or ids, mostly distinct, is written plain:
    smaller, and faster to write)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = []
    for name in table.column_names:
        try:
            distinct = pc.count_distinct(table[name]).as_py()
        except pa.ArrowNotImplementedError:  # pragma: no cover - a type pyarrow cannot count
            distinct = 0
        if 2 * distinct <= len(table):
            found.append(name)
    return found


class ExcelWriter(PieceWriter):
    """The first sheet of an .xlsx file, written whole when closed: every text a text cell,
    the ones starting like a formula marked with Excel's quote prefix."""

    def __init__(self, path: Path, **options: Any) -> None:
        super().__init__(path, **options)
        self._pieces: list[pd.DataFrame] = []
        self._rows = 0

    def abort(self) -> None:
        self._pieces = []

    def write(self, frame: pd.DataFrame) -> None:
        self._rows += len(frame)
        if self._rows + 1 <= EXCEL_MAX_ROWS:  # else refused when closed: not held
            self._pieces.append(frame)

    def close(self) -> None:
        from openpyxl.utils.exceptions import IllegalCharacterError

        if self._rows + 1 > EXCEL_MAX_ROWS:
            raise InputError(
                f"{self.name}: {self._rows} rows do not fit in an Excel sheet "
                f"({EXCEL_MAX_ROWS} rows with the header): write .parquet or .csv"
            )
        frame = self._pieces[0] if len(self._pieces) == 1 else pd.concat(self._pieces)
        self._pieces = []
        try:
            formula_like = _formula_like(frame, index=self.index)
            if not formula_like and self.manifest is None:
                frame.to_excel(self.path, index=self.index, engine="openpyxl")
            else:
                with pd.ExcelWriter(self.path, engine="openpyxl") as book:
                    frame.to_excel(book, index=self.index)
                    if formula_like:
                        _text_cells(book)
                    if self.manifest is not None:
                        _manifest_sheet(book, self.manifest)
        except IllegalCharacterError as exc:
            text = str(exc).removesuffix(_EXCEL_ILLEGAL_SUFFIX)
            raise InputError(
                f"{self.name}: cannot write the Excel file: the text {text[:80]!r} holds a "
                "control character Excel does not allow (codes 0-8, 11, 12, 14-31): "
                "remove it, or write .csv or .parquet"
            ) from exc


def _decimals_marked(frame: pd.DataFrame, mark: str) -> pd.DataFrame:
    """``frame`` with each :class:`~decimal.Decimal` cell (exact euros) written as its
    digits with ``mark`` as the decimal mark (pandas applies the CSV's decimal mark to
    floats only); ``frame`` itself when the mark is a point or no cell is a Decimal."""
    marked = frame
    for position in range(frame.shape[1] if mark != "." else 0):
        values = frame.iloc[:, position]
        if pd.api.types.is_object_dtype(values.dtype) and any(
            isinstance(value, Decimal) for value in values
        ):
            text = values.map(lambda v: str(v).replace(".", mark) if isinstance(v, Decimal) else v)
            marked = frame.copy(deep=False) if marked is frame else marked
            marked.isetitem(position, text.array)
    return marked


def _quote_cell(value: object) -> object:
    return quote_spreadsheet_text(value) if isinstance(value, str) else value


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


def _columns_mapped(frame: pd.DataFrame, starts: tuple[str, ...], cell: Any) -> pd.DataFrame:
    """``frame`` with ``cell`` applied to the texts of each column where a text starts with
    one of ``starts``: ``frame`` itself when none does, else a copy."""
    mapped = frame
    for position in range(frame.shape[1]):
        column = _text_mapped(frame.iloc[:, position], starts, cell)
        if column is not None:
            mapped = frame.copy(deep=False) if mapped is frame else mapped
            mapped.isetitem(position, column.array)
    return mapped


def _quoted_for_csv(frame: pd.DataFrame, *, index: bool) -> pd.DataFrame:
    """``frame`` with every text cell quoted for CSV (:func:`quote_spreadsheet_text`): the
    values, the header, and the index when it is written. ``frame`` itself when no cell
    needs it; otherwise a copy (``frame`` is not modified)."""
    quoted = _columns_mapped(frame, QUOTED_STARTS, _quote_cell)
    header = _quoted_labels(frame.columns)
    rows = _quoted_labels(frame.index) if index else frame.index
    if header is not frame.columns or rows is not frame.index:
        quoted = quoted.set_axis(header, axis=1).set_axis(rows, axis=0)
    return quoted


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


def _text_cells(book: Any) -> None:
    """Every text of the sheets of ``book`` (a pandas ``ExcelWriter``) a text cell:
    openpyxl takes a text starting with ``=`` as a formula and ``#REF!`` as an error value,
    both turned back into text here; a text that starts like a formula gets Excel's quote
    prefix."""
    for sheet in book.sheets.values():
        for row in sheet.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str):
                    continue
                if cell.data_type in _EXCEL_NOT_TEXT:
                    cell.data_type = "s"
                if starts_like_formula(cell.value):
                    cell.quotePrefix = True


def _manifest_sheet(book: Any, manifest: str) -> None:
    """The sheet :data:`MANIFEST_SHEET` of ``book``: a header, then one field of the
    manifest per row, a text as it is, any other value as JSON."""
    sheet = book.book.create_sheet(MANIFEST_SHEET)
    sheet.append(["field", "value"])
    for key, value in json.loads(manifest).items():
        shown = value if value is None or isinstance(value, str) else json.dumps(value)
        sheet.append([key, shown])


def _unquoted_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """A CSV written by :class:`CsvWriter` back to its texts: one leading ``'``
    removed from each text cell and header that starts with one."""
    starts = (SPREADSHEET_QUOTE,)

    def unquoted(value: object) -> object:
        return unquote_spreadsheet_text(value) if isinstance(value, str) else value

    frame = _columns_mapped(frame, starts, unquoted)
    if _any_starts(frame.columns, starts):
        frame.columns = frame.columns.map(unquoted)
    return frame


def read_written_csv(file: Path, text: dict[str, type[str]]) -> pd.DataFrame:
    """A CSV file written by :class:`CsvWriter`, in the style its header shows, each text
    cell the writer quoted given back as it was (``text``: the columns read as text)."""
    with file.open(encoding="utf-8-sig", newline="") as stream:
        header = stream.readline()
    separator = csv_separator(header)
    frame = pd.read_csv(
        file,
        dtype=text,
        keep_default_na=False,
        na_values=[""],
        sep=separator,
        decimal="," if separator == ";" else ".",
        encoding="utf-8-sig",
    )
    return _unquoted_csv(frame)


def read_written_lines(file: Path, text: dict[str, type[str]]) -> pd.DataFrame:
    """A JSON Lines file written by :class:`JsonLinesWriter`: one row per object."""
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


def read_written_excel(file: Path, text: dict[str, type[str]]) -> pd.DataFrame:
    """An .xlsx file written by :class:`ExcelWriter`, ``text`` columns as text."""
    return pd.read_excel(file, engine="openpyxl", dtype=text, keep_default_na=False, na_values=[""])


def parquet_manifest(file: Path) -> str:
    """The manifest a Parquet file's metadata holds (:data:`MANIFEST_KEY`)."""
    import pyarrow.parquet as pq

    raw = (pq.read_metadata(file).metadata or {}).get(MANIFEST_KEY.encode())
    if raw is None:
        raise InputError(f"{file}: the Parquet file holds no manifest ({MANIFEST_KEY})")
    return bytes(raw).decode("utf-8")


def excel_manifest(file: Path) -> str:
    """The manifest an .xlsx workbook's sheet :data:`MANIFEST_SHEET` holds, as JSON: a text
    field as it is, the others as JSON (:func:`_manifest_sheet`)."""
    from openpyxl import load_workbook

    book = load_workbook(file, read_only=True, data_only=True)
    try:
        if MANIFEST_SHEET not in book.sheetnames:
            raise InputError(f"{file}: the workbook has no sheet {MANIFEST_SHEET!r}")
        rows = list(book[MANIFEST_SHEET].iter_rows(values_only=True))
    finally:
        book.close()
    fields: dict[str, Any] = {}
    for key, value in ([*row, None, None][:2] for row in rows[1:]):
        if key is not None:
            text = isinstance(value, str) and key not in _TEXT_FIELDS
            fields[str(key)] = json.loads(value) if text else value
    return json.dumps(fields)


_TEXT_FIELDS: Final = frozenset({"format", "library", "created", "period"})
"""The manifest's text fields: an .xlsx sheet holds them as they are, the others as JSON."""
