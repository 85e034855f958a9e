"""Explanations of an allocation, in three forms built from one trace (traçabilité du calcul).

:func:`build_trace` turns an :class:`~secpa_model.allocation.Allocation` into a
:class:`Trace`: the versioned, machine-readable record of the computation (format
:data:`TRACE_FORMAT`, version :data:`TRACE_VERSION`). The three renderers read only that trace:

* :func:`explain_text`: plain text for a terminal (``Allocation.explain()`` calls it);
* :func:`explain_markdown`: Markdown for a report (a table per line);
* :func:`explain_json`: the trace itself as JSON, for other tools.

Each line can be recomputed by hand from the trace alone::

    amount = round_half_up(sum(annual_amount × days / year_days over the pieces), 0.01 €)
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import TYPE_CHECKING, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from secpa_model.allocation import Line, ProrationPiece, Reason, UsedParameter
from secpa_model.money import CENT, ROUNDING_RULE, cents_float_to_euros, format_euros
from secpa_model.periods import Period
from secpa_model.rules import RULES

if TYPE_CHECKING:
    from secpa_model.allocation import Allocation

TRACE_FORMAT: Final = "secpa-model.trace"
"""The ``format`` field of every JSON trace."""

TRACE_VERSION: Final = 1
"""The ``version`` field of the JSON traces this library writes."""

RECOMPUTE: Final[str] = (
    "amount = round_half_up(sum(piece.annual_amount × piece.days / piece.year_days "
    "for piece in pieces), 0.01)"
)

_FROZEN = ConfigDict(extra="forbid", frozen=True)
_LEGAL_BASIS_EN: Final[dict[str, str]] = {rule.KEY: rule.LEGAL_BASIS_EN for rule in RULES}
_UNROUNDED_DECIMALS: Final = Decimal("1e-10")
_UNROUNDED_DIGITS: Final = 40


class TraceRounding(BaseModel):
    """How every line's amount is rounded (règle d'arrondi): once, half up, to the cent."""

    model_config = _FROZEN

    rule: str = Field(default=ROUNDING_RULE, description="The rounding rule, in words.")
    mode: Literal["half_up"] = "half_up"
    unit: Decimal = Field(default=CENT, description="Rounded to this many euros (the cent).")
    applies_to: Literal["line"] = Field(
        default="line", description="Each line is rounded once; the total is their exact sum."
    )
    recompute: str = Field(default=RECOMPUTE, description="How to recompute a line by hand.")


class TraceLine(BaseModel):
    """One dotation's line with everything needed to recompute it by hand."""

    model_config = _FROZEN

    key: str
    label: str
    amount: Decimal = Field(description="Euros, rounded once to the cent.")
    amount_cents: int = Field(description="The amount in integer cents.")
    unrounded_amount: Decimal = Field(
        description="sum(annual_amount × days / year_days) over the pieces, euros, "
        "10 decimals (before the one rounding)."
    )
    formula: str = Field(description="The rule's formula for an annual amount.")
    legal_basis_fr: str = Field(description="The legal wording (French).")
    legal_basis_en: str = Field(description="The legal wording, in English.")
    inputs: dict[str, str | int | float | bool | None] = Field(
        description="The structure's fields the rule reads."
    )
    parameters: list[UsedParameter] = Field(
        description="Every parameter value the line used, with unit, status and source."
    )
    pieces: list[ProrationPiece] = Field(
        description="The pieces of the period (cut at 1 January, parameter changes, entry "
        "and exit), each prorated by days over its year's days."
    )


class Trace(BaseModel):
    """The versioned trace of one allocation: the single source of every explanation."""

    model_config = _FROZEN

    format: Literal["secpa-model.trace"] = TRACE_FORMAT
    version: Literal[1] = TRACE_VERSION
    structure_id: str
    period: Period
    parameters_name: str = Field(description="The parameter set used (e.g. 'reference').")
    eligible: bool
    reasons: list[Reason] = Field(description="Failed eligibility conditions, if any.")
    lines: list[TraceLine]
    total: Decimal = Field(description="The exact sum of the rounded lines, euros.")
    fungible: Literal[True] = Field(
        default=True, description="The total may be spent across the four purposes."
    )
    assumptions_used: list[str] = Field(
        description="Parameters with status 'assumption' behind a non-zero amount."
    )
    rounding: TraceRounding = Field(default_factory=TraceRounding)


def unrounded_amount(pieces: list[ProrationPiece]) -> Decimal:
    """The sum of ``annual_amount × days / year_days`` over ``pieces`` (euros), to 40
    significant digits: far finer than the 8 decimals shown and the cent rounded to."""
    with localcontext() as context:
        context.prec = _UNROUNDED_DIGITS
        return sum(
            (piece.annual_amount * piece.days / piece.year_days for piece in pieces),
            Decimal(0),
        )


