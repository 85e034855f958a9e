"""The one HTML table helper (core/html.py, pandas' Styler): parsed back, escaped, euros in
French format."""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd
import pytest

from secpa_model.core.html import ASSUMPTION_STYLE, cell_text, euros_of_cents, html_table

from .html_support import parse


def test_a_table_with_euros_a_total_and_notes_parses_back() -> None:
    frame = pd.DataFrame(
        [
            ["Mediation", Decimal("12345.6"), 3],
            ["Reception", Decimal("-0.004"), None],
            ["Total", Decimal("12345.60"), True],
        ],
        columns=["line", "amount", "count"],
    )
    fragment = html_table(
        frame,
        caption="One structure",
        total=True,
        notes=["a note"],
        assumption_notes=["ASSUMPTION: x"],
    )
    parsed = parse(fragment)
    assert "12 345,60 €" in parsed.texts
    assert "0,00 €" in parsed.texts  # no "-0,00 €"
    assert parsed.texts[:5] == ["One structure", "line", "amount", "count", "Mediation"]
    assert "3" in parsed.texts and "yes" in parsed.texts
    assert parsed.tags.count("tr") == 4  # header, two rows, the total
    assert "caption" in parsed.tags
    assert re.search(r"tbody tr:last-child \{\s*font-weight: bold;", fragment)  # the total
    assert parsed.texts[-2:] == ["ASSUMPTION: x", "a note"]


def test_every_text_is_escaped() -> None:
    hostile = '<script>alert("x")</script>&amp;'
    frame = pd.DataFrame({"text": [hostile] * 3, "shown": [1, 2, 3]})
    fragment = html_table(
        frame,
        [hostile, hostile],
        caption=hostile,
        formats={"shown": lambda value: hostile},
        stand_out={"text": [False, True, False]},
        total=True,
        notes=[hostile],
        assumption_notes=[hostile],
    )
    assert "<script>" not in fragment
    parsed = parse(fragment)
    assert "script" not in parsed.tags
    # caption, 2 headers, 3 rows (one standing out, the last the total) of 2 cells, 2 notes
    assert parsed.texts.count(hostile) == 11


def test_max_rows_says_what_is_left_out() -> None:
    frame = pd.DataFrame({"id": [f"s{i}" for i in range(5)], "total": list(range(5))})
    parsed = parse(html_table(frame, max_rows=2))
    assert "s1" in parsed.texts and "s2" not in parsed.texts
    assert any("3 more rows (of 5" in text for text in parsed.texts)
    assert "s4" in parse(html_table(frame, max_rows=5)).texts


def test_headers_of_the_wrong_count_are_refused() -> None:
    with pytest.raises(ValueError, match="1 headers for 2 columns"):
        html_table(pd.DataFrame({"a": ["x"], "b": ["y"]}), ["A"])


def test_euros_are_right_aligned_numbers() -> None:
    assert cell_text(Decimal("1000")) == euros_of_cents(100_000) == "1 000,00 €"
    fragment = html_table(pd.DataFrame({"a": [Decimal("1000")]}))
    assert "1 000,00 €" in parse(fragment).texts
    assert "text-align: right" in fragment
    assert "text-align: right" not in html_table(pd.DataFrame({"a": ["text"]}))


def test_a_nowrap_column_stays_on_one_line() -> None:
    frame = pd.DataFrame({"a": ["2022-01-01 to 2022-12-31"]})
    assert "white-space: nowrap" in html_table(frame, nowrap=["a"])
    assert "white-space" not in html_table(frame)


def test_a_flagged_cell_stands_out() -> None:
    frame = pd.DataFrame({"a": ["ASSUMPTION: x", "published"]})
    flagged = html_table(frame, stand_out={"a": [True, False]})
    rules = re.findall(r"(#T_\w+) \{\s*([^}]*)\}", flagged)
    standing = [cells for cells, props in rules if "color: #a33" in props]
    assert standing and standing[0].endswith("_row0_col0")  # the first row only
    assert ASSUMPTION_STYLE.split(";")[0] not in html_table(frame)
