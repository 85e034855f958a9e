"""JSON Lines (``.jsonl``, https://jsonlines.org): structures read line by line from an
untrusted file, allocations written one object a row, numbers exact; docs/frames.md, section
Files, says what each line may hold."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Container, Iterator, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Final, TextIO

import numpy as np
import pandas as pd

from secpa_model.core.errors import InputError
from secpa_model.core.money import euros_to_cents
from secpa_model.core.periods import Period, PeriodLike
from secpa_model.core.safe_text import shortened, shown
from secpa_model.core.suggestions import closest_name, did_you_mean
from secpa_model.engine.allocate import allocate
from secpa_model.engine.parameters import parameters_for
from secpa_model.io.locations import LineRuns, RowLocations
from secpa_model.io.readers import Piece, PieceReader
from secpa_model.io.validation import (
    ERROR_COLUMNS,
    MAX_VALUE_SHOWN,
    NEAR_MISS,
    YEAR,
    YEAR_COLUMN,
)
from secpa_model.model.inputs import KIND_RULES
from secpa_model.model.model import Model
from secpa_model.model.parameters.loader import MAX_FILE_BYTES, json_loads

__all__ = [
    "MAX_KEYS",
    "MAX_LINE_BYTES",
    "JsonLinesReader",
    "RowTrace",
    "read_json_lines",
    "row_tracer",
    "write_frame_lines",
]

MAX_LINE_BYTES: Final = MAX_FILE_BYTES
"""The longest line read, in bytes (1 MiB, the bound of a JSON file): a longer line is a
bad line, skipped without being held in memory."""

MAX_KEYS: Final = 1_024
"""The most keys in all (the columns of the frame read), as the most columns of a file."""

_BAD_LINE_CODE: Final = "invalid_input"  # a line that is not a structure: no cell at fault
_BLOCK: Final = 64 * 1024  # bytes read at a time while skipping a line that is too long
_BYTE_ORDER_MARK: Final = b"\xef\xbb\xbf"


def _raw_lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, bytes)`` for each line of ``stream`` (from 1), the bytes ``None``
    for a line longer than :data:`MAX_LINE_BYTES` (skipped to its end)."""
    number = 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(_BLOCK)
            yield number, None
            continue
        yield number, raw


def read_json_lines(
    file: Path,
    on_problem: Callable[[int, int, str, str], None],
    checked: Container[int] | None = None,
) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """``(row, line, object)`` for each line of ``file`` that is a JSON object, rows
    numbered from 0 among the lines that are not blank; ``on_problem(row, line, start of
    the line, message)`` for each that is not (docs/frames.md, Files). Decimals are
    :class:`~decimal.Decimal`. An :class:`~secpa_model.InputError` if the file cannot be
    read. ``checked``: the rows of the bad lines of the file, when a reading checked it
    already: the other lines are parsed without checking again (the same objects)."""
    origin = str(file)
    try:
        stream = file.open("rb")
    except OSError as exc:
        raise InputError(f"{file}: cannot read the file: {exc.strerror or exc}") from None
    row = 0
    with stream:
        for line, raw in _raw_lines(stream):
            text, problem = "", None
            if raw is None:
                problem = f"line {line} is longer than {MAX_LINE_BYTES} bytes"
            else:
                raw = raw.removeprefix(_BYTE_ORDER_MARK) if line == 1 else raw
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    text = raw[: exc.start].decode("utf-8", errors="replace")
                    problem = (
                        f"line {line} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at column "
                        f"{exc.start + 1}); save the file as UTF-8"
                    )
                else:
                    if not text.strip():
                        continue
                    if checked is not None and row not in checked:
                        data = json.loads(text, parse_float=Decimal)
                    else:
                        data, problem = _parsed(text, origin, line)
            if problem is None:
                yield row, line, data
            else:
                on_problem(row, line, text, problem)
            row += 1


