"""Relative scenario changes (variations relatives): a factor, a percentage or an addition
applied to the base values of a parameter, e.g. ``{"factor": "1.1", "effective_from":
"2024-03-01"}``, ``{"percent": -5}``, ``{"add": 500}``.

From ``effective_from`` (default: the base's first date) each base value in force is changed
the same way, computed exactly in :class:`~decimal.Decimal` and rounded once by
:data:`RELATIVE_ROUNDING`; what each kind of parameter takes is :data:`ALLOWED`; whatever
cannot be a value of the parameter is refused by name (docs/scenarios.md, "Relative
changes", says it all with examples).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation
from typing import Any, Final, Literal, cast, get_args

from secpa_model.core.money import EXACT_LIMIT, describe_limit
from secpa_model.core.rounding import CENT_HALF_UP
from secpa_model.model.parameters import DatedValue, Parameter, Scale
from secpa_model.model.parameters.models import FRACTION
from secpa_model.model.parameters.spec import ParameterSpec

Operation = Literal["factor", "percent", "add"]
OPERATIONS: Final[tuple[str, ...]] = get_args(Operation)
RELATIVE_KEYS: Final = frozenset({*OPERATIONS, "effective_from", "rationale"})

ALLOWED: Final[dict[str, tuple[str, ...]]] = {
    "amount": ("factor", "percent", "add"),
    "quantity": ("factor", "percent", "add"),
    "count": ("add",),
    "scale": ("factor", "percent"),
}
"""Which relative operations each kind of parameter takes (see the module docstring)."""

QUANTITY_RESOLUTION: Final = Decimal("0.000001")
"""The resolution of a quantity that is not in euros (ETP, a rate): a millionth of its unit."""

RELATIVE_ROUNDING: Final = (
    "A relative change is computed exactly (Decimal) and each resulting value is rounded "
    f"once, {CENT_HALF_UP.direction.replace('_', ' ')}, to the resolution of its unit: "
    f"{CENT_HALF_UP.unit_words} ({CENT_HALF_UP.unit_euros} €) for a value in euros, "
    f"{QUANTITY_RESOLUTION} of the unit for another quantity (ETP, a rate); a count only "
    "takes whole additions and is never rounded."
)
"""The one rounding rule of relative changes, in words (shown in the docs and messages)."""

_PERCENT: Final = Decimal(100)
# exact arithmetic: enough digits for any operand a bounded file holds, and an error (never
# a silent rounding) if a product would need more
_EXACT: Final = Context(prec=200, traps=[Inexact, InvalidOperation])
_ROUNDING: Final = Context(prec=200)  # rounding on purpose: no trap on Inexact


class RefusedError(Exception):
    """A value refused (an override, a free parameter): its ``args`` are the problems, each
    naming the path; the caller lists them all in one error."""


@dataclass(frozen=True)
class RelativeChange:
    """One relative change of a parameter: ``operation`` (``factor``, ``percent`` or
    ``add``) with its ``operand``, from ``effective_from`` (``None``: the base's first
    date), with an optional ``rationale``."""

    operation: Operation
    operand: Decimal
    effective_from: date | None = None
    rationale: str | None = None

    @property
    def words(self) -> str:
        """``× 1.1``, ``+10 %``, ``+500``: the change in a few characters."""
        if self.operation == "factor":
            return f"× {self.operand}"
        sign = "−" if self.operand < 0 else "+"
        suffix = " %" if self.operation == "percent" else ""
        return f"{sign}{abs(self.operand)}{suffix}"

    def changed(self, value: Decimal, resolution: Decimal) -> Decimal:
        """``value`` changed exactly, then rounded half up to ``resolution``; an
        :class:`ArithmeticError` if it cannot be computed exactly."""
        if self.operation == "add":
            exact = _EXACT.add(value, self.operand)
        else:
            factor = self.operand
            if self.operation == "percent":
                factor = _EXACT.add(Decimal(1), self.operand.scaleb(-2, _EXACT))
            exact = _EXACT.multiply(value, factor)
        if abs(exact) > EXACT_LIMIT:
            return exact  # out of range: the caller refuses it before any rounding
        rounded = exact.quantize(resolution, rounding=ROUND_HALF_UP, context=_ROUNDING)
        rounded = abs(rounded) if rounded == 0 else rounded  # never "-0.00"
        if resolution == QUANTITY_RESOLUTION:
            return _trimmed(rounded)
        return rounded


def _trimmed(value: Decimal) -> Decimal:
    """``value`` without trailing zeros after the point (``2.100000`` → ``2.1``; ``100``
    stays ``100``, never ``1E+2``)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize(_ROUNDING)


