"""Plain-text tables of the command line: columns padded to their widest cell.

Every cell is safe for a terminal: its control characters (an ANSI escape ``\\x1b[31m``, a
carriage return, a newline) are written as visible escapes
(:func:`~secpa_model.core.safe_text.visible_controls`), so that a text from the data can
neither colour, move the cursor nor break a row.
"""

from __future__ import annotations

from collections.abc import Sequence

from secpa_model.core.money import format_euros
from secpa_model.core.safe_text import visible_controls
from secpa_model.engine.allocation import Allocation
from secpa_model.engine.records import UsedParameter
from secpa_model.engine.trace import status_label


def format_rows(rows: Sequence[Sequence[str]], aligns: str) -> tuple[list[str], list[int]]:
    """Each row as a line, its cells two spaces apart, and the columns' widths.

    ``aligns`` has one character per column: ``<`` pads the cells on the right (left-aligned),
    ``>`` on the left (right-aligned). A left-aligned last column is not padded. Control
    characters are written as their escapes (``\\x1b``) before the widths are measured.
    """
    rows = [[visible_controls(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(aligns))]

    def line(row: Sequence[str]) -> str:
        cells = [
            cell.rjust(width) if align == ">" else cell.ljust(width)
            for cell, width, align in zip(row, widths, aligns, strict=True)
        ]
        if aligns[-1] == "<":
            cells[-1] = row[-1]
        return "  ".join(cells)

    lines = [line(row) for row in rows]
    return lines, widths


def text_table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain-text table, the first column left-aligned, the others right-aligned."""
    lines, widths = format_rows([headers, *rows], "<" + ">" * (len(headers) - 1))
    lines = [line.rstrip() for line in lines]
    lines.insert(1, "-" * (sum(widths) + 2 * len(widths) - 2))
    return "\n".join(lines)


def allocation_table(allocations: Sequence[Allocation]) -> str:
    """A plain-text table: one row per structure, its lines, the total, eligibility (the
    lines of the first allocation's model)."""
    keys = allocations[0].line_keys if allocations else ()
    headers = ["structure", *keys, "total", "eligible"]
    rows = [
        [
            a.structure_id,
            *(format_euros(a.line(key).amount) for key in keys),
            format_euros(a.total),
            "yes" if a.eligible else "no: " + ", ".join(r.code for r in a.reasons),
        ]
        for a in allocations
    ]
    lines, widths = format_rows([headers, *rows], "<" + ">" * (len(headers) - 2) + "<")
    lines.insert(1, "-" * sum(w + 2 for w in widths))
    return "\n".join(lines)


def line_table(allocation: Allocation) -> str:
    """One structure's allocation as a plain-text table: a row per line, then the total."""
    rows = [(line.key, format_euros(line.amount)) for line in allocation.lines]
    total = "total (fungible)" if len(allocation.lines) > 1 else "total"
    rows.append((total, format_euros(allocation.total)))
    lines, widths = format_rows([("line", "amount"), *rows], "<>")
    rule = "-" * (sum(widths) + 2)
    return "\n".join([lines[0], rule, *lines[1:-1], rule, lines[-1]])


def parameter_table(values: Sequence[UsedParameter], ranges: Sequence[str] | None = None) -> str:
    """The parameters as a plain-text table (path, status, date, source, [range,] value with
    unit), the sources listed below it by number. ``ranges``: one cell per value (the
    plausible range of an assumption, ``""`` for none) adds a ``range`` column."""
    sources: list[str] = []
    rows = []
    for index, value in enumerate(values):
        source = str(value.source)
        if source not in sources:
            sources.append(source)
        number = f"[{sources.index(source) + 1}]"
        row = (value.path, status_label(value.status), str(value.effective_from), number)
        extra = () if ranges is None else (ranges[index] or "-",)
        rows.append((*row, *extra, value.value))
    headers = ("parameter", "status", "from", "source", *(() if ranges is None else ("range",)))
    headers = (*headers, "value")
    lines, widths = format_rows([headers, *rows], "<" * len(headers))
    lines.insert(1, "-" * (sum(widths[:-1]) + 2 * (len(headers) - 1) + len(headers[-1])))
    lines.append("")
    lines.extend(
        f"[{number}] {visible_controls(source)}" for number, source in enumerate(sources, start=1)
    )
    return "\n".join(lines)
