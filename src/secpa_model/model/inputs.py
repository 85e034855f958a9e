"""Inputs declared once (données d'entrée): what a structure must or may say about itself.

An :class:`Input` names a field, its kind, unit, bounds and default. Everything else is
derived from the declarations of a model: the pydantic ``Structure`` class, the columns the
rules compute on, the validation of a DataFrame, the typing of files, the JSON Schema, the
hypothesis strategies and the input table of the docs.

Each kind is parsed two ways that agree: one value at a time
(:meth:`InputKindRules.parse_value`, what a ``Structure`` field goes through), and a whole
column at once, read as one Arrow array (text, numbers, booleans, dates; see
:func:`arrow_column`) and checked with ``pyarrow.compute`` and numpy
(:meth:`InputKindRules.parse_arrow`). A column of Python values of several kinds (a frame
built by hand) goes through ``parse_value`` cell by cell. A test checks that every path
gives the same verdict, message and value on one corpus of good and bad values.

The kinds:

========== ====================================== ===============================
kind       accepts                                column (what a rule reads)
========== ====================================== ===============================
text       text; a whole number (written out)     text array of stripped NFC text
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

Text is stripped and normalised to NFC (``E`` + combining acute is ``É``), so that two
spellings of one id are one id; text holding a control (``Cc``: NUL, tab…) or invisible
format character (``Cf``: zero-width space, word joiner, BOM, soft hyphen…), or a space
other than U+0020 (a no-break, thin or figure space, a line separator) is refused rather
than changed: write a plain space.

Text numbers are plain decimal numbers (``1234.5``, ``1e3``): no ``_`` separators, no
``inf``/``nan`` words. A date is never read from a number (an Excel day or a Unix
timestamp), from a partial date (``2022-06``) or from a datetime with a time zone.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final, Literal, NamedTuple, get_args

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from secpa_model.core.errors import ModelError
from secpa_model.core.money import EXACT_LIMIT, EXACT_LIMIT_EUROS, euros_to_cents
from secpa_model.model.text_cells import TEXT_DTYPE as TEXT_DTYPE  # what io/validation reads
from secpa_model.model.text_cells import text_array

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
_FLOAT_EXACT: Final = 2.0**49
"""From what size (in the column's unit: cents for euros) a number read from text is read
again exactly, as a Decimal: below it, the float64 read, scaled by 100, is within an eighth
of the exact value, which it rounds to."""


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


_MESSAGES: Final = {
    "not_number": "{name} must be a number",
    "not_finite": "{name} must be finite",
    "below": "{name} must be ≥ {low:g}",
    "above": "{name} must be ≤ {high:g}",
    "too_large": "{name} is too large to be exact in cents",
    "not_whole": "{name} must be a whole number{unit}",
    "percent": "{name} looks like a percentage: give it as a fraction in [0, 1] (31 → 0.31)",
    "not_fraction": "{name} must be a fraction in [0, 1]",
    "finer_than_cent": "{name} has more than two decimals (finer than a cent)",
    "not_text": "{name} must be text",
    "inexact_id": "{name} is a number beyond ±2^53, which a spreadsheet or a float does not "
    "hold exactly (digits may be lost): store ids as text",
    "invisible": "{name} holds a control or invisible character (NUL, zero-width space, "
    "word joiner, BOM, soft hyphen…): remove it",
    "odd_space": "{name} holds a space other than a plain space (no-break, thin, figure…): "
    "write a plain space",
    "empty_text": "{name} is missing or empty",
    "not_category": "{name} must be one of {categories}",
    "not_boolean": "{name} must be true or false",
    "not_date": "{name} must be a date (YYYY-MM-DD) or empty",
}
"""The message of each problem a value can have (besides :func:`missing`)."""


def _says(item: Input, problem: str) -> str:
    """The message of a problem of ``item``'s value (a euro amount above its bound is too
    large to be exact in cents)."""
    if problem == "above" and item.kind == "euros":
        problem = "too_large"
    return _MESSAGES[problem].format(
        name=item.name,
        low=item.low,
        high=item.high,
        unit=f" of {item.unit}" if item.unit else "",
        categories=", ".join(item.categories),
    )


# ------------------------------------------------------------------------------ parsing


@dataclass
class ParsedColumn:
    """A column parsed: the typed values (placeholders where invalid) and the problems, as
    ``(mask of the cells at fault, message)`` in the order they were found."""

    values: Any
    """A numpy array (a pandas text array for text read from an Arrow column)."""
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
        raise ValueError(_says(item, "not_number"))
    if isinstance(value, str):
        if not _NUMBER_TEXT.fullmatch(value.strip()):
            raise ValueError(_says(item, "not_number"))
        return Decimal(value.strip())
    if isinstance(value, Decimal):
        if value.is_nan():
            raise ValueError(missing(item.name))
        if not value.is_finite():
            raise ValueError(_says(item, "not_finite"))
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, np.floating) and np.finfo(value.dtype).bits < 64:
        # float32 0.35 is 0.3499999940…: read it as the decimal it prints as (never float32)
        value = float(str(value))
    if isinstance(value, float | np.floating):
        if math.isinf(value):
            raise ValueError(_says(item, "not_finite"))
        return float(value)
    raise ValueError(_says(item, "not_number"))


def _bound_problems(item: Input, numbers: Any) -> list[tuple[Any, str]]:
    """Where ``numbers`` (an array, or one exact number as a 0-d array) break ``item``'s
    bounds: each mask with its message, in the order a value is checked."""
    below = numbers < item.low
    problems = [(below, _says(item, "below"))]
    rest = ~below
    if item.kind == "fraction" and item.maximum is None:
        percent = rest & (numbers > 1) & (numbers <= 100)
        over = rest & (numbers > 100)
        problems += [(percent, _says(item, "percent")), (over, _says(item, "not_fraction"))]
        rest = rest & ~percent & ~over
    return [*problems, (rest & (numbers > item.high), _says(item, "above"))]


def _in_bounds(item: Input, number: int | float | Decimal) -> None:
    for found, message in _bound_problems(item, np.asarray(number, dtype=object)):
        if found:
            raise ValueError(message)


def arrow_column(series: pd.Series) -> Any:
    """A column as one Arrow array of text or of a primitive type (booleans, numbers, days,
    datetimes, durations…; a category's values decoded, floats narrower than float64 read
    as the decimals they print as), or None where Arrow does not hold it so: an object
    column of Python values of several kinds (a frame built by hand: ints, floats,
    Decimals, dates, text, None mixed), Decimals, or another pandas type. Each kind parses
    the types it reads and refuses every other cell but a missing one."""
    dtype = series.dtype
    try:
        if not isinstance(dtype, np.dtype):  # a pandas extension type: Arrow has its values
            array = pa.array(series.array)
        elif dtype.kind != "O":  # the array itself (to_numpy costs 8 µs more on datetimes)
            array = pa.array(series.values)
        elif pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
            array = pa.array(series.to_numpy(), type=pa.large_string(), from_pandas=True)
        else:
            return None
    except (pa.ArrowException, TypeError, ValueError):  # e.g. text with a lone surrogate
        return None
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if pa.types.is_floating(array.type) and array.type.bit_width < 64:
        # float32 0.35 is 0.3499999940…: read it as the decimal it prints as (never float32)
        printed = array.to_numpy(zero_copy_only=False).astype(str)
        array = pa.array(printed.astype(np.float64))
    return array if pa.types.is_primitive(array.type) or _is_text(array) else None


def _mask(result: Any) -> NDArray[np.bool_]:
    """A boolean Arrow array as a numpy mask, False where null."""
    if result.null_count:
        result = result.fill_null(False)
    mask: NDArray[np.bool_] = result.to_numpy(zero_copy_only=False)
    return mask


def _is_text(array: Any) -> bool:
    return bool(pa.types.is_large_string(array.type) or pa.types.is_string(array.type))


def _absent(array: Any) -> NDArray[np.bool_]:
    """Where a cell is missing: null, or NaN in a float column."""
    if not array.null_count and not pa.types.is_floating(array.type):
        return np.zeros(len(array), dtype=np.bool_)
    return _mask(pc.is_null(array, nan_is_null=True))


def _blank(stripped: Any) -> NDArray[np.bool_]:
    """Where a (stripped) text cell is missing or empty."""
    lengths = pc.binary_length(stripped)
    if lengths.null_count:
        lengths = lengths.fill_null(0)
    blank: NDArray[np.bool_] = lengths.to_numpy(zero_copy_only=False) == 0
    return blank


def _whole(text: Any, pattern: str) -> NDArray[np.bool_]:
    """Where a text cell matches ``pattern`` whole (False where missing)."""
    return _mask(pc.match_substring_regex(text, pattern=f"^({pattern})$"))


def _floats(array: Any) -> NDArray[np.float64]:
    """An integer or float column as float64, NaN where missing (a whole number beyond 2^53
    rounded, as a comparison with 0 or 1 allows)."""
    values = array.to_numpy(zero_copy_only=False)
    return np.asarray(values, dtype=np.float64)


def _refused(
    item: Input, absent: NDArray[np.bool_], message: str, absent_message: str | None = None
) -> list[tuple[NDArray[np.bool_], str]]:
    """A column of a type the kind never reads: missing where ``absent``, ``message``
    elsewhere."""
    return _ordered([(absent, absent_message or missing(item.name)), (~absent, message)])


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

    def parse_column(self, item: Input, series: pd.Series) -> ParsedColumn:
        """A whole column: read once as an Arrow array (:func:`arrow_column`) and parsed on
        it; Python values of several kinds, one by one as a ``Structure`` parses them."""
        array = arrow_column(series)
        if array is None:
            return self.parse_cells(item, series)
        return self.parse_arrow(item, array)

    def parse_arrow(self, item: Input, array: Any) -> ParsedColumn:
        """A column read as an Arrow array (:func:`arrow_column`), vectorised."""
        raise NotImplementedError

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


class _Numbers(NamedTuple):
    """A column read as float64 numbers, before its bounds are checked."""

    values: NDArray[np.float64]
    problems: list[Any] | None
    """The problems found so far; None for a float column not yet checked for NaN and
    infinities (a check of its extremes against the bounds settles the usual case)."""
    whole: bool = False
    """Whether every value is known to be a whole number (read from integers)."""
    text: Any = None
    """The stripped text the numbers were read from (None when not read from text)."""

    def checked(self, item: Input) -> list[Any]:
        """The problems found so far, NaN (missing) and infinities checked."""
        if self.problems is not None:
            return self.problems
        values = self.values
        nan, inf = np.isnan(values), np.isinf(values)
        return _ordered([(nan, missing(item.name)), (inf, _says(item, "not_finite"))])


def _numbers(item: Input, array: Any) -> _Numbers:
    """Float64 values of an Arrow column and its type problems."""
    kind = array.type
    if _is_text(array):
        # Arrow's cast reads a number correctly rounded, as Python's ``float``
        stripped = pc.utf8_trim_whitespace(array)
        blank = _blank(stripped)
        number = _whole(stripped, _NUMBER_PATTERN)
        chosen = pc.if_else(pa.array(number), stripped, None)
        values = pc.cast(chosen, pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)
        problems = [(blank, missing(item.name)), (~blank & ~number, _says(item, "not_number"))]
        return _Numbers(values, _ordered(problems), text=stripped)
    if pa.types.is_floating(kind):
        return _Numbers(_floats(array), None)
    absent = _absent(array)
    if not pa.types.is_integer(kind):  # booleans, datetimes, durations
        refused = _refused(item, absent, _says(item, "not_number"))
        return _Numbers(np.zeros(len(array), np.float64), refused)
    integers = array.fill_null(0) if array.null_count else array
    values = integers.to_numpy(zero_copy_only=False)
    # a value beyond 2^53 in size, which float64 does not hold exactly, as an infinity of
    # its sign (beyond every bound, as it is)
    numbers = values.astype(np.float64)
    if values.size and (values.max() > EXACT_LIMIT or values.min() < -EXACT_LIMIT):
        numbers[values > EXACT_LIMIT] = np.inf
        numbers[values < -EXACT_LIMIT] = -np.inf
    return _Numbers(numbers, _ordered([(absent, missing(item.name))]), whole=True)


def _usable(size: int, problems: list[Any]) -> NDArray[np.bool_]:
    """The cells none of ``problems`` is about."""
    usable = np.ones(size, dtype=np.bool_)
    for mask, _ in problems:
        usable &= ~mask
    return usable


class _NumberRules(InputKindRules):
    """Counts, fractions, quantities and euros, checked against their bounds (euros' on
    their cents)."""

    scale = 1
    """The column's unit per unit of the value (100 cents per euro)."""
    shape_first = True
    """Whether a shape problem (not whole) is found before the bounds (a count's), or after
    them (a euro amount finer than a cent)."""

    def parse_value(self, item: Input, value: Any) -> Any:
        number = _number(item, value)
        _in_bounds(item, number)
        return float(number)

    def _shape(self, item: Input, numbers: _Numbers, scaled: NDArray[np.float64]) -> list[Any]:
        """Shape problems of the (scaled) numbers (none for a float)."""
        return []

    def _bounds(self, item: Input, numbers: _Numbers, scaled: NDArray[np.float64]) -> list[Any]:
        """The bound problems of the (scaled) numbers."""
        return _bound_problems(item, scaled)

    def _column(self, scaled: NDArray[np.float64]) -> NDArray[Any]:
        """The column of (scaled) numbers with no problem."""
        return scaled.astype(self.dtype)

    def _exactly(self, number: Decimal) -> float:
        """A large number read from text, exactly, as the (scaled) float64 that gives it the
        verdict :meth:`parse_value` gives: itself within 2^53 (where float64 holds every
        whole number), an infinity of its sign beyond."""
        if abs(number) > EXACT_LIMIT:
            return math.copysign(math.inf, number)
        return float(number)

    def _exact(self, numbers: _Numbers, scaled: NDArray[np.float64]) -> NDArray[np.float64]:
        """``scaled`` with its large numbers read from text read again exactly (a float64
        reading of ``90071992547409.93`` euros, or 2^53 + 1, is a cent or a unit off)."""
        if numbers.text is None:
            return scaled
        far = np.flatnonzero(np.abs(scaled) >= _FLOAT_EXACT)  # NaN: not far
        if not len(far):
            return scaled
        scaled = scaled.copy()
        for position in far:
            scaled[position] = self._exactly(Decimal(numbers.text[int(position)].as_py()))
        return scaled

    def parse_arrow(self, item: Input, array: Any) -> ParsedColumn:
        numbers = _numbers(item, array)
        values = numbers.values
        with np.errstate(over="ignore", invalid="ignore"):
            scaled = self._exact(numbers, values * self.scale if self.scale != 1 else values)
            if (
                not numbers.problems
                and values.size
                and scaled.min() >= item.low
                and scaled.max() <= item.high
            ):
                # the usual case: every value finite and within bounds (NaN fails the test)
                shaped = [] if numbers.whole else _ordered(self._shape(item, numbers, scaled))
                if not shaped:  # no mask built
                    return ParsedColumn(self._column(scaled), [])
            problems = numbers.checked(item)
            usable = _usable(len(values), problems)
            steps = (self._shape, self._bounds) if self.shape_first else (self._bounds, self._shape)
            for step in steps:
                found = [(mask & usable, message) for mask, message in step(item, numbers, scaled)]
                problems = problems + found
                usable = usable & _usable(len(values), found)
            return ParsedColumn(self._column(np.where(usable, scaled, 0.0)), _ordered(problems))


