"""Turn one row of the engine's :class:`~secpa_model.engine.compute.BatchResult` into an
:class:`~secpa_model.engine.allocation.Allocation` that a person can recompute by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

from secpa_model.core.money import cents_float_to_euros, cents_to_euros
from secpa_model.core.rounding import Rounding
from secpa_model.engine.allocation import Allocation, Line
from secpa_model.engine.compute import BatchResult
from secpa_model.engine.records import ProrationPiece, Reason, RoundingRecord, UsedParameter
from secpa_model.model.eligibility import NOT_PARTICIPATING
from secpa_model.model.parameters import InForce
from secpa_model.model.structure import StructureBase

_PIECE_QUANTUM: Final = Decimal("1e-8")


def build_allocation(
    structure: StructureBase, batch: BatchResult, row: int, parameters_name: str
) -> Allocation:
    """The :class:`Allocation` of row ``row`` of ``batch`` (``structure`` gives its inputs)."""
    model = batch.model
    # what every line shares: the pieces the structure takes part in, with its own dates
    first = date.fromordinal(int(batch.starts[row]))
    last = date.fromordinal(int(batch.ends[row]))
    shared = [
        (
            piece,
            int(piece.active_days[row]) if piece.failed[row] == 0 else 0,
            max(piece.period.start, first),
            min(piece.period.end, last),
        )
        for piece in batch.pieces
        if piece.active_days[row] > 0
    ]
    lines = []
    assumptions: set[str] = set()
    for rule in model.rules:
        cents = int(batch.line_cents[rule.key][row])
        used: dict[tuple[str, object], InForce] = {}
        pieces = []
        details: dict[str, float] = {}
        for piece, paid, start, end in shared:
            result = piece.rules[rule.key]
            annual = cents_float_to_euros(result.annual_cents[row])
            details = {name: float(values[row]) for name, values in result.details.items()}
            in_force = [piece.params[path] for path in rule.parameters]
            used.update(((value.path, value.effective_from), value) for value in in_force)
            pieces.append(
                ProrationPiece(
                    start=start,
                    end=end,
                    days=paid,
                    year_days=piece.year_days,
                    annual_amount=annual,
                    amount=(annual * paid / piece.year_days).quantize(_PIECE_QUANTUM),
                    details=details,
                    parameters={value.path: value.effective_from for value in in_force},
                )
            )
        if cents > 0:
            assumptions.update(p for (p, _), v in used.items() if v.status == "assumption")
        lines.append(
            Line(
                key=rule.key,
                label=rule.label,
                amount=cents_to_euros(cents),
                formula=rule.formula,
                legal_basis_fr=rule.legal_basis_fr,
                legal_basis_en=rule.legal_basis_en,
                inputs={name: _json_value(getattr(structure, name)) for name in rule.inputs},
                details=details,
                parameters=[used_parameter(value) for value in used.values()],
                pieces=pieces,
                rounding=rounding_record(rule.rounding or model.rounding),
            )
        )
    if batch.eligible[row]:
        for piece in batch.pieces:
            for condition in model.conditions:
                for path in condition.parameters:
                    if piece.params[path].status == "assumption":
                        assumptions.add(path)
    return Allocation(
        structure_id=getattr(structure, model.id_input),
        period=batch.span,
        model=model.name,
        model_note=model.note,
        parameters_name=parameters_name,
        eligible=bool(batch.eligible[row]),
        reasons=_reasons(structure, batch, row),
        lines=lines,
        total=sum((line.amount for line in lines), Decimal(0)),
        assumptions_used=sorted(assumptions),
        rounding=rounding_record(model.rounding),
    )


def _json_value(value: object) -> str | int | float | bool | None:
    """An input as a JSON-native value: Decimal euros and dates become exact strings."""
    if isinstance(value, Decimal | date):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"unexpected input value {value!r}")


@lru_cache(maxsize=64)
def rounding_record(rounding: Rounding) -> RoundingRecord:
    """The record of a rounding (built once per rounding: a rounding is a frozen value)."""
    return RoundingRecord.of(rounding)


# InForce objects come from the parameters' per-day snapshot cache and are reused across
# calls: cite each once. The cache keeps the InForce alive, so its id cannot be reused.
_CITED: dict[int, tuple[InForce, UsedParameter]] = {}
_CITED_KEPT: Final = 4096


def used_parameter(value: InForce) -> UsedParameter:
    """A parameter value in force, as cited by a line (value, unit, status, source)."""
    cached = _CITED.get(id(value))
    if cached is not None and cached[0] is value:
        return cached[1]
    cited = UsedParameter(
        path=value.path,
        value=value.describe(),
        raw=value.value,
        unit=value.unit,
        status=value.status,
        source=value.source,
        rationale=value.rationale,
        effective_from=value.effective_from,
    )
    if len(_CITED) >= _CITED_KEPT:
        _CITED.clear()
    _CITED[id(value)] = (value, cited)
    return cited


def _reasons(structure: StructureBase, batch: BatchResult, row: int) -> list[Reason]:
    model = batch.model
    mask = int(batch.reason_mask[row])
    if not mask:
        return []
    values: dict[str, Any] = structure.inputs()
    snapshots = [piece.params for piece in batch.pieces if piece.active_days[row] > 0]
    reasons = []
    for bit, condition in enumerate(model.all_conditions):
        if not mask >> bit & 1:
            continue
        if condition is NOT_PARTICIPATING:
            dates = [
                f"{name} {values[name]}" for name in (model.entry_input, model.exit_input) if name
            ]
            detail = ", ".join([*dates, f"period {batch.span}"])
        elif condition.detail is not None:
            detail = condition.detail(values, snapshots)
        else:
            detail = ", ".join(f"{name} is {values[name]!r}" for name in condition.inputs)
        reasons.append(Reason(code=condition.code, message=condition.message(detail)))
    return reasons
