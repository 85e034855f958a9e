"""Turn one row of the engine's :class:`~secpa_model.engine.BatchResult` into an
:class:`~secpa_model.allocation.Allocation` that a person can recompute by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from secpa_model.allocation import Allocation, Line, ProrationPiece, Reason, UsedParameter
from secpa_model.eligibility import CONDITIONS
from secpa_model.eligibility import PARAMETERS as ELIGIBILITY_PARAMETERS
from secpa_model.money import cents_to_euros, format_euros
from secpa_model.parameters import InForce
from secpa_model.periods import Period
from secpa_model.rules import RULES
from secpa_model.structures import Structure

if TYPE_CHECKING:
    from secpa_model.engine import BatchResult

_MICRO_CENT = 6


def cents_float_to_euros(cents: float, decimals: int = _MICRO_CENT) -> Decimal:
    """Float64 cents to Decimal euros, snapped to ``decimals`` decimals of a cent."""
    return Decimal(repr(round(float(cents), decimals))) / 100


def build_allocation(
    structure: Structure, batch: BatchResult, row: int, period: Period, parameters_name: str
) -> Allocation:
    """The :class:`Allocation` of row ``row`` of ``batch`` (``structure`` gives its inputs)."""
    lines = []
    assumptions: set[str] = set()
    for rule in RULES:
        cents = int(batch.line_cents[rule.KEY][row])
        used: dict[tuple[str, object], InForce] = {}
        pieces = []
        details: dict[str, float] = {}
        explanation = []
        for piece in batch.pieces:
            active = int(piece.active_days[row])
            if active == 0:
                continue
            paid = active if piece.failed[row] == 0 else 0
            result = piece.rules[rule.KEY]
            annual = cents_float_to_euros(result.annual_cents[row])
            share = annual * paid / piece.year_days
            start = max(piece.period.start, date.fromordinal(int(batch.starts[row])))
            end = min(piece.period.end, date.fromordinal(int(batch.ends[row])))
            pieces.append(
                ProrationPiece(
                    start=start,
                    end=end,
                    days=paid,
                    year_days=piece.year_days,
                    annual_amount=annual,
                    amount=share.quantize(Decimal("1e-8")),
                )
            )
            details = {name: float(values[row]) for name, values in result.details.items()}
            for path in rule.PARAMETERS:
                value = piece.params[path]
                used[(path, value.effective_from)] = value
            shown = ", ".join(_show(name, value) for name, value in details.items())
            explanation.append(
                f"{start}..{end}: {shown}; annual amount "
                f"{format_euros(annual)} × {paid}/{piece.year_days} days = {share:.8f} €"
            )
        explanation.append(
            f"rounded once, half up, to the cent: {format_euros(cents_to_euros(cents))}"
        )
        if cents > 0:
            assumptions.update(p for (p, _), v in used.items() if v.status == "assumption")
        lines.append(
            Line(
                key=rule.KEY,
                label=rule.LABEL,
                amount=cents_to_euros(cents),
                formula=rule.FORMULA,
                legal_basis_fr=rule.LEGAL_BASIS_FR,
                inputs={name: getattr(structure, name) for name in rule.INPUTS},
                details=details,
                parameters=[_used(value) for value in used.values()],
                pieces=pieces,
                explanation="\n".join(explanation),
            )
        )
    if batch.eligible[row]:
        for piece in batch.pieces:
            for path in ELIGIBILITY_PARAMETERS:
                if piece.params[path].status == "assumption":
                    assumptions.add(path)
    return Allocation(
        structure_id=structure.structure_id,
        period=period,
        parameters_name=parameters_name,
        eligible=bool(batch.eligible[row]),
        reasons=_reasons(structure, batch, row),
        lines=lines,
        total=sum((line.amount for line in lines), Decimal(0)),
        assumptions_used=sorted(assumptions),
    )


def _show(name: str, value: float) -> str:
    if name.endswith("_cents"):
        return f"{name.removesuffix('_cents')} = {format_euros(cents_float_to_euros(value))}"
    return f"{name} = {value:g}"


def _used(value: InForce) -> UsedParameter:
    return UsedParameter(
        path=value.path,
        value=value.describe(),
        unit=value.unit,
        status=value.status,
        source=value.source,
        rationale=value.rationale,
        effective_from=value.effective_from,
    )


def _reasons(structure: Structure, batch: BatchResult, row: int) -> list[Reason]:
    mask = int(batch.reason_mask[row])
    reasons = []
    minimums = sorted(
        {
            piece.params.count("eligibility.min_file_active")
            for piece in batch.pieces
            if piece.active_days[row] > 0
        }
    )
    for condition in CONDITIONS:
        if not mask & condition.bit:
            continue
        detail = {
            "kind_not_eligible": f"kind is {structure.kind!r}",
            "outside_qpv": f"location is {structure.location!r}",
            "file_active_below_minimum": (
                f"file_active_mg is {structure.file_active_mg}, minimum "
                f"{' / '.join(str(m) for m in minimums)} patients"
            ),
            "not_participating": (
                f"entry_date {structure.entry_date}, exit_date {structure.exit_date}, "
                f"period {batch.span}"
            ),
        }[condition.code]
        reasons.append(
            Reason(
                code=condition.code, message=f"{condition.text_en} ({detail}); {condition.text_fr}"
            )
        )
    return reasons
