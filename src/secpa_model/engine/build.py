"""Turn one row of the engine's :class:`~secpa_model.engine.compute.BatchResult` into an
:class:`~secpa_model.engine.allocation.Allocation` that a person can recompute by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from secpa_model.core.identity_cache import by_identity
from secpa_model.core.money import cents_float_to_euros, cents_to_euros
from secpa_model.engine.allocation import Allocation
from secpa_model.engine.compute import BatchResult
from secpa_model.engine.records import (
    Reason,
    RoundingRecord,
    UsedParameter,
)
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
    shared = []
    for piece in batch.pieces:
        active = int(piece.active_days[row])
        if active > 0:
            paid = active if piece.failed[row] == 0 else 0
            start, end = max(piece.period.start, first), min(piece.period.end, last)
            shared.append((piece, paid, start, end, _citations(model, piece.params).rules))
    lines = []
    assumptions: set[str] = set()
    fields, read = _line_fields(model)
    inputs = {name: _json_value(getattr(structure, name)) for name in read}
    for line, rule in enumerate(model.rules):
        cents = int(batch.line_cents[rule.key][row])
        pieces = []
        details: dict[str, float] = {}
        for piece, paid, start, end, citations in shared:
            result = piece.rules[rule.key]
            annual = cents_float_to_euros(result.annual_cents.item(row))
            details = {name: float(values[row]) for name, values in result.details.items()}
            pieces.append(
                {
                    "start": start,
                    "end": end,
                    "days": paid,
                    "year_days": piece.year_days,
                    "annual_amount": annual,
                    "amount": (annual * paid / piece.year_days).quantize(_PIECE_QUANTUM),
                    "details": details,
                    "parameters": citations[line].dates,
                }
            )
        if len(shared) == 1:  # the usual case: the values of one day, cited once
            cited = shared[0][4][line]
            parameters, assumed = cited.cited, cited.assumed
        else:
            used: dict[tuple[str, object], InForce] = {}
            for *_, citations in shared:
                used.update(citations[line].used)
            parameters = tuple(used_parameter(value) for value in used.values())
            assumed = frozenset(p for (p, _), v in used.items() if v.status == "assumption")
        if cents > 0:
            assumptions.update(assumed)
        lines.append(
            {
                **fields[line],
                "amount": cents_to_euros(cents),
                "inputs": {name: inputs[name] for name in rule.inputs},
                "details": details,
                "parameters": list(parameters),
                "pieces": pieces,
            }
        )
    if batch.eligible[row]:
        for piece in batch.pieces:
            assumptions.update(_citations(model, piece.params).condition_assumptions)
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


@by_identity(256)
def _line_fields(model: Model) -> tuple[tuple[dict[str, Any], ...], tuple[str, ...]]:
    """What each line of ``model`` says whatever the structure (its rule's declarations),
    and the inputs the lines show."""
    fields = tuple(
        {
            "key": rule.key,
            "label": rule.label,
            "formula": rule.formula,
            "legal_basis_fr": rule.legal_basis_fr,
            "legal_basis_en": rule.legal_basis_en,
            "rounding": RoundingRecord.of(rounding),
        }
        for rule, rounding in zip(model.rules, model.line_roundings, strict=True)
    )
    return fields, tuple(dict.fromkeys(name for rule in model.rules for name in rule.inputs))


@dataclass(frozen=True)
class _RuleCitations:
    """What one rule cites on one piece: its values in force (keyed as a line merges them)
    and the date of each."""

    used: tuple[tuple[tuple[str, object], InForce], ...]
    dates: dict[str, date]
    cited: tuple[UsedParameter, ...]
    assumed: frozenset[str]


@dataclass(frozen=True)
class _Citations:
    """What the lines of a model cite on the values of one day (the same for every
    structure): per rule, and the assumptions its conditions read."""

    rules: tuple[_RuleCitations, ...]
    condition_assumptions: frozenset[str]


# snapshots come from the parameters' per-day cache and are reused across calls: their
# citations are worked out once per model
@by_identity(256)
def _citations(model: Model, snapshot: ParameterSnapshot) -> _Citations:
    rules = []
    for rule in model.rules:
        in_force = [snapshot[path] for path in rule.parameters]
        used = {(value.path, value.effective_from): value for value in in_force}
        rules.append(
            _RuleCitations(
                used=tuple(used.items()),
                dates={value.path: value.effective_from for value in in_force},
                cited=tuple(used_parameter(value) for value in used.values()),
                assumed=frozenset(p for (p, _), v in used.items() if v.status == "assumption"),
            )
        )
    assumed = frozenset(
        path
        for condition in model.conditions
        for path in condition.parameters
        if snapshot[path].status == "assumption"
    )
    return _Citations(tuple(rules), assumed)


_NATIVE: Final = frozenset({str, int, float, bool, type(None)})


def _json_value(value: object) -> str | int | float | bool | None:
    """An input as a JSON-native value: Decimal euros and dates become exact strings."""
    if type(value) in _NATIVE:  # the usual case, by its exact type
        return value  # type: ignore[return-value]
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
        path=value.path,
        value=value.describe(),
        raw=value.value,
        unit=value.unit,
        status=value.status,
        source=value.source,
        rationale=value.rationale,
        effective_from=value.effective_from,
    )


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