def round_half_up(amount: Fraction) -> Decimal:
    """Round exact euros half up to the cent (the one rounding of a line)."""
    exact = Decimal(amount.numerator) / Decimal(amount.denominator)
    return exact.quantize(CENT, rounding=ROUND_HALF_UP)


def build_trace(allocation: Allocation) -> Trace:
    """The :class:`Trace` of an allocation (what the three explanations render)."""
    lines = []
    for line in allocation.lines:
        unrounded = unrounded_amount(line.pieces)
        lines.append(
            TraceLine(
                key=line.key,
                label=line.label,
                amount=line.amount,
                amount_cents=int(line.amount * 100),
                unrounded_amount=decimal_of(unrounded),
                formula=line.formula,
                legal_basis_fr=line.legal_basis_fr,
                legal_basis_en=_LEGAL_BASIS_EN.get(line.key, ""),
                inputs=dict(line.inputs),
                parameters=list(line.parameters),
                pieces=list(line.pieces),
            )
        )
    return Trace(
        structure_id=allocation.structure_id,
        period=allocation.period,
        parameters_name=allocation.parameters_name,
        eligible=allocation.eligible,
        reasons=list(allocation.reasons),
        lines=lines,
        total=allocation.total,
        assumptions_used=list(allocation.assumptions_used),
        rounding=TraceRounding(rule=allocation.rounding_rule),
    )


def explain_json(allocation: Allocation | Trace, *, indent: int | None = 2) -> str:
    """The JSON trace (format :data:`TRACE_FORMAT`, version :data:`TRACE_VERSION`)."""
    return _as_trace(allocation).model_dump_json(indent=indent)


def explain_text(allocation: Allocation | Trace) -> str:
    """A plain-text explanation of every line, its pieces and parameters, and the total."""
    trace = _as_trace(allocation)
    sources = _Sources()
    head = f"Allocation of {trace.structure_id} over {trace.period} ({trace.parameters_name})"
    out = [head, "=" * len(head)]
    out.append("Eligible." if trace.eligible else "Not eligible: the allocation is zero.")
    out.extend(f"  - [{r.code}] {r.message}" for r in trace.reasons)
    for number, line in enumerate(trace.lines, start=1):
        out.append("")
        out.append(f"{number}. {line.label}: {format_euros(line.amount)}")
        out.append(f"  rule: {line.formula}")
        out.append(f"  « {line.legal_basis_fr} »")
        out.append("  inputs: " + ", ".join(f"{k} = {v}" for k, v in line.inputs.items()))
        out.append("  parameters:")
        for used in line.parameters:
            out.append(
                f"    {used.path} = {used.value} [{status_label(used.status)}, from "
                f"{used.effective_from}, source {sources.number(used)}]"
            )
        out.append("  pieces (annual amount × days paid / days in the year):")
        changing = changing_parameters(line.pieces)
        out.extend(f"    {piece_sentence(piece, changing)}" for piece in line.pieces)
        out.append(f"  {rounding_sentence(line.unrounded_amount, line.amount)}")
    out.append("")
    out.append(f"Total: {format_euros(trace.total)} (fungible between the four lines)")
    if trace.assumptions_used:
        out.append(
            "ASSUMPTIONS (not published values) behind these amounts: "
            + ", ".join(trace.assumptions_used)
        )
    out.append(f"Rounding: {trace.rounding.rule}")
    out.append("Sources:")
    out.extend(f"  {label} {source}" for label, source in sources.listed())
    return "\n".join(out)


def explain_markdown(allocation: Allocation | Trace, *, level: int = 2) -> str:
    """A Markdown explanation for a report: a summary table, then per line its formula,
    legal wording, inputs, parameters (status and source) and proration pieces.

    ``level`` is the heading level of the allocation's title (its lines get ``level + 1``).
    """
    trace = _as_trace(allocation)
    sources = _Sources()
    title, sub = "#" * level, "#" * (level + 1)
    out = [f"{title} Allocation of `{trace.structure_id}` over {trace.period}", ""]
    out.append(f"Parameters: `{trace.parameters_name}`.")
    if trace.eligible:
        out.append("**Eligible.**")
    else:
        out.append("**Not eligible**: the allocation is zero.")
        out.append("")
        out.extend(f"- `{r.code}`: {_cell(r.message)}" for r in trace.reasons)
    out += ["", "| line | amount |", "|---|---:|"]
    out.extend(f"| {line.label} | {format_euros(line.amount)} |" for line in trace.lines)
    out.append(f"| **Total** (fungible) | **{format_euros(trace.total)}** |")
    for number, line in enumerate(trace.lines, start=1):
        out += ["", f"{sub} {number}. {line.label}: {format_euros(line.amount)}", ""]
        out += [f"**Formula:** `{line.formula}`", "", f"> « {line.legal_basis_fr} »", ""]
        out += ["| input | value |", "|---|---|"]
        out.extend(f"| `{name}` | {_cell(value)} |" for name, value in line.inputs.items())
        out += ["", "| parameter | value | status | from | source |", "|---|---|---|---|---|"]
        out.extend(
            f"| `{used.path}` | {_cell(used.value)} | {status_label(used.status)} | "
            f"{used.effective_from} | {sources.number(used)} |"
            for used in line.parameters
        )
        out += [
            "",
            "| start | end | days paid | days in year | annual amount (€) | piece amount (€) |",
            "|---|---|---:|---:|---:|---:|",
        ]
        out.extend(
            f"| {p.start} | {p.end} | {p.days} | {p.year_days} | {_exact(p.annual_amount)} | "
            f"{_exact(p.amount)} |"
            for p in line.pieces
        )
        out += ["", rounding_sentence(line.unrounded_amount, line.amount, bold=True)]
    out.append("")
    if trace.assumptions_used:
        listed = ", ".join(f"`{path}`" for path in trace.assumptions_used)
        out += [f"**ASSUMPTIONS** (not published values) behind these amounts: {listed}.", ""]
    out += [f"*Rounding:* {trace.rounding.rule}", "", "Sources:", ""]
    out.extend(f"- {label} {_cell(source)}" for label, source in sources.listed())
    return "\n".join(out) + "\n"


