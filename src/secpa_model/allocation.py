"""The result for one structure: an itemised, fungible allocation (dotations fongibles).

« Le financement est constitué de 4 dotations destinées uniquement à financer du temps
humain et non des frais de fonctionnement, versées à la structure et fongibles entre elles. »
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from secpa_model.money import ROUNDING_RULE, euros_to_cents, format_euros
from secpa_model.parameters import Source, Status
from secpa_model.periods import Period
from secpa_model.rules import LINE_KEYS
from secpa_model.structures import Structure

InputValue = str | int | float | bool | Decimal | date | None

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


class Line(BaseModel):
    """One dotation's line: its amount and everything needed to recompute it by hand."""

    model_config = _FROZEN

    key: str
    label: str
    amount: Decimal = Field(description="Euros, rounded once to the cent.")
    formula: str
    legal_basis_fr: str
    inputs: dict[str, InputValue]
    details: dict[str, float] = Field(
        default_factory=dict, description="Intermediate quantities of the last piece."
    )
    parameters: list[UsedParameter]
    pieces: list[ProrationPiece]
    explanation: str

    @field_validator("inputs")
    @classmethod
    def _inputs_typed_as_structure(cls, inputs: dict[str, InputValue]) -> dict[str, InputValue]:
        # JSON carries a Decimal or a date as a string: read each input back with the type of
        # the Structure field it comes from, so that a JSON round trip is lossless.
        return {name: _input_adapter(name).validate_python(value) for name, value in inputs.items()}


@lru_cache(maxsize=32)
def _input_adapter(name: str) -> TypeAdapter[Any]:
    """A validator for the input ``name``: the type of that Structure field (else any)."""
    field = Structure.model_fields.get(name)
    annotation: Any = field.annotation if field is not None else Any
    return TypeAdapter(annotation)


SpendingCategory = Literal[
    "health_mediation",
    "reception",
    "social_work",
    "coordination",
    "health_professionals_time",
    "interpreting",
    "psychologist",
    "running_costs",
    "property",
]
"""Planned spending categories; the first seven are human time (temps humain)."""

HUMAN_TIME_CATEGORIES: tuple[str, ...] = get_args(SpendingCategory)[:7]
NOT_ELIGIBLE_CATEGORIES: tuple[str, ...] = ("running_costs", "property")


class SpendingCheck(BaseModel):
    """The check of a spending plan against a fungible allocation."""

    model_config = _FROZEN

    total: Decimal = Field(description="The allocation's total.")
    eligible_total: Decimal = Field(description="Planned human-time spending.")
    ineligible_items: dict[str, Decimal] = Field(
        description="Planned spending the dotations cannot pay (running costs, property)."
    )
    balance: Decimal = Field(description="total − eligible_total (negative: over-spent).")
    within_total: bool
    accepted: bool = Field(description="Within the total and with no ineligible item.")


class Allocation(BaseModel):
    """An itemised, fungible allocation for one structure over one period."""

    model_config = _FROZEN

    structure_id: str
    period: Period
    parameters_name: str
    eligible: bool
    reasons: list[Reason]
    lines: list[Line]
    total: Decimal
    assumptions_used: list[str] = Field(
        description="Parameters with status 'assumption' behind a non-zero amount."
    )
    rounding_rule: str = ROUNDING_RULE

    @model_validator(mode="after")
    def _consistent(self) -> Allocation:
        keys = tuple(line.key for line in self.lines)
        if keys != LINE_KEYS:
            raise ValueError(f"lines must be {LINE_KEYS} in that order, got {keys}")
        if self.total != sum((line.amount for line in self.lines), Decimal(0)):
            raise ValueError(f"total {self.total} is not the sum of the lines")
        return self

    def line(self, key: str) -> Line:
        """The line of one dotation, by key (KeyError naming the keys otherwise)."""
        for line in self.lines:
            if line.key == key:
                return line
        raise KeyError(f"no line {key!r}; lines are {', '.join(LINE_KEYS)}")

    def explain(self) -> str:
        """A readable, multi-line explanation of every line and of the total."""
        head = f"Allocation of {self.structure_id} over {self.period} ({self.parameters_name})"
        out = [head, "=" * len(head)]
        if self.eligible:
            out.append("Eligible.")
        else:
            out.append("Not eligible: the allocation is zero.")
        out.extend(f"  - [{r.code}] {r.message}" for r in self.reasons)
        for line in self.lines:
            out.append("")
            out.append(f"{line.label}: {format_euros(line.amount)}")
            out.append(f"  rule: {line.formula}")
            out.append(f"  « {line.legal_basis_fr} »")
            out.extend(f"  {text}" for text in line.explanation.splitlines())
            for used in line.parameters:
                status = used.status.upper() if used.status != "published" else "published"
                out.append(
                    f"  parameter {used.path} = {used.value} [{status}, from "
                    f"{used.effective_from}; {used.source.title}]"
                )
        out.append("")
        out.append(f"Total: {format_euros(self.total)} (fungible between the four lines)")
        if self.assumptions_used:
            out.append("Assumptions behind these amounts: " + ", ".join(self.assumptions_used))
        out.append(f"Rounding: {self.rounding_rule}")
        return "\n".join(out)

    def check_spending(self, plan: Mapping[str, Decimal | int | str]) -> SpendingCheck:
        """Check planned spending by category against the fungible total.

        Any mix of human-time categories up to the total is accepted; running costs and
        property are reported as ineligible. Unknown categories raise ``ValueError``.
        """
        known = get_args(SpendingCategory)
        unknown = sorted(set(plan) - set(known))
        if unknown:
            raise ValueError(f"unknown spending categories {unknown}; known: {', '.join(known)}")
        cents: dict[str, int] = {}
        for category, amount in plan.items():
            if isinstance(amount, float | bool):
                raise ValueError(
                    f"plan[{category!r}] = {amount!r}: give euros as Decimal, int or str"
                )
            value = euros_to_cents(amount)
            if value < 0:
                raise ValueError(f"plan[{category!r}] = {amount!r} is negative")
            cents[category] = value
        eligible = sum(v for k, v in cents.items() if k in HUMAN_TIME_CATEGORIES)
        ineligible = {k: Decimal(v) / 100 for k, v in cents.items() if k in NOT_ELIGIBLE_CATEGORIES}
        eligible_total = (Decimal(eligible) / 100).quantize(Decimal("0.01"))
        balance = self.total - eligible_total
        return SpendingCheck(
            total=self.total,
            eligible_total=eligible_total,
            ineligible_items={k: v.quantize(Decimal("0.01")) for k, v in ineligible.items()},
            balance=balance,
            within_total=balance >= 0,
            accepted=balance >= 0 and not ineligible,
        )
