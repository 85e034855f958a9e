"""Yearly indexation of amounts (revalorisation annuelle): a labelled assumption or
scenario that an amount grows by a rate each year from a date, e.g. salaries +2 % a year
from 2027.

:meth:`Indexation.apply` turns it into dated parameter values, so that the engine splits
periods where they change and every indexed value says where it comes from: on
``start`` and on each anniversary up to ``until``, each indexed parameter gets the value in
force in the base on that day times ``(1 + rate) ** n`` (``n`` = 1 on ``start``, 2 a year
later...), rounded to the cent half up (a scale: each bracket's value), with the
indexation's status, source and rationale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from secpa_model.analysis.scenarios import derived
from secpa_model.core.errors import ParameterError
from secpa_model.core.money import CENT
from secpa_model.model.parameters import DatedValue, Parameter, Parameters, Scale, Source


@dataclass(frozen=True)
class Indexation:
    """Amounts indexed by ``rate`` a year (0.02: +2 %) from ``start``, on the parameters
    ``paths`` (amounts in euros, or scales of euros; an ETP count is not indexed).

    ``status``: ``assumption`` (a labelled guess, with its ``rationale``) or ``scenario``
    (a user's what-if). ``source``: where the rate comes from (default: this indexation,
    named by ``name``).
    """

    rate: Decimal
    start: date
    paths: tuple[str, ...]
    rationale: str
    status: Literal["assumption", "scenario"] = "scenario"
    name: str = "indexation"
    source: Source | None = field(default=None)

    def __post_init__(self) -> None:
        try:
            rate = Decimal(str(self.rate))
        except ArithmeticError as exc:
            raise ParameterError(f"indexation rate {self.rate!r} is not a number") from exc
        if not rate.is_finite() or not Decimal(-1) < rate <= Decimal(1):
            raise ParameterError(f"indexation rate {self.rate!r} must be above -1 and at most 1")
        object.__setattr__(self, "rate", rate)
        object.__setattr__(self, "paths", tuple(self.paths))
        if not self.paths:
            raise ParameterError("an indexation needs at least one parameter path")
        if not isinstance(self.rationale, str) or not self.rationale.strip():
            raise ParameterError("an indexation needs a rationale (why this rate)")
        if self.status not in ("assumption", "scenario"):
            raise ParameterError(
                f"indexation status must be assumption or scenario, not {self.status!r}"
            )

    @property
    def cited(self) -> Source:
        """The source of the indexed values."""
        return self.source or Source(
            title=f"secpa-model indexation {self.name!r}",
            reference=f"{self.rate:+} a year from {self.start} on {', '.join(self.paths)}",
        )

    def describe(self) -> str:
        """One line, for people: rate, start, parameters and status."""
        return (
            f"{self.name}: {self.rate * 100:+}% a year from {self.start} on "
            f"{', '.join(self.paths)} ({self.status.upper()})"
        )

    def apply(self, parameters: Parameters, until: date) -> Parameters:
        """``parameters`` with the indexed values dated from ``start`` to ``until``."""
        problems = []
        changed: dict[str, Parameter] = {}
        for path in self.paths:
            parameter = parameters.parameters.get(path)
            if parameter is None:
                problems.append(f"{path}: unknown parameter path")
                continue
            if not parameter.unit.startswith("EUR"):
                problems.append(
                    f"{path}: in {parameter.unit!r}, not euros: only amounts are indexed"
                )
                continue
            changed[path] = self._indexed(parameter, until)
        if problems:
            raise ParameterError(f"indexation {self.name!r}: " + "; ".join(problems))
        origin = f"indexation {self.name!r} over parameters {parameters.name!r}"
        return derived(parameters, changed, f"{parameters.name}+{self.name}", origin)

    def _indexed(self, parameter: Parameter, until: date) -> Parameter:
        dates = []
        day = self.start
        while day <= until:
            dates.append(day)
            day = _anniversary(self.start, len(dates))
        kept = [v for v in parameter.values if v.effective_from < self.start]
        added = []
        for power, day in enumerate(dates, start=1):
            factor = (1 + self.rate) ** power
            base = parameter.value_on(day)
            added.append(
                DatedValue(
                    effective_from=day,
                    value=_times(base.value, factor),
                    status=self.status,
                    source=self.cited,
                    rationale=f"{self.rationale} (value of {base.effective_from} × {factor:.6f})",
                )
            )
        return parameter.model_copy(update={"values": [*kept, *added]})


def _anniversary(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return date(start.year + years, 3, 1)


def _times(value: Decimal | Scale, factor: Decimal) -> Decimal | Scale:
    def times(number: Decimal) -> Decimal:
        return (number * factor).quantize(CENT, rounding=ROUND_HALF_UP)

    return value.map_values(times) if isinstance(value, Scale) else times(value)
