"""Reading a file of structures as it is written, in pieces of rows, defensively: the file
is untrusted.

A :class:`PieceReader` gives the cells as read (text for CSV), a piece of rows at a time
(:meth:`PieceReader.pieces`), each row labelled by its number in the file, or refuses the
whole file with an :class:`~secpa_model.InputError` naming the file, and the line, row or
column at fault; what is refused, and why: docs/trust.md, "Files are read as they are".
The pieces of a file, put end to end, are the frame the whole file gives, with the same
types (a Parquet integer or boolean column with an empty cell anywhere is read as floats,
or objects, in every piece).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import itertools
import re
import unicodedata
import warnings
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Final, NamedTuple

import numpy as np
import pandas as pd

from secpa_model.core.errors import InputError
from secpa_model.core.money import EXACT_LIMIT
from secpa_model.core.safe_text import shown
from secpa_model.io.locations import LineRuns, RowLocations
from secpa_model.io.validation import YEAR_COLUMN, no_problems
from secpa_model.model.model import Model

__all__ = [
    "FALLBACK_ENCODING",
    "MAX_COLUMNS",
    "MAX_NAME",
    "MAX_SHOWN",
    "PIECE_ROWS",
    "CsvReader",
    "EncodingFallbackWarning",
    "ExcelReader",
    "ParquetReader",
    "Piece",
    "PieceReader",
    "csv_separator",
    "file_sha256",
    "in_row_order",
    "no_problems",
]

MAX_COLUMNS: Final = 1_024
"""The most columns a file of structures may have."""
MAX_SHOWN: Final = 5
"""How many bad cells a message names before giving a count."""
FALLBACK_ENCODING: Final = "cp1252"
"""The encoding of a CSV that is not valid UTF-8 (Windows-1252, as Excel writes it)."""
PIECE_ROWS: Final = 50_000
"""Rows per piece by default."""
MAX_NAME: Final = 1_024
"""The longest column name, in characters."""


class EncodingFallbackWarning(UserWarning):
    """A CSV file was not UTF-8 and was read as Windows-1252 (:data:`FALLBACK_ENCODING`):
    right for Excel's "CSV" export on a Western Windows, wrong for a file in another
    encoding. The command line prints it as a note on standard error."""


_NUMBER_KINDS: Final = frozenset({"count", "fraction", "quantity", "euros"})
# grouping spaces of French numbers: space, no-break space, narrow no-break space
_GROUPING: Final = r"[ \u00a0\u202f]"
_FRENCH_NUMBER: Final = r"\s*[+-]?(\d+|\d{1,3}(" + _GROUPING + r"\d{3})+)(,\d*)?\s*"
_AMBIGUOUS: Final = re.compile(r"\s*[+-]?\d{1,3}(\.\d{3})+(,\d*)?\s*")
"""A number whose dots may be thousands separators: ``70.000``, ``1.234.567``, ``1.500,5``."""
_CELL_SHOWN: Final = 40  # the most characters of a cell a message quotes
# control, format (invisible), line and paragraph separator characters: not in a column name
_HIDDEN: Final = frozenset({"Cc", "Cf", "Zl", "Zp"})
_BLOCK: Final = 1 << 20  # bytes decoded at a time while checking an encoding
_HEADER_SEARCH: Final = 20  # the rows of a sheet searched for a header below its first


class Piece(NamedTuple):
    """Rows of a file of structures as read: ``frame`` holds their cells, labelled by their
    row numbers in the file (from 0: the first row after the header; in JSON Lines the
    first line that is not blank); ``problems`` the lines among them that are not a
    structure (JSON Lines; the columns of an errors frame,
    :data:`~secpa_model.io.validation.ERROR_COLUMNS`), whose rows the frame lacks."""

    frame: pd.DataFrame
    problems: pd.DataFrame


def file_sha256(path: str | Path) -> str:
    """The sha256 of a file's bytes, read a block at a time."""
    with Path(path).open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def in_row_order(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Problems found apart (a file's bad lines, the cells', repeated ids), rows numbered in
    the file, in row order; within a row, in the order of ``parts``."""
    found = [part for part in parts if len(part)]
    if len(found) < 2:
        return found[0] if found else no_problems()
    joined = pd.concat(found, ignore_index=True)
    order = np.argsort(joined["row"].to_numpy(dtype=np.int64), kind="stable")
    return joined.iloc[order].reset_index(drop=True)


class PieceReader(ABC):
    """A file of structures read in pieces of at most ``rows`` rows.

    Opening one checks what can be checked before the rows are read (the header, the
    encoding); each call of :meth:`pieces` reads the file through again, and refuses it
    whole, if it must, when the problem is met (a refusal that counts every bad cell of
    the file, ambiguous decimal commas, comes after the last piece). Once a reading has
    gone through the file, :attr:`columns`, :attr:`located` (where each row is),
    :attr:`count` and :attr:`bad_lines` hold what it learnt of the whole file (some
    formats know them from the start).
    """

    def __init__(self, file: Path, model: Model, rows: int) -> None:
        if rows < 1:
            raise ValueError(f"rows must be at least 1, got {rows}")
        self.file = file
        self.model = model
        self.rows = rows
        self.columns: list[str] = []
        """The file's columns, as the whole file gives them."""
        self.located = RowLocations(str(file))
        """Where each row is in the file."""
        self.count: int | None = None
        """The rows of the file (lines that are not a structure left out), once known."""
        self.bad_lines = no_problems()
        """The lines of the file that are not a structure, as problems (JSON Lines)."""
        self.digest: str | None = None
        """The sha256 of the file's bytes, when a reading computed it (see :meth:`sha256`)."""
        self.typed_as_whole = True
        """Whether the pieces of the last reading were typed as the whole file is (see
        :class:`~secpa_model.io.json_lines.JsonLinesReader`: its first reading types each
        piece on its own)."""

    @abstractmethod
    def pieces(self, columns: Sequence[str] | None = None) -> Iterator[Piece]:
        """The rows of the file in pieces of at most :attr:`rows` rows, in order, each
        with the file's columns among ``columns`` (every column: None); at least one
        piece, empty for a file without rows."""

    def __iter__(self) -> Iterator[Piece]:
        return self.pieces()

    def sha256(self) -> str:
        """The sha256 of the file's bytes (what a manifest records): computed while a CSV
        file's encoding is checked, else by reading the file once, a block at a time."""
        if self.digest is None:
            try:
                self.digest = file_sha256(self.file)
            except OSError as exc:
                raise InputError(
                    f"{self.file}: cannot read the file: {exc.strerror or exc}"
                ) from None
        return self.digest

    def whole(self) -> Piece:
        """The whole file as one piece: its pieces end to end."""
        pieces = list(self.pieces())
        frame = pieces[0].frame if len(pieces) == 1 else pd.concat([p.frame for p in pieces])
        problems = [piece.problems for piece in pieces if len(piece.problems)]
        found = pd.concat(problems, ignore_index=True) if problems else no_problems()
        return Piece(frame, found)


def csv_separator(header_line: str) -> str:
    """The separator of a CSV file from its header line: ``;`` (the French convention, with
    decimal commas) when it holds more semicolons than commas, else ``,``."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


class CsvReader(PieceReader):
    """A CSV file of structures: cells as text, pieces parsed by pandas
    (``chunksize``); ``encoding`` None: UTF-8, else Windows-1252 with a warning."""

    def __init__(self, file: Path, model: Model, rows: int, encoding: str | None = None):
        super().__init__(file, model, rows)
        self.codec, self.digest = _text_codec(file, encoding)
        self.separator, header = _csv_header(file, self.codec)
        self._width = len(header)
        self._lines, self._long_line = _record_lines(file, self.codec, self.separator, len(header))
        self.columns = [str(name) for name in next(self._chunks(None, nrows=0)).columns]
        if self.columns != header:  # one reading: what was checked is what pandas reads
            raise InputError(
                f"{file}: the header is read as {len(self.columns)} columns by the CSV "
                f"parser and {len(header)} by its check: save the file again as CSV"
            )
        numbers = [item.name for item in model.inputs if item.kind in _NUMBER_KINDS]
        semicolon = self.separator == ";"
        self._french = [n for n in [*numbers, YEAR_COLUMN] if semicolon and n in self.columns]

    def pieces(self, columns: Sequence[str] | None = None) -> Iterator[Piece]:
        wanted = None
        if columns is not None and self._long_line is None:  # else parsed whole: refused
            wanted = [name for name in self.columns if name in {*columns, *self._french}]
            wanted = wanted or self.columns[:1]
        dotted = _Dotted(self.file)
        start = 0
        for chunk in self._chunks(wanted):
            chunk.index = pd.RangeIndex(start, start + len(chunk))
            for name in self._french:
                if name in chunk.columns:
                    dotted.check(chunk, name)
                    chunk[name] = _decimal_comma(chunk[name])
            start += len(chunk)
            yield Piece(chunk, no_problems())
        dotted.refuse()
        self.count = start
        lines = self._lines if self._lines is not None and len(self._lines) == start else None
        self.located = RowLocations(str(self.file), lines)

    def _chunks(
        self, usecols: list[str] | None, nrows: int | None = None
    ) -> Iterator[pd.DataFrame]:
        """The file parsed by pandas, :attr:`rows` rows at a time (at least one frame)."""
        with self.file.open(encoding=self.codec, newline="") as stream:
            chunks = self._parsed(
                lambda: pd.read_csv(
                    stream,
                    sep=self.separator,
                    dtype=str,
                    keep_default_na=False,
                    na_values=[""],
                    skipinitialspace=True,
                    index_col=False,
                    on_bad_lines="error",
                    usecols=usecols,
                    chunksize=self.rows if nrows is None else None,
                    nrows=nrows,
                )
            )
            if isinstance(chunks, pd.DataFrame):
                yield chunks
                return
            given = False
            while (chunk := self._parsed(lambda: next(chunks, None))) is not None:
                given = True
                yield chunk
            if not given:  # a header alone
                yield pd.DataFrame({name: pd.Series(dtype=str) for name in usecols or self.columns})

    def _parsed(self, step: Any) -> Any:
        """``step()``, a step of pandas' parser, its failures as the file's refusal."""
        try:
            with warnings.catch_warnings():
                # a row longer than the header: pandas would shift it or drop cells
                warnings.simplefilter("error", pd.errors.ParserWarning)
                return step()
        except pd.errors.ParserWarning:
            line = self._long_line or 2
            raise InputError(
                f"{self.file}: line {line} has more fields than the {self._width} of the header"
            ) from None
        except (pd.errors.ParserError, csv.Error, ValueError) as exc:
            raise InputError(
                f"{self.file}: not a well-formed CSV file: {_first_line(exc)}"
            ) from None


def _record_lines(
    file: Path, codec: str, separator: str, width: int
) -> tuple[LineRuns | None, int | None]:
    """The line each record after the header starts on (the header is line 1; a quoted
    cell holding line breaks spans several lines), skipping blank lines as pandas does,
    or None where :mod:`csv` cannot read the file; and the number of the first record
    longer than ``width`` fields (None if none is)."""
    lines = LineRuns()
    long_line = None
    header = True
    end = 0
    with file.open(encoding=codec, newline="") as stream:
        reader = csv.reader(stream, delimiter=separator)
        try:
            for number, record in enumerate(reader, start=1):
                start, end = end + 1, reader.line_num
                if long_line is None and len(record) > width:
                    long_line = number
                if record and (len(record) > 1 or record[0].strip()):
                    if header:
                        header = False
                    else:
                        lines.append(start)
        except csv.Error:  # a field longer than csv's limit: pandas reads it, lines unknown
            return None, long_line
    return lines, long_line


class _Dotted:
    """The cells of a decimal-comma file whose dots may separate thousands, in each
    column's row order, found piece by piece: the file is refused once all are found."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.found: dict[str, list[str]] = {}
        self.total = 0

    def check(self, chunk: pd.DataFrame, name: str) -> None:
        text = chunk[name].astype("string")
        dotted = text.str.fullmatch(_AMBIGUOUS.pattern).fillna(False).to_numpy(dtype=bool)
        listed = self.found.setdefault(name, [])
        for position in dotted.nonzero()[0]:
            if len(listed) < MAX_SHOWN:
                row = chunk.index[int(position)]
                value = shown(text.iloc[position], _CELL_SHOWN)
                listed.append(f"row {row} (line {row + 2}): {name} = {value}")
        self.total += int(dotted.sum())

    def refuse(self) -> None:
        if not self.total:
            return
        found = [cell for cells in self.found.values() for cell in cells][:MAX_SHOWN]
        more = f", and {self.total - MAX_SHOWN} more" if self.total > MAX_SHOWN else ""
        raise InputError(
            f"{self.file}: this file is separated by semicolons and uses decimal commas, so a "
            f"number whose dots may separate thousands is ambiguous (70.000 is 70 000 or 70): "
            f"{'; '.join(found)}{more}. Write 70000, or 70,5 for a decimal"
        )


def _decimal_comma(series: pd.Series) -> pd.Series:
    """French numbers to numbers with a decimal point: ``12 345,50`` → ``12345.50``.

    Only a value written as a French number is converted; any other text is left as it
    is (and reported by validation if it is not a number).
    """
    text = series.astype("string")
    french = text.str.fullmatch(_FRENCH_NUMBER).fillna(False).astype(bool)
    converted = text.str.replace(_GROUPING, "", regex=True).str.replace(",", ".", regex=False)
    return text.where(~french, converted).astype(object).where(text.notna(), None)


def _text_codec(file: Path, encoding: str | None) -> tuple[str, str]:
    """The codec to read ``file`` with, checked by decoding the whole file strictly, and the
    sha256 of its bytes (computed by that reading): ``encoding`` alone when given, else
    UTF-16 after its byte order mark, else UTF-8 (a byte order mark dropped), else
    Windows-1252 with an :class:`EncodingFallbackWarning`."""
    if encoding is not None:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise InputError(
                f"{file}: unknown encoding {shown(encoding, _CELL_SHOWN)} "
                "(e.g. utf-8, cp1252, latin-1)"
            ) from None
        codec = "utf-8-sig" if name == "utf-8" else name
        failure, digest = _decoded(file, codec)
        if failure is not None:
            offset, byte, reason = failure
            raise InputError(
                f"{file}: not {encoding} text: byte 0x{byte:02x} at line "
                f"{_line_at(file, offset)} ({reason})"
            )
        return codec, digest
    with _opened(file, "rb") as stream:
        utf16 = stream.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    for codec in ("utf-16",) if utf16 else ("utf-8-sig", FALLBACK_ENCODING):
        failure, digest = _decoded(file, codec)
        if failure is None:
            if codec == FALLBACK_ENCODING:
                warnings.warn(
                    f"{file} is not UTF-8 text: read as Windows-1252 (Excel's CSV on Windows); "
                    "if it is another encoding, give it (--encoding)",
                    EncodingFallbackWarning,
                    stacklevel=3,
                )
            return codec, digest
    assert failure is not None
    what = "starts as UTF-16 text but is not" if utf16 else "neither UTF-8 nor Windows-1252 text"
    raise InputError(f"{file}: {what} (byte {failure[0]}): save the file as CSV UTF-8")


def _opened(file: Path, mode: str, **options: Any) -> IO[Any]:
    """``file`` opened, an :class:`~secpa_model.InputError` naming it if it cannot be."""
    try:
        return file.open(mode, **options)
    except OSError as exc:
        raise InputError(f"{file}: cannot read the file: {exc.strerror or exc}") from None


def _decoded(file: Path, codec: str) -> tuple[tuple[int, int, str] | None, str]:
    """Decode ``file`` strictly as ``codec``, a block at a time: the first failure (byte
    offset, byte, reason), or None; and the sha256 of the bytes read (the whole file's
    when there is no failure)."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    digest = hashlib.sha256()
    fed = 0
    with _opened(file, "rb") as stream:
        while True:
            block = stream.read(_BLOCK)
            digest.update(block)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                offset = fed + len(block) - len(exc.object) + exc.start
                return (offset, exc.object[exc.start], str(exc.reason)), ""
            fed += len(block)
            if not block:
                return None, digest.hexdigest()


def _csv_header(file: Path, codec: str) -> tuple[str, list[str]]:
    """The separator of a CSV file and its header, read as pandas reads them: lines end at
    ``\\n``, ``\\r`` or ``\\r\\n`` only (not at the form feeds, vertical tabs, ``\\x1c``-
    ``\\x1e``, NEL or U+2028 where :meth:`str.splitlines` ends them), blank lines before it
    skipped, a quoted name may span lines; the header checked (:func:`_check_header`)
    before anything else is parsed, and bounded: at most :data:`MAX_COLUMNS` names of at
    most :data:`MAX_NAME` characters each."""
    with _opened(file, "r", encoding=codec, newline="") as stream:
        lines = _bounded_lines(file, stream, MAX_COLUMNS * (MAX_NAME + 1))
        first = next((line for line in lines if line.strip(" \t\r\n")), None)
        if first is None:
            raise InputError(f"{file}: the file is empty (a header line is required)")
        separator = csv_separator(first)
        try:
            reader = csv.reader(
                itertools.chain([first], lines), delimiter=separator, skipinitialspace=True
            )
            header = next(reader)
        except csv.Error as exc:
            raise InputError(f"{file}: the header is not well-formed CSV: {exc}") from None
    _csv_hints(file, header, separator)
    _check_header(file, header)
    return separator, header


def _bounded_lines(file: Path, stream: IO[str], limit: int) -> Iterator[str]:
    """The lines of ``stream`` as pandas ends them, an :class:`~secpa_model.InputError`
    once they hold more than ``limit`` characters (the header's bound)."""
    used = 0
    while line := stream.readline(limit - used + 1):
        used += len(line)
        if used > limit:
            raise InputError(
                f"{file}: the header is longer than {limit} characters ({MAX_COLUMNS} columns "
                f"of at most {MAX_NAME} characters)"
            )
        yield line


def _csv_hints(file: Path, header: list[str], separator: str) -> None:
    """A refusal with a hint for a CSV header that is not what it seems: NUL characters
    (UTF-16 text without a byte order mark), tabs (a tab-separated file)."""
    text = separator.join(header)
    if "\x00" in text:
        raise InputError(
            f"{file}: the header holds NUL characters: the file looks like UTF-16 text without "
            "a byte order mark; save it as CSV UTF-8, or give its encoding (--encoding "
            "utf-16-le)"
        )
    if "\t" in text:
        raise InputError(
            f"{file}: the header holds tabs: the file looks tab-separated; save it as CSV "
            "(separated by commas, or semicolons)"
        )


def _line_at(file: Path, offset: int) -> int:
    """The line holding the byte at ``offset``."""
    lines = 1
    with file.open("rb") as stream:
        while offset > 0:
            block = stream.read(min(_BLOCK, offset))
            if not block:
                break
            lines += block.count(b"\n")
            offset -= len(block)
    return lines


def _check_header(file: Path, names: list[str], where: str = "") -> None:
    """At most :data:`MAX_COLUMNS` columns, each named, without a control or invisible
    character (a line or paragraph separator, a form feed, a zero-width space: readers
    would split or compare it differently), at most :data:`MAX_NAME` characters, and
    distinct once blanks around them are dropped and their accents composed (NFC): pandas
    would rename a second ``year`` ``year.1`` and ignore it. ``where``: the sheet read."""
    if len(names) > MAX_COLUMNS:
        raise InputError(
            f"{file}{where}: {len(names)} columns, more than the {MAX_COLUMNS} allowed"
        )
    seen: dict[str, int] = {}
    for number, name in enumerate(names, start=1):
        bad = next((char for char in name if unicodedata.category(char) in _HIDDEN), None)
        if bad is not None:
            raise InputError(
                f"{file}{where}: column {number} of the header, {shown(name, _CELL_SHOWN)}, "
                f"holds the control or invisible character U+{ord(bad):04X}: remove it"
            )
        if len(name) > MAX_NAME:
            raise InputError(
                f"{file}{where}: column {number} of the header has a name of {len(name)} "
                f"characters, more than the {MAX_NAME} allowed"
            )
        key = unicodedata.normalize("NFC", name.strip())
        if not key:
            raise InputError(f"{file}{where}: column {number} of the header has no name")
        if key in seen:
            raise InputError(
                f"{file}{where}: the column {shown(key, _CELL_SHOWN)} is given twice "
                f"(columns {seen[key]} and {number}): keep one"
            )
        seen[key] = number


class ParquetReader(PieceReader):
    """A Parquet file of structures, read a batch of rows at a time."""

    def __init__(self, file: Path, model: Model, rows: int) -> None:
        super().__init__(file, model, rows)
        import pyarrow.parquet as pq

        def opened() -> Any:
            parquet = pq.ParquetFile(file, pre_buffer=False)
            _check_header(file, [str(name) for name in parquet.schema_arrow.names])
            return parquet

        self._parquet = self._read(opened)
        schema = self._parquet.schema_arrow
        self.columns = [str(name) for name in _arrow_frame(schema.empty_table()).columns]
        self.count = self._parquet.metadata.num_rows
        self._with_empty = self._read(lambda: _with_empty_cells(self._parquet))

    def pieces(self, columns: Sequence[str] | None = None) -> Iterator[Piece]:
        import pyarrow as pa

        names = None
        if columns is not None:
            names = [name for name in self.columns if name in columns] or self.columns[:1]
        batches = self._read(
            lambda: self._parquet.iter_batches(
                batch_size=self.rows, columns=names, use_pandas_metadata=False
            )
        )
        start = 0
        while (batch := self._read(lambda: next(batches, None))) is not None:
            yield self._piece(pa.Table.from_batches([batch]), start)
            start += batch.num_rows
        if not start:  # no rows: the columns alone
            empty = self._piece(self._parquet.schema_arrow.empty_table(), 0).frame
            yield Piece(
                empty[[name for name in empty.columns if names is None or name in names]],
                no_problems(),
            )

    def _piece(self, table: Any, start: int) -> Piece:
        """A batch as pandas reads the whole file, its rows numbered from ``start``."""
        frame = _arrow_frame(table)
        for name in self._with_empty.intersection(frame.columns):
            if frame[name].dtype.kind in "iu":
                frame[name] = frame[name].astype(np.float64)
            elif frame[name].dtype.kind == "b":
                frame[name] = frame[name].astype(object)
        return Piece(frame.set_axis(pd.RangeIndex(start, start + len(frame))), no_problems())

    def _read(self, step: Any) -> Any:
        """``step()``, a step of reading the file, its failures as the file's refusal."""
        import pyarrow as pa

        try:
            return step()
        except InputError:
            raise
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise InputError(
                f"{self.file}: not a readable Parquet file: {_first_line(exc)}"
            ) from None


def _arrow_frame(table: Any) -> pd.DataFrame:
    """An Arrow table as :func:`pandas.read_parquet` converts it (text as pandas' text
    type when pandas infers it), under the names and types of the Arrow schema alone: the
    pandas metadata a file may carry (names, an index, types) is not read, so what pyarrow
    shows is what is computed (an index written by pandas is an ordinary column)."""
    import pyarrow as pa

    mapper = None
    if int(pa.__version__.split(".")[0]) < 19 and getattr(pd.options.future, "infer_string", False):
        text = pd.StringDtype(na_value=np.nan)
        mapper = {pa.string(): text, pa.large_string(): text}.get
    frame: pd.DataFrame = table.replace_schema_metadata(None).to_pandas(types_mapper=mapper)
    return frame


def _with_empty_cells(parquet: Any) -> set[str]:
    """The integer and boolean columns of a Parquet file with an empty cell: pandas types
    them as floats (NaN) and objects (None) when read whole, whatever the batch."""
    import pyarrow as pa

    typed = {
        field.name
        for field in parquet.schema_arrow
        if pa.types.is_integer(field.type) or pa.types.is_boolean(field.type)
    }
    metadata = parquet.metadata
    found = set()
    for position in range(metadata.num_columns):
        name = metadata.schema.column(position).path
        for group in range(metadata.num_row_groups if name in typed else 0):
            statistics = metadata.row_group(group).column(position).statistics
            if statistics is not None and statistics.has_null_count:
                empty = statistics.null_count > 0
            else:  # not recorded: counted
                empty = parquet.read_row_group(group, columns=[name]).column(0).null_count > 0
            if empty:
                found.add(str(name))
                break
    return found


class ExcelReader(PieceReader):
    """The active sheet of an ``.xlsx`` file of structures (the one Excel opens on), read
    cell by cell (its declared dimensions not trusted) when opened, whole, then given in
    pieces; rows are located by the sheet's row numbers, and every message names the sheet."""

    def __init__(self, file: Path, model: Model, rows: int) -> None:
        super().__init__(file, model, rows)
        self._frame, title = _read_excel(file, model)
        self.columns = [str(name) for name in self._frame.columns]
        self.count = len(self._frame)
        # the header is the sheet's first row (the reader yields empty rows too)
        self.located = RowLocations(str(file), range(2, len(self._frame) + 2), title)

    def pieces(self, columns: Sequence[str] | None = None) -> Iterator[Piece]:
        frame = self._frame
        if columns is not None:
            frame = frame[[name for name in self.columns if name in columns]]
        for start in range(0, max(len(frame), 1), self.rows):
            yield Piece(frame.iloc[start : start + self.rows], no_problems())

    def whole(self) -> Piece:
        return Piece(self._frame, no_problems())


def _read_excel(file: Path, model: Model) -> tuple[pd.DataFrame, str]:
    """The cells of the active sheet of an ``.xlsx`` file and the sheet's title: the sheet
    Excel shows on opening the workbook, never a hidden one (a workbook whose active sheet
    is hidden, missing or a chart is refused)."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise InputError(f"{file}: not a readable .xlsx workbook: {_first_line(exc)}") from None
    try:
        sheet = book.active
        if sheet is None:
            raise InputError(f"{file}: the workbook's active sheet does not exist")
        title = str(sheet.title)
        where = f", sheet {shown(title, _CELL_SHOWN)}"
        if sheet.sheet_state != "visible":
            raise InputError(
                f"{file}{where}: the active sheet, the one read, is hidden: show it, or "
                "make the sheet of structures the active one"
            )
        if not hasattr(sheet, "iter_rows"):
            raise InputError(f"{file}{where}: the active sheet is a chart, not cells")
        sheet.reset_dimensions()  # the declared dimensions are not trusted: read what is there
        rows: list[list[Any]] = []
        for row in sheet.iter_rows(values_only=True):
            cells = list(row)
            while cells and cells[-1] is None:
                cells.pop()
            if len(cells) > MAX_COLUMNS:
                raise InputError(
                    f"{file}{where}: row {len(rows) + 1} has a cell in column "
                    f"{len(cells)}, more than the {MAX_COLUMNS} columns allowed"
                )
            rows.append(cells)
    finally:
        book.close()
    while rows and not rows[-1]:
        rows.pop()
    if not rows:
        raise InputError(f"{file}{where}: the active sheet is empty (a header row is required)")
    header = ["" if name is None else str(name).strip() for name in rows[0]]
    _check_header(file, header, where)
    width = len(header)
    below = _header_below(rows, header, model)
    for number, cells in enumerate(rows[1:], start=2):
        if len(cells) > width:
            raise InputError(
                f"{file}{where}: row {number} has a value in column {len(cells)}, beyond the "
                f"{width} named columns of the header{below}"
            )
    if below:
        raise InputError(f"{file}{where}: row 1 lacks required columns{below}")
    data = [cells + [None] * (width - len(cells)) for cells in rows[1:]]
    frame = pd.DataFrame(data, columns=header, dtype=object)
    identifier = model.id_input
    if identifier in frame.columns:  # ids are text: 12 in a cell is the id "12"
        frame[identifier] = frame[identifier].map(_id_text, na_action="ignore")
    return frame.infer_objects(), title


def _header_below(rows: list[list[Any]], header: list[str], model: Model) -> str:
    """A hint when the header is not the sheet's first row: the first of the next rows
    (up to row :data:`_HEADER_SEARCH`) holding every required column the first lacks."""
    required = {item.name for item in model.inputs if item.required}
    if required <= set(header):
        return ""
    for number, cells in enumerate(rows[1:_HEADER_SEARCH], start=2):
        if required <= {str(cell).strip() for cell in cells if cell is not None}:
            return f": the header looks like row {number}: remove the rows above it"
    return ""


def _id_text(value: Any) -> Any:
    """A whole number of a cell as its text, when the cell holds it exactly (Excel stores
    numbers as float64: within ±2^53); any other cell as read, for the text input to refuse
    (a decimal, a boolean, a date, a number beyond ±2^53)."""
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if whole and not isinstance(value, bool) and abs(value) <= EXACT_LIMIT:
        return str(int(value))
    return value


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return line if len(line) <= 200 else line[:197] + "..."
