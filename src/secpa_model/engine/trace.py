"""The trace of an allocation (traçabilité du calcul) and its renderings.

A :class:`Trace` is the versioned, machine-readable record of one allocation (format
:data:`TRACE_FORMAT`, version :data:`TRACE_VERSION`); ``Allocation.trace()`` builds it.
The renderers read only a trace: :func:`render_text` (a terminal), :func:`render_markdown`
(a report) and :func:`render_json` (other tools). Each line can be recomputed by hand from
the trace alone, as its ``rounding.recompute`` says::

    amount = round_half_up(sum(annual_amount × days / year_days over the pieces), 0.01 €)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal, localcontext
from typing import Final, Literal

from pydantic import BaseModel, Field

from secpa_model.core.money import cents_float_to_euros, format_euros
from secpa_model.core.rounding import CENT_HALF_UP, Rounding
from secpa_model.core.safe_text import markdown_code, visible_controls
from secpa_model.core.safe_text import markdown_text as _cell
from secpa_model.engine.records import (
    FROZEN,
    AllocationRecord,
    LineRecord,
    ProrationPiece,
    RoundingRecord,
)

TRACE_FORMAT: Final = "secpa-model.trace"
"""The ``format`` field of every JSON trace."""

TRACE_VERSION: Final = 1
"""The ``version`` field of the JSON traces this library writes."""

_UNROUNDED_DECIMALS: Final = Decimal("1e-10")
_UNROUNDED_DIGITS: Final = 40
_COUNT_WORDS: Final = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight")


class TraceLine(LineRecord):
    """One dotation's line with everything needed to recompute it by hand."""

    amount_cents: int = Field(description="The amount in integer cents.")
    unrounded_amount: Decimal = Field(
        description="sum(annual_amount × days / year_days) over the pieces, euros, "
        "10 decimals (before the one rounding)."
    )
    rounding: RoundingRecord | None = Field(
        default=None,
        description="This line's own rounding, when its rule overrides the trace's rounding.",
    )


class _Versioned(BaseModel):
    """The first fields of a trace (a base listed last, so that its fields come first)."""

    model_config = FROZEN

    format: Literal["secpa-model.trace"] = TRACE_FORMAT
    version: Literal[1] = TRACE_VERSION


class Trace(AllocationRecord[TraceLine], _Versioned):
    """The versioned trace of one allocation: the single source of every explanation."""

    fungible: Literal[True] = Field(
        default=True, description="The total may be spent across the purposes of the lines."
    )

    def line_rounding(self, line: TraceLine) -> Rounding:
        """The rounding of ``line``: its own, or the trace's."""
        return (line.rounding or self.rounding).rounding()


def unrounded_amount(pieces: list[ProrationPiece]) -> Decimal:
    """The sum of ``annual_amount × days / year_days`` over ``pieces`` (euros), summed to 40
    significant digits and shown to 10 decimals, half up: far finer than the 8 decimals of a
    piece and the cent rounded to."""
    with localcontext() as context:
        context.prec = _UNROUNDED_DIGITS
        exact = sum(
            (piece.annual_amount * piece.days / piece.year_days for piece in pieces),
            Decimal(0),
        )
    return exact.quantize(_UNROUNDED_DECIMALS, rounding=CENT_HALF_UP.decimal_mode)


def render_json(trace: Trace, *, indent: int | None = 2) -> str:
    """The JSON trace (format :data:`TRACE_FORMAT`, version :data:`TRACE_VERSION`)."""
    return trace.model_dump_json(indent=indent)


def count_words(count: int) -> str:
    """``four`` for 4 (a number of lines, in words up to eight)."""
    return _COUNT_WORDS[count] if count < len(_COUNT_WORDS) else str(count)


