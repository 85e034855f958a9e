"""Notebook tables drawn by pandas' Styler: every text escaped, euros in French format.

The results of the library (an allocation, a comparison, a model comparison, a budget
projection) show as tables in Jupyter through ``_repr_html_``; each gives :func:`html_table`
a DataFrame of what it shows, so the escaping, the euro format
(:func:`~secpa_model.core.money.format_euros`) and the look are declared once. A cell shows
as :func:`cell_text` (a :class:`~decimal.Decimal` as euros), or by its column's format;
numbers are right-aligned. The styles are a ``<style>`` block scoped to the table's id.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from functools import partial
from numbers import Number
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from secpa_model.core.money import cents_to_euros, format_euros

# html.escape, bidirectional controls made visible: no text shown reversed
from secpa_model.core.safe_text import html_escape as escape

if TYPE_CHECKING:  # pragma: no cover - typing only
    from pandas.io.formats.style_render import CSSDict

__all__ = ["ASSUMPTION_STYLE", "Format", "cell_text", "euros_of_cents", "html_table"]

ASSUMPTION_STYLE: Final = "color: #a33; font-weight: bold"
"""How a text that flags an assumption stands out (e.g. ``ASSUMPTION``)."""
_NUMBER_STYLE: Final = "text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap"
_CELL_STYLE: Final = "border: 1px solid #ccc; padding: 0.2em 0.6em; vertical-align: top"
_TABLE_STYLES: Final[list[CSSDict]] = [
    {"selector": "", "props": "border-collapse: collapse; margin: 0.4em 0"},
    {"selector": "th, td", "props": _CELL_STYLE},
    {"selector": "th", "props": "background: #f2f2f2; text-align: left"},
    {"selector": "caption", "props": "text-align: left; font-weight: bold"},
]
_LAST_ROW_BOLD: Final[CSSDict] = {"selector": "tbody tr:last-child", "props": "font-weight: bold"}

Format = Callable[[Any], str]
"""How a column's values show (the text is escaped after)."""


def cell_text(value: object) -> str:
    """A value as a cell shows it: a :class:`~decimal.Decimal` as euros (``12 345,67 €``),
    ``None`` and NaN empty, a boolean as ``yes`` or ``no``, anything else as it prints."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return format_euros(value) if isinstance(value, Decimal) else str(value)


def euros_of_cents(cents: Any) -> str:
    """Integer cents as euros, French format (a :data:`Format` of a column of cents)."""
    return format_euros(cents_to_euros(int(cents)))


def html_table(
    frame: pd.DataFrame,
    headers: Sequence[str] | None = None,
    *,
    caption: str = "",
    formats: Mapping[str, Format] | None = None,
    nowrap: Sequence[str] = (),
    stand_out: Mapping[str, Sequence[bool]] | None = None,
    total: bool = False,
    max_rows: int | None = None,
    notes: Sequence[str] = (),
    assumption_notes: Sequence[str] = (),
) -> str:
    """An HTML fragment: ``frame`` as a table (without its index) under ``caption``, its
    columns headed by ``headers`` (default: the column names), then ``assumption_notes``
    (standing out) and ``notes`` as paragraphs. ``formats`` shows the columns it names
    (e.g. :func:`euros_of_cents`); ``nowrap`` keeps their cells on one line (a date);
    ``stand_out`` flags, per column, the rows whose cell stands out as an assumption;
    ``total``: the last row is a total, in bold. With ``max_rows``, only the first rows are
    shown, followed by a sentence saying how many are left out. Every text is escaped.
    Raises ``ValueError`` when ``headers`` does not have one name per column.
    """
    if headers is not None and len(headers) != len(frame.columns):
        raise ValueError(f"{len(headers)} headers for {len(frame.columns)} columns")
    shown = frame if max_rows is None else frame.head(max_rows)
    styler = shown.style.hide(axis="index").format(partial(_escaped, cell_text))
    for column, show in (formats or {}).items():
        styler.format(partial(_escaped, show), subset=[column])
    styler.relabel_index([escape(str(name)) for name in headers or frame.columns], axis=1)
    styler.set_table_styles([*_TABLE_STYLES, _LAST_ROW_BOLD] if total else _TABLE_STYLES)
    styler.map(lambda value: _NUMBER_STYLE if _is_number(value) else "")
    styler.set_properties(subset=list(nowrap), **{"white-space": "nowrap"})
    for column, flags in (stand_out or {}).items():
        styles = [ASSUMPTION_STYLE if flag else "" for flag in flags[: len(shown)]]
        styler.apply(lambda _, styles=styles: styles, subset=[column])
    parts = [styler.set_caption(escape(caption)).to_html()]
    if len(shown) < len(frame):
        left_out = len(frame) - len(shown)
        parts.append(
            f'<p style="font-style: italic">… and {left_out} more row{"s" * (left_out > 1)} '
            f"(of {len(frame)}; the whole table is in the object)</p>"
        )
    parts += [f'<p style="{ASSUMPTION_STYLE}">{escape(note)}</p>' for note in assumption_notes]
    parts += [f"<p>{escape(note)}</p>" for note in notes]
    return '<div class="secpa-model">' + "".join(parts) + "</div>"


def _escaped(show: Format, value: Any) -> str:
    return escape(show(value))


def _is_number(value: object) -> bool:
    return isinstance(value, Number) and not isinstance(value, bool)
