"""Worked examples of the four rules, computed by hand from the reference parameter table.

Reference values used below (docs/parameters.md): ETP schedule 1 000–1 999 → 2, 2 000–2 999
→ 3, 3 000–3 999 → 4, 4 000–4 999 → 5, 5 000+ → 6 (file active capped at 6 000); 45 000 € per
ETP; 0 / 25 / 40 / 55 € per patient from poverty 0 / 15 / 25 / 35 %, at most 6 000 patients;
interpreting 60 €/h in person, 42 €/h by phone, capped at 40 000 €; psychology capped at
66 000 €. A full calendar year is worth exactly the annual amount.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from secpa_model import allocate
from tests.helpers import make_structure

YEAR = 2022  # 365 days, fully covered by the reference parameters


def amount(structure_changes: dict[str, object], key: str) -> Decimal:
    return allocate(make_structure(**structure_changes), YEAR).line(key).amount


@pytest.mark.parametrize(
    ("file_active", "etp"),
    [
        (1000, 2),
        (1999, 2),
        (2000, 3),
        (2999, 3),
        (3000, 4),
        (4999, 5),
        (5000, 6),
        (6000, 6),
        (6001, 6),
        (25000, 6),
    ],
)
def test_participatory_activities_by_file_active_bracket(file_active: int, etp: int) -> None:
    expected = Decimal(etp * 45000)
    assert amount({"file_active_mg": file_active}, "participatory_activities") == expected


def test_below_the_minimum_file_active_everything_is_zero_and_the_reason_given() -> None:
    allocation = allocate(make_structure(file_active_mg=999), YEAR)
    assert not allocation.eligible
    assert [r.code for r in allocation.reasons] == ["file_active_below_minimum"]
    assert "999" in allocation.reasons[0].message
    assert allocation.total == Decimal(0)
    assert all(line.amount == 0 for line in allocation.lines)


@pytest.mark.parametrize(
    ("file_active", "poverty", "expected_euros"),
    [
        (2000, 0.1499, 0),  # below 15 %: 0 € per patient
        (2000, 0.15, 2000 * 25),  # 15 % is in the 25 € bracket
        (2000, 0.2499, 2000 * 25),
        (2000, 0.25, 2000 * 40),
        (2000, 0.35, 2000 * 55),
        (2000, 1.0, 2000 * 55),
        (6000, 0.35, 6000 * 55),
        (6001, 0.35, 6000 * 55),  # at most 6 000 patients counted
    ],
)
def test_practitioner_participation_by_poverty_bracket(
    file_active: int, poverty: float, expected_euros: int
) -> None:
    changes = {"file_active_mg": file_active, "poverty_rate": poverty}
    assert amount(changes, "practitioner_participation") == Decimal(expected_euros)


def test_interpreting_hours_times_rates() -> None:
    changes = {"interpreting_hours_in_person": 100, "interpreting_hours_phone": 50}
    assert amount(changes, "interpreting") == Decimal(100 * 60 + 50 * 42)  # 8 100 €


def test_interpreting_fractional_hours_exact_to_the_cent() -> None:
    changes = {"interpreting_hours_in_person": 10.25, "interpreting_hours_phone": 0.5}
    assert amount(changes, "interpreting") == Decimal("615.00") + Decimal("21.00")


def test_interpreting_is_capped() -> None:
    changes = {"interpreting_hours_in_person": 600, "interpreting_hours_phone": 100}
    # 600 × 60 + 100 × 42 = 40 200 € > 40 000 € cap
    assert amount(changes, "interpreting") == Decimal(40000)


@pytest.mark.parametrize(
    ("requested", "segur", "agreement", "expected"),
    [
        ("70000", "10000", True, Decimal(60000)),  # net of Ségur funding
        ("80000", "0", True, Decimal(66000)),  # capped at 66 000 €
        ("66000.01", "0", True, Decimal(66000)),
        ("70000", "0", False, Decimal(0)),  # no ARS agreement
        ("10000", "25000", True, Decimal(0)),  # Ségur covers more than requested
        ("12345.67", "0", True, Decimal("12345.67")),
    ],
)
def test_psychological_support(
    requested: str, segur: str, agreement: bool, expected: Decimal
) -> None:
    changes = {
        "psychologist_cost_requested": Decimal(requested),
        "segur_psychologist_funding": Decimal(segur),
        "ars_psychology_agreement": agreement,
    }
    assert amount(changes, "psychological_support") == expected


def test_a_typical_structure_in_full() -> None:
    structure = make_structure(
        file_active_mg=3200,
        poverty_rate=0.31,
        interpreting_hours_in_person=300,
        interpreting_hours_phone=200,
        psychologist_cost_requested=Decimal(70000),
        segur_psychologist_funding=Decimal(10000),
        ars_psychology_agreement=True,
    )
    allocation = allocate(structure, YEAR)
    expected = {
        "participatory_activities": Decimal(4 * 45000),
        "practitioner_participation": Decimal(3200 * 40),
        "interpreting": Decimal(300 * 60 + 200 * 42),
        "psychological_support": Decimal(70000 - 10000),
    }
    assert {line.key: line.amount for line in allocation.lines} == expected
    assert allocation.total == sum(expected.values()) == Decimal(394400)