def render_text(trace: Trace) -> str:
    """A plain-text explanation of every line, its pieces and parameters, and the total.

    Safe for a terminal: every control character of a text from the data or the parameters
    (an ANSI escape ``\\x1b[...``, a carriage return, a newline inside an id) is written as
    its visible escape (:func:`~secpa_model.core.safe_text.visible_controls`)."""
    sources = Citations()
    head = visible_controls(
        f"Allocation of {trace.structure_id} over {trace.period} ({trace.parameters_name})"
    )
    out = [head, "=" * len(head)]
    if trace.model_note:
        out.append(f"Model {trace.model}: {trace.model_note}")
    out.append("Eligible." if trace.eligible else "Not eligible: the allocation is zero.")
    out.extend(f"  - [{r.code}] {r.message}" for r in trace.reasons)
    for line, title, inputs, parameters in _walk(trace, sources, str, str):
        out += ["", title, f"  rule: {line.formula}", f"  « {line.legal_basis_fr} »"]
        out.append("  inputs: " + ", ".join(f"{name} = {value}" for name, value in inputs))
        out.append("  parameters:")
        out.extend("    {} = {} [{}, from {}, source {}]".format(*row) for row in parameters)
        out.append("  pieces (annual amount × days paid / days in the year):")
        changing = changing_parameters(line.pieces)
        out.extend(f"    {piece_sentence(piece, changing)}" for piece in line.pieces)
        phrase = trace.line_rounding(line).phrase
        out.append(f"  {rounding_sentence(line.unrounded_amount, line.amount, phrase)}")
    count = len(trace.lines)
    fungible = f"fungible between the {count_words(count)} lines" if count > 1 else "its one line"
    out += ["", f"Total: {format_euros(trace.total)} ({fungible})"]
    if trace.assumptions_used:
        listed = ", ".join(trace.assumptions_used)
        out.append(f"ASSUMPTIONS (not published values) behind these amounts: {listed}")
    out += [f"Rounding: {trace.rounding.rule}", "Sources:"]
    out.extend(f"  [{number}] {source}" for source, number in sources.items())
    return "\n".join(visible_controls(line) for line in out)


def render_markdown(trace: Trace, *, level: int = 2) -> str:
    """A Markdown explanation for a report: a summary table, then per line its formula,
    legal wording, inputs, parameters (status and source) and proration pieces.

    ``level`` is the heading level of the allocation's title (its lines get ``level + 1``).

    Every text from the data, the model or the parameters is inert Markdown
    (:mod:`secpa_model.core.safe_text`): ids, names and paths in a code span only when nothing
    in them can close it, else as escaped text; no raw ``<``, ``>`` or ``&`` (HTML
    entities); backticks, ``|``, brackets and ``$`` escaped; line breaks as spaces and other
    control characters as visible escapes (``\\x1b``).
    """
    sources = Citations()
    title, sub = "#" * level, "#" * (level + 1)
    named = markdown_code(trace.structure_id)
    out = [f"{title} Allocation of {named} over {trace.period}", ""]
    out.append(f"Parameters: {markdown_code(trace.parameters_name)}.")
    if trace.model_note:
        out.append(f"Model {markdown_code(trace.model)}: **{_cell(trace.model_note)}**")
    if trace.eligible:
        out.append("**Eligible.**")
    else:
        out += ["**Not eligible**: the allocation is zero.", ""]
        out.extend(f"- {markdown_code(r.code)}: {_cell(r.message)}" for r in trace.reasons)
    summary = ((_cell(line.label), format_euros(line.amount)) for line in trace.lines)
    out += ["", *_table("line | amount", "---|---:", summary)]
    fungible = " (fungible)" if len(trace.lines) > 1 else ""
    out.append(f"| **Total**{fungible} | **{format_euros(trace.total)}** |")
    for line, title, inputs, parameters in _walk(trace, sources, markdown_code, _cell):
        formula, legal = markdown_code(line.formula), _cell(line.legal_basis_fr)
        out += ["", f"{sub} {title}", "", f"**Formula:** {formula}", "", f"> « {legal} »", ""]
        out += _table("input | value", "---|---", inputs)
        out += ["", *_table(_PARAMETERS, "---|---|---|---|---", parameters), ""]
        pieces = (
            (p.start, p.end, p.days, p.year_days, _exact(p.annual_amount), _exact(p.amount))
            for p in line.pieces
        )
        out += _table(_PIECES, "---|---|---:|---:|---:|---:", pieces)
        phrase = _cell(trace.line_rounding(line).phrase)
        out += ["", rounding_sentence(line.unrounded_amount, line.amount, phrase, bold=True)]
    out.append("")
    if trace.assumptions_used:
        listed = ", ".join(markdown_code(path) for path in trace.assumptions_used)
        out += [f"**ASSUMPTIONS** (not published values) behind these amounts: {listed}.", ""]
    out += [f"*Rounding:* {_cell(trace.rounding.rule)}", "", "Sources:", ""]
    out.extend(f"- [{number}] {_cell(source)}" for source, number in sources.items())
    return "\n".join(out) + "\n"


