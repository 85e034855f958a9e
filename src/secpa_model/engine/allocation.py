"""The result for one structure: an itemised, fungible allocation (dotations fongibles).

« Le financement est constitué de 4 dotations destinées uniquement à financer du temps
humain et non des frais de fonctionnement, versées à la structure et fongibles entre elles. »
(the experimentation's cahier des charges; another model has its own lines, as fungible).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import cached_property
from typing import Literal, get_args

import pandas as pd
from pydantic import BaseModel, Field, model_validator

from secpa_model.core.html import html_table
from secpa_model.core.money import cents_to_euros, euros_to_cents
from secpa_model.core.rounding import CENT_HALF_UP
from secpa_model.engine.records import FROZEN, AllocationRecord, LineRecord, RoundingRecord
from secpa_model.engine.trace import (
    Trace,
    TraceLine,
    line_sentences,
    render_text,
    unrounded_amount,
)


class Line(LineRecord):
    """One dotation's line: its amount and everything needed to recompute it by hand."""

    legal_basis_en: str = ""
    details: dict[str, float] = Field(
        default_factory=dict, description="Intermediate quantities of the last piece."
    )
    rounding: RoundingRecord = Field(
        default_factory=lambda: RoundingRecord.of(CENT_HALF_UP),
        description="How the line is rounded (its rule's rounding, else the model's).",
    )

    @cached_property
    def explanation(self) -> str:
        """The line in words: one sentence per piece, then its one rounding (derived from
        the pieces, so it cannot disagree with them)."""
        return "\n".join(line_sentences(self.pieces, self.amount, self.rounding.rounding()))

    @property
    def status(self) -> str:
        """The status of the values behind the line, for a table: ``ASSUMPTION: <paths>``
        when some are assumptions and the amount is not zero, else the statuses of its
        values (``published``; ``assumption`` in lower case behind 0 €)."""
        assumed = sorted({used.path for used in self.parameters if used.status == "assumption"})
        if assumed and self.amount:
            return "ASSUMPTION: " + ", ".join(assumed)
        return ", ".join(sorted({used.status for used in self.parameters})) or "-"


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

    model_config = FROZEN

    total: Decimal = Field(description="The allocation's total.")
    eligible_total: Decimal = Field(description="Planned human-time spending.")
    ineligible_items: dict[str, Decimal] = Field(
        description="Planned spending the dotations cannot pay (running costs, property)."
    )
    balance: Decimal = Field(description="total − eligible_total (negative: over-spent).")
    within_total: bool
    accepted: bool = Field(description="Within the total and with no ineligible item.")


class Allocation(AllocationRecord[Line]):
    """An itemised, fungible allocation for one structure over one period."""

    @model_validator(mode="after")
    def _consistent(self) -> Allocation:
        keys = [line.key for line in self.lines]
        if not keys or len(set(keys)) != len(keys):
            raise ValueError(f"lines must have distinct keys, got {keys}")
        if self.total != sum((line.amount for line in self.lines), Decimal(0)):
            raise ValueError(f"total {self.total} is not the sum of the lines")
        return self

    @property
    def rounding_rule(self) -> str:
        """The model's rounding rule, in words."""
        return self.rounding.rule

    @property
    def line_keys(self) -> tuple[str, ...]:
        """The keys of the lines, in order."""
        return tuple(line.key for line in self.lines)

    def line(self, key: str) -> Line:
        """The line of one dotation, by key (KeyError naming the keys otherwise)."""
        for line in self.lines:
            if line.key == key:
                return line
        raise KeyError(f"no line {key!r}; lines are {', '.join(self.line_keys)}")

    def trace(self) -> Trace:
        """The versioned trace of this allocation (what every explanation renders): its
        fields, each line's without ``details``, with its cents, its unrounded amount, and
        its rounding only when it is not the allocation's."""
        lines = [
            TraceLine(
                **{name: getattr(line, name) for name in LineRecord.model_fields},
                amount_cents=euros_to_cents(line.amount),
                unrounded_amount=unrounded_amount(line.pieces),
                rounding=None if line.rounding == self.rounding else line.rounding,
            )
            for line in self.lines
        ]
        shared = {name: getattr(self, name) for name in AllocationRecord.model_fields}
        return Trace(**{**shared, "lines": lines})

    def explain(self) -> str:
        """A readable, multi-line explanation of every line, its pieces, parameters
        (status and source) and the total (see :func:`secpa_model.explain_text`)."""
        return render_text(self.trace())

    def _repr_html_(self) -> str:
        """The allocation as an HTML table (how Jupyter shows it): one row per line with its
        amount in euros and the status of its values, the total, eligibility and reasons,
        the assumptions behind the amounts and the rounding. Every text is escaped."""
        eligibility = "eligible" if self.eligible else "NOT eligible"
        notes = [f"{self.structure_id}: {eligibility}, model {self.model}, {self.period}."]
        notes += [f"Not eligible: {reason.message}" for reason in self.reasons]
        if self.model_note:
            notes.append(self.model_note)
        notes.append(f"Rounding: {self.rounding_rule}")
        assumed = ", ".join(self.assumptions_used)
        flagged = [f"ASSUMPTIONS (not published values) behind these amounts: {assumed}"]
        rows = [(line.label, line.amount, line.status) for line in self.lines]
        total = "Total (fungible)" if len(rows) > 1 else "Total"
        columns = ["Line", "Amount", "Values"]
        return html_table(
            pd.DataFrame([*rows, (total, self.total, None)], columns=columns),
            caption=f"Allocation of {self.structure_id}, {self.period} "
            f"(parameters {self.parameters_name})",
            stand_out={"Values": [status.startswith("ASSUMPTION:") for _, _, status in rows]},
            total=True,
            notes=notes,
            assumption_notes=flagged if assumed else [],
        )

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
        eligible_total = cents_to_euros(sum(cents.get(k, 0) for k in HUMAN_TIME_CATEGORIES))
        ineligible = {
            k: cents_to_euros(v) for k, v in cents.items() if k in NOT_ELIGIBLE_CATEGORIES
        }
        balance = self.total - eligible_total
        return SpendingCheck(
            total=self.total,
            eligible_total=eligible_total,
            ineligible_items=ineligible,
            balance=balance,
            within_total=balance >= 0,
            accepted=balance >= 0 and not ineligible,
        )
