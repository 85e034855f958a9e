"""Invariants of the core rules over random structures (hypothesis), reference parameters."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from secpa_model import Period, Structure, allocate, reference_parameters

PSYCHOLOGY_CAP = (
    reference_parameters().at(date(2022, 1, 1)).amount_cents("psychological_support.annual_cap")
)

euros = st.decimals(min_value=0, max_value=200000, places=2, allow_nan=False)
hours = st.floats(min_value=0, max_value=2000, allow_nan=False, allow_infinity=False)


@st.composite
def structures(draw: st.DrawFn, **fixed: Any) -> Structure:
    fields: dict[str, Any] = {
        "structure_id": "s",
        "kind": draw(st.sampled_from(["msp", "centre_de_sante"])),
        "location": draw(st.sampled_from(["in_qpv", "near_qpv", "outside_qpv"])),
        "file_active_mg": draw(st.integers(0, 12000)),
        "poverty_rate": draw(st.floats(0, 1)),
        "interpreting_hours_in_person": draw(hours),
        "interpreting_hours_phone": draw(hours),
        "psychologist_cost_requested": draw(euros),
        "segur_psychologist_funding": draw(euros),
        "ars_psychology_agreement": draw(st.booleans()),
    }
    fields.update(fixed)
    return Structure(**fields)


@st.composite
def periods(draw: st.DrawFn) -> Period:
    start = draw(st.dates(date(2021, 8, 1), date(2025, 12, 31)))
    length = draw(st.integers(0, 800))
    return Period(start, start + timedelta(days=length))


@given(structures(), periods())
def test_lines_non_negative_and_total_exact(structure: Structure, period: Period) -> None:
    allocation = allocate(structure, period)
    assert all(line.amount >= 0 for line in allocation.lines)
    assert allocation.total == sum(line.amount for line in allocation.lines)


@given(structures(), periods())
def test_psychology_never_exceeds_the_prorated_cap(structure: Structure, period: Period) -> None:
    allocation = allocate(structure, period)
    line = allocation.line("psychological_support")
    share = sum(Decimal(p.days) / p.year_days for p in line.pieces)
    cap_euros = Decimal(PSYCHOLOGY_CAP) / 100
    assert line.amount <= (cap_euros * share).quantize(Decimal("0.01")) + Decimal("0.01")


@given(structures(), st.integers(0, 12000), st.integers(0, 12000))
def test_file_active_monotone(structure: Structure, low: int, high: int) -> None:
    low, high = sorted((low, high))
    a = allocate(structure.model_copy(update={"file_active_mg": low}), 2023)
    b = allocate(structure.model_copy(update={"file_active_mg": high}), 2023)
    for key in ("participatory_activities", "practitioner_participation"):
        assert a.line(key).amount <= b.line(key).amount


@given(structures(), st.floats(0, 1), st.floats(0, 1))
def test_poverty_rate_monotone(structure: Structure, low: float, high: float) -> None:
    low, high = sorted((low, high))
    a = allocate(structure.model_copy(update={"poverty_rate": low}), 2023)
    b = allocate(structure.model_copy(update={"poverty_rate": high}), 2023)
    key = "practitioner_participation"
    assert a.line(key).amount <= b.line(key).amount


@given(structures(), st.dates(date(2021, 8, 1), date(2025, 6, 30)), st.integers(1, 180))
def test_half_the_days_gives_half_the_amount(structure: Structure, start: date, half: int) -> None:
    # a period of 2 × half days inside one calendar year; the structure enters at its middle
    start = min(start, date(start.year, 12, 31) - timedelta(days=2 * half - 1))
    start = max(start, date(2021, 8, 1))
    period = Period(start, start + timedelta(days=2 * half - 1))
    whole = allocate(structure, period)
    entered = structure.model_copy(update={"entry_date": start + timedelta(days=half)})
    halved = allocate(entered, period)
    for full_line, half_line in zip(whole.lines, halved.lines, strict=True):
        # each line is rounded once: 2 × round(x/2) and round(x) differ by at most 1 cent
        assert abs(2 * half_line.amount - full_line.amount) <= Decimal("0.01")


@given(structures(location="outside_qpv"), periods())
def test_ineligible_gets_exactly_zero(structure: Structure, period: Period) -> None:
    allocation = allocate(structure, period)
    assert not allocation.eligible
    assert "outside_qpv" in [r.code for r in allocation.reasons]
    assert allocation.total == 0 and all(line.amount == 0 for line in allocation.lines)


@given(structures(file_active_mg=400, location="outside_qpv"))
def test_every_failed_condition_is_reported(structure: Structure) -> None:
    codes = [r.code for r in allocate(structure, 2022).reasons]
    assert codes == ["outside_qpv", "file_active_below_minimum"]
