"""Pydantic models of dated parameters with provenance.

Every value carries its unit (on its parameter), the date from which it applies, a source
(title plus URL or legal reference) and a status: ``published``, ``assumption`` (with a
rationale) or ``scenario`` (set by a :class:`~secpa_model.analysis.scenarios.Scenario`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any, Final, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from secpa_model.core.errors import CoverageError
from secpa_model.core.money import EXACT_LIMIT, describe_limit, euros_to_cents
from secpa_model.model.parameters.spec import ParameterSpec

Status = Literal["published", "assumption", "calibrated", "scenario"]
"""Where a value comes from: a public text, a labelled assumption, a value fitted to public
figures (calibrated), or a user's scenario."""
Distribution = Literal["uniform", "triangular", "normal"]
"""How a value is spread over its :class:`Range`: ``uniform``; ``triangular`` (peaked at
``mode``, by default the value); ``normal`` (centred on the value, standard deviation
``sd``, by default a quarter of the range, truncated to the range)."""
UNCERTAIN_STATUSES: Final = frozenset({"assumption", "calibrated"})
"""The statuses whose values may carry a range: a published value is a fact and a
scenario's value a choice, so neither has one."""
MAX_RATIONALE_CHARS: Final = 2000
"""The longest rationale of a range (a sentence or two; a parameter file is untrusted)."""

_STRICT = ConfigDict(extra="forbid", frozen=True)
_NonNegative = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
_COMPARED_THRESHOLDS: Final = 16
_COMPARED_SIZE: Final = 64
"""Up to this many thresholds, and from this many values, a step scale compares ``x``
with each threshold (cheaper than a binary search per value)."""
FRACTION = "fraction"
"""The unit of a share in [0, 1] (a poverty rate): its values or thresholds are at most 1."""