def is_relative(value: Any) -> bool:
    """Whether an override is a relative change (a mapping with factor, percent or add)."""
    return isinstance(value, Mapping) and any(key in value for key in OPERATIONS)


def relative_values(
    path: str, spec: ParameterSpec, before: Parameter, override: Mapping[str, Any]
) -> tuple[list[DatedValue], list[dict[str, Any]], str, str | None]:
    """The base values kept (before the change's date), the changed dated values (as
    mappings without status and source), the unit and the threshold unit of ``before``;
    or :class:`RefusedError`."""
    change = _parse(path, spec, override)
    start = change.effective_from or before.first_date
    if start < before.first_date:
        raise RefusedError(
            f"{path}: effective_from {start} is before the base's first value "
            f"({before.first_date}): there is no base value to change"
        )
    kept = [v for v in before.values if v.effective_from < start]
    in_force = before.value_on(start)
    later = [v for v in before.values if v.effective_from > start]
    changed: list[dict[str, Any]] = []
    for day, base in [(start, in_force), *((v.effective_from, v) for v in later)]:
        value = _changed_value(path, spec, base.value, change)
        note = (
            f"{_shown(base.value, spec)} {change.words} = {_shown(value, spec)} (the base "
            f"value in force from {base.effective_from}; {_rounding_words(spec)})"
        )
        rationale = f"{change.rationale} — {note}" if change.rationale else note
        changed.append({"effective_from": day, "value": value, "rationale": rationale})
    return kept, changed, before.unit, before.threshold_unit


def _parse(path: str, spec: ParameterSpec, override: Mapping[str, Any]) -> RelativeChange:
    """The relative change an override states, or :class:`RefusedError`."""
    unknown = sorted(set(map(str, override)) - RELATIVE_KEYS)
    given = [key for key in OPERATIONS if key in override]
    if unknown:
        raise RefusedError(
            f"{path}: unknown keys {', '.join(unknown)} in a relative change (allowed: "
            f"one of {', '.join(OPERATIONS)}, and effective_from, rationale)"
        )
    if len(given) != 1:
        raise RefusedError(
            f"{path}: give one of {', '.join(OPERATIONS)}, not {' and '.join(given)}"
        )
    operation = given[0]
    allowed = ALLOWED[spec.kind]
    if operation not in allowed:
        raise RefusedError(
            f"{path}: a {spec.kind} ({spec.unit}) takes {' or '.join(allowed)}, not {operation}"
            + _why_not(spec.kind)
        )
    operand = _number(override[operation])
    if operand is None:
        raise RefusedError(
            f"{path}: {operation} must be a finite number, got {override[operation]!r}"
        )
    if operation == "factor" and operand < 0:
        raise RefusedError(f"{path}: a negative factor ({operand}) would make the value negative")
    if operation == "percent" and operand < -_PERCENT:
        raise RefusedError(f"{path}: {operand} % is below −100 %: the value would be negative")
    if operation == "add":
        resolution = _resolution(spec)
        if _finer(operand, resolution):
            raise RefusedError(
                f"{path}: add {operand} is finer than the resolution of {spec.unit} "
                f"({resolution}): an addition is never rounded"
            )
    start = override.get("effective_from")
    day = as_date(start) if start is not None else None
    if start is not None and day is None:
        raise RefusedError(f"{path}: effective_from {start!r} is not a date (YYYY-MM-DD)")
    rationale = override.get("rationale")
    if rationale is not None and not isinstance(rationale, str):
        raise RefusedError(f"{path}: rationale must be text, got {rationale!r}")
    return RelativeChange(cast(Operation, operation), operand, day, rationale)


