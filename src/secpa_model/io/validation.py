"""Validation of a DataFrame of structures, column by column, from a model's inputs.

Each column is parsed by its input's kind (:mod:`secpa_model.model.inputs`), with the code
a ``Structure`` field goes through, vectorised where the column is typed, and **every**
invalid cell is reported (row label, field, value, message) instead of stopping at the
first. Messages are fixed texts (one per kind of problem), so an errors frame can be grouped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import Any, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model.core.errors import MAX_LISTED, PROBLEM_FIELDS, InputError, Problem, is_missing
from secpa_model.core.safe_text import shown
from secpa_model.core.suggestions import closest_name, did_you_mean
from secpa_model.io.locations import RowLocations
from secpa_model.model.inputs import KIND_RULES, TEXT_DTYPE, Input, is_blank
from secpa_model.model.model import Model
from secpa_model.model.structure import Columns, window_message
from secpa_model.model.text_cells import YEAR_MIX, text_keys

__all__ = [
    "ERROR_COLUMNS",
    "MAX_ERRORS_SHOWN",
    "TEXT_DTYPE",
    "YEAR_COLUMN",
    "ValidatedFrame",
    "describe_problems",
    "duplicate_problems",
    "no_problems",
    "problem_records",
    "problems_error",
    "validate_frame",
]

YEAR_COLUMN: Final = "year"
"""The optional column of a structure-year table: each row is allocated over its year."""

ERROR_COLUMNS: Final[tuple[str, ...]] = tuple(
    name for name in PROBLEM_FIELDS if name not in ("file", "sheet", "line")
)
"""The columns of an errors frame, the fields of a problem (:data:`~secpa_model.core.errors.
PROBLEM_FIELDS`) that a frame knows, in the same order: row label, the row's structure id
(None when it cannot be read), field (column), offending value (None when missing), problem
code (:data:`~secpa_model.core.errors.PROBLEM_CODES`: ``missing_value``, ``invalid_value``
or ``duplicate_id``) and message. Read from a file, ``file``, ``sheet`` and ``line`` are
added (:meth:`~secpa_model.io.locations.RowLocations.annotated`)."""

DUPLICATE: Final = "duplicate_id"
"""The code of a row that repeats another's id (and year)."""

MAX_ERRORS_SHOWN: Final = MAX_LISTED
"""How many problems an :class:`InputError` message lists before giving a count."""

MAX_VALUE_SHOWN: Final = 60
"""The most characters of a value a message quotes (a 10 MB cell is not repeated whole)."""


YEAR: Final = Input(
    YEAR_COLUMN,
    "count",
    "The calendar year of a row of a structure-year table (année).",
    minimum=date.min.year,
    maximum=date.max.year,
)
"""The ``year`` column of a structure-year table, parsed like any count."""

# how alike (difflib ratio, case ignored) an unknown column must be to a field to be refused
# as a misspelling of it
NEAR_MISS: Final = 0.85


@dataclass(frozen=True)
class ValidatedFrame:
    """A frame turned into engine columns, with every problem found.

    ``columns`` holds **all** rows (invalid cells hold placeholders: use ``valid``);
    ``years`` is the ``year`` column (None without one); ``problems`` has one row per
    invalid cell, in row order (:data:`ERROR_COLUMNS`); ``valid`` masks the valid rows;
    ``index`` is the frame's; :attr:`ids` is the id column (``id_input``) as stripped text,
    on that index.
    """

    columns: Columns
    years: NDArray[np.int64] | None
    problems: pd.DataFrame
    valid: NDArray[np.bool_]
    index: pd.Index
    id_input: str

    @cached_property
    def ids(self) -> pd.Series:
        """The id column as stripped text, on the frame's index (built when first asked)."""
        return _text_series(self.columns[self.id_input], self.index)


