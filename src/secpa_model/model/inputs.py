"""Inputs declared once (données d'entrée): what a structure must or may say about itself.

An :class:`Input` names a field, its kind, unit, bounds and default. Everything else is
derived from the declarations of a model: the pydantic ``Structure`` class, the columns the
rules compute on, the validation of a DataFrame, the typing of files, the JSON Schema, the
hypothesis strategies and the input table of the docs.

Both paths, one structure and a frame, parse a value with the same code: a cell of an
object column goes through :meth:`InputKindRules.parse_value` exactly as a field of a
``Structure`` does; typed columns (float64, int64, bool, datetime64, text) take vectorised
shortcuts that give the same verdict and the same message, which a test checks on one
corpus of good and bad values.

The kinds:

========== ====================================== ===============================
kind       accepts                                column (what a rule reads)
========== ====================================== ===============================
text       text; a whole number (written out)     object array of stripped text
category   one of the declared ``categories``     int8 codes (index in categories)
count      a whole number ≥ minimum               int64
fraction   a number in [0, 1]                     float64
quantity   a finite number ≥ minimum (hours, ETP) float64
euros      euros in whole cents ≥ 0               int64 **cents**
boolean    true/false, yes/no, oui/non, vrai/faux float64→bool
           1/0 (text, numbers or booleans)
date       a full ISO date ``YYYY-MM-DD``, a date int64 day ordinals
           or a midnight datetime; empty: open
========== ====================================== ===============================

Text numbers are plain decimal numbers (``1234.5``, ``1e3``): no ``_`` separators, no
``inf``/``nan`` words. A date is never read from a number (an Excel day or a Unix
timestamp), from a partial date (``2022-06``) or from a datetime with a time zone.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final, Literal, NamedTuple, get_args

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from secpa_model.core.errors import ModelError
from secpa_model.core.money import EXACT_LIMIT
from secpa_model.model.text_cells import TEXT_DTYPE, TextCells

__all__ = [
    "FALSE_WORDS",
    "INPUT_KINDS",
    "KIND_RULES",
    "OPEN_END",
    "OPEN_START",
    "REQUIRED",
    "TEXT_DTYPE",
    "TRUE_WORDS",
    "Input",
    "InputKind",
    "InputKindRules",
    "ParsedColumn",
    "is_blank",
    "missing",
    "python_type",
]

InputKind = Literal["text", "category", "count", "fraction", "quantity", "euros", "boolean", "date"]
INPUT_KINDS: Final[tuple[str, ...]] = get_args(InputKind)


class _Required:
    """The default of an input that has none: it must be given."""

    def __repr__(self) -> str:
        return "REQUIRED"

    def __reduce__(self) -> str:  # unpickled (on a Dask worker) as the one REQUIRED
        return "REQUIRED"


REQUIRED: Final = _Required()
"""The ``default`` of a required input."""

OPEN_START: Final[int] = date.min.toordinal()
"""The day ordinal of an empty date declared ``open_as="earliest"`` (no entry date)."""
OPEN_END: Final[int] = date.max.toordinal()
"""The day ordinal of an empty date declared ``open_as="latest"`` (no exit date)."""
TRUE_WORDS: Final[tuple[str, ...]] = ("true", "yes", "oui", "vrai", "1")
FALSE_WORDS: Final[tuple[str, ...]] = ("false", "no", "non", "faux", "0")
_NAME: Final = re.compile(r"[a-z][a-z0-9_]*")
# the patterns of text cells, matched once stripped (Python's and Arrow's stripping remove the
# same Unicode whitespace) and in ASCII digits, so that every path reads the same text alike
_NUMBER_PATTERN: Final = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
_PLAIN_CENTS: Final = r"[+-]?[0-9]+(\.[0-9]{0,2}0*)?"
_DATE_PATTERN: Final = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_NUMBER_TEXT: Final = re.compile(_NUMBER_PATTERN)
_DATE_TEXT: Final = re.compile(_DATE_PATTERN)
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_CENTS_PER_EURO: Final = 100  # a unit conversion
_CENT_TOLERANCE: Final = 1e-6  # a float is whole cents within a micro-cent (as the rounding)


@dataclass(frozen=True)
class Input:
    """One input of a model (donnée d'entrée), declared once.

    ``kind``: see the module docstring. ``description``: in English, with the French term
    once. ``unit``: e.g. ``patients``, ``hours``, ``ETP``, ``EUR/year``. ``default``:
    :data:`REQUIRED` (the default) or the value an absent field or column takes (None for an
    open date). ``categories``: the values of a ``category``. ``minimum``/``maximum``:
    bounds of a number (default minimum 0). ``examples``: the realistic range that
    generated examples (hypothesis strategies) draw from. ``open_as``: what an empty date
    means, the earliest or the latest day (no entry date, no exit date).
    """

    name: str
    kind: InputKind
    description: str
    unit: str = ""
    default: Any = REQUIRED
    categories: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    examples: tuple[float, float] | None = None
    open_as: Literal["earliest", "latest"] = "earliest"

    def __post_init__(self) -> None:
        where = f"input {self.name!r}"
        if not isinstance(self.name, str) or not _NAME.fullmatch(self.name):
            raise ModelError(f"{where}: a name is lower-case letters, digits and '_'")
        if self.kind not in INPUT_KINDS:
            raise ModelError(f"{where}: kind {self.kind!r} is not one of {', '.join(INPUT_KINDS)}")
        if (self.kind == "category") != bool(self.categories):
            raise ModelError(f"{where}: categories are declared for a category, and only there")
        if self.kind == "date" and self.default is not REQUIRED and self.default is not None:
            raise ModelError(f"{where}: a date's default is None (open) or REQUIRED")
        if self.default is not REQUIRED and self.default is not None:
            try:
                KIND_RULES[self.kind].parse_value(self, self.default)
            except ValueError as exc:
                raise ModelError(f"{where}: invalid default {self.default!r}: {exc}") from exc

    @property
    def required(self) -> bool:
        """Whether the input must be given (it has no default)."""
        return self.default is REQUIRED

    @property
    def low(self) -> float:
        """The smallest accepted number (0 unless declared)."""
        return 0.0 if self.minimum is None else float(self.minimum)

    @property
    def high(self) -> float:
        """The largest accepted number (a fraction's 1, or the exact limit of float64)."""
        if self.maximum is not None:
            return float(self.maximum)
        return 1.0 if self.kind == "fraction" else float(EXACT_LIMIT)

    def code(self, category: str) -> int:
        """The column code of one of a category's values."""
        try:
            return self.categories.index(category)
        except ValueError:
            raise ModelError(
                f"input {self.name!r} has no category {category!r} "
                f"(categories: {', '.join(self.categories)})"
            ) from None

    def parse(self, value: Any) -> Any:
        """``value`` as this input's Python value; ``ValueError`` with the message a frame
        reports for the same cell."""
        return KIND_RULES[self.kind].parse_value(self, value)


# ----------------------------------------------------------------------------- messages


def missing(name: str) -> str:
    """The message of a missing value."""
    return f"{name} is missing (NaN or empty)"


def _not_number(name: str) -> str:
    return f"{name} must be a number"


def _not_finite(name: str) -> str:
    return f"{name} must be finite"


def _below(item: Input) -> str:
    return f"{item.name} must be ≥ {item.low:g}"


def _above(item: Input) -> str:
    if item.kind == "euros":
        return f"{item.name} is too large to be exact in cents"
    return f"{item.name} must be ≤ {item.high:g}"


def _not_whole(item: Input) -> str:
    return f"{item.name} must be a whole number" + (f" of {item.unit}" if item.unit else "")


def _percent(item: Input) -> str:
    return f"{item.name} looks like a percentage: give it as a fraction in [0, 1] (31 → 0.31)"


def _not_fraction(item: Input) -> str:
    return f"{item.name} must be a fraction in [0, 1]"


def _finer_than_cent(item: Input) -> str:
    return f"{item.name} has more than two decimals (finer than a cent)"


def _not_text(item: Input) -> str:
    return f"{item.name} must be text"


def _empty_text(item: Input) -> str:
    return f"{item.name} is missing or empty"


def _not_category(item: Input) -> str:
    return f"{item.name} must be one of {', '.join(item.categories)}"


def _not_boolean(item: Input) -> str:
    return f"{item.name} must be true or false"


def _not_date(item: Input) -> str:
    return f"{item.name} must be a date (YYYY-MM-DD) or empty"


# ------------------------------------------------------------------------------ parsing


@dataclass
class ParsedColumn:
    """A column parsed: the typed values (placeholders where invalid) and the problems, as
    ``(mask of the cells at fault, message)`` in the order they were found."""

    values: Any
    """A numpy array (a pandas text array for text read vectorised)."""
    problems: list[tuple[NDArray[np.bool_], str]]

    def invalid(self) -> NDArray[np.bool_]:
        """The mask of the cells with a problem."""
        mask = np.zeros(len(self.values), dtype=np.bool_)
        for part, _ in self.problems:
            mask |= part
        return mask


def is_blank(value: Any) -> bool:
    """Whether a cell or field value counts as missing: None, NaN, NA, NaT or blank text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return isinstance(value, str) and not value.strip()


def _number(item: Input, value: Any) -> int | float | Decimal:
    """A number (int, float or exact Decimal) or ValueError; no range check yet."""
    if is_blank(value):
        raise ValueError(missing(item.name))
    if isinstance(value, bool | np.bool_):
        raise ValueError(_not_number(item.name))
    if isinstance(value, str):
        if not _NUMBER_TEXT.fullmatch(value.strip()):
            raise ValueError(_not_number(item.name))
        return Decimal(value.strip())
    if isinstance(value, Decimal):
        if value.is_nan():
            raise ValueError(missing(item.name))
        if not value.is_finite():
            raise ValueError(_not_finite(item.name))
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, np.floating) and np.finfo(value.dtype).bits < 64:
        # float32 0.35 is 0.3499999940…: read it as the decimal it prints as (never float32)
        value = float(str(value))
    if isinstance(value, float | np.floating):
        if math.isinf(value):
            raise ValueError(_not_finite(item.name))
        return float(value)
    raise ValueError(_not_number(item.name))


def _in_bounds(item: Input, number: int | float | Decimal) -> None:
    if number < item.low:
        raise ValueError(_below(item))
    if item.kind == "fraction" and item.maximum is None and 1 < number <= 100:
        raise ValueError(_percent(item))
    if item.kind == "fraction" and item.maximum is None and number > 1:
        raise ValueError(_not_fraction(item))
    if number > item.high:
        raise ValueError(_above(item))


class InputKindRules:
    """How one kind of input is parsed, stored in a column and written back."""

    placeholder: Any = 0
    dtype: Any = np.float64

    def parse_value(self, item: Input, value: Any) -> Any:
        """One value as the input's Python value, or ``ValueError(message)``."""
        raise NotImplementedError

    def to_array(self, item: Input, values: list[Any]) -> NDArray[Any]:
        """The column of parsed Python values (what the rules read)."""
        return np.array(values, dtype=self.dtype)

    def to_series(self, item: Input, column: NDArray[Any], index: pd.Index) -> pd.Series:
        """A column back as a typed pandas column (the inverse of parsing a file)."""
        return pd.Series(column, index=index)

    def python_value(self, item: Input, cell: Any) -> Any:
        """One cell of a column as the Python value a ``Structure`` holds."""
        return cell.item() if isinstance(cell, np.generic) else cell

    def parse_column(self, item: Input, series: pd.Series) -> ParsedColumn:
        """A whole column: text and plain numpy columns vectorised on their arrays, other
        typed columns through pandas, other cells one by one."""
        dtype = series.dtype
        if isinstance(dtype, np.dtype) and dtype.kind in _ARRAY_KINDS:
            fast = self.parse_array(item, series.to_numpy())
        elif isinstance(dtype, pd.StringDtype):
            return self.parse_text(item, TextCells.of(series))
        elif isinstance(dtype, np.dtype) and dtype.kind == "O":
            kinds = pd.api.types.infer_dtype(series, skipna=True)
            if kinds in ("string", "empty"):
                return self.parse_text(item, TextCells.of(series.astype(TEXT_DTYPE)))
            fast = None
        else:
            fast = self.parse_typed(item, series)
        return fast if fast is not None else self.parse_cells(item, series)

    def parse_text(self, item: Input, cells: TextCells) -> ParsedColumn:
        """A text column (vectorised where a kind knows how; else cell by cell)."""
        return self.parse_cells(item, pd.Series(cells.objects(), dtype=object))

    def parse_array(self, item: Input, values: NDArray[Any]) -> ParsedColumn | None:
        """A plain numpy column (integers, floats, booleans, datetimes) vectorised on its
        array, or None to parse it cell by cell."""
        return None

    def parse_typed(self, item: Input, series: pd.Series) -> ParsedColumn | None:
        """Another typed column (a pandas extension type) vectorised, or None to parse it
        cell by cell."""
        return None

    def parse_cells(self, item: Input, series: pd.Series) -> ParsedColumn:
        """Cell by cell, through :meth:`parse_value` (the path of a ``Structure``)."""
        cells = series.to_numpy(dtype=object)
        parsed: list[Any] = []
        messages: dict[str, list[int]] = {}
        for position, cell in enumerate(cells):
            try:
                parsed.append(self.parse_value(item, cell))
            except ValueError as exc:
                messages.setdefault(str(exc), []).append(position)
                parsed.append(self.placeholder)
        problems = []
        for message, positions in messages.items():
            mask = np.zeros(len(cells), dtype=np.bool_)
            mask[positions] = True
            problems.append((mask, message))
        return ParsedColumn(self.to_array(item, parsed), problems)


_ARRAY_KINDS: Final = "iufbMm"
"""The numpy dtype kinds read on their arrays: integers, floats, booleans, datetimes."""


class _Numbers(NamedTuple):
    """A column read as float64 numbers, before its bounds are checked."""

    values: NDArray[np.float64]
    problems: list[Any] | None
    """The problems found so far; None for a float column not yet checked for NaN and
    infinities (a check of its extremes against the bounds settles the usual case)."""
    whole: bool = False
    """Whether every value is known to be a whole number (read from integers)."""

    def checked(self, item: Input) -> list[Any]:
        """The problems found so far, NaN (missing) and infinities checked."""
        if self.problems is not None:
            return self.problems
        values = self.values
        nan, inf = np.isnan(values), np.isinf(values)
        return _ordered([(nan, missing(item.name)), (inf, _not_finite(item.name))])


def _float_numbers(values: NDArray[Any]) -> _Numbers:
    """Float64 values of a float array (NaN: missing), not yet checked."""
    if values.dtype.itemsize < 8:
        # float32 0.35 is 0.3499999940…: read it as the decimal it prints as (never float32)
        values = values.astype(str).astype(np.float64)
    return _Numbers(values.astype(np.float64, copy=False), None)


def _integer_numbers(values: NDArray[Any]) -> NDArray[np.float64]:
    """Float64 values of an integer array; a value beyond 2^53 in size, which float64 does
    not hold exactly, as an infinity of its sign (beyond every bound, as it is)."""
    numbers = values.astype(np.float64)
    if values.size and (values.max() > EXACT_LIMIT or values.min() < -EXACT_LIMIT):
        numbers[values > EXACT_LIMIT] = np.inf
        numbers[values < -EXACT_LIMIT] = -np.inf
    return numbers


def _everything_refused(item: Input, absent: NDArray[np.bool_]) -> _Numbers:
    """A boolean or datetime column given for a number: missing where ``absent``, not a
    number elsewhere."""
    problems = [(absent, missing(item.name)), (~absent, _not_number(item.name))]
    return _Numbers(np.zeros(len(absent), dtype=np.float64), _ordered(problems))


def _array_numbers(item: Input, values: NDArray[Any]) -> _Numbers:
    """Float64 values of a plain numpy column and its type problems."""
    kind = values.dtype.kind
    if kind in "iu":
        return _Numbers(_integer_numbers(values), [], whole=True)
    if kind == "f":
        return _float_numbers(values)
    absent = np.isnat(values) if kind in "Mm" else np.zeros(len(values), dtype=np.bool_)
    return _everything_refused(item, absent)


def _typed_numbers(item: Input, series: pd.Series) -> _Numbers | None:
    """Float64 values of a pandas-typed numeric, boolean or datetime column (nullable
    integers and floats, booleans with NA, datetimes with a time zone) and its type
    problems; None for another type."""
    if (
        pd.api.types.is_bool_dtype(series)
        or pd.api.types.is_datetime64_any_dtype(series)
        or pd.api.types.is_timedelta64_dtype(series)
    ):
        return _everything_refused(item, series.isna().to_numpy(dtype=np.bool_))
    if not pd.api.types.is_numeric_dtype(series):
        return None
    if pd.api.types.is_float_dtype(series) and getattr(series.dtype, "itemsize", 8) < 8:
        return _float_numbers(series.to_numpy(dtype=np.float32, na_value=np.nan))
    absent = series.isna().to_numpy(dtype=np.bool_)
    if pd.api.types.is_integer_dtype(series) and not absent.any():
        return _Numbers(_integer_numbers(series.to_numpy(dtype=np.int64)), [], whole=True)
    return _float_numbers(series.to_numpy(dtype=np.float64, na_value=np.nan))


def _text_numbers(item: Input, stripped: TextCells) -> _Numbers:
    """Float64 values of the (stripped) cells that write a plain decimal number, and the
    problems of the others (missing, or not a number)."""
    blank = stripped.empty()
    number = stripped.fullmatch(_NUMBER_PATTERN)
    values = stripped.numbers(number)
    problems = [(blank, missing(item.name)), (~blank & ~number, _not_number(item.name))]
    return _Numbers(values, _ordered(problems))


def _usable(size: int, problems: list[Any]) -> NDArray[np.bool_]:
    """The cells none of ``problems`` is about."""
    usable = np.ones(size, dtype=np.bool_)
    for mask, _ in problems:
        usable &= ~mask
    return usable


def _within(item: Input, values: NDArray[np.float64]) -> bool:
    """Whether every value is within the input's bounds (checked on the extremes)."""
    return bool(values.min() >= item.low and values.max() <= item.high)


def _range_problems(
    item: Input, values: NDArray[np.float64], usable: NDArray[np.bool_]
) -> list[tuple[NDArray[np.bool_], str]]:
    """The bound problems of usable values, with the messages of :func:`_in_bounds`."""
    problems = []
    below = usable & (values < item.low)
    problems.append((below, _below(item)))
    rest = usable & ~below
    if item.kind == "fraction" and item.maximum is None:
        percent = rest & (values > 1) & (values <= 100)
        over = rest & (values > 100)
        problems += [(percent, _percent(item)), (over, _not_fraction(item))]
        rest = rest & ~percent & ~over
    problems.append((rest & (values > item.high), _above(item)))
    return problems


class _NumberRules(InputKindRules):
    """Counts, fractions and quantities (floats), checked against their bounds."""

    def parse_value(self, item: Input, value: Any) -> Any:
        number = _number(item, value)
        _in_bounds(item, number)
        return float(number)

    def _shape(self, item: Input, values: NDArray[np.float64]) -> list[Any]:
        """Problems of usable numbers found before their bounds (none for a float)."""
        return []

    def _finish(self, item: Input, numbers: _Numbers) -> ParsedColumn:
        values = numbers.values
        if not numbers.problems and values.size and _within(item, values):
            # the usual case: every value finite and within bounds (NaN fails the test)
            shaped = [] if numbers.whole else _ordered(self._shape(item, values))
            if not shaped:  # no mask built
                return ParsedColumn(values.astype(self.dtype), [])
        problems = numbers.checked(item)
        usable = _usable(len(values), problems)
        shaped = [(mask & usable, message) for mask, message in self._shape(item, values)]
        for mask, _ in shaped:
            usable &= ~mask
        problems = problems + shaped + _range_problems(item, values, usable)
        bad = ~_usable(len(values), problems)
        column = np.where(bad, 0.0, values).astype(self.dtype)
        return ParsedColumn(column, _ordered(problems))

    def parse_array(self, item: Input, values: NDArray[Any]) -> ParsedColumn | None:
        return self._finish(item, _array_numbers(item, values))

    def parse_typed(self, item: Input, series: pd.Series) -> ParsedColumn | None:
        typed = _typed_numbers(item, series)
        return None if typed is None else self._finish(item, typed)

    def parse_text(self, item: Input, cells: TextCells) -> ParsedColumn:
        return self._finish(item, _text_numbers(item, cells.stripped()))


class _CountRules(_NumberRules):
    dtype = np.int64

    def parse_value(self, item: Input, value: Any) -> Any:
        number = _number(item, value)
        if number != int(number):
            raise ValueError(_not_whole(item))
        _in_bounds(item, number)
        return int(number)

    def _shape(self, item: Input, values: NDArray[np.float64]) -> list[Any]:
        with np.errstate(invalid="ignore"):
            return [(values != np.floor(values), _not_whole(item))]


def _ordered(problems: list[Any]) -> list[Any]:
    return [p for p in problems if p[0].any()]


class _EurosRules(InputKindRules):
    """Euros in whole cents; the column holds int64 cents."""

    dtype = np.int64

    def parse_value(self, item: Input, value: Any) -> Any:
        number = _number(item, value)
        if number < 0:
            raise ValueError(_below(item))
        if isinstance(number, float):
            cents = number * _CENTS_PER_EURO
            if cents > EXACT_LIMIT:
                raise ValueError(_above(item))
            if abs(cents - round(cents)) > _CENT_TOLERANCE:
                raise ValueError(_finer_than_cent(item))
            return Decimal(repr(number))
        amount = Decimal(number)
        try:
            cents_exact = amount * _CENTS_PER_EURO
            too_large = cents_exact > EXACT_LIMIT
        except ArithmeticError:  # an exponent beyond Decimal's range
            too_large = True
        if too_large:
            raise ValueError(_above(item))
        if cents_exact != cents_exact.to_integral_value():
            raise ValueError(_finer_than_cent(item))
        return amount

    def to_array(self, item: Input, values: list[Any]) -> NDArray[Any]:
        return np.array([int(Decimal(v) * _CENTS_PER_EURO) for v in values], dtype=np.int64)

    def to_series(self, item: Input, column: NDArray[Any], index: pd.Index) -> pd.Series:
        return pd.Series(column / _CENTS_PER_EURO, index=index)

    def python_value(self, item: Input, cell: Any) -> Any:
        return Decimal(int(cell)) / _CENTS_PER_EURO

    def _finish(
        self, item: Input, numbers: _Numbers, finer: NDArray[np.bool_] | None = None
    ) -> ParsedColumn:
        values = numbers.values
        with np.errstate(over="ignore", invalid="ignore"):
            cents = values * _CENTS_PER_EURO
        if (
            not numbers.problems
            and values.size
            and values.min() >= 0
            and cents.max() <= EXACT_LIMIT
        ):
            # the usual case: every amount finite and usable (NaN fails the test); only
            # the cents are checked
            whole = np.round(cents)
            if finer is None:
                finer = np.abs(cents - whole) > _CENT_TOLERANCE
            if not finer.any():
                return ParsedColumn(whole.astype(np.int64), [])
        problems = numbers.checked(item)
        usable = _usable(len(values), problems)
        negative = usable & (values < 0)
        large = usable & ~negative & (cents > EXACT_LIMIT)
        fine = usable & ~negative & ~large
        if finer is None:
            rounded = np.round(np.where(fine, cents, 0.0))
            finer = fine & (np.abs(np.where(fine, cents, 0.0) - rounded) > _CENT_TOLERANCE)
        else:
            finer = fine & finer
        problems = [
            *problems,
            (negative, _below(item)),
            (large, _above(item)),
            (finer, _finer_than_cent(item)),
        ]
        good = fine & ~finer
        column = np.where(good, np.round(np.where(good, cents, 0.0)), 0).astype(np.int64)
        return ParsedColumn(column, _ordered(problems))

    def parse_array(self, item: Input, values: NDArray[Any]) -> ParsedColumn | None:
        return self._finish(item, _array_numbers(item, values))

    def parse_typed(self, item: Input, series: pd.Series) -> ParsedColumn | None:
        typed = _typed_numbers(item, series)
        return None if typed is None else self._finish(item, typed)

    def parse_text(self, item: Input, cells: TextCells) -> ParsedColumn:
        stripped = cells.stripped()
        numbers = _text_numbers(item, stripped)
        values = numbers.values
        plain = stripped.fullmatch(_PLAIN_CENTS)
        finer = np.zeros(len(cells), dtype=np.bool_)
        for position in np.flatnonzero(~plain & ~np.isnan(values)):
            # an exponent or more than two decimals: decide exactly, never through a float
            cents = Decimal(stripped.cell(int(position))) * _CENTS_PER_EURO
            finer[position] = cents != cents.to_integral_value()
        return self._finish(item, numbers, finer)


class _TextRules(InputKindRules):
    placeholder = ""
    dtype = object

    def parse_value(self, item: Input, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                raise ValueError(_empty_text(item))
            return value.strip()
        if is_blank(value):
            raise ValueError(_empty_text(item))
        if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
            return str(int(value))
        raise ValueError(_not_text(item))

    def to_series(self, item: Input, column: NDArray[Any], index: pd.Index) -> pd.Series:
        return pd.Series(column, index=index, dtype=TEXT_DTYPE)

    def parse_text(self, item: Input, cells: TextCells) -> ParsedColumn:
        # the stripped text stays a pandas text array (no Python object per cell)
        stripped = cells.stripped()
        blank = stripped.empty()
        return ParsedColumn(stripped.text_array(filler=""), _ordered([(blank, _empty_text(item))]))

    def parse_array(self, item: Input, values: NDArray[Any]) -> ParsedColumn | None:
        if values.dtype.kind in "iu":  # whole numbers, written out (no missing cell)
            return ParsedColumn(values.astype(str).astype(object), [])
        return None

    def parse_typed(self, item: Input, series: pd.Series) -> ParsedColumn | None:
        if pd.api.types.is_integer_dtype(series) and not pd.api.types.is_bool_dtype(series):
            present = series.notna().to_numpy(dtype=np.bool_)
            values = np.full(len(series), "", dtype=object)
            values[present] = series[present].astype(np.int64).astype(str).to_numpy(dtype=object)
            return ParsedColumn(values, _ordered([(~present, _empty_text(item))]))
        return None


class _CategoryRules(InputKindRules):
    dtype = np.int8

    def parse_value(self, item: Input, value: Any) -> Any:
        if is_blank(value):
            raise ValueError(missing(item.name))
        if isinstance(value, str) and value.strip() in item.categories:
            return value.strip()
        raise ValueError(_not_category(item))

    def to_array(self, item: Input, values: list[Any]) -> NDArray[Any]:
        codes = {name: code for code, name in enumerate(item.categories)}
        return np.array([codes.get(v, 0) for v in values], dtype=np.int8)

    def to_series(self, item: Input, column: NDArray[Any], index: pd.Index) -> pd.Series:
        names = np.array(item.categories, dtype=object)
        return pd.Series(names[column], index=index, dtype=TEXT_DTYPE)

    def python_value(self, item: Input, cell: Any) -> Any:
        return item.categories[int(cell)]

    def parse_text(self, item: Input, cells: TextCells) -> ParsedColumn:
        if len(cells) >= _EXACT_FIRST_ROWS and all(c == c.strip() for c in item.categories):
            # a large column is first matched exactly against the categories, which
            # settles it when every cell is one (the verdict parse_value gives them)
            exact = cells.exact_codes(item.categories)
            if exact is not None:
                return ParsedColumn(exact.astype(np.int8), [])
        # the distinct cells found once (hashing each cell once, in C), then the few of them
        # read as parse_value reads one: stripped, then looked up among the categories
        raw, uniques = cells.factorize()
        codes_of = {name: code for code, name in enumerate(item.categories)}
        distinct = [value.strip() for value in uniques]
        # the last entry is where a missing cell (code -1) looks up
        lookup = np.array([codes_of.get(value, -1) for value in distinct] + [-1], dtype=np.int64)
        blank = np.array([value == "" for value in distinct] + [True], dtype=np.bool_)
        codes = lookup[raw]
        absent = blank[raw]
        if not absent.any() and codes.min(initial=0) >= 0:
            return ParsedColumn(codes.astype(np.int8), [])
        problems = [(absent, missing(item.name)), ((codes < 0) & ~absent, _not_category(item))]
        return ParsedColumn(np.where(codes < 0, 0, codes).astype(np.int8), _ordered(problems))


_EXACT_FIRST_ROWS: Final = 4096
"""From how many rows a category column is first matched exactly (faster on a large
column, slower on a small one; the verdicts are the same)."""


class _BooleanRules(InputKindRules):
    placeholder = False
    dtype = np.bool_

    def parse_value(self, item: Input, value: Any) -> Any:
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if is_blank(value):
            raise ValueError(missing(item.name))
        if isinstance(value, str):
            word = value.strip().lower()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
        elif isinstance(value, int | float | Decimal | np.number) and value in (0, 1):
            return bool(value == 1)
        raise ValueError(_not_boolean(item))

    def parse_text(self, item: Input, cells: TextCells) -> ParsedColumn:
        stripped = cells.stripped()
        words = stripped.lower()
        true = words.isin(TRUE_WORDS)
        false = words.isin(FALSE_WORDS)
        blank = stripped.empty()
        problems = [(blank, missing(item.name)), (~(true | false | blank), _not_boolean(item))]
        return ParsedColumn(true, _ordered(problems))

    def _numbers(
        self, item: Input, numbers: NDArray[Any], absent: NDArray[np.bool_]
    ) -> ParsedColumn:
        true, false = numbers == 1, numbers == 0
        problems = [(absent, missing(item.name)), (~(true | false | absent), _not_boolean(item))]
        return ParsedColumn(true, _ordered(problems))

    def parse_array(self, item: Input, values: NDArray[Any]) -> ParsedColumn | None:
        kind = values.dtype.kind
        if kind == "b":
            return ParsedColumn(values, [])
        if kind in "iuf":
            absent = np.isnan(values) if kind == "f" else np.zeros(len(values), dtype=np.bool_)
            return self._numbers(item, values, absent)
        return None

    def parse_typed(self, item: Input, series: pd.Series) -> ParsedColumn | None:
        absent = series.isna().to_numpy(dtype=np.bool_)
        if pd.api.types.is_bool_dtype(series):
            values = series.to_numpy(dtype=np.bool_, na_value=False)
            return ParsedColumn(values, _ordered([(absent, missing(item.name))]))
        if pd.api.types.is_numeric_dtype(series):
            numbers = series.to_numpy(dtype=np.float64, na_value=np.nan)
            return self._numbers(item, numbers, absent)
        return None


class _DateRules(InputKindRules):
    placeholder = None
    dtype = np.int64

    def _open(self, item: Input) -> int:
        return OPEN_START if item.open_as == "earliest" else OPEN_END

    def parse_value(self, item: Input, value: Any) -> Any:
        if is_blank(value):
            if item.required:
                raise ValueError(_not_date(item))
            return None
        if isinstance(value, np.datetime64):
            value = pd.Timestamp(value)
        if isinstance(value, datetime):
            if value.tzinfo is not None or value.time() != datetime.min.time():
                raise ValueError(_not_date(item))
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str) and _DATE_TEXT.fullmatch(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(_not_date(item)) from None
        raise ValueError(_not_date(item))

    def to_array(self, item: Input, values: list[Any]) -> NDArray[Any]:
        empty = self._open(item)
        return np.array([v.toordinal() if v else empty for v in values], dtype=np.int64)

    def to_series(self, item: Input, column: NDArray[Any], index: pd.Index) -> pd.Series:
        empty = self._open(item)
        days = [None if o == empty else date.fromordinal(int(o)) for o in column]
        return pd.Series(days, index=index, dtype=object)

    def python_value(self, item: Input, cell: Any) -> Any:
        return None if int(cell) == self._open(item) else date.fromordinal(int(cell))

    def _from_days(
        self,
        item: Input,
        days: NDArray[Any],
        bad: NDArray[np.bool_],
        empty: NDArray[np.bool_],
    ) -> ParsedColumn:
        """Day-precision datetimes (NaT where empty or bad) to ordinals."""
        if item.required:
            bad = bad | empty
        ordinals = days.astype(np.int64)
        ordinals += _EPOCH_ORDINAL
        closed = empty | bad
        if closed.any():
            ordinals[closed] = self._open(item)
        problems = [(bad, _not_date(item))] if bad.any() else []
        return ParsedColumn(ordinals, problems)

    def parse_text(self, item: Input, cells: TextCells) -> ParsedColumn:
        stripped = cells.stripped()
        empty = stripped.empty()
        full = stripped.fullmatch(_DATE_PATTERN)
        # year, month and day read as numbers and checked through numpy's calendar (any year
        # from 1 to 9999, whatever the resolution of pandas' datetimes)
        year, month, day = (
            stripped.whole_numbers(start, stop, full) for start, stop in ((0, 4), (5, 7), (8, 10))
        )
        plausible = full & (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
        months = np.where(plausible, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
        days = months.astype("datetime64[D]") + np.where(plausible, day - 1, 0).astype(
            "timedelta64[D]"
        )
        plausible &= days.astype("datetime64[M]") == months  # not the 31st of a 30-day month
        days = np.where(plausible, days, np.datetime64("NaT", "D"))
        return self._from_days(item, days, ~plausible & ~empty, empty)

    def _moments(
        self, item: Input, moments: NDArray[Any], empty: NDArray[np.bool_]
    ) -> ParsedColumn:
        """Naive datetimes: a day at midnight, refused at another time of day."""
        days = moments.astype("datetime64[D]")
        if moments.dtype == days.dtype:  # days already: every one at midnight
            return self._from_days(item, days, np.zeros(len(days), dtype=np.bool_), empty)
        not_midnight = (moments != days.astype(moments.dtype)) & ~empty
        if not_midnight.any():
            days = np.where(not_midnight, np.datetime64("NaT"), days)
        return self._from_days(item, days, not_midnight, empty)

    def parse_array(self, item: Input, values: NDArray[Any]) -> ParsedColumn | None:
        kind = values.dtype.kind
        if kind == "M":
            return self._moments(item, values, np.isnat(values))
        if kind in "iufb":  # a number is never read as a date
            empty = np.isnan(values) if kind == "f" else np.zeros(len(values), dtype=np.bool_)
            days = np.full(len(values), np.datetime64("NaT", "D"))
            return self._from_days(item, days, ~empty, empty)
        return None

    def parse_typed(self, item: Input, series: pd.Series) -> ParsedColumn | None:
        empty = series.isna().to_numpy(dtype=np.bool_)
        if pd.api.types.is_datetime64_dtype(series) and not isinstance(
            series.dtype, pd.DatetimeTZDtype
        ):
            return self._moments(item, series.to_numpy(), empty)
        if (
            pd.api.types.is_numeric_dtype(series)
            or pd.api.types.is_bool_dtype(series)
            or isinstance(series.dtype, pd.DatetimeTZDtype)
        ):
            days = np.full(len(series), np.datetime64("NaT", "D"))
            return self._from_days(item, days, ~empty, empty)
        return None


KIND_RULES: Final[dict[str, InputKindRules]] = {
    "text": _TextRules(),
    "category": _CategoryRules(),
    "count": _CountRules(),
    "fraction": _NumberRules(),
    "quantity": _NumberRules(),
    "euros": _EurosRules(),
    "boolean": _BooleanRules(),
    "date": _DateRules(),
}
"""The parsing and storage of each kind of input."""


def python_type(item: Input) -> Any:
    """The Python type of an input's values (for the pydantic model and its JSON Schema)."""
    if item.kind == "category":
        return Literal[item.categories]
    base: Any = {
        "text": str,
        "count": int,
        "fraction": float,
        "quantity": float,
        "euros": Decimal,
        "boolean": bool,
        "date": date,
    }[item.kind]
    if item.kind == "date" and not item.required:
        return base | None
    return base