def _finer(number: Decimal, resolution: Decimal) -> bool:
    """Whether ``number`` has a digit below ``resolution`` (``0.001`` for the cent)."""
    exponent = number.as_tuple().exponent
    step = resolution.as_tuple().exponent
    assert isinstance(exponent, int) and isinstance(step, int)  # finite numbers
    if exponent >= step:
        return False
    return number != number.quantize(resolution, rounding=ROUND_HALF_UP, context=_ROUNDING)


def _changed_value(
    path: str, spec: ParameterSpec, value: Decimal | Scale, change: RelativeChange
) -> Decimal | Scale:
    """The changed value (a number or a scale whose bracket values all change)."""
    if isinstance(value, Scale):
        brackets = []
        for number, bracket in enumerate(value.brackets):
            result = _checked(path, spec, bracket.value, change, f"bracket {number}: ")
            brackets.append({"threshold": bracket.threshold, "value": result})
        return Scale.model_validate({"mode": value.mode, "brackets": brackets})
    return _checked(path, spec, value, change, "")


def _checked(
    path: str, spec: ParameterSpec, value: Decimal, change: RelativeChange, where: str
) -> Decimal:
    """One number changed and checked against its unit's range, or :class:`RefusedError`."""
    euros = _in_euros(spec)
    try:
        result = change.changed(value, _resolution(spec))
    except ArithmeticError:
        raise RefusedError(
            f"{path}: {where}{value} {change.words} cannot be computed exactly (an operand "
            "with too many digits or out of range)"
        ) from None
    computed = f"{where}{value} {spec.unit} {change.words} = {result}"
    if result < 0:
        raise RefusedError(f"{path}: {computed}, below zero: a parameter value is never negative")
    if result > (Decimal(EXACT_LIMIT) / 100 if euros else EXACT_LIMIT):
        limit = describe_limit() if euros else "2^53"
        raise RefusedError(f"{path}: {computed}, beyond {limit}, where values stop being exact")
    if spec.unit == FRACTION and result > 1:
        raise RefusedError(f"{path}: {computed}, above 1: a fraction is at most 1")
    return result


def _in_euros(spec: ParameterSpec) -> bool:
    return spec.unit.startswith("EUR")


def _resolution(spec: ParameterSpec) -> Decimal:
    """The resolution a changed value is rounded to (see :data:`RELATIVE_ROUNDING`)."""
    if spec.kind == "count":
        return Decimal(1)
    return CENT_HALF_UP.unit_euros if _in_euros(spec) else QUANTITY_RESOLUTION


def _rounding_words(spec: ParameterSpec) -> str:
    if spec.kind == "count":
        return "a whole addition, not rounded"
    unit = CENT_HALF_UP.unit_words if _in_euros(spec) else f"{QUANTITY_RESOLUTION} {spec.unit}"
    return f"rounded {CENT_HALF_UP.direction.replace('_', ' ')} to {unit}"


def _shown(value: Decimal | Scale, spec: ParameterSpec) -> str:
    if isinstance(value, Scale):
        return "[" + ", ".join(f"{b.value:f}" for b in value.brackets) + f"] {spec.unit}"
    return f"{value:f} {spec.unit}"  # without exponent: 49500.00, 2.1


def _why_not(kind: str) -> str:
    if kind == "count":
        return " (a count is changed by a whole number: add = 500, or give the new count)"
    if kind == "scale":
        return " (a factor changes every bracket value; for other changes give the brackets)"
    return ""


def _number(value: Any) -> Decimal | None:
    """A finite Decimal from an int, a Decimal, a numeric string or a float (read through its
    shortest repr); None for anything else (a boolean included)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def as_date(value: Any) -> date | None:
    """A date from a date or an ISO ``YYYY-MM-DD`` text; None for anything else.

    A ``datetime`` (a TOML ``2023-01-01T00:00:00``) is not a date: parameters change on days.
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