class _CountRules(_NumberRules):
    dtype = np.int64

    def parse_value(self, item: Input, value: Any) -> Any:
        number = _number(item, value)
        if number != int(number):
            raise ValueError(_says(item, "not_whole"))
        _in_bounds(item, number)
        return int(number)

    def _shape(self, item: Input, numbers: _Numbers, scaled: NDArray[np.float64]) -> list[Any]:
        return [(scaled != np.floor(scaled), _says(item, "not_whole"))]

    def _exactly(self, number: Decimal) -> float:
        # a large number not whole: a half, refused as not whole (checked before the bounds)
        return super()._exactly(number) if number == number.to_integral_value() else 0.5


def _ordered(problems: list[Any]) -> list[Any]:
    return [p for p in problems if p[0].any()]


class _EurosRules(_NumberRules):
    """Euros in whole cents; the column holds int64 cents."""

    dtype = np.int64
    scale = _CENTS_PER_EURO
    shape_first = False

    def parse_value(self, item: Input, value: Any) -> Any:
        number = _number(item, value)
        if number < 0:
            raise ValueError(_says(item, "below"))
        if isinstance(number, float):
            cents = number * _CENTS_PER_EURO
            if cents > EXACT_LIMIT:
                raise ValueError(_says(item, "above"))
            if abs(cents - round(cents)) > _CENT_TOLERANCE:
                raise ValueError(_says(item, "finer_than_cent"))
            euros = Decimal(repr(number))
            if euros.scaleb(2) == euros.scaleb(2).to_integral_value():
                return euros
            return Decimal(round(cents)).scaleb(-2)  # whole cents within the rounding's noise
        amount = Decimal(number)
        if amount > EXACT_LIMIT_EUROS:
            raise ValueError(_says(item, "above"))
        try:
            euros_to_cents(amount)
        except ValueError:
            raise ValueError(_says(item, "finer_than_cent")) from None
        return amount

    def to_array(self, item: Input, values: list[Any]) -> NDArray[Any]:
        return np.array([euros_to_cents(Decimal(v)) for v in values], dtype=np.int64)

    def _exactly(self, number: Decimal) -> float:
        # the cents of the euros read (a float near them when finer than a cent: _shape
        # refuses them)
        try:
            return super()._exactly(Decimal(euros_to_cents(number)))
        except ValueError:
            return super()._exactly(number.scaleb(2))
        except OverflowError:
            return math.copysign(math.inf, number)

    def to_series(self, item: Input, column: NDArray[Any], index: pd.Index) -> pd.Series:
        return pd.Series(column / _CENTS_PER_EURO, index=index)

    def _shape(self, item: Input, numbers: _Numbers, scaled: NDArray[np.float64]) -> list[Any]:
        if numbers.text is None:  # a float is whole cents within the rounding's tolerance
            return [
                (
                    np.abs(scaled - np.round(scaled)) > _CENT_TOLERANCE,
                    _says(item, "finer_than_cent"),
                )
            ]
        text = numbers.text
        finer = np.zeros(len(text), dtype=np.bool_)
        plain = _whole(text, _PLAIN_CENTS)
        for position in np.flatnonzero(~plain & ~np.isnan(numbers.values)):
            # an exponent or more than two decimals: decided exactly, never by a float
            try:
                euros_to_cents(Decimal(text[int(position)].as_py()))
            except ValueError:
                finer[position] = True
            except OverflowError:  # beyond the bounds, refused as such
                pass
        return [(finer, _says(item, "finer_than_cent"))]

    def _column(self, scaled: NDArray[np.float64]) -> NDArray[Any]:
        return np.round(scaled).astype(np.int64)