class KeyedValueError(ValueError):
    """A validation error that knows the key at fault, relative to the model that raises it
    (e.g. ``values[1].effective_from``), so that the loader can name it precisely."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class Source(BaseModel):
    """Where a value comes from: a title and a URL or a legal reference (source)."""

    model_config = _STRICT

    title: str = Field(min_length=1)
    url: str | None = None
    reference: str | None = None

    @model_validator(mode="after")
    def _needs_url_or_reference(self) -> Source:
        if not (self.url or self.reference):
            raise ValueError("a source needs a 'url' or a 'reference' besides its title")
        return self

    def __str__(self) -> str:
        where = self.url or self.reference
        return f"{self.title} ({where})"


class Bracket(BaseModel):
    """One bracket of a scale: from ``threshold`` (included) the scale is worth ``value``."""

    model_config = _STRICT

    threshold: _NonNegative
    value: _NonNegative


class Scale(BaseModel):
    """A schedule (barème): sorted, non-overlapping brackets.

    ``step``: the value of the last bracket whose threshold is at or below ``x``.
    ``linear``: straight lines between the brackets' (threshold, value) points, flat after
    the last one. In both modes a scale is worth 0 below its first threshold.
    """

    model_config = _STRICT

    mode: Literal["step", "linear"] = "step"
    brackets: list[Bracket] = Field(min_length=1)

    @model_validator(mode="after")
    def _sorted_and_disjoint(self) -> Scale:
        for index, (low, high) in enumerate(zip(self.brackets, self.brackets[1:], strict=False)):
            if high.threshold < low.threshold:
                raise KeyedValueError(
                    f"brackets[{index + 1}].threshold",
                    f"brackets are not sorted: bracket {index + 1} threshold {high.threshold} "
                    f"is below bracket {index} threshold {low.threshold}",
                )
            if high.threshold == low.threshold:
                raise KeyedValueError(
                    f"brackets[{index + 1}].threshold",
                    f"brackets overlap: brackets {index} and {index + 1} both start at "
                    f"{low.threshold}",
                )
        return self

    def __eq__(self, other: object) -> bool:
        """Same mode and brackets. (pydantic's comparison would also compare the cached
        float arrays below, and raise once both scales have been evaluated.)"""
        if not isinstance(other, Scale):
            return NotImplemented
        return self.mode == other.mode and self.brackets == other.brackets

    @cached_property
    def thresholds(self) -> NDArray[np.float64]:
        """The thresholds as float64 (for vectorised evaluation)."""
        return np.array([float(b.threshold) for b in self.brackets], dtype=np.float64)

    @cached_property
    def values(self) -> NDArray[np.float64]:
        """The bracket values as float64 (for vectorised evaluation)."""
        return np.array([float(b.value) for b in self.brackets], dtype=np.float64)

    @cached_property
    def _levels_by_count(self) -> NDArray[np.float64]:
        # entry k: the value when k thresholds are at or below x (0 below the first)
        return np.concatenate([[0.0], self.values])

    @cached_property
    def _levels_by_count_above(self) -> NDArray[np.float64]:
        # entry k: the value when k thresholds are above x (the last bracket's for k = 0)
        return np.ascontiguousarray(self._levels_by_count[::-1])

    def evaluate(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """The scale's value at each ``x`` (vectorised)."""
        x = np.asarray(x, dtype=np.float64)
        if self.mode == "linear":
            line: NDArray[np.float64] = np.interp(
                x, self.thresholds, self.values, left=0.0, right=self.values[-1]
            )
            return line
        thresholds = self.thresholds
        if len(thresholds) > _COMPARED_THRESHOLDS or x.size < _COMPARED_SIZE:
            # a binary search per value; NaN goes after every threshold (the last bracket)
            counts = np.searchsorted(thresholds, x, side="right")
            found: NDArray[np.float64] = self._levels_by_count.take(counts)
            return found
        # few thresholds, many values: count those strictly above each x, one comparison
        # each, in bytes (NaN compares False, so it counts none: the last bracket too)
        above = np.zeros(x.shape, dtype=np.uint8)
        compared = np.empty(x.shape, dtype=np.bool_)
        as_bytes = compared.view(np.uint8)
        for threshold in thresholds:
            np.less(x, threshold, out=compared)
            above += as_bytes
        found = self._levels_by_count_above.take(above)
        return found

    def map_values(self, change: Callable[[Decimal], Decimal]) -> Scale:
        """This scale with ``change`` applied to each bracket's value (its thresholds kept)."""
        brackets = [Bracket(threshold=b.threshold, value=change(b.value)) for b in self.brackets]
        return Scale(mode=self.mode, brackets=brackets)

    def describe(self, unit: str, threshold_unit: str) -> str:
        """One line per bracket, for people."""
        parts = [f"from {b.threshold} {threshold_unit}: {b.value} {unit}" for b in self.brackets]
        return f"{self.mode} scale: " + "; ".join(parts)


