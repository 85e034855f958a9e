"""The one HTML table helper (core/html.py): parsed back, escaped, euros in French format."""

from __future__ import annotations

from decimal import Decimal

import pytest

from secpa_model.core.html import Cell, euros_cell, html_table, text_cell

from .html_support import parse


def test_a_table_with_euros_a_footer_and_notes_parses_back() -> None:
    fragment = html_table(
        ["line", "amount", "count"],
        [["Mediation", Decimal("12345.6"), 3], ["Reception", Decimal("-0.004"), None]],
        caption="One structure",
        footer=[["Total", Decimal("12345.60"), True]],
        notes=["a note"],
        assumption_notes=["ASSUMPTION: x"],
    )
    parsed = parse(fragment)
    assert "12 345,60 €" in parsed.texts
    assert "0,00 €" in parsed.texts  # no "-0,00 €"
    assert parsed.texts[:5] == ["One structure", "line", "amount", "count", "Mediation"]
    assert "3" in parsed.texts and "yes" in parsed.texts
    assert parsed.tags.count("tr") == 4  # header, two rows, the total
    assert "tfoot" in parsed.tags and "caption" in parsed.tags
    assert parsed.texts[-2:] == ["ASSUMPTION: x", "a note"]


def test_every_text_is_escaped() -> None:
    hostile = '<script>alert("x")</script>&amp;'
    fragment = html_table(
        [hostile],
        [[hostile], [text_cell(hostile, assumption=True)], [Cell(hostile, number=True)]],
        caption=hostile,
        footer=[[hostile]],
        notes=[hostile],
        assumption_notes=[hostile],
    )
    assert "<script>" not in fragment
    parsed = parse(fragment)
    assert "script" not in parsed.tags
    assert parsed.texts.count(hostile) == 8  # caption, header, 3 rows, footer, 2 notes


def test_max_rows_says_what_is_left_out() -> None:
    rows = [[f"s{i}", Decimal(i)] for i in range(5)]
    parsed = parse(html_table(["id", "total"], rows, max_rows=2))
    assert "s1" in parsed.texts and "s2" not in parsed.texts
    assert any("3 more rows (of 5" in text for text in parsed.texts)
    assert "s4" in parse(html_table(["id", "total"], rows, max_rows=5)).texts


def test_a_row_of_the_wrong_width_is_refused() -> None:
    with pytest.raises(ValueError, match="row 1 has 1 values for 2 columns"):
        html_table(["a", "b"], [["x", "y"], ["z"]])
    with pytest.raises(ValueError, match="footer row has 3 values"):
        html_table(["a", "b"], [], footer=[["x", "y", "z"]])


def test_euros_cell_is_a_right_aligned_number() -> None:
    cell = euros_cell(Decimal("1000"))
    assert cell == Cell("1 000,00 €", number=True)
    assert "text-align: right" in html_table(["a"], [[cell]])


def test_a_nowrap_cell_stays_on_one_line() -> None:
    assert "white-space: nowrap" in html_table(["a"], [[Cell("2022-01-01", nowrap=True)]])
    assert "white-space" not in html_table(["a"], [[Cell("2022-01-01")]])