REFUSED_CATEGORIES: Final = {
    "Cc": "invisible",
    "Cf": "invisible",
    "Zs": "odd_space",
    "Zl": "odd_space",
    "Zp": "odd_space",
}
"""The Unicode categories of the characters text refuses (U+0020 aside), with the problem
each is."""


def _clean_text(item: Input, text: str) -> str:
    """Stripped text normalised to NFC, or ValueError if it holds a character refused
    (see the module docstring)."""
    text = unicodedata.normalize("NFC", text.strip())
    if text.isprintable():  # no character of a category Cc, Cf, Zs (but U+0020), Zl, Zp
        return text
    for character in text:
        problem = REFUSED_CATEGORIES.get(unicodedata.category(character))
        if problem and character != " ":
            raise ValueError(_says(item, problem))
    return text


_NOT_LATIN: Final = r"[^ -~\x{a1}-\x{ac}\x{ae}-\x{24f}]"
"""A character other than printable ASCII and the Latin letters and signs U+00A1 to U+024F
(the soft hyphen U+00AD aside): text without one is NFC and holds no refused character (a
test checks each)."""


def _at(positions: NDArray[np.intp], size: int) -> NDArray[np.bool_]:
    """The mask of ``positions`` among ``size`` cells."""
    mask = np.zeros(size, dtype=np.bool_)
    mask[positions] = True
    return mask


