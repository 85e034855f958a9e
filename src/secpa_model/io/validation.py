"""Validation of a DataFrame of structures, column by column, from a model's inputs.

Each column is parsed by its input's kind (:mod:`secpa_model.model.inputs`), with the code
a ``Structure`` field goes through, vectorised where the column is typed, and **every**
invalid cell is reported (row label, field, value, message) instead of stopping at the
first. Messages are fixed texts (one per kind of problem), so an errors frame can be grouped.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model.core.errors import InputError
from secpa_model.core.safe_text import shown
from secpa_model.model.inputs import KIND_RULES, TEXT_DTYPE, Input
from secpa_model.model.model import Model
from secpa_model.model.structure import Columns, window_message

__all__ = [
    "ERROR_COLUMNS",
    "MAX_ERRORS_SHOWN",
    "TEXT_DTYPE",
    "YEAR_COLUMN",
    "ValidatedFrame",
    "describe_problems",
    "duplicate_problems",
    "validate_frame",
]

YEAR_COLUMN: Final = "year"
"""The optional column of a structure-year table: each row is allocated over its year."""

ERROR_COLUMNS: Final[tuple[str, ...]] = ("row", "field", "value", "message")
"""The columns of an errors frame: row label, field (column), offending value, message."""

MAX_ERRORS_SHOWN: Final = 20
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
_NEAR_MISS: Final = 0.85


@dataclass(frozen=True)
class ValidatedFrame:
    """A frame turned into engine columns, with every problem found.

    ``columns`` holds **all** rows (invalid cells hold placeholders: use ``valid``);
    ``years`` is the ``year`` column (None without one); ``problems`` has one row per
    invalid cell, in row order (:data:`ERROR_COLUMNS`); ``valid`` masks the valid rows;
    ``ids`` is the id column as stripped text, on the frame's index.
    """

    columns: Columns
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


def _reject_misspelt_columns(columns: pd.Index, known: list[str]) -> None:
    """Other columns are ignored, but not one that looks like a misspelt field: an optional
    column under a wrong name would otherwise silently take its default."""
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
    duplicated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
    if duplicated:
        raise InputError(f"duplicated columns: {', '.join(duplicated)}")
    missing = [name for name in required if name not in frame.columns]
    if missing:
        present = ", ".join(map(str, frame.columns)) or "none"
        raise InputError(
            f"missing required columns: {', '.join(missing)} (columns present: {present})"
        )
    _reject_misspelt_columns(frame.columns, [item.name for item in model.inputs] + [YEAR_COLUMN])
    size = len(frame)
    problems = _Problems(size)
    data: dict[str, NDArray[Any]] = {}
    for item in model.inputs:
        rules = KIND_RULES[item.kind]
        if item.name in frame.columns:
            series = frame[item.name]
            parsed = rules.parse_column(item, series)
            for mask, message in parsed.problems:
                problems.add(mask, item.name, series, message)
            data[item.name] = parsed.values
        else:  # an optional column left out: every row takes the default
            data[item.name] = np.repeat(rules.to_array(item, [item.default]), size)
    columns = Columns(data, size)
    if model.entry_input and model.exit_input and model.exit_input in frame.columns:
        reversed_ = columns[model.exit_input] < columns[model.entry_input]
        message = window_message(model.entry_input, model.exit_input)
        problems.add(reversed_, model.exit_input, frame[model.exit_input], message)
    years = None
    if YEAR_COLUMN in frame.columns:
        parsed = KIND_RULES["count"].parse_column(YEAR, frame[YEAR_COLUMN])
        for mask, message in parsed.problems:
            problems.add(mask, YEAR_COLUMN, frame[YEAR_COLUMN], message)
        years = np.asarray(parsed.values, dtype=np.int64)
        years = np.where(years < YEAR.low, int(YEAR.low), years)
    ids = pd.Series(columns[model.id_input], index=frame.index, dtype=TEXT_DTYPE)
    if not allow_duplicates:
        known = _identified(problems, model.id_input)
        for mask, message in duplicates(ids, years, known, model.id_input):
            problems.add(mask, model.id_input, frame[model.id_input], message)
    return ValidatedFrame(columns, years, problems.frame(frame.index), ~problems.invalid(), ids)


def _identified(problems: _Problems, id_name: str) -> NDArray[np.bool_]:
    """The rows whose id (and year) are readable, whatever their other cells: those a
    duplicate is looked for among (so that it does not depend on the rest of the row)."""
    mask = np.ones(problems.size, dtype=np.bool_)
    for positions, name, _, _ in problems.parts:
        if name in (id_name, YEAR_COLUMN):
            mask[positions] = False
    return mask


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
        found.add(mask, item.name, frame[item.name], message)
    return found.frame(frame.index)


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
    # hashed in pandas' text array (Arrow where it is): no Python object per row
    if years is None:
        if ids.nunique(dropna=False) == len(ids):  # the usual case, counted fast
            return []
        repeated = ids.duplicated(keep=False).to_numpy(dtype=np.bool_) & among
    else:
        pairs = pd.DataFrame({"id": ids.array, "year": years}, copy=False)
        repeated = pairs.duplicated(keep=False).to_numpy(dtype=np.bool_) & among
    if not repeated.any():
        return []
    keys = pd.DataFrame({"id": ids.to_numpy(dtype=object)})
    if years is not None:
        keys["year"] = years
    found = []
    labels = ids.index
    for _, group in keys[repeated].groupby(list(keys.columns), sort=False):
        rows = group.index.to_numpy()
        listed = ", ".join(repr(labels[row]) for row in rows[:MAX_ROWS_NAMED])
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


def describe_problems(problems: pd.DataFrame) -> str:
    """The message of an :class:`InputError`: the problems in row order, the first
    :data:`MAX_ERRORS_SHOWN` of them with row label, field and value, then a count."""
    rows = problems["row"].nunique()
    lines = [
        f"  row {shown(row, MAX_VALUE_SHOWN)}: {name} = {shown(value, MAX_VALUE_SHOWN)}: {message}"
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
