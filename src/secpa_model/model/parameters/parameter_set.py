"""A complete, validated set of dated parameters and the values in force on a day."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from secpa_model.core.errors import CoverageError
from secpa_model.core.periods import Period
from secpa_model.model.parameters.models import (
    DatedValue,
    InForce,
    KeyedValueError,
    Parameter,
    ParameterSnapshot,
)
from secpa_model.model.parameters.references import short_repr
from secpa_model.model.parameters.spec import ParameterRelation, ParameterSpec

_SNAPSHOT_DAYS_KEPT = 4096  # a bound on the memory of the per-day cache of :meth:`Parameters.at`
_CACHES = ("_snapshots", "_change_dates")  # cached properties, computed once per set


class Parameters(BaseModel):
    """Every parameter a model's rules read, each with its dated values and provenance,
    and the declarations (``specs``) they were checked against.

    Build it with :func:`secpa_model.load_parameters` or a model's
    :meth:`~secpa_model.Model.load_parameters`; ask for the values in force on a day with
    :meth:`at`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "parameters"
    description: str = ""
    version: str = Field(
        default="",
        description="The version the file's author gave it (``[meta] version``; the versions "
        "of several files joined by '+'), empty when none was given.",
    )
    origin: str = Field(default="", description="The file (or scenario) the set comes from.")
    parameters: dict[str, Parameter]
    specs: dict[str, ParameterSpec] = Field(
        description="The declaration of every parameter (kind and unit), by path."
    )
    relations: tuple[ParameterRelation, ...] = Field(
        default=(), description="Relations the values keep on every day (lower ≤ upper)."
    )

    @model_validator(mode="after")
    def _complete(self) -> Parameters:
        missing = sorted(set(self.specs) - set(self.parameters))
        if missing:
            raise ValueError(f"missing parameters: {', '.join(missing)}")
        unknown = sorted(set(self.parameters) - set(self.specs))
        if unknown:
            raise ValueError(f"undeclared parameters: {', '.join(unknown)}")
        for key, parameter in self.parameters.items():
            if key != parameter.path:
                raise ValueError(f"parameter stored under {key!r} has path {parameter.path!r}")
            parameter.check(self.specs[key])
        for relation in self.relations:
            _check_relation(self.parameters, relation)
        return self

    def __repr__(self) -> str:
        """Short: only what differs from the model's reference values
        (:func:`~secpa_model.model.parameters.references.short_repr`)."""
        return short_repr(self)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy (pydantic's), without the caches of the original: a copy with other values
        must not answer :meth:`at` with the original's snapshots."""
        copy = super().model_copy(update=update, deep=deep)
        for name in _CACHES:
            copy.__dict__.pop(name, None)
        return copy

    @property
    def coverage_start(self) -> date:
        """The first day on which every parameter has a value."""
        return max(p.first_date for p in self.parameters.values())

    def change_dates(self) -> list[date]:
        """Every date on which at least one parameter takes a new value, sorted."""
        return list(self._change_dates)

    @cached_property
    def _change_dates(self) -> tuple[date, ...]:
        # the set is frozen: computed once
        return tuple(sorted({v.effective_from for p in self.parameters.values() for v in p.values}))

    def assumed_values(self, span: Period | None = None) -> list[tuple[Parameter, DatedValue]]:
        """Every value of status ``assumption`` in force on some day of ``span`` (any day
        when ``span`` is None), by parameter path then date."""
        start, end = (date.min, date.max) if span is None else (span.start, span.end)
        return [
            (parameter, dated)
            for _, parameter in sorted(self.parameters.items())
            for dated in parameter.values_over(start, end)
            if dated.status == "assumption"
        ]

    def assumed_paths(self, span: Period | None = None) -> list[str]:
        """The paths of the parameters with an assumed value in force over ``span``
        (:meth:`assumed_values`), sorted, each once."""
        return sorted({parameter.path for parameter, _ in self.assumed_values(span)})

    def paths_with(self, status: str) -> set[str]:
        """The paths of the parameters with some value of ``status`` (on any day)."""
        found = self.parameters.items()
        return {path for path, p in found if any(v.status == status for v in p.values)}

    def at(self, day: date) -> ParameterSnapshot:
        """The values in force on ``day`` (built once per day: the set is frozen).

        Raises :class:`~secpa_model.CoverageError` naming the parameter and its
        coverage when ``day`` is before its first value: never a silent zero.
        """
        snapshots = self._snapshots
        snapshot = snapshots.get(day)
        if snapshot is None:
            if len(snapshots) >= _SNAPSHOT_DAYS_KEPT:
                snapshots.clear()
            snapshot = snapshots[day] = self._build_snapshot(day)
        return snapshot

    @cached_property
    def _snapshots(self) -> dict[date, ParameterSnapshot]:
        return {}

    def _build_snapshot(self, day: date) -> ParameterSnapshot:
        uncovered = [p for p in self.parameters.values() if day < p.first_date]
        if uncovered:
            detail = "; ".join(f"{p.path} covers {p.first_date} onwards" for p in uncovered)
            raise CoverageError(f"the parameters {self.name!r} do not cover {day}: {detail}")
        values = {}
        for path, parameter in self.parameters.items():
            dated = dict(parameter.value_on(day))  # its fields: value, status, source...
            values[path] = InForce(path, parameter.unit, parameter.threshold_unit, **dated)
        return ParameterSnapshot(day=day, values=values)


def _check_relation(parameters: dict[str, Parameter], relation: ParameterRelation) -> None:
    """``relation.lower`` ≤ ``relation.upper`` on every day both have a value."""
    lower, upper = parameters[relation.lower], parameters[relation.upper]
    start = max(lower.first_date, upper.first_date)
    days = sorted({v.effective_from for v in (*lower.values, *upper.values)} | {start})
    for day in (d for d in days if d >= start):
        below, above = lower.value_on(day), upper.value_on(day)
        low, high = below.value, above.value
        if isinstance(low, Decimal) and isinstance(high, Decimal) and low > high:
            raise KeyedValueError(
                f"{relation.upper}.values",
                f"{relation.lower} ({low}) is above {relation.upper} ({high}) from {day}: "
                f"{relation.reason}",
            )
        # every value a range allows keeps the relation, so that no draw can break it
        highest = below.range.high if below.range is not None else low
        lowest = above.range.low if above.range is not None else high
        if isinstance(highest, Decimal) and isinstance(lowest, Decimal) and highest > lowest:
            raise KeyedValueError(
                f"{relation.upper}.values",
                f"the ranges allow {relation.lower} ({highest}) above {relation.upper} "
                f"({lowest}) from {day}: {relation.reason}",
            )