def status_label(status: str) -> str:
    """A status as shown to people: ``ASSUMPTION`` stands out, ``published`` does not."""
    return "ASSUMPTION" if status == "assumption" else status


def piece_sentence(piece: ProrationPiece, changing: frozenset[str] = frozenset()) -> str:
    """One piece in words: its dates, intermediate quantities, and its prorated amount.

    The values of the parameters in ``changing`` (those that change inside the period) are
    named with the date from which they apply.
    """
    shown = [_show(name, value) for name, value in piece.details.items()]
    shown += [
        f"{path} from {effective_from}"
        for path, effective_from in piece.parameters.items()
        if path in changing
    ]
    quantities = ", ".join(shown)
    return (
        f"{piece.start}..{piece.end}: {quantities}; annual amount {_exact(piece.annual_amount)} "
        f"€ × {piece.days}/{piece.year_days} days = {_exact(piece.amount)} €"
    )


def line_sentences(line: Line) -> list[str]:
    """A line in words: one sentence per piece, then the sentence of its one rounding."""
    changing = changing_parameters(line.pieces)
    sentences = [piece_sentence(piece, changing) for piece in line.pieces]
    sentences.append(rounding_sentence(decimal_of(unrounded_amount(line.pieces)), line.amount))
    return sentences


def rounding_sentence(unrounded: Decimal, amount: Decimal, *, bold: bool = False) -> str:
    """The one rounding of a line in words (``unrounded``: the exact sum of its pieces)."""
    shown = f"**{format_euros(amount)}**" if bold else format_euros(amount)
    return f"sum of the pieces {_exact(unrounded)} €, rounded once, half up, to the cent: {shown}"


class _Sources:
    """Numbers the sources of an explanation in order of first citation."""

    def __init__(self) -> None:
        self._texts: list[str] = []

    def number(self, used: UsedParameter) -> str:
        text = str(used.source)
        if text not in self._texts:
            self._texts.append(text)
        return f"[{self._texts.index(text) + 1}]"

    def listed(self) -> list[tuple[str, str]]:
        return [(f"[{number}]", text) for number, text in enumerate(self._texts, start=1)]


def _as_trace(allocation: Allocation | Trace) -> Trace:
    return allocation if isinstance(allocation, Trace) else build_trace(allocation)


def changing_parameters(pieces: list[ProrationPiece]) -> frozenset[str]:
    """The parameters that take more than one value over ``pieces``."""
    dates: dict[str, set[date]] = {}
    for piece in pieces:
        for path, effective_from in piece.parameters.items():
            dates.setdefault(path, set()).add(effective_from)
    return frozenset(path for path, seen in dates.items() if len(seen) > 1)


def _show(name: str, value: float) -> str:
    if name.endswith("_cents"):
        euros = cents_float_to_euros(value)
        return f"{name.removesuffix('_cents')} = {_exact(euros)} €"
    return f"{name} = {value:g}"


def _exact(amount: Decimal) -> str:
    """Euros exactly, at least two decimals, no trailing zeros beyond them."""
    text = f"{amount.normalize():f}"
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def decimal_of(value: Fraction | Decimal, quantum: Decimal = _UNROUNDED_DECIMALS) -> Decimal:
    """Euros (an exact fraction or a Decimal) with ``quantum`` precision (half up)."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


__all__ = [
    "RECOMPUTE",
    "TRACE_FORMAT",
    "TRACE_VERSION",
    "Trace",
    "TraceLine",
    "TraceRounding",
    "build_trace",
    "changing_parameters",
    "decimal_of",
    "explain_json",
    "explain_markdown",
    "explain_text",
    "piece_sentence",
    "round_half_up",
    "rounding_sentence",
    "status_label",
    "unrounded_amount",
]
