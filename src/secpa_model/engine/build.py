"""Turn one row of the engine's :class:`~secpa_model.engine.compute.BatchResult` into an
:class:`~secpa_model.engine.allocation.Allocation` that a person can recompute by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Final

from secpa_model.core.identity_cache import by_identity
from secpa_model.core.money import cents_float_to_euros, cents_to_euros
from secpa_model.engine.allocation import Allocation
from secpa_model.engine.compute import BatchResult
from secpa_model.engine.records import Reason, RoundingRecord, UsedParameter
from secpa_model.model.eligibility import NOT_PARTICIPATING
from secpa_model.model.model import Model
from secpa_model.model.parameters import InForce, ParameterSnapshot
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
        (piece, 0 if piece.failed[row] else active, _citations(model, piece.params)[0])
        for piece in batch.pieces
        if (active := int(piece.active_days[row])) > 0
    ]
    lines = []
    assumptions: set[str] = set()
    inputs = {name: _json_value(getattr(structure, name)) for name in _shown_inputs(model)}
    for line, (rule, rounding) in enumerate(zip(model.rules, model.line_roundings, strict=True)):
        cents = int(batch.line_cents[rule.key][row])
        pieces = []
        details: dict[str, float] = {}
        used: dict[tuple[str, date], InForce] = {}  # merged over the pieces, in their order
        for piece, paid, citations in shared:
            result = piece.rules[rule.key]
            annual = cents_float_to_euros(result.annual_cents.item(row))
            details = {name: float(values[row]) for name, values in result.details.items()}
            used.update(citations[line])
            pieces.append(
                {
                    "start": max(piece.period.start, first),
                    "end": min(piece.period.end, last),
                    "days": paid,
                    "year_days": piece.year_days,
                    "annual_amount": annual,
                    "amount": (annual * paid / piece.year_days).quantize(_PIECE_QUANTUM),
                    "details": details,
                    "parameters": {path: day for path, day in citations[line]},
                }
            )
        parameters = [used_parameter(value) for value in used.values()]
        if cents > 0:
            assumptions.update(p.path for p in parameters if p.status == "assumption")
        lines.append(
            {
                **{name: getattr(rule, name) for name in _RULE_FIELDS},
                "rounding": RoundingRecord.of(rounding),
                "amount": cents_to_euros(cents),
                "inputs": {name: inputs[name] for name in rule.inputs},
                "details": details,
                "parameters": parameters,
                "pieces": pieces,
            }
        )
    if batch.eligible[row]:
        for piece in batch.pieces:
            assumptions.update(_citations(model, piece.params)[1])
    # one validation of the whole allocation, its lines and pieces included
    return Allocation.model_validate(
        {
            "structure_id": getattr(structure, model.id_input),
            "period": batch.span,
            "model": model.name,
            "model_note": model.note,
            "parameters_name": parameters_name,
            "eligible": bool(batch.eligible[row]),
            "reasons": _reasons(structure, batch, row),
            "lines": lines,
            "total": sum((line["amount"] for line in lines), Decimal(0)),
            "assumptions_used": sorted(assumptions),
            "rounding": RoundingRecord.of(model.rounding),
        }
    )


_RULE_FIELDS: Final = ("key", "label", "formula", "legal_basis_fr", "legal_basis_en")
"""What each line says whatever the structure: its rule's declarations."""


@by_identity(256)
def _shown_inputs(model: Model) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for rule in model.rules for name in rule.inputs))


# snapshots come from the parameters' per-day cache and are reused across calls: their
# citations are worked out once per model
@by_identity(256)
def _citations(
    model: Model, snapshot: ParameterSnapshot
) -> tuple[list[dict[tuple[str, date], InForce]], frozenset[str]]:
    """Per rule of ``model``, the values it reads on ``snapshot`` by path and date in force;
    and the assumptions its conditions read (the same for every structure)."""
    rules = [
        {(value.path, value.effective_from): value for value in map(snapshot.__getitem__, paths)}
        for paths in (rule.parameters for rule in model.rules)
    ]
    assumed = frozenset(
        path
        for condition in model.conditions
        for path in condition.parameters
        if snapshot[path].status == "assumption"
    )
    return rules, assumed


def _json_value(value: object) -> str | int | float | bool | None:
    """An input as a JSON-native value: Decimal euros and dates become exact strings."""
    if isinstance(value, Decimal | date):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"unexpected input value {value!r}")


# InForce objects come from the parameters' per-day snapshot cache: each is cited once
@by_identity(4096)
def used_parameter(value: InForce) -> UsedParameter:
    """A parameter value in force, as cited by a line (value, unit, status, source)."""
    return UsedParameter(
        **{name: getattr(value, name) for name in _CITED},
        value=value.describe(),
        raw=value.value,
    )


_CITED: Final = ("path", "unit", "status", "source", "rationale", "effective_from")
"""What a line cites of a value in force as it is."""


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
