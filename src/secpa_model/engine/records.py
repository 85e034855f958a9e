"""The records an allocation is made of: reasons, cited parameters, proration pieces and
the rounding applied (pydantic models, JSON-ready)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from secpa_model.core.rounding import Direction, Rounding
from secpa_model.model.parameters import Scale, Source, Status

InputValue = str | int | float | bool | None
"""An input as stored in a line: JSON-native (Decimal euros and dates as exact strings)."""

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class Reason(BaseModel):
    """A failed eligibility condition: a machine-readable code and a readable message."""

    model_config = _FROZEN

    code: str
    message: str


class UsedParameter(BaseModel):
    """A parameter value a line used, with its provenance."""

    model_config = _FROZEN

    path: str
    value: str = Field(description="The value with its unit, as text.")
    raw: Decimal | Scale | None = Field(
        default=None,
        description="The value itself, machine-readable: a number in `unit`, or a scale "
        "(mode and brackets).",
    )
    unit: str
    status: Status
    source: Source
    rationale: str | None = None
    effective_from: date


class ProrationPiece(BaseModel):
    """A piece of the period with one set of values in force (cut at 1 January, at
    parameter changes, and at the structure's entry and exit)."""

    model_config = _FROZEN

    start: date
    end: date
    days: int = Field(description="Days of the piece on which the structure is paid.")
    year_days: int = Field(description="Days in the piece's calendar year (365 or 366).")
    annual_amount: Decimal = Field(description="Annual amount in force, euros (unrounded).")
    amount: Decimal = Field(
        description="annual_amount × days / year_days, euros (unrounded, 8 decimals)."
    )
    details: dict[str, float] = Field(
        default_factory=dict,
        description="The rule's intermediate quantities on this piece (`_cents` names are "
        "float cents).",
    )
    parameters: dict[str, date] = Field(
        default_factory=dict,
        description="Each parameter the line read on this piece → the `effective_from` of "
        "the value in force (its value, status and source are in `Line.parameters`).",
    )


class RoundingRecord(BaseModel):
    """How a line's amount is rounded (règle d'arrondi): once per line, after proration and
    summation of its pieces."""

    model_config = _FROZEN

    rule: str = Field(description="The rounding rule, in words.")
    mode: Direction = "half_up"
    unit: Decimal = Field(description="Rounded to a multiple of this many euros.")
    applies_to: str = Field(
        default="line", description="Each line is rounded once; the total is their exact sum."
    )
    recompute: str = Field(description="How to recompute a line by hand.")

    @classmethod
    def of(cls, rounding: Rounding) -> RoundingRecord:
        """The record of a :class:`~secpa_model.core.rounding.Rounding`."""
        return cls(
            rule=rounding.describe(),
            mode=rounding.direction,
            unit=rounding.unit_euros,
            recompute=rounding.recompute(),
        )

    def rounding(self) -> Rounding:
        """The :class:`~secpa_model.core.rounding.Rounding` this record describes."""
        return Rounding(int(self.unit * 100), self.mode)