class _TextRules(InputKindRules):
    placeholder = ""
    dtype = object

    def parse_value(self, item: Input, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                raise ValueError(_says(item, "empty_text"))
            return _clean_text(item, value)
        if is_blank(value):
            raise ValueError(_says(item, "empty_text"))
        if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
            if abs(int(value)) > EXACT_LIMIT:
                raise ValueError(_says(item, "inexact_id"))
            return str(int(value))
        if isinstance(value, float | np.floating) and abs(float(value)) > EXACT_LIMIT:
            raise ValueError(_says(item, "inexact_id"))  # a number, not text, either way
        raise ValueError(_says(item, "not_text"))

    def to_series(self, item: Input, column: NDArray[Any], index: pd.Index) -> pd.Series:
        return pd.Series(column, index=index, dtype=TEXT_DTYPE)

    def parse_arrow(self, item: Input, array: Any) -> ParsedColumn:
        # the text stays in Arrow, stripped (no Python object per cell)
        if _is_text(array):
            text = pc.utf8_trim_whitespace(array)
            blank = _blank(text)
            problems = [(blank, _says(item, "empty_text"))]
            unusual = ~_mask(pc.ascii_is_printable(text)) & ~blank
            if unusual.any():  # but printable ASCII: read as _clean_text reads one, in Arrow
                where = np.flatnonzero(unusual)
                # a cell of Latin letters is already NFC and clean; the others are normalised
                # in Arrow, and those Arrow finds unprintable (Python's isprintable on newer
                # tables: a cell Python finds clean has no problem) are read in Python to
                # name their problem
                hard = where[_mask(pc.match_substring_regex(text.take(where), _NOT_LATIN))]
                normal = pc.utf8_normalize(text.take(hard), form="NFC")
                text = pc.replace_with_mask(text, _at(hard, len(text)), normal)
                odd = hard[~_mask(pc.utf8_is_printable(normal))]
                refused = self.parse_cells(item, pd.Series(text.take(odd), dtype=object))
                for mask, message in refused.problems:
                    problems.append((_at(odd[mask], len(text)), message))
        else:
            blank = _absent(array)
            text = pa.nulls(len(array), pa.large_string())
            far = np.zeros(len(array), dtype=np.bool_)
            kind = array.type
            if pa.types.is_floating(kind) or (pa.types.is_integer(kind) and kind.bit_width == 64):
                # beyond ±2^53 a number may have lost digits (a spreadsheet's float64)
                high = pa.scalar(EXACT_LIMIT).cast(kind)  # exact in each of these types
                far = _mask(pc.greater(array, high))
                if not pa.types.is_unsigned_integer(kind):
                    far |= _mask(pc.less(array, pc.negate(high)))
            problems = [(blank, _says(item, "empty_text")), (far, _says(item, "inexact_id"))]
            if pa.types.is_integer(array.type):  # whole numbers, written out
                text = pc.cast(array, pa.large_string())
            else:
                problems.append((~blank & ~far, _says(item, "not_text")))
        filled = text.fill_null("") if text.null_count else text
        return ParsedColumn(text_array(filled), _ordered(problems))


class _CategoryRules(InputKindRules):
    dtype = np.int8

    def parse_value(self, item: Input, value: Any) -> Any:
        if is_blank(value):
            raise ValueError(missing(item.name))
        if isinstance(value, str) and value.strip() in item.categories:
            return value.strip()
        raise ValueError(_says(item, "not_category"))

    def to_array(self, item: Input, values: list[Any]) -> NDArray[Any]:
        codes = {name: code for code, name in enumerate(item.categories)}
        return np.array([codes.get(v, 0) for v in values], dtype=np.int8)

    def to_series(self, item: Input, column: NDArray[Any], index: pd.Index) -> pd.Series:
        names = np.array(item.categories, dtype=object)
        return pd.Series(names[column], index=index, dtype=TEXT_DTYPE)

    def parse_arrow(self, item: Input, array: Any) -> ParsedColumn:
        if not _is_text(array):
            problems = _refused(item, _absent(array), _says(item, "not_category"))
            return ParsedColumn(np.zeros(len(array), dtype=np.int8), problems)
        if all(c == c.strip() for c in item.categories):
            # first matched exactly against the categories, which settles the column when
            # every cell is one (the verdict parse_value gives them)
            choices = pa.array(list(item.categories), type=array.type)
            exact = pc.index_in(array, value_set=choices)
            if not exact.null_count:
                return ParsedColumn(exact.to_numpy(zero_copy_only=False).astype(np.int8), [])
        # the distinct cells found once (hashing each cell once, in C), then the few of them
        # read as parse_value reads one: stripped, then looked up among the categories
        encoded = pc.dictionary_encode(array)
        indices = encoded.indices.fill_null(-1) if encoded.null_count else encoded.indices
        raw = indices.to_numpy(zero_copy_only=False).astype(np.intp)
        codes_of = {name: code for code, name in enumerate(item.categories)}
        distinct = [str(value).strip() for value in encoded.dictionary.to_pylist()]
        # the last entry is where a missing cell (code -1) looks up
        lookup = np.array([codes_of.get(value, -1) for value in distinct] + [-1], dtype=np.int64)
        blank = np.array([value == "" for value in distinct] + [True], dtype=np.bool_)
        codes = lookup[raw]
        absent = blank[raw]
        if not absent.any() and codes.min(initial=0) >= 0:
            return ParsedColumn(codes.astype(np.int8), [])
        problems = [
            (absent, missing(item.name)),
            ((codes < 0) & ~absent, _says(item, "not_category")),
        ]
        return ParsedColumn(np.where(codes < 0, 0, codes).astype(np.int8), _ordered(problems))


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
        raise ValueError(_says(item, "not_boolean"))

    def parse_arrow(self, item: Input, array: Any) -> ParsedColumn:
        kind = array.type
        absent = _absent(array)
        if pa.types.is_boolean(kind):
            true = _mask(array)
            false = ~true & ~absent
        elif _is_text(array):
            stripped = pc.utf8_trim_whitespace(array)
            words = pc.utf8_lower(stripped)
            true = _mask(pc.is_in(words, value_set=pa.array(TRUE_WORDS, words.type)))
            false = _mask(pc.is_in(words, value_set=pa.array(FALSE_WORDS, words.type)))
            absent = _blank(stripped)
        elif pa.types.is_integer(kind) or pa.types.is_floating(kind):
            numbers = _floats(array)
            true, false = numbers == 1, numbers == 0
        else:  # datetimes, durations
            true = false = np.zeros(len(array), dtype=np.bool_)
        problems = [
            (absent, missing(item.name)),
            (~(true | false | absent), _says(item, "not_boolean")),
        ]
        return ParsedColumn(true, _ordered(problems))


class _DateRules(InputKindRules):
    placeholder = None
    dtype = np.int64

    def _open(self, item: Input) -> int:
        return OPEN_START if item.open_as == "earliest" else OPEN_END

    def parse_value(self, item: Input, value: Any) -> Any:
        if is_blank(value):
            if item.required:
                raise ValueError(_says(item, "not_date"))
            return None
        if isinstance(value, np.datetime64):
            value = pd.Timestamp(value)
        if isinstance(value, datetime):
            if value.tzinfo is not None or value.time() != datetime.min.time():
                raise ValueError(_says(item, "not_date"))
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str) and _DATE_TEXT.fullmatch(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(_says(item, "not_date")) from None
        raise ValueError(_says(item, "not_date"))

    def to_array(self, item: Input, values: list[Any]) -> NDArray[Any]:
        empty = self._open(item)
        return np.array([v.toordinal() if v else empty for v in values], dtype=np.int64)

    def to_series(self, item: Input, column: NDArray[Any], index: pd.Index) -> pd.Series:
        empty = self._open(item)
        days = [None if o == empty else date.fromordinal(int(o)) for o in column]
        return pd.Series(days, index=index, dtype=object)

    def parse_arrow(self, item: Input, array: Any) -> ParsedColumn:
        kind = array.type
        if _is_text(array):
            stripped = pc.utf8_trim_whitespace(array)
            empty = _blank(stripped)
            days, bad = _text_days(stripped)
            bad &= ~empty
        elif pa.types.is_date(kind) or (pa.types.is_timestamp(kind) and kind.tz is None):
            moments = array.to_numpy(zero_copy_only=False)  # NaT where missing
            empty = np.isnat(moments)
            # whole days and what is left of a day, on the int64 ticks (floored, as numpy
            # casts a datetime to days; a cast and a cast back cost twice as much)
            per_day = int(np.datetime64(1, "D").astype(moments.dtype).view(np.int64))
            days, rest = np.divmod(moments.view(np.int64), per_day)
            bad = (rest != 0) & ~empty  # not at midnight
        else:  # a number or a boolean is never a date, nor a datetime with a time zone
            empty = _absent(array)
            days = np.full(len(array), np.datetime64("NaT", "D"))
            bad = ~empty
        if item.required:
            bad = bad | empty
        ordinals = days.astype(np.int64)
        ordinals += _EPOCH_ORDINAL
        closed = empty | bad
        if closed.any():
            ordinals[closed] = self._open(item)
        return ParsedColumn(ordinals, _ordered([(bad, _says(item, "not_date"))]))


def _text_days(stripped: Any) -> tuple[NDArray[Any], NDArray[np.bool_]]:
    """The day each (stripped) text cell writes as ``YYYY-MM-DD``, and where it writes
    none. Year, month and day are read as numbers and checked through numpy's calendar (any
    year from 1 to 9999, whatever the resolution of pandas' datetimes)."""
    full = _whole(stripped, _DATE_PATTERN)

    def part(start: int, stop: int) -> NDArray[np.int64]:
        digits = pc.if_else(pa.array(full), pc.utf8_slice_codeunits(stripped, start, stop), "1")
        numbers: NDArray[np.int64] = pc.cast(digits.fill_null("1"), pa.int64()).to_numpy(
            zero_copy_only=False
        )
        return numbers

    year, month, day = part(0, 4), part(5, 7), part(8, 10)
    plausible = full & (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    months = np.where(plausible, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + np.where(plausible, day - 1, 0).astype("timedelta64[D]")
    plausible &= days.astype("datetime64[M]") == months  # not the 31st of a 30-day month
    return np.where(plausible, days, np.datetime64("NaT", "D")), ~plausible


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
