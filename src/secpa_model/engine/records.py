"""The records an allocation is made of: reasons, cited parameters, proration pieces and
the rounding applied (pydantic models, JSON-ready), and the fields an allocation and its
trace share (:class:`LineRecord`, :class:`AllocationRecord`), declared once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from secpa_model.core.periods import Period
from secpa_model.core.rounding import CENT_HALF_UP, Direction, Rounding
from secpa_model.model.parameters import Scale, Source, Status

InputValue = str | int | float | bool | None
"""An input as stored in a line: JSON-native (Decimal euros and dates as exact strings)."""

FROZEN = ConfigDict(extra="forbid", frozen=True)
"""The configuration of every record: unknown fields refused, frozen."""


class Reason(BaseModel):
    """A failed eligibility condition: a machine-readable code and a readable message."""

    model_config = FROZEN

    code: str
    message: str


class UsedParameter(BaseModel):
    """A parameter value a line used, with its provenance."""

    model_config = FROZEN

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

    model_config = FROZEN

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

    model_config = FROZEN

    rule: str = Field(description="The rounding rule, in words.")
    mode: Direction = "half_up"
    unit: Decimal = Field(description="Rounded to a multiple of this many euros.")
    applies_to: str = Field(
        default="line", description="Each line is rounded once; the total is their exact sum."
    )
    recompute: str = Field(description="How to recompute a line by hand.")

    @classmethod
    @lru_cache(maxsize=64)
    def of(cls, rounding: Rounding) -> RoundingRecord:
        """The record of a :class:`~secpa_model.core.rounding.Rounding` (built once per
        rounding: both are frozen values)."""
        return cls(
            rule=rounding.describe(),
            mode=rounding.direction,
            unit=rounding.unit_euros,
            recompute=rounding.recompute(),
        )

    def rounding(self) -> Rounding:
        """The :class:`~secpa_model.core.rounding.Rounding` this record describes."""
        return Rounding(int(self.unit * 100), self.mode)


class LineRecord(BaseModel):
    """What a line of an allocation and the line of its trace hold: the dotation's amount
    and everything needed to recompute it by hand."""

    model_config = FROZEN

    key: str
    label: str
    amount: Decimal = Field(description="Euros, rounded once by the line's rounding.")
    formula: str = Field(description="The rule's formula for an annual amount.")
    legal_basis_fr: str = Field(description="The legal wording (French).")
    legal_basis_en: str = Field(description="The legal wording, in English.")
    inputs: dict[str, InputValue] = Field(description="The structure's inputs the rule reads.")
    parameters: list[UsedParameter] = Field(
        description="Every parameter value the line used, with unit, status and source."
    )
    pieces: list[ProrationPiece] = Field(
        description="The pieces of the period (cut at 1 January, parameter changes, entry "
        "and exit), each prorated by days over its year's days."
    )


LineT = TypeVar("LineT", bound=LineRecord)


class AllocationRecord(BaseModel, Generic[LineT]):
    """What an allocation and its trace hold, around their lines (of type ``LineT``)."""

    model_config = FROZEN

    structure_id: str
    period: Period
    model: str = Field(default="experimentation", description="The model computed.")
    model_note: str = Field(
        default="", description="What a person must know about the model (e.g. a proposal)."
    )
    parameters_name: str = Field(description="The parameter set used (e.g. 'reference').")
    eligible: bool
    reasons: list[Reason] = Field(description="Failed eligibility conditions, if any.")
    lines: list[LineT]
    total: Decimal = Field(description="The exact sum of the rounded lines, euros.")
    assumptions_used: list[str] = Field(
        description="Parameters with status 'assumption' behind a non-zero amount."
    )
    rounding: RoundingRecord = Field(
        default_factory=lambda: RoundingRecord.of(CENT_HALF_UP),
        description="How every line is rounded (the model's rounding), unless the line "
        "gives its own.",
    )
