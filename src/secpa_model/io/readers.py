"""Reading a file of structures as it is written, defensively: the file is untrusted.

Every format gives a DataFrame of the cells as read (text for CSV), or refuses the whole
file with an :class:`~secpa_model.InputError` naming the file, and the line, row or column
at fault. What is refused, and why:

* **Encoding** (CSV): UTF-8, with or without a byte order mark; a file that is not valid
  UTF-8 (strictly) is read as Windows-1252, the encoding of Excel's "CSV" export on a French
  Windows, with an :class:`EncodingFallbackWarning` saying so (a file in another encoding,
  Latin-9 or Mac Roman, would be misread: give its encoding); a file valid in neither is
  refused. An encoding given (``encoding="cp1252"``) is used alone, strictly: a byte it
  does not decode is refused, naming the line.
* **Shape** (every format): an empty file, a header without a name, a name given to two
  columns (pandas would rename the second ``year.1`` and ignore it), a row with more fields
  than the header, an unclosed quote, more than :data:`MAX_COLUMNS` columns.
* **Decimal commas** (semicolon CSV): in such a file a number whose dots could be
  thousands separators is ambiguous (``70.000`` is 70 000 written the French way, or 70
  written the English way): the file is refused, every such cell named; write ``70000`` or
  ``70,5``. A dot that cannot separate thousands (``0.31``, ``1.5``, ``12.75``: not followed
  by groups of exactly three digits) is read as a decimal point.
* **Files that are not what their suffix says** (``.parquet``, ``.xlsx``): refused, naming
  the file.
* **Sparse sheets**: an ``.xlsx`` sheet is read cell by cell without its declared
  dimensions, so a sheet with one cell in column XFD and one in row 1 048 576 costs what it
  holds, not a grid of 17 billion cells.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from pathlib import Path
from typing import Any, Final

import pandas as pd

from secpa_model.core.errors import InputError
from secpa_model.core.safe_text import shown
from secpa_model.io.locations import RowLocations
from secpa_model.io.validation import YEAR_COLUMN
from secpa_model.model.model import Model

MAX_COLUMNS: Final = 1_024
"""The most columns a file of structures may have."""
MAX_SHOWN: Final = 5
"""How many bad cells a message names before giving a count."""
FALLBACK_ENCODING: Final = "cp1252"
"""The encoding of a CSV that is not valid UTF-8 (Windows-1252, as Excel writes it)."""


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


def csv_separator(header_line: str) -> str:
    """The separator of a CSV file from its header line: ``;`` (the French convention, with
    decimal commas) when it holds more semicolons than commas, else ``,``."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_csv(
    file: Path, model: Model, *, encoding: str | None = None
) -> tuple[pd.DataFrame, RowLocations]:
    """The cells of a CSV file of structures, as text (see the module docstring), and the
    line each row starts on; ``encoding`` None: UTF-8, else Windows-1252 with a warning."""
    text = _decoded(file, encoding)
    if not text.strip():
        raise InputError(f"{file}: the file is empty (a header line is required)")
    header_line = text.splitlines()[0]
    separator = csv_separator(header_line)
    semicolon = separator == ";"
    header = next(csv.reader([header_line], delimiter=separator))
    _check_header(file, [name.strip() for name in header])
    try:
        with warnings.catch_warnings():
            # a row longer than the header: pandas would shift it or drop cells
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                sep=separator,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                skipinitialspace=True,
                index_col=False,
                on_bad_lines="error",
            )
    except pd.errors.ParserWarning:
        line = _long_line(text, separator, len(header))
        raise InputError(
            f"{file}: line {line} has more fields than the {len(header)} of the header"
        ) from None
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise InputError(f"{file}: not a well-formed CSV file: {_first_line(exc)}") from None
    if semicolon:
        numbers = [item.name for item in model.inputs if item.kind in _NUMBER_KINDS]
        columns = [name for name in [*numbers, YEAR_COLUMN] if name in frame.columns]
        _refuse_dotted(file, frame, columns)
        for name in columns:
            frame[name] = _decimal_comma(frame[name])
    return frame, RowLocations(str(file), _row_lines(text, separator, len(frame)))


def _row_lines(text: str, separator: str, rows: int) -> list[int] | None:
    """The line each record after the header starts on (the header is line 1; a quoted
    cell holding line breaks spans several lines), skipping blank lines as the parser
    does; None if the count differs from the ``rows`` read (never a wrong line)."""
    starts = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    end = 0
    for record in reader:
        start, end = end + 1, reader.line_num
        if record and (len(record) > 1 or record[0].strip()):
            starts.append(start)
    lines = starts[1:]
    return lines if len(lines) == rows else None


def _long_line(text: str, separator: str, width: int) -> int:
    """The number of the first line with more than ``width`` fields (1: the header)."""
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=separator), start=1):
        if len(row) > width:
            return number
    return 2  # pragma: no cover - pandas found one