class Range(BaseModel):
    """The plausible range of an assumption (plage plausible) and how its values spread
    over it, with the reason for both.

    For a number, ``low`` and ``high`` are in the parameter's unit and contain the value.
    For a scale they bound a **factor** applied to every bracket's value (the thresholds stay):
    ``low = 0.8, high = 1.2`` says the whole schedule may be 20 % lower or higher; the factor of
    the value itself is 1. ``mode`` (triangular only) defaults to the value (to 1 for a scale),
    ``sd`` (normal only) to a quarter of ``high - low``. ``low == high`` is allowed: a value
    known exactly.
    """

    model_config = _STRICT

    low: _NonNegative
    high: _NonNegative
    distribution: Distribution = "triangular"
    mode: _NonNegative | None = None
    sd: Decimal | None = Field(default=None, gt=0, allow_inf_nan=False)
    rationale: str = Field(min_length=1, max_length=MAX_RATIONALE_CHARS)

    @model_validator(mode="after")
    def _consistent(self) -> Range:
        if self.high < self.low:
            raise KeyedValueError("high", f"high {self.high} is below low {self.low}")
        if self.mode is not None:
            if self.distribution != "triangular":
                raise KeyedValueError(
                    "mode", f"a mode is for a triangular distribution, not {self.distribution}"
                )
            if not self.low <= self.mode <= self.high:
                raise KeyedValueError(
                    "mode", f"mode {self.mode} is outside the range [{self.low}, {self.high}]"
                )
        if self.sd is not None and self.distribution != "normal":
            raise KeyedValueError("sd", f"sd is for a normal distribution, not {self.distribution}")
        return self

    def mode_for(self, center: Decimal) -> Decimal:
        """The triangle's peak: ``mode``, else ``center`` (the value, or 1 for a scale)."""
        return center if self.mode is None else self.mode

    @property
    def spread(self) -> Decimal:
        """The normal's standard deviation: ``sd``, else a quarter of the range."""
        return self.sd if self.sd is not None else (self.high - self.low) / 4

    def describe(self, *, factor: bool = False) -> str:
        """``38000 to 55000, normal (sd 4000)`` in the parameter's unit; with ``factor``
        (a scale's range) ``×0.8 to ×1.2, triangular``."""
        shape: str = self.distribution
        if self.mode is not None:
            shape += f" (mode {self.mode})"
        if self.sd is not None:
            shape += f" (sd {self.sd})"
        sign = "×" if factor else ""
        return f"{sign}{self.low} to {sign}{self.high}, {shape}"


class DatedValue(BaseModel):
    """A value of a parameter, in force from ``effective_from`` until the next one."""

    model_config = _STRICT

    effective_from: date
    value: Decimal | Scale
    status: Status
    source: Source
    rationale: str | None = None
    range: Range | None = None

    @model_validator(mode="after")
    def _assumption_has_rationale(self) -> DatedValue:
        if self.status == "assumption" and not self.rationale:
            raise KeyedValueError(
                "rationale", "a value with status 'assumption' needs a one-line 'rationale'"
            )
        if self.range is not None and self.status not in UNCERTAIN_STATUSES:
            raise KeyedValueError(
                "range",
                f"a value with status {self.status!r} has no range: only an assumption (or a "
                "calibrated value) is uncertain",
            )
        return self

    @property
    def center(self) -> Decimal:
        """What a range is centred on: the value, or the factor 1 of a scale."""
        return Decimal(1) if isinstance(self.value, Scale) else self.value


class Parameter(BaseModel):
    """A named parameter with its unit and its dated values (paramètre daté)."""

    model_config = _STRICT

    path: str
    unit: str
    threshold_unit: str | None = None
    description: str = ""
    values: list[DatedValue] = Field(min_length=1)

    @model_validator(mode="after")
    def _matches_spec(self, info: ValidationInfo) -> Parameter:
        specs = (info.context or {}).get("specs")
        if specs is not None:
            spec = specs.get(self.path)
            if spec is None:
                known = ", ".join(sorted(specs))
                raise ValueError(f"unknown parameter {self.path!r}; known parameters: {known}")
            self.check(spec)
        for index in range(1, len(self.values)):
            before, after = self.values[index - 1], self.values[index]
            if after.effective_from <= before.effective_from:
                raise KeyedValueError(
                    f"values[{index}].effective_from",
                    f"value {index} (effective {after.effective_from}) is not after value "
                    f"{index - 1} (effective {before.effective_from}): list dated values in "
                    "strictly increasing order of date",
                )
        return self

    def check(self, spec: ParameterSpec) -> None:
        """Raise :class:`KeyedValueError` unless the parameter matches its declaration:
        unit, threshold unit, and the kind of every dated value."""
        if self.unit != spec.unit:
            raise KeyedValueError(
                "unit", f"unit {self.unit!r} is wrong: {self.path} is in {spec.unit!r}"
            )
        if spec.kind == "scale" and self.threshold_unit != spec.threshold_unit:
            raise KeyedValueError(
                "threshold_unit",
                f"threshold_unit {self.threshold_unit!r} is wrong: the thresholds of "
                f"{self.path} are in {spec.threshold_unit!r}",
            )
        for index, dated in enumerate(self.values):
            _check_kind(spec, dated.value, index)
            if dated.range is not None:
                _check_range_units(spec, dated.value, dated.range, index)

    @property
    def first_date(self) -> date:
        """The first day the parameter has a value."""
        return self.values[0].effective_from

    def values_over(self, start: date, end: date) -> list[DatedValue]:
        """The dated values in force on some day of ``start``..``end``."""
        values = self.values
        return [
            dated
            for index, dated in enumerate(values)
            if dated.effective_from <= end
            and (index + 1 == len(values) or values[index + 1].effective_from > start)
        ]

    def value_on(self, day: date) -> DatedValue:
        """The value in force on ``day``; :class:`CoverageError` before the first value."""
        dates = [v.effective_from for v in self.values]
        index = bisect_right(dates, day) - 1
        if index < 0:
            raise CoverageError(
                f"parameter {self.path!r} has no value on {day}: its values cover "
                f"{self.first_date} onwards"
            )
        return self.values[index]