_PARAMETERS: Final = "parameter | value | status | from | source"
_PIECES: Final = "start | end | days paid | days in year | annual amount (€) | piece amount (€)"


def _walk(
    trace: Trace, sources: Citations, code: Callable[[object], str], text: Callable[[object], str]
) -> Iterator[tuple[TraceLine, str, list[tuple[str, str]], list[tuple[object, ...]]]]:
    """Each line of ``trace`` with its title, inputs and parameters as rows of cells, names
    and paths written by ``code``, other texts by ``text`` (the parameters' sources numbered
    in ``sources``)."""
    for number, line in enumerate(trace.lines, start=1):
        title = f"{number}. {text(line.label)}: {format_euros(line.amount)}"
        inputs = [(code(name), text(value)) for name, value in line.inputs.items()]
        parameters: list[tuple[object, ...]] = [
            (
                code(used.path),
                text(used.value),
                text(status_label(used.status)),
                used.effective_from,
                f"[{sources.cite(used.source)}]",
            )
            for used in line.parameters
        ]
        yield line, title, inputs, parameters


def _table(header: str, alignment: str, rows: Iterable[Iterable[object]]) -> list[str]:
    """A Markdown table: its header, its alignment, then one line per row."""
    lines = ("| " + " | ".join(map(str, row)) + " |" for row in rows)
    return [f"| {header} |", f"|{alignment}|", *lines]


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
    quantities = ", ".join(shown) + "; " if shown else ""
    return (
        f"{piece.start}..{piece.end}: {quantities}annual amount {_exact(piece.annual_amount)} "
        f"€ × {piece.days}/{piece.year_days} days = {_exact(piece.amount)} €"
    )


def line_sentences(pieces: list[ProrationPiece], amount: Decimal, rounding: Rounding) -> list[str]:
    """A line in words: one sentence per piece, then the sentence of its one rounding."""
    changing = changing_parameters(pieces)
    sentences = [piece_sentence(piece, changing) for piece in pieces]
    sentences.append(rounding_sentence(unrounded_amount(pieces), amount, rounding.phrase))
    return sentences


def rounding_sentence(
    unrounded: Decimal, amount: Decimal, phrase: str = CENT_HALF_UP.phrase, *, bold: bool = False
) -> str:
    """The one rounding of a line in words (``unrounded``: the exact sum of its pieces;
    ``phrase``: the rounding in a few words, e.g. ``half up, to the cent``)."""
    shown = f"**{format_euros(amount)}**" if bold else format_euros(amount)
    return f"sum of the pieces {_exact(unrounded)} €, rounded once, {phrase}: {shown}"


class Citations(dict[str, int]):
    """Sources (their texts) numbered in the order of their first citation."""

    def cite(self, source: object) -> int:
        """The number of ``source``'s text, given on its first citation."""
        return self.setdefault(str(source), len(self) + 1)


def changing_parameters(pieces: list[ProrationPiece]) -> frozenset[str]:
    """The parameters that take more than one value over ``pieces``."""
    dates: dict[str, set[date]] = {}
    for piece in pieces:
        for path, effective_from in piece.parameters.items():
            dates.setdefault(path, set()).add(effective_from)
    return frozenset(path for path, seen in dates.items() if len(seen) > 1)


def _show(name: str, value: float) -> str:
    if name.endswith("_cents"):
        return f"{name.removesuffix('_cents')} = {_exact(cents_float_to_euros(value))} €"
    return f"{name} = {value:g}"


def _exact(amount: Decimal) -> str:
    """Euros exactly, at least two decimals, no trailing zeros beyond them."""
    whole, _, fraction = f"{amount.normalize():f}".partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"