@dataclass
class _Problems:
    """Invalid cells found while converting a frame, collected column by column: positions,
    field, values, message and code (None: ``missing_value`` or ``invalid_value`` by cell)."""

    size: int
    parts: list[tuple[NDArray[np.intp], str, list[object], str, str | None]] = field(
        default_factory=list
    )

    def add(
        self,
        mask: NDArray[np.bool_],
        name: str,
        values: pd.Series,
        message: str,
        code: str | None = None,
    ) -> None:
        positions = np.flatnonzero(mask)
        if len(positions) == 0:
            return
        shown = [_plain(value) for value in values.iloc[positions].to_numpy(dtype=object)]
        self.parts.append((positions, name, shown, message, code))

    def invalid(self) -> NDArray[np.bool_]:
        mask = np.zeros(self.size, dtype=np.bool_)
        for positions, *_ in self.parts:
            mask[positions] = True
        return mask

    def frame(self, index: pd.Index, ids: Any, id_name: str) -> pd.DataFrame:
        """The errors frame (:data:`ERROR_COLUMNS`); ``ids`` holds each row's id (the
        ``structure_id`` column is None where the id column ``id_name`` has a problem)."""
        if not self.parts:
            return no_problems()
        positions = np.concatenate([part[0] for part in self.parts])
        # in row order; within a row, in the order of the columns' checks (stable sort)
        order = np.argsort(positions, kind="stable")
        fields = np.concatenate([np.full(len(p), name, dtype=object) for p, name, *_ in self.parts])
        values = np.empty(len(positions), dtype=object)
        values[:] = [value for part in self.parts for value in part[2]]
        messages = np.concatenate(
            [np.full(len(p), message, dtype=object) for p, _, _, message, _ in self.parts]
        )
        codes = np.empty(len(positions), dtype=object)
        codes[:] = [
            code or _cell_code(value) for *_, shown, _, code in self.parts for value in shown
        ]
        rows = positions[order]
        known = np.full(len(rows), None, dtype=object)
        readable = self.readable(id_name)[rows]
        known[readable] = np.asarray(ids, dtype=object)[rows[readable]]
        return pd.DataFrame(
            {
                "row": pd.Series(index[rows], dtype=object),
                "structure_id": pd.Series(known, dtype=object),
                "field": pd.Series(fields[order], dtype=object),
                "value": pd.Series(values[order], dtype=object),
                "code": pd.Series(codes[order], dtype=object),
                "message": pd.Series(messages[order], dtype=object),
            }
        )

    def readable(self, id_name: object, *also: str) -> NDArray[np.bool_]:
        """The rows whose id (and the columns ``also``) has no problem."""
        mask = np.ones(self.size, dtype=np.bool_)
        for positions, name, *_ in self.parts:
            if name == id_name or name in also:
                mask[positions] = False
        return mask


@lru_cache(maxsize=1)
def _empty_problems() -> pd.DataFrame:
    return pd.DataFrame(columns=list(ERROR_COLUMNS), dtype=object)


def no_problems() -> pd.DataFrame:
    """An empty errors frame (:data:`ERROR_COLUMNS`; a copy of one built once: building it
    costs more than a small frame's whole validation)."""
    return _empty_problems().copy(deep=False)  # no value to share: an empty frame


def _cell_code(value: object) -> str:
    """``missing_value`` for a missing or blank cell, ``invalid_value`` otherwise."""
    return "missing_value" if is_blank(value) else "invalid_value"


