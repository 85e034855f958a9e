"""Where the rows of a file of structures are: the line of each row in a CSV file, or its
row number in an Excel sheet, so that an error names what a person sees in their editor."""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Hashable
from dataclasses import dataclass
from numbers import Integral
from typing import Protocol, TypeVar

import pandas as pd

from secpa_model.core.errors import PROBLEM_FIELDS, Problem, SecpaError, json_scalar
from secpa_model.core.safe_text import shown

_Error = TypeVar("_Error", bound=SecpaError)

__all__ = ["LineRuns", "Lines", "RowLocations"]


class Lines(Protocol):
    """The line of each row: ``lines[row]`` for ``0 <= row < len(lines)`` (a list, a
    range, :class:`LineRuns`)."""

    def __len__(self) -> int: ...

    def __getitem__(self, row: int, /) -> int: ...


class LineRuns:
    """The line of each row, appended row by row and kept as runs of consecutive lines: a
    file whose rows are one line each costs one run (16 bytes), however long it is."""

    def __init__(self) -> None:
        self._firsts = array("q")  # the row starting each run
        self._lines = array("q")  # the line of that row
        self._count = 0
        self._next = -1  # the line the next row has if it continues the run

    def append(self, line: int) -> None:
        """The next row starts on ``line``."""
        if line != self._next:
            self._firsts.append(self._count)
            self._lines.append(line)
        self._count += 1
        self._next = line + 1

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, row: int, /) -> int:
        if not 0 <= row < self._count:
            raise IndexError(row)
        run = bisect_right(self._firsts, row) - 1
        return self._lines[run] + row - self._firsts[run]


@dataclass(frozen=True)
class RowLocations:
    """The rows of a file as read (row labels ``0..n-1``): ``lines[i]`` is where row ``i``
    starts, 1-based with the header on line 1 (a quoted CSV cell spanning several lines
    counts them all); for an Excel file, the row numbers of ``sheet``. ``lines`` is None
    when they are not known (a Parquet file has no lines)."""

    file: str
    lines: Lines | None = None
    sheet: str | None = None

    def line_of(self, row: Hashable | None) -> int | None:
        """The line of the row labelled ``row`` (None if unknown)."""
        if self.lines is None or not isinstance(row, Integral) or isinstance(row, bool):
            return None
        row = int(row)
        return int(self.lines[row]) if 0 <= row < len(self.lines) else None

    def locate(self, problem: Problem) -> Problem:
        """``problem`` with the file, and the line (and sheet) of its row."""
        line = self.line_of(problem.row)
        return problem.located(
            file=self.file, line=line, sheet=self.sheet if line is not None else None
        )

    def annotated(self, errors: pd.DataFrame) -> pd.DataFrame:
        """An errors frame (columns ``row``, ...) in the one shape of a problem
        (:data:`~secpa_model.core.errors.PROBLEM_FIELDS`), what an errors file holds: the
        file, the sheet (of an Excel file, else empty), the ``line`` of each problem's row
        in the file (empty when unknown: a Parquet file); a value that is a list or a
        mapping (a JSON Lines cell) as its JSON text, as in the other shapes."""
        lines = pd.Series([self.line_of(row) for row in errors["row"]], dtype="Int64")
        given = {
            "file": [self.file] * len(errors),
            "sheet": [self.sheet] * len(errors),
            "line": lines.to_numpy(dtype=object),
            "value": [json_scalar(v) if isinstance(v, list | dict) else v for v in errors["value"]],
        }
        return pd.DataFrame(
            {
                name: pd.Series(given[name], errors.index, dtype=object)
                if name in given
                else errors[name]
                for name in PROBLEM_FIELDS
            },
            index=errors.index,
        )

    def error(self, exc: _Error) -> _Error:
        """``exc`` (same class) prefixed with the file's name (and the sheet's), every
        problem located."""
        sheet = f", sheet {shown(self.sheet)}" if self.sheet is not None else ""
        return exc.relocated(self.file + sheet, self.locate)
