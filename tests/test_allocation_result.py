"""The Allocation: fixed lines, exact total, provenance, explanation and fungibility."""

from __future__ import annotations

from decimal import Decimal

import pytest

from secpa_model import Allocation, allocate
from tests.helpers import LINE_KEYS, make_structure


@pytest.fixture
def allocation() -> Allocation:
    structure = make_structure(
        file_active_mg=3200,
        poverty_rate=0.31,
        interpreting_hours_in_person=300,
        psychologist_cost_requested=Decimal(50000),
        ars_psychology_agreement=True,
    )
    return allocate(structure, 2022)


def test_lines_in_fixed_order_and_total_is_their_sum(allocation: Allocation) -> None:
    assert (
        [line.key for line in allocation.lines]
        == [
            "participatory_activities",
            "practitioner_participation",
            "interpreting",
            "psychological_support",
        ]
        == list(LINE_KEYS)
    )
    assert allocation.total == sum(line.amount for line in allocation.lines)
    assert all(line.amount.as_tuple().exponent == -2 for line in allocation.lines)


def test_line_lookup(allocation: Allocation) -> None:
    assert allocation.line("interpreting").amount == Decimal(300 * 60)
    with pytest.raises(KeyError, match="participatory_activities"):
        allocation.line("rent")


def test_lines_carry_inputs_parameters_and_provenance(allocation: Allocation) -> None:
    line = allocation.line("participatory_activities")
    assert line.inputs == {"file_active_mg": 3200}
    statuses = {p.path: p.status for p in line.parameters}
    assert statuses["participatory_activities.cost_per_etp"] == "assumption"
    assert statuses["participatory_activities.max_file_active"] == "published"
    assert all(p.source.title for p in line.parameters)
    assert "Le nombre d'ETP est fixé" in line.legal_basis_fr


def test_assumptions_used_lists_only_assumptions_behind_non_zero_lines() -> None:
    allocation = allocate(make_structure(poverty_rate=0.10), 2022)
    # interpreting and psychology are zero, practitioner participation is 0 € below 15 %
    assert allocation.assumptions_used == [
        "participatory_activities.cost_per_etp",
        "participatory_activities.etp_schedule",
    ]


def test_explain_names_every_line_parameter_status_and_total(allocation: Allocation) -> None:
    text = allocation.explain()
    for line in allocation.lines:
        assert line.label in text
    assert "ASSUMPTION" in text
    # 4 ETP × 45 000 = 180 000; 3 200 × 40 = 128 000; 300 h × 60 = 18 000; 50 000 requested
    assert "Total: 376 000,00 €" in text


def test_check_spending_accepts_any_mix_of_human_time_up_to_the_total(
    allocation: Allocation,
) -> None:
    total = allocation.total
    plan = {"health_mediation": total - 1000, "psychologist": Decimal(1000)}
    check = allocation.check_spending(plan)
    assert check.accepted and check.within_total
    assert check.eligible_total == total and check.balance == 0


def test_check_spending_reports_ineligible_items_and_overspending(
    allocation: Allocation,
) -> None:
    plan = {
        "coordination": allocation.total + Decimal("0.01"),
        "running_costs": Decimal(5000),
        "property": "1200.50",
    }
    check = allocation.check_spending(plan)
    assert check.ineligible_items == {
        "running_costs": Decimal(5000),
        "property": Decimal("1200.50"),
    }
    assert check.balance == Decimal("-0.01")
    assert not check.within_total and not check.accepted
    with pytest.raises(ValueError, match="unknown spending categories"):
        allocation.check_spending({"rent": 10})
    with pytest.raises(ValueError, match="negative"):
        allocation.check_spending({"reception": -1})


def test_json_round_trip(allocation: Allocation) -> None:
    assert Allocation.model_validate_json(allocation.model_dump_json()) == allocation


def test_each_line_explains_its_pieces_and_its_rounding(allocation: Allocation) -> None:
    text = allocation.line("participatory_activities").explanation
    first, rounding = text.splitlines()
    # 2022 is one piece of 365 days: 4 ETP × 45 000 € = 180 000 € × 365/365
    assert first.startswith("2022-01-01..2022-12-31: ")
    assert "etp = 4" in first and "× 365/365 days = 180000.00 €" in first
    assert rounding.endswith("rounded once, half up, to the cent: 180 000,00 €")
