"""One trace, three explanations; every line can be recomputed by hand from the JSON alone."""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secpa_model import (
    TRACE_FORMAT,
    TRACE_VERSION,
    Allocation,
    Parameters,
    Period,
    Structure,
    Trace,
    allocate,
    build_trace,
    explain_json,
    explain_markdown,
    explain_text,
)
from secpa_model.engine.trace import Citations
from tests.helpers import parameters_with
from tests.profiles import examples

# A test parameter file: the reference set plus dated changes on 1 July 2022 (test values,
# not real ones): the cost of an ETP rises from 45 000 € to 54 750 €, and the in-person
# interpreting rate from 60 € to 66 €.
CHANGE_ON_1_JULY = """
[[participatory_activities.cost_per_etp.values]]
effective_from = 2022-07-01
value = 54750
status = "assumption"
rationale = "Test value: a change on 1 July 2022."
source = { title = "secpa-model tests", reference = "tests/test_explain_trace.py" }

[[interpreting.hourly_rate_in_person.values]]
effective_from = 2022-07-01
value = 66
status = "assumption"
rationale = "Test value: a change on 1 July 2022."
source = { title = "secpa-model tests", reference = "tests/test_explain_trace.py" }
"""
CHANGE_DAY = date(2022, 7, 1)


@pytest.fixture(scope="module")
def changed() -> Parameters:
    return parameters_with(CHANGE_ON_1_JULY, "change_1_july.toml")


def make(**changes: Any) -> Structure:
    fields: dict[str, Any] = {
        "structure_id": "trace-test",
        "kind": "centre_de_sante",
        "location": "in_qpv",
        "file_active_mg": 3200,
        "poverty_rate": 0.31,
        "interpreting_hours_in_person": 300,
        "interpreting_hours_phone": 200,
        "psychologist_cost_requested": Decimal("70000"),
        "segur_psychologist_funding": Decimal("10000"),
        "ars_psychology_agreement": True,
    }
    fields.update(changes)
    return Structure(**fields)


CASES: list[tuple[str, Structure, Period]] = [
    ("full year", make(), Period.year(2022)),
    ("mid-year entry", make(entry_date=date(2022, 3, 1)), Period.year(2022)),
    ("exit before the end", make(exit_date=date(2022, 9, 14)), Period.year(2022)),
    (
        "across 1 January and a leap year",
        make(file_active_mg=7400, poverty_rate=0.42, interpreting_hours_in_person=800),
        Period(date(2023, 10, 1), date(2024, 3, 31)),
    ),
    (
        "ineligible",
        make(location="outside_qpv", file_active_mg=800),
        Period(date(2022, 2, 1), date(2022, 8, 31)),
    ),
    (
        "odd hours",
        make(interpreting_hours_in_person=12.3, interpreting_hours_phone=7.7),
        Period(date(2021, 8, 1), date(2022, 2, 13)),
    ),
]