def _check_kind(spec: ParameterSpec, value: Decimal | Scale, index: int) -> None:
    """A dated value of the right kind, within its unit's range and exact in float64."""
    key, where = f"values[{index}].value", f"value {index}"
    kind = spec.kind
    if kind == "scale":
        if not isinstance(value, Scale):
            raise KeyedValueError(
                key, f"{where}: expected a scale (mode and brackets), got {value!r}"
            )
        _check_scale(spec, value, key, where)
        return
    if not isinstance(value, Decimal):
        raise KeyedValueError(key, f"{where}: expected a number, got a scale")
    if not value.is_finite() or value < 0:
        raise KeyedValueError(key, f"{where}: {value} is negative or not finite")
    try:
        if kind == "count" and value != value.to_integral_value():
            raise KeyedValueError(key, f"{where}: {value} is not a whole number")
        if kind == "amount":
            if euros_to_cents(value) > EXACT_LIMIT:
                raise KeyedValueError(
                    key,
                    f"{where}: {value} {spec.unit} is beyond {describe_limit()}, where "
                    "amounts stop being exact",
                )
        elif value > EXACT_LIMIT:
            raise KeyedValueError(
                key, f"{where}: {value} is beyond 2^53, where numbers stop being exact"
            )
        if spec.unit == FRACTION and value > 1:
            raise KeyedValueError(
                key, f"{where}: {value} is not a fraction (≤ 1): write 0.15 for 15 %"
            )
    except ArithmeticError as exc:  # decimal overflow of an absurdly large value
        raise KeyedValueError(key, f"{where}: {value} is out of range") from exc
    except KeyedValueError:
        raise
    except ValueError as exc:
        raise KeyedValueError(key, f"{where}: {exc}") from exc


def _check_range_units(
    spec: ParameterSpec, value: Decimal | Scale, spread: Range, index: int
) -> None:
    """A range within the unit's bounds: its ends (and mode) are valid values of the
    parameter (whole patients, exact cents, a fraction ≤ 1...); for a scale, the scale at
    its highest factor is still a valid scale."""
    key = f"values[{index}].range"
    center = Decimal(1) if isinstance(value, Scale) else value
    what = "the factor 1 of a scale" if isinstance(value, Scale) else "the value"
    if not spread.low <= center <= spread.high:
        raise KeyedValueError(
            key, f"the range [{spread.low}, {spread.high}] does not contain {what} ({center})"
        )
    if isinstance(value, Scale):
        highest = value.map_values(lambda number: number * spread.high)
        try:
            _check_scale(spec, highest, f"{key}.high", f"value {index} at its highest factor")
        except KeyedValueError as exc:
            raise KeyedValueError(f"{key}.high", str(exc)) from None
        return
    ends = {"low": spread.low, "high": spread.high, "mode": spread.mode}
    for name, end in ends.items():
        if end is None:
            continue
        try:
            _check_kind(spec, end, index)
        except KeyedValueError as exc:
            reason = str(exc).removeprefix(f"value {index}: ")
            raise KeyedValueError(f"{key}.{name}", f"range {name}: {reason}") from None


