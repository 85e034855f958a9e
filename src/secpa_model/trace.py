"""Turn one row of the engine's :class:`~secpa_model.engine.BatchResult` into an
:class:`~secpa_model.allocation.Allocation` that a person can recompute by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from secpa_model.allocation import Allocation, Line, ProrationPiece, Reason, UsedParameter
from secpa_model.eligibility import CONDITIONS
from secpa_model.eligibility import PARAMETERS as ELIGIBILITY_PARAMETERS
from secpa_model.money import cents_float_to_euros, cents_to_euros
from secpa_model.parameters import InForce
from secpa_model.periods import Period
from secpa_model.rules import RULES
from secpa_model.structures import Structure

if TYPE_CHECKING:
    from secpa_model.engine import BatchResult

_PIECE_QUANTUM = Decimal("1e-8")


def build_allocation(
    structure: Structure, batch: BatchResult, row: int, period: Period, parameters_name: str
) -> Allocation:
    """The :class:`Allocation` of row ``row`` of ``batch`` (``structure`` gives its inputs)."""
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
    for rule in RULES:
        cents = int(batch.line_cents[rule.KEY][row])
        used: dict[tuple[str, object], InForce] = {}
        pieces = []
        details: dict[str, float] = {}
        for piece, paid, start, end in shared:
            result = piece.rules[rule.KEY]
            annual = cents_float_to_euros(result.annual_cents[row])
            details = {name: float(values[row]) for name, values in result.details.items()}
            in_force = [piece.params[path] for path in rule.PARAMETERS]
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
                key=rule.KEY,
                label=rule.LABEL,
                amount=cents_to_euros(cents),
                formula=rule.FORMULA,
                legal_basis_fr=rule.LEGAL_BASIS_FR,
                inputs={name: _json_value(getattr(structure, name)) for name in rule.INPUTS},
                details=details,
                parameters=[used_parameter(value) for value in used.values()],
                pieces=pieces,
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


def _json_value(value: object) -> str | int | float | bool | None:
    """An input as a JSON-native value: Decimal euros and dates become exact strings."""
    if isinstance(value, Decimal | date):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"unexpected input value {value!r}")


# InForce objects come from the parameters' per-day snapshot cache and are reused across
# calls: cite each once. The cache keeps the InForce alive, so its id cannot be reused.
_CITED: dict[int, tuple[InForce, UsedParameter]] = {}
_CITED_KEPT = 4096


def used_parameter(value: InForce) -> UsedParameter:
    """A parameter value in force, as cited by a line (value, unit, status, source)."""
    cached = _CITED.get(id(value))
    if cached is not None and cached[0] is value:
        return cached[1]
    cited = _cite(value)
    if len(_CITED) >= _CITED_KEPT:
        _CITED.clear()
    _CITED[id(value)] = (value, cited)
    return cited


def _cite(value: InForce) -> UsedParameter:
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