def euros_half_up(amount: Fraction) -> Decimal:
    """Exact euros rounded half up to the cent, by hand."""
    exact = Decimal(amount.numerator) / Decimal(amount.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def recompute_from_json(trace: dict[str, Any]) -> dict[str, Decimal]:
    """A reader's recomputation: only the JSON, the standard library and the stated rule."""
    assert trace["rounding"]["mode"] == "half_up"
    unit = Decimal(trace["rounding"]["unit"])
    amounts = {}
    for line in trace["lines"]:
        exact = sum(
            (
                Fraction(Decimal(piece["annual_amount"])) * piece["days"] / piece["year_days"]
                for piece in line["pieces"]
            ),
            Fraction(0),
        )
        euros = Decimal(exact.numerator) / Decimal(exact.denominator)
        amounts[line["key"]] = euros.quantize(unit, rounding=ROUND_HALF_UP)
    return amounts


def check_recomputable(allocation: Allocation) -> dict[str, Any]:
    trace = json.loads(explain_json(allocation))
    assert (
        (trace["format"], trace["version"])
        == (TRACE_FORMAT, TRACE_VERSION)
        == (
            "secpa-model.trace",
            1,
        )
    )
    recomputed = recompute_from_json(trace)
    for line in trace["lines"]:
        assert recomputed[line["key"]] == Decimal(line["amount"]), line["key"]
        assert line["amount_cents"] == int(Decimal(line["amount"]) * 100)
        # the pieces tile the structure's days in the period, each inside one calendar year
        for piece in line["pieces"]:
            start, end = date.fromisoformat(piece["start"]), date.fromisoformat(piece["end"])
            assert start.year == end.year
            assert piece["year_days"] == (366 if start.year % 4 == 0 else 365)
            assert piece["days"] in (0, (end - start).days + 1)
            # every parameter a piece read is cited with its value, status and source
            cited = {(p["path"], p["effective_from"]) for p in line["parameters"]}
            for path, effective_from in piece["parameters"].items():
                assert (path, effective_from) in cited
        for used in line["parameters"]:
            assert used["status"] in ("published", "assumption", "scenario")
            assert used["source"]["title"] and (
                used["source"]["reference"] or used["source"]["url"]
            )
            assert used["value"] and used["unit"] and used["raw"] is not None
        assert line["formula"] and line["legal_basis_fr"] and line["inputs"]
    total = sum((Decimal(line["amount"]) for line in trace["lines"]), Decimal(0))
    assert Decimal(trace["total"]) == total == allocation.total
    return trace


@pytest.mark.parametrize(("name", "structure", "period"), CASES, ids=[c[0] for c in CASES])
def test_every_line_recomputes_from_the_json_trace_alone(
    name: str, structure: Structure, period: Period, changed: Parameters
) -> None:
    for parameters in (None, changed):
        check_recomputable(allocate(structure, period, parameters))


def test_a_period_crossing_a_parameter_change_has_one_piece_per_value(
    changed: Parameters,
) -> None:
    allocation = allocate(make(), Period.year(2022), changed)
    trace = check_recomputable(allocation)
    line = next(line for line in trace["lines"] if line["key"] == "participatory_activities")
    # 1 January .. 30 June: 181 days at 4 ETP × 45 000 € = 180 000 € a year;
    # 1 July .. 31 December: 184 days at 4 ETP × 54 750 € = 219 000 € a year.
    assert [(p["start"], p["end"], p["days"], p["year_days"]) for p in line["pieces"]] == [
        ("2022-01-01", "2022-06-30", 181, 365),
        ("2022-07-01", "2022-12-31", 184, 365),
    ]
    assert [Decimal(p["annual_amount"]) for p in line["pieces"]] == [180000, 219000]
    assert [p["parameters"]["participatory_activities.cost_per_etp"] for p in line["pieces"]] == [
        "2021-08-01",
        "2022-07-01",
    ]
    by_hand = Fraction(180000 * 181 + 219000 * 184, 365)  # = 72 876 000 / 365 = 199 660.2739…
    assert Decimal(line["amount"]) == euros_half_up(by_hand) == Decimal("199660.27")
    costs = [p for p in line["parameters"] if p["path"].endswith("cost_per_etp")]
    assert [(p["raw"], p["effective_from"]) for p in costs] == [
        ("45000", "2021-08-01"),
        ("54750", "2022-07-01"),
    ]
    # interpreting: 300 h × 60 € + 200 h × 42 € = 26 400 € a year until 30 June,
    # then 300 h × 66 € + 200 h × 42 € = 28 200 € a year:
    # (26 400 × 181 + 28 200 × 184) / 365 = 9 967 200 / 365 = 27 307.397… → 27 307.40 €
    interpreting = Fraction(26400 * 181 + 28200 * 184, 365)
    assert allocation.line("interpreting").amount == euros_half_up(interpreting)
    assert euros_half_up(interpreting) == Decimal("27307.40")
    # the lines that read no changed parameter have the same value all year
    assert allocation.line("psychological_support").amount == Decimal("60000.00")


def test_a_mid_year_entry_is_one_piece_from_the_entry_date() -> None:
    allocation = allocate(make(entry_date=date(2022, 3, 1)), Period.year(2022))
    line = allocation.line("practitioner_participation")
    assert [(p.start, p.end, p.days) for p in line.pieces] == [
        (date(2022, 3, 1), date(2022, 12, 31), 306)
    ]
    # 3 200 patients × 40 € = 128 000 € a year; × 306 / 365 = 107 309.589… → 107 309.59 €
    assert line.amount == euros_half_up(Fraction(3200 * 40 * 306, 365)) == Decimal("107309.59")


def test_text_explanation_is_the_allocations_and_shows_pieces_and_sources(
    changed: Parameters,
) -> None:
    allocation = allocate(make(), Period.year(2022), changed)
    text = allocation.explain()
    assert text == explain_text(allocation) == explain_text(build_trace(allocation))
    for line in allocation.lines:
        assert f"{line.label}: " in text
        for piece in line.pieces:
            assert f"{piece.start}..{piece.end}:" in text
    assert "participatory_activities.cost_per_etp from 2022-07-01" in text
    assert "annual amount 219000.00 € × 184/365 days" in text
    assert "rounded once, half up, to the cent: 199 660,27 €" in text
    assert "ASSUMPTION" in text and "secpa-model tests (tests/test_explain_trace.py)" in text
    # 199 660.27 + 3 200 × 40 + 27 307.40 + 60 000 = 414 967.67
    assert "Total: 414 967,67 €" in text


def test_markdown_has_a_section_and_tables_per_line(changed: Parameters) -> None:
    allocation = allocate(make(entry_date=date(2022, 3, 1)), Period.year(2022), changed)
    markdown = explain_markdown(allocation)
    assert markdown.startswith("## Allocation of `trace-test` over 2022-01-01..2022-12-31")
    for number, line in enumerate(allocation.lines, start=1):
        heading = f"### {number}. {line.label}: "
        assert heading in markdown
        section = markdown.split(heading, 1)[1].split("\n### ", 1)[0]
        rows = [row for row in section.splitlines() if row.startswith("| 2022-")]
        assert len(rows) == len(line.pieces)
        for used in line.parameters:
            status = "ASSUMPTION" if used.status == "assumption" else used.status
            assert f"| `{used.path}` | {used.value} | {status} | {used.effective_from} |" in (
                section
            )
    # the piece rows: 1 March to 30 June (122 days), then 1 July to 31 December (184 days)
    assert "| 2022-03-01 | 2022-06-30 | 122 | 365 | 180000.00 |" in markdown
    assert "| 2022-07-01 | 2022-12-31 | 184 | 365 | 219000.00 |" in markdown
    assert "**ASSUMPTIONS**" in markdown and "Sources:" in markdown


def test_ineligible_explanations_give_every_reason() -> None:
    allocation = allocate(make(location="outside_qpv", file_active_mg=800), 2022)
    for text in (allocation.explain(), explain_markdown(allocation)):
        assert "outside_qpv" in text and "file_active_below_minimum" in text
    trace = json.loads(explain_json(allocation))
    assert trace["eligible"] is False and Decimal(trace["total"]) == 0
    assert {r["code"] for r in trace["reasons"]} == {"outside_qpv", "file_active_below_minimum"}


def test_trace_and_allocation_round_trip_through_json(changed: Parameters) -> None:
    for _, structure, period in CASES:
        allocation = allocate(structure, period, changed)
        assert Allocation.model_validate_json(allocation.model_dump_json()) == allocation
        trace = build_trace(allocation)
        assert Trace.model_validate_json(explain_json(trace)) == trace


hours = st.floats(min_value=0, max_value=2000, allow_nan=False).map(lambda h: round(h, 2))
days = st.dates(min_value=date(2021, 8, 1), max_value=date(2026, 12, 31))


@settings(max_examples=examples(50), deadline=None)
@given(
    file_active=st.integers(min_value=0, max_value=9000),
    poverty=st.floats(min_value=0, max_value=1).map(lambda r: round(r, 4)),
    in_person=hours,
    phone=hours,
    requested=st.integers(min_value=0, max_value=120_000_00).map(lambda c: Decimal(c) / 100),
    agreement=st.booleans(),
    first=days,
    second=days,
    entry=st.none() | days,
)
def test_any_allocation_recomputes_from_its_trace(
    file_active: int,
    poverty: float,
    in_person: float,
    phone: float,
    requested: Decimal,
    agreement: bool,
    first: date,
    second: date,
    entry: date | None,
) -> None:
    structure = make(
        file_active_mg=file_active,
        poverty_rate=poverty,
        interpreting_hours_in_person=in_person,
        interpreting_hours_phone=phone,
        psychologist_cost_requested=requested,
        segur_psychologist_funding=Decimal(0),
        ars_psychology_agreement=agreement,
        entry_date=entry,
    )
    period = Period(min(first, second), max(first, second))
    check_recomputable(allocate(structure, period))


def test_citations_number_sources_in_the_order_of_their_first_citation() -> None:
    sources = Citations()
    assert [sources.cite(source) for source in ("b", "a", "b", 3)] == [1, 2, 1, 3]
    assert dict(sources) == {"b": 1, "a": 2, "3": 3}