def _check_scale(spec: ParameterSpec, scale: Scale, key: str, where: str) -> None:
    """Thresholds and values within their units' range: a fraction ≤ 1, euros and other
    numbers exact in float64."""
    for number, bracket in enumerate(scale.brackets):
        checks = (
            ("threshold", bracket.threshold, spec.threshold_unit),
            ("value", bracket.value, spec.unit),
        )
        for name, amount, unit in checks:
            at = f"{key}.brackets[{number}].{name}"
            if unit == FRACTION and amount > 1:
                raise KeyedValueError(
                    at,
                    f"{where}: {name} {amount} of bracket {number} is not a fraction (≤ 1, "
                    f"{spec.path}'s {'thresholds are' if name == 'threshold' else 'values are'} "
                    "in 'fraction'): write 0.15 for 15 %",
                )
            limit = EXACT_LIMIT / 100 if unit and unit.startswith("EUR") else EXACT_LIMIT
            if amount > limit:
                raise KeyedValueError(
                    at, f"{where}: {name} {amount} of bracket {number} is beyond exactness"
                )


@dataclass(frozen=True)
class InForce:
    """A parameter's value on a given day, with everything needed to cite it."""

    path: str
    unit: str
    threshold_unit: str | None
    value: Decimal | Scale
    status: Status
    source: Source
    rationale: str | None
    effective_from: date
    range: Range | None = None

    def describe(self) -> str:
        """The value with its unit, for people."""
        return self._description

    @cached_property
    def _description(self) -> str:
        # computed once per value in force: the engine reuses its snapshots, and describing
        # a scale costs more than the rest of an allocation's line
        return describe_value(self.value, self.unit, self.threshold_unit)


def describe_value(value: Decimal | Scale, unit: str, threshold_unit: str | None) -> str:
    """A value with its unit, for people (a scale: one bracket after the other)."""
    if isinstance(value, Scale):
        return value.describe(unit, threshold_unit or "")
    return f"{value} {unit}"


@dataclass(frozen=True)
class ParameterSnapshot:
    """All parameter values in force on one day (what a rule reads)."""

    day: date
    values: dict[str, InForce] = field(default_factory=dict)
    _converted: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False, compare=False)
    drawn: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """In a simulation, the drawn values by path: an array per row, or a
    :class:`~secpa_model.model.parameters.drawn.DrawnScale` (what rules read first)."""

    def __getitem__(self, path: str) -> InForce:
        return self.values[path]

    def _converted_number(self, path: str, what: str, convert: Callable[[Decimal], Any]) -> Any:
        """The number ``path`` converted (once per snapshot); ``what`` names its kind."""
        found = self._converted.get((path, what))
        if found is None:
            value = self.values[path].value
            if not isinstance(value, Decimal):
                raise TypeError(f"{path} is a scale, not {what}")
            found = self._converted[path, what] = convert(value)
        return found

    def amount_cents(self, path: str) -> int:
        """An amount parameter in integer cents (converted once per snapshot)."""
        cents: int = self._converted_number(path, "an amount", euros_to_cents)
        return cents

    def count(self, path: str) -> int:
        """A count parameter (patients) as an int (converted once per snapshot)."""
        count: int = self._converted_number(path, "a count", int)
        return count

    def number(self, path: str) -> float:
        """A quantity parameter (ETP, a rate) as a float64 number (converted once per
        snapshot)."""
        number: float = self._converted_number(path, "a number", float)
        return number

    def scale(self, path: str) -> Scale:
        """A scale parameter."""
        value = self.values[path].value
        if not isinstance(value, Scale):
            raise TypeError(f"{path} is a number, not a scale")
        return value