def _decoded(file: Path, encoding: str | None = None) -> str:
    data = _bytes(file)
    if encoding is not None:
        return _decoded_as(file, data, encoding)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode(FALLBACK_ENCODING)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{file}: neither UTF-8 nor Windows-1252 text (byte {exc.start}): save the file "
            "as CSV UTF-8"
        ) from None
    warnings.warn(
        f"{file} is not UTF-8 text: read as Windows-1252 (Excel's CSV on Windows); "
        "if it is another encoding, give it (--encoding)",
        EncodingFallbackWarning,
        stacklevel=2,
    )
    return text


def _decoded_as(file: Path, data: bytes, encoding: str) -> str:
    """``data`` decoded strictly as ``encoding`` (a byte order mark dropped for UTF-8)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise InputError(
            f"{file}: unknown encoding {shown(encoding, _CELL_SHOWN)} (e.g. utf-8, cp1252, latin-1)"
        ) from None
    try:
        return data.decode("utf-8-sig" if name == "utf-8" else name)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{file}: not {encoding} text: byte 0x{data[exc.start]:02x} at line {line} "
            f"({exc.reason})"
        ) from None


def _bytes(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        raise InputError(f"{file}: cannot read the file: {exc.strerror or exc}") from None


def _check_header(file: Path, names: list[str]) -> None:
    """Named, distinct columns, at most :data:`MAX_COLUMNS` of them."""
    if len(names) > MAX_COLUMNS:
        raise InputError(f"{file}: {len(names)} columns, more than the {MAX_COLUMNS} allowed")
    seen: dict[str, int] = {}
    for number, name in enumerate(names, start=1):
        if not name:
            raise InputError(f"{file}: column {number} of the header has no name")
        if name in seen:
            raise InputError(
                f"{file}: the column {shown(name, _CELL_SHOWN)} is given twice (columns "
                f"{seen[name]} and {number}): keep one"
            )
        seen[name] = number


def _refuse_dotted(file: Path, frame: pd.DataFrame, columns: list[str]) -> None:
    """In a decimal-comma file, no number whose dots may separate thousands (see the module
    docstring)."""
    found: list[str] = []
    for name in columns:
        text = frame[name].astype("string")
        dotted = text.str.fullmatch(_AMBIGUOUS.pattern).fillna(False).to_numpy(dtype=bool)
        for position in dotted.nonzero()[0]:
            value = shown(text.iloc[position], _CELL_SHOWN)
            found.append(f"row {position} (line {position + 2}): {name} = {value}")
    if found:
        more = f", and {len(found) - MAX_SHOWN} more" if len(found) > MAX_SHOWN else ""
        raise InputError(
            f"{file}: this file is separated by semicolons and uses decimal commas, so a "
            f"number whose dots may separate thousands is ambiguous (70.000 is 70 000 or 70): "
            f"{'; '.join(found[:MAX_SHOWN])}{more}. Write 70000, or 70,5 for a decimal"
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


def read_parquet(file: Path) -> pd.DataFrame:
    """The columns of a Parquet file of structures (see the module docstring)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(file)
        _check_header(file, [str(name) for name in schema.names])
        return pd.read_parquet(file)
    except InputError:
        raise
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InputError(f"{file}: not a readable Parquet file: {_first_line(exc)}") from None


def read_excel(file: Path, model: Model) -> tuple[pd.DataFrame, RowLocations]:
    """The cells of the first sheet of an ``.xlsx`` file of structures, read cell by cell
    (see the module docstring), and the sheet's row number of each row."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise InputError(f"{file}: not a readable .xlsx workbook: {_first_line(exc)}") from None
    try:
        sheet = book.worksheets[0]
        title = str(sheet.title)
        sheet.reset_dimensions()  # the declared dimensions are not trusted: read what is there
        rows: list[list[Any]] = []
        for row in sheet.iter_rows(values_only=True):
            cells = list(row)
            while cells and cells[-1] is None:
                cells.pop()
            if len(cells) > MAX_COLUMNS:
                raise InputError(
                    f"{file}: row {len(rows) + 1} of the sheet has a cell in column "
                    f"{len(cells)}, more than the {MAX_COLUMNS} columns allowed"
                )
            rows.append(cells)
    finally:
        book.close()
    while rows and not rows[-1]:
        rows.pop()
    if not rows:
        raise InputError(f"{file}: the first sheet is empty (a header row is required)")
    header = ["" if name is None else str(name).strip() for name in rows[0]]
    _check_header(file, header)
    width = len(header)
    for number, cells in enumerate(rows[1:], start=2):
        if len(cells) > width:
            raise InputError(
                f"{file}: sheet row {number} has a value in column {len(cells)}, beyond the "
                f"{width} named columns of the header"
            )
    data = [cells + [None] * (width - len(cells)) for cells in rows[1:]]
    frame = pd.DataFrame(data, columns=header, dtype=object)
    identifier = model.id_input
    if identifier in frame.columns:  # ids are text: 12 in a cell is the id "12"
        frame[identifier] = frame[identifier].map(_id_text, na_action="ignore")
    # the header is the sheet's first row (the reader yields empty rows too)
    lines = list(range(2, len(frame) + 2))
    return frame.infer_objects(), RowLocations(str(file), lines, title)


def _id_text(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return line if len(line) <= 200 else line[:197] + "..."