def _plain(value: object) -> object:
    """A numpy scalar as the Python value it holds (for readable messages); a missing
    value (NaN, NA, NaT) as None."""
    if is_missing(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _reject_misspelt_columns(columns: list[Any], known: list[str]) -> None:
    """Other columns are ignored, but not one that looks like a misspelt field: an optional
    column under a wrong name would otherwise silently take its default."""
    fields = set(known)
    guesses = {
        str(name): close
        for name in columns
        if str(name) not in fields and (close := closest_name(str(name), known, NEAR_MISS))
    }
    if guesses:
        listed = "; ".join(
            f"{name!r}: {did_you_mean(name, [field], NEAR_MISS)}" for name, field in guesses.items()
        )
        raise InputError(
            f"unknown columns that look like misspelt fields ({listed}); rename them, or "
            "drop them (other columns are ignored)",
            problems=[
                Problem(
                    "unknown_field",
                    f"unknown column {name!r}: {did_you_mean(name, [field], NEAR_MISS)}",
                    field=name,
                )
                for name, field in guesses.items()
            ],
        )


def _known_columns(model: Model) -> list[str]:
    """The columns ``model`` reads: its inputs' names, and ``year``."""
    return [item.name for item in model.inputs] + [YEAR_COLUMN]


def validate_frame(
    frame: pd.DataFrame, model: Model, *, allow_duplicates: bool = False
) -> ValidatedFrame:
    """Validate ``frame`` column by column against the inputs of ``model`` and convert it to
    engine columns. Rows that repeat an id (and year) are problems, every copy named, unless
    ``allow_duplicates``.

    Problems with the frame as a whole (not a DataFrame, missing or duplicated columns, a
    misspelt column name) raise :class:`~secpa_model.InputError` at once; problems
    with cells are collected (see :class:`ValidatedFrame`).
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    required = [item.name for item in model.inputs if item.required]
    if len(frame.columns) == 0 and len(frame) == 0:
        frame = pd.DataFrame({name: pd.Series(dtype=object) for name in required})
    if not frame.columns.is_unique:
        duplicated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise InputError(f"duplicated columns: {', '.join(duplicated)}")
    names = frame.columns.tolist()
    present = set(names)
    missing = [name for name in required if name not in present]
    if missing:
        listed = ", ".join(map(str, frame.columns)) or "none"
        others = [str(name) for name in names if str(name) not in _known_columns(model)]
        named = [
            f"{name} (did you mean {name!r} for the column {close!r}?)"
            if (close := closest_name(name, others))
            else name
            for name in missing
        ]
        raise InputError(
            f"missing required columns: {', '.join(named)} (columns present: {listed})"
        )
    _reject_misspelt_columns(names, _known_columns(model))
    size = len(frame)
    problems = _Problems(size)
    data: dict[str, NDArray[Any]] = {}
    given: dict[str, pd.Series] = {}  # each column read once from the frame
    for item in model.inputs:
        rules = KIND_RULES[item.kind]
        if item.name in present:
            series = given[item.name] = frame[item.name]
            parsed = rules.parse_column(item, series)
            for mask, message in parsed.problems:
                problems.add(mask, item.name, series, message)
            data[item.name] = parsed.values
        else:  # an optional column left out: every row takes the default
            data[item.name] = np.repeat(rules.to_array(item, [item.default]), size)
    columns = Columns(data, size)
    if model.entry_input and model.exit_input and model.exit_input in present:
        reversed_ = columns[model.exit_input] < columns[model.entry_input]
        if reversed_.any():
            message = window_message(model.entry_input, model.exit_input)
            problems.add(reversed_, model.exit_input, given[model.exit_input], message)
    years = None
    if YEAR_COLUMN in present:
        year_column = frame[YEAR_COLUMN]
        parsed = KIND_RULES["count"].parse_column(YEAR, year_column)
        for mask, message in parsed.problems:
            problems.add(mask, YEAR_COLUMN, year_column, message)
        years = np.asarray(parsed.values, dtype=np.int64)
        years = np.where(years < YEAR.low, int(YEAR.low), years)
    id_values = columns[model.id_input]
    if not allow_duplicates:
        # among the rows whose id (and year) are readable, whatever their other cells
        known = problems.readable(model.id_input, YEAR_COLUMN)
        repeated = _repeated(id_values, years) & known
        if repeated.any():
            ids = _text_series(id_values, frame.index)
            for mask, message in _duplicate_groups(ids, years, repeated, model.id_input):
                problems.add(mask, model.id_input, given[model.id_input], message, DUPLICATE)
    found = problems.frame(frame.index, id_values, model.id_input)
    valid = ~problems.invalid()
    return ValidatedFrame(columns, years, found, valid, frame.index, model.id_input)


def _text_series(values: Any, index: pd.Index) -> pd.Series:
    """A text column on ``index`` (the array itself when it is already text)."""
    if getattr(values, "dtype", None) == TEXT_DTYPE:
        return pd.Series(values, index=index, copy=False)
    return pd.Series(values, index=index, dtype=TEXT_DTYPE)


def duplicate_problems(frame: pd.DataFrame, model: Model) -> pd.DataFrame:
    """The duplicate problems of a whole frame (what :func:`validate_frame` reports), parsing
    only the id and year columns: a chunked batch checks them once over every chunk."""
    item = model.input(model.id_input)
    found = _Problems(len(frame))
    parsed = KIND_RULES[item.kind].parse_column(item, frame[item.name])
    known = ~parsed.invalid()
    years = None
    if YEAR_COLUMN in frame.columns:
        parsed_years = KIND_RULES["count"].parse_column(YEAR, frame[YEAR_COLUMN])
        known &= ~parsed_years.invalid()
        years = np.asarray(parsed_years.values, dtype=np.int64)
    ids = pd.Series(parsed.values, index=frame.index, dtype=TEXT_DTYPE)
    for mask, message in duplicates(ids, years, known, item.name):
        found.add(mask, item.name, frame[item.name], message, DUPLICATE)
    return found.frame(frame.index, ids, item.name)


MAX_ROWS_NAMED: Final = 5
"""How many rows a duplicate's message names before giving a count."""


def duplicates(
    ids: pd.Series,
    years: NDArray[np.int64] | None,
    among: NDArray[np.bool_],
    name: str,
) -> list[tuple[NDArray[np.bool_], str]]:
    """The rows that repeat an id (or an id and a year, in a structure-year table) among the
    rows of ``among``: every copy is a problem, named with the rows of its group. A
    structure funded twice would get each cap twice."""
    return _duplicate_groups(ids, years, _repeated(ids, years) & among, name)


def _duplicate_groups(
    ids: pd.Series, years: NDArray[np.int64] | None, repeated: NDArray[np.bool_], name: str
) -> list[tuple[NDArray[np.bool_], str]]:
    """The problems of the ``repeated`` rows, one per group of equal ids (and years)."""
    if not repeated.any():
        return []
    keys = pd.DataFrame({"id": ids.to_numpy(dtype=object)})
    if years is not None:
        keys["year"] = years
    found = []
    labels = ids.index
    for _, group in keys[repeated].groupby(list(keys.columns), sort=False):
        rows = group.index.to_numpy()
        listed = ", ".join(repr(_plain(labels[row])) for row in rows[:MAX_ROWS_NAMED])
        more = f" and {len(rows) - MAX_ROWS_NAMED} more" if len(rows) > MAX_ROWS_NAMED else ""
        what = f"{name} {shown(group['id'].iloc[0], MAX_VALUE_SHOWN)}"
        if years is not None:
            what += f" with year {int(group['year'].iloc[0])}"
        mask = np.zeros(len(ids), dtype=np.bool_)
        mask[rows] = True
        found.append(
            (
                mask,
                f"{what} is in {len(rows)} rows ({listed}{more}): each would be funded, with "
                "its own caps; merge them, or allow duplicates if you mean it "
                "(allow_duplicates=True; --allow-duplicates)",
            )
        )
    return found


def _repeated(ids: Any, years: NDArray[np.int64] | None) -> NDArray[np.bool_]:
    """The rows whose id (and year) is in another row too, every copy (``ids``: a text
    column, or its array)."""
    if len(ids) <= _FEW_ROWS:
        # a few rows: counted in a Python set (text compared exactly, as Arrow compares it)
        cells = np.asarray(ids, dtype=object).tolist()
        distinct = set(cells) if years is None else set(zip(cells, years.tolist(), strict=True))
        if len(distinct) == len(cells):
            return np.zeros(len(ids), dtype=np.bool_)
        candidates = np.ones(len(ids), dtype=np.bool_)
    else:
        # the usual case, decided on one 64-bit key per row: distinct keys, distinct rows;
        # only rows sharing a key are compared exactly
        keys = text_keys(ids.array if isinstance(ids, pd.Series) else ids)
        if years is not None:
            keys = keys ^ years.astype(np.uint64) * YEAR_MIX
        ordered = np.sort(keys)
        shared = ordered[1:][ordered[1:] == ordered[:-1]]
        if not len(shared):
            return np.zeros(len(ids), dtype=np.bool_)
        candidates = np.isin(keys, shared)
    rows = np.flatnonzero(candidates)
    pairs = pd.DataFrame({"id": np.asarray(ids, dtype=object)[rows]})
    if years is not None:
        pairs["year"] = years[rows]
    repeated = np.zeros(len(ids), dtype=np.bool_)
    repeated[rows] = pairs.duplicated(keep=False).to_numpy(dtype=np.bool_)
    return repeated


_FEW_ROWS: Final = 512
"""Up to how many rows repeated ids are looked for in a Python set rather than on keys
(faster for a few rows; the same rows found)."""


def problem_records(problems: pd.DataFrame, rows: RowLocations | None = None) -> list[Problem]:
    """The rows of an errors frame (:data:`ERROR_COLUMNS`) as :class:`Problem` records, in
    order; with ``rows`` (where a file's rows are), each also names the file and line."""
    records = []
    for row, structure_id, name, value, code, message in problems[list(ERROR_COLUMNS)].itertuples(
        index=False
    ):
        record = Problem(
            code,
            message,
            field=name,
            value=None if is_missing(value) else value,
            row=row,
            structure_id=None if is_missing(structure_id) else structure_id,
        )
        records.append(rows.locate(record) if rows is not None else record)
    return records


def describe_problems(problems: pd.DataFrame, rows: RowLocations | None = None) -> str:
    """The message of an :class:`InputError`: the problems in row order, the first
    :data:`MAX_ERRORS_SHOWN` of them with row label (and line, with ``rows``), structure id,
    field and value, then a count."""
    return problems_error(problems, rows).message


def problems_error(problems: pd.DataFrame, rows: RowLocations | None = None) -> InputError:
    """The :class:`InputError` of an errors frame: every problem as a record (located in
    the file with ``rows``, the message then starting with the file's name), the message as
    :func:`describe_problems`."""
    count = problems["row"].nunique()
    summary = (
        f"{count} invalid row{'s' if count > 1 else ''} "
        f"({len(problems)} problem{'s' if len(problems) > 1 else ''}):"
    )
    if rows is not None:
        summary = f"{rows.file}: {summary}"
    return InputError(problems=problem_records(problems, rows), summary=summary)