def _parsed(text: str, origin: str, line: int) -> tuple[Any, str | None]:
    """The object a line holds, or what is wrong with it."""
    try:
        data = json_loads(text, f"{origin}, line {line}", InputError, Decimal)
    except json.JSONDecodeError as exc:
        return None, f"line {line} is not valid JSON: {exc.msg} (column {exc.colno})"
    except InputError as exc:  # a key given twice, nesting, a long integer
        return None, str(exc).removeprefix(f"{origin}, ")
    if isinstance(data, dict):
        return data, None
    kind = _JSON_TYPES.get(type(data), "number")
    return None, f"line {line} is a JSON {kind}, not an object with the structure's fields"


_JSON_TYPES: Final = {list: "array", str: "string", type(None): "null", bool: "boolean"}


class JsonLinesReader(PieceReader):
    """A JSON Lines file of structures read a piece of lines at a time: each piece's objects
    labelled by row number, and a problem per bad line. The columns are the whole file's
    keys, typed as pandas types the whole file; the first reading learns them as it goes
    (:attr:`typed_as_whole` says afterwards whether its pieces were typed so)."""

    def __init__(self, file: Path, model: Model, rows: int) -> None:
        super().__init__(file, model, rows)
        self._learnt = False
        self._typing: list[dict[str, Any]] = []  # one value of each kind found per column
        self._known = {item.name for item in model.inputs} | {YEAR_COLUMN}
        self._near: dict[str, str | None] = {}  # each unknown key: the input it looks like

    def _id_of(self, data: dict[str, Any]) -> str | None:
        """The structure id of an object, when it can be read."""
        item = self.model.input(self.model.id_input)
        try:
            return str(item.parse(data.get(item.name)))
        except ValueError:
            return None

    def pieces(self, columns: Sequence[str] | None = None) -> Iterator[Piece]:
        if columns is None and not self._learnt:
            for _ in self._read(()):
                pass
        yield from self._read(columns)

    def whole(self) -> Piece:
        """The whole file as one piece, read once (its objects held until it is read)."""
        if self._learnt:
            return super().whole()
        held: list[tuple[list[dict[str, Any]], list[int]]] = []
        rows, self.rows = self.rows, _ALL
        try:
            (piece,) = self._read(None, held)
        finally:
            self.rows = rows
        return Piece(self._typed(*held[0], None), piece.problems)

    def _typed(
        self, records: list[dict[str, Any]], rows: list[int], columns: Sequence[str] | None
    ) -> pd.DataFrame:
        """The frame of ``records`` (their row numbers ``rows``) as the whole file types
        it (see the class docstring), with the columns among ``columns``."""
        for record in records:
            for item in self.model.inputs:
                if not item.required and item.name in self.columns:
                    record.setdefault(item.name, item.default)
        typing = len(self._typing)
        frame = pd.DataFrame.from_records(self._typing + records, columns=self.columns)
        frame = frame.iloc[typing:]
        if columns is not None:
            frame = frame[[name for name in self.columns if name in columns]]
        return frame.set_axis(pd.Index(rows, dtype=np.int64))

    def _read(
        self,
        columns: Sequence[str] | None,
        held: list[tuple[list[dict[str, Any]], list[int]]] | None = None,
    ) -> Iterator[Piece]:
        learning = not self._learnt
        lines = LineRuns()
        bad_lines: list[tuple[int, Any, Any, Any, str, str]] = []
        problems: list[tuple[int, Any, Any, Any, str, str]] = []
        kinds: dict[str, dict[Any, Any]] = {}  # per key: one value of each kind
        given: dict[str, int] = {}  # per key: the objects holding it
        typed: dict[str, set[Any]] = {}  # per column asked for: its types in the pieces
        records: list[dict[str, Any]] = []
        rows: list[int] = []

        def bad(row: int, line: int, start: str, message: str) -> None:
            lines.append(line)
            value = shortened(start.strip(), MAX_VALUE_SHOWN)
            problems.append((row, None, None, value, _BAD_LINE_CODE, message))

        def misspelt(row: int, line: int, data: dict[str, Any]) -> bool:
            """Whether the object has a key that looks like a misspelt input: then that
            line is a problem, its key named with the input it looks like."""
            for key, value in data.items():
                if key in self._known:
                    continue
                if key not in self._near:  # each unknown key looked at once
                    self._near[key] = closest_name(key, sorted(self._known), NEAR_MISS)
                close = self._near[key]
                if close:
                    lines.append(line)
                    message = f"line {line} has an unknown key {shown(key)}: "
                    message += did_you_mean(key, [close], NEAR_MISS)
                    problems.append((row, self._id_of(data), key, value, "unknown_field", message))
                    return True
            return False

        def piece() -> Piece:
            errors = _errors(problems)
            bad_lines.extend(problems)
            if not learning:
                frame = self._typed(records, rows, columns)
            elif held is not None:  # typed once the whole file is read
                held.append((records[:], rows[:]))
                frame = pd.DataFrame()
            else:  # the cells asked for, typed by this piece alone
                asked = [name for name in columns or () if name in given]
                frame = pd.DataFrame.from_records(records, columns=asked)
                if not asked:
                    frame = pd.DataFrame(index=pd.RangeIndex(len(records)))
                for name in asked:
                    typed.setdefault(name, set()).add(frame[name].dtype)
                frame = frame.set_axis(pd.Index(rows, dtype=np.int64))
            records.clear()
            rows.clear()
            problems.clear()
            return Piece(frame, errors)

        count = 0
        checked = None if learning else set(self.bad_lines["row"].tolist())
        for row, line, data in read_json_lines(self.file, bad, checked):
            if misspelt(row, line, data):
                continue
            if learning:
                lines.append(line)
                for key, value in data.items():
                    if key not in given and len(given) == MAX_KEYS:
                        raise InputError(
                            f"{self.file}: line {line} brings the keys to more than the "
                            f"{MAX_KEYS} columns allowed"
                        )
                    given[key] = given.get(key, 0) + 1
                    kinds.setdefault(key, {}).setdefault(_kind(value), value)
            records.append(data)
            rows.append(row)
            count += 1
            if len(records) == self.rows:
                yield piece()
        if records or problems or not count:
            yield piece()
        if learning:
            self.located = RowLocations(str(self.file), lines)
            self.bad_lines = _errors(bad_lines)
            self._learn(given, kinds, count, typed)

    def _learn(
        self,
        given: dict[str, int],
        kinds: dict[str, dict[Any, Any]],
        count: int,
        typed: dict[str, set[Any]],
    ) -> None:
        """The columns the first reading found (``given``: each key and the objects holding
        it), and how pandas types them (``kinds``: one value of each kind in each; ``typed``:
        the types of the columns asked for in each piece)."""
        columns = list(given)
        defaults = {item.name: item.default for item in self.model.inputs if not item.required}
        for name in columns:
            if given[name] < count:  # left out of some objects: a default, or a missing cell
                value = defaults.get(name, _LEFT_OUT)
                kinds[name].setdefault(_kind(value), value)
        depth = max((len(found) for found in kinds.values()), default=0)
        self._typing = [
            {
                name: value
                for name in columns
                if (value := list(kinds[name].values())[min(i, len(kinds[name]) - 1)])
                is not _LEFT_OUT
            }
            for i in range(depth)
        ]
        whole = pd.DataFrame.from_records(self._typing, columns=columns).dtypes
        self.typed_as_whole = all(found == {whole[name]} for name, found in typed.items())
        self.columns = columns
        self.count = count
        self._learnt = True


