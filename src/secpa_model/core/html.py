"""One small HTML table for notebooks and pages: every text escaped, euros in French format.

The results of the library (an allocation, a comparison, a model comparison, a budget
projection) show as tables in Jupyter through ``_repr_html_``; each builds its table with
:func:`html_table`, so the escaping, the euro format (:func:`~secpa_model.core.money.format_euros`)
and the look are declared once. A cell is a :class:`Cell` or a plain value: text is escaped,
a :class:`~decimal.Decimal` is shown as euros, other numbers as they print, ``None`` as an
empty cell. Numbers are right-aligned. Styles are inline (a notebook keeps no stylesheet).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Final

from secpa_model.core.money import format_euros

__all__ = ["ASSUMPTION_STYLE", "Cell", "CellLike", "euros_cell", "html_table", "text_cell"]

_CELL_STYLE: Final = "border: 1px solid #ccc; padding: 0.2em 0.6em; vertical-align: top"
_NUMBER_STYLE: Final = (
    f"{_CELL_STYLE}; text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap"
)
_HEADER_STYLE: Final = f"{_CELL_STYLE}; background: #f2f2f2; text-align: left"
ASSUMPTION_STYLE: Final = "color: #a33; font-weight: bold"
"""How a word that flags an assumption stands out (e.g. ``ASSUMPTION``)."""


@dataclass(frozen=True)
class Cell:
    """A table cell: its text (escaped when written) and whether it is a number (right-
    aligned), stands out as an assumption, or is kept on one line (``nowrap``: a date)."""

    text: str
    number: bool = False
    assumption: bool = False
    nowrap: bool = False


CellLike = Cell | str | Decimal | int | float | bool | None
"""What a row may hold: a :class:`Cell` or a plain value (see :func:`html_table`)."""


def euros_cell(amount: Decimal) -> Cell:
    """An amount in euros, French format (``12 345,67 €``), right-aligned."""
    return Cell(format_euros(amount), number=True)


def text_cell(text: object, *, assumption: bool = False) -> Cell:
    """A text cell (its ``str``), standing out when ``assumption``."""
    return Cell(str(text), assumption=assumption)


def _cell(value: CellLike) -> Cell:
    if isinstance(value, Cell):
        return value
    if value is None:
        return Cell("")
    if isinstance(value, bool):
        return Cell("yes" if value else "no")
    if isinstance(value, Decimal):
        return euros_cell(value)
    if isinstance(value, int | float):
        return Cell(str(value), number=True)
    return Cell(str(value))


def _td(value: CellLike, tag: str = "td") -> str:
    cell = _cell(value)
    style = _NUMBER_STYLE if cell.number else _CELL_STYLE
    if cell.assumption:
        style = f"{style}; {ASSUMPTION_STYLE}"
    if cell.nowrap and not cell.number:
        style = f"{style}; white-space: nowrap"
    return f'<{tag} style="{style}">{escape(cell.text)}</{tag}>'


def _row(values: Sequence[CellLike], *, bold: bool = False) -> str:
    cells = "".join(_td(value) for value in values)
    return f'<tr style="font-weight: bold">{cells}</tr>' if bold else f"<tr>{cells}</tr>"


def html_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[CellLike]],
    *,
    caption: str = "",
    max_rows: int | None = None,
    footer: Sequence[Sequence[CellLike]] = (),
    notes: Sequence[str] = (),
    assumption_notes: Sequence[str] = (),
) -> str:
    """An HTML fragment: an optional caption, a table with a header row, its ``rows``, the
    ``footer`` rows in bold (e.g. the total), then ``notes`` and ``assumption_notes`` as
    paragraphs below it (the latter standing out). Every text is escaped; a
    :class:`~decimal.Decimal` cell is euros (:func:`euros_cell`). With ``max_rows``, only
    the first ``max_rows`` rows are written, followed by a row saying how many are left out.
    Raises ``ValueError`` when a row does not have one value per column.
    """
    width = len(columns)
    head = "".join(f'<th style="{_HEADER_STYLE}">{escape(str(column))}</th>' for column in columns)
    body: list[str] = []
    for number, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"row {number} has {len(row)} values for {width} columns")
        if max_rows is None or number < max_rows:
            body.append(_row(row))
    if max_rows is not None and len(rows) > max_rows:
        left_out = len(rows) - max_rows
        body.append(
            f'<tr><td colspan="{width}" style="{_CELL_STYLE}; font-style: italic">'
            f"… and {left_out} more row{'s' if left_out > 1 else ''} "
            f"(of {len(rows)}; the whole table is in the object)</td></tr>"
        )
    for row in footer:
        if len(row) != width:
            raise ValueError(f"a footer row has {len(row)} values for {width} columns")
    parts = ['<div class="secpa-model">']
    parts.append('<table style="border-collapse: collapse; margin: 0.4em 0">')
    if caption:
        parts.append(
            f'<caption style="text-align: left; font-weight: bold">{escape(caption)}</caption>'
        )
    parts.append(f"<thead><tr>{head}</tr></thead>")
    parts.append("<tbody>" + "".join(body) + "</tbody>")
    if footer:
        parts.append("<tfoot>" + "".join(_row(row, bold=True) for row in footer) + "</tfoot>")
    parts.append("</table>")
    parts += [f'<p style="{ASSUMPTION_STYLE}">{escape(note)}</p>' for note in assumption_notes]
    parts += [f"<p>{escape(note)}</p>" for note in notes]
    parts.append("</div>")
    return "".join(parts)