def _errors(problems: list[tuple[int, Any, Any, Any, str, str]]) -> pd.DataFrame:
    """Bad lines as an errors frame."""
    errors = pd.DataFrame(problems, columns=list(ERROR_COLUMNS), dtype=object)
    return errors.astype({"row": np.int64})


_ALL: Final = 2**62  # rows per piece of a file read whole
_LEFT_OUT: Final = object()  # a key an object leaves out (a missing cell, as pandas reads it)
_INT64: Final = 2**63


def _kind(value: Any) -> Any:
    """What pandas' type inference tells apart in a cell: its type, and for an integer
    outside ``0 ≤ n < 2⁶³`` its sign and whether it fits 64 bits (signed, unsigned)."""
    if type(value) is int and not 0 <= value < _INT64:
        return int, value < 0, not -_INT64 <= value < _INT64, value >= 2 * _INT64
    return type(value)  # _LEFT_OUT: object, the type of no JSON value


def _json_value(value: Any) -> Any:
    """A cell as a JSON value, exactly (docs/frames.md, Files)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else None
    if isinstance(value, date):  # a datetime, a pandas Timestamp too
        return value.isoformat()
    if isinstance(value, bool | int | str | dict | list):  # dict, list: JSON already
        return value
    return str(value)


def write_frame_lines(frame: pd.DataFrame, stream: TextIO, *, index: bool = False) -> None:
    """Every row of ``frame`` as a line of JSON on ``stream``, column name → cell (written
    exactly: see docs/frames.md, Files), the index first (under its name, else ``index``)
    when ``index``."""
    names = [str(name) for name in frame.columns]
    columns = [frame.iloc[:, position].tolist() for position in range(frame.shape[1])]
    if index:
        names.insert(0, str(frame.index.name) if frame.index.name is not None else "index")
        columns.insert(0, frame.index.tolist())
    for cells in zip(*columns, strict=True):
        data = {name: _json_value(cell) for name, cell in zip(names, cells, strict=True)}
        stream.write(json.dumps(data, ensure_ascii=False, allow_nan=False) + "\n")


RowTrace = Callable[[Any, int], "dict[str, Any] | None"]
"""The JSON trace of one row (by its label, with its total in cents), or None."""


def row_tracer(
    frame: pd.DataFrame, period: PeriodLike | None, parameters: Any, *, model: Model
) -> RowTrace:
    """The trace of a row of ``frame`` (as read; the row valid), as
    ``secpa-model schema trace`` describes it: the row allocated on its own by
    :func:`~secpa_model.allocate` (the one-structure path) over ``period``, or over its
    ``year`` (intersected with ``period``) in a structure-year table. None for a row whose
    year does not meet ``period`` (not participating: no period to trace). The trace's
    total is checked against the row's cents (the two paths cannot disagree: a
    :class:`RuntimeError` if they do)."""
    params = parameters_for(model, parameters)
    names = [item.name for item in model.inputs if item.name in frame.columns]
    span = Period.parse(period) if period is not None else None
    by_year = YEAR_COLUMN in frame.columns

    def trace(label: Any, total_cents: int) -> dict[str, Any] | None:
        row = frame.loc[label]
        inputs = {name: row[name] for name in names if not _is_missing(row[name])}
        window = span
        if by_year:
            year = int(KIND_RULES[YEAR.kind].parse_value(YEAR, row[YEAR_COLUMN]))
            window = _within(Period.year(year), span)
            if window is None:
                return None
        if window is None:  # pragma: no cover - the allocation required a period
            raise InputError("a period is required (or a 'year' column giving each row's year)")
        traced = allocate(inputs, window, params, model=model).trace()
        if euros_to_cents(traced.total) != total_cents:
            raise RuntimeError(
                f"internal error: row {label!r}: the trace's total {traced.total} differs "
                f"from the batch's {total_cents} cents"
            )
        return traced.model_dump(mode="json")

    return trace


def _is_missing(value: Any) -> bool:
    return value is None or (not isinstance(value, list | dict | str) and bool(pd.isna(value)))


def _within(year: Period, span: Period | None) -> Period | None:
    """``year`` ∩ ``span`` (``year`` without a span), None when they do not meet."""
    if span is None:
        return year
    start, end = max(year.start, span.start), min(year.end, span.end)
    return Period(start, end) if start <= end else None
