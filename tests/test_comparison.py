"""compare, sweep and sweep_grid: hand-computed differences, totals, bad frames."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import secpa_model
from secpa_model import (
    Comparison,
    InputError,
    ParameterError,
    Scenario,
    compare,
    reference_parameters,
    sweep,
    sweep_grid,
)
from secpa_model.analysis.comparison import ALL_STRUCTURES_LABEL
from tests.profiles import examples

COST = "participatory_activities.cost_per_etp"
LINES = (
    "participatory_activities",
    "practitioner_participation",
    "interpreting",
    "psychological_support",
)


def portfolio() -> pd.DataFrame:
    """Two centres in a QPV over a whole year; ETP (reference schedule): 4 and 2."""
    return pd.DataFrame(
        {
            "structure_id": ["a", "b"],
            "kind": ["centre_de_sante", "msp"],
            "location": ["in_qpv", "near_qpv"],
            "file_active_mg": [3100, 1500],
            "poverty_rate": [0.30, 0.40],
            "interpreting_hours_in_person": [100, 0],
            "psychologist_cost_requested": [30000, 0],
            "ars_psychology_agreement": [True, False],
        }
    )


def test_compare_cost_override_moves_only_the_participatory_line() -> None:
    result = compare(portfolio(), 2024, reference_parameters(), Scenario("ETP 50k", {COST: 50000}))
    assert isinstance(result, Comparison)
    detail = result.detail
    scenario = detail[detail["scenario"] == "ETP 50k"]
    changed = scenario[scenario["difference_cents"] != 0]
    # structure a: 4 ETP × 5 000 € = 20 000 €; b: 2 ETP × 5 000 € = 10 000 €; the line and
    # the total move, nothing else
    per_row = {(row.structure_id, row.line): row.difference_cents for row in changed.itertuples()}
    assert per_row == {
        ("a", "participatory_activities"): 2_000_000,
        ("a", "total"): 2_000_000,
        ("b", "participatory_activities"): 1_000_000,
        ("b", "total"): 1_000_000,
        (ALL_STRUCTURES_LABEL, "participatory_activities"): 3_000_000,
        (ALL_STRUCTURES_LABEL, "total"): 3_000_000,
    }
    assert set(changed["difference_eur"]) == {
        Decimal("20000.00"),
        Decimal("10000.00"),
        Decimal("30000.00"),
    }


def test_compare_amounts_are_hand_computed() -> None:
    result = compare(portfolio(), 2024, reference_parameters())
    detail = result.detail.set_index(["structure_id", "line"])
    # a: 4 × 45 000 = 180 000; 3 100 × 40 = 124 000; 100 h × 60 = 6 000; min(66 000, 30 000)
    assert detail.loc[("a", "participatory_activities"), "amount_cents"] == 18_000_000
    assert detail.loc[("a", "practitioner_participation"), "amount_cents"] == 12_400_000
    assert detail.loc[("a", "interpreting"), "amount_cents"] == 600_000
    assert detail.loc[("a", "psychological_support"), "amount_cents"] == 3_000_000
    assert detail.loc[("a", "total"), "amount_eur"] == Decimal("340000.00")
    # b: 2 × 45 000 = 90 000; 1 500 × 55 = 82 500; no interpreting; no ARS agreement
    assert detail.loc[("b", "total"), "amount_cents"] == 17_250_000
    assert detail.loc[(ALL_STRUCTURES_LABEL, "total"), "amount_cents"] == 34_000_000 + 17_250_000
    assert (result.detail["difference_cents"] == 0).all()


def test_compare_summary_one_row_per_scenario_baseline_first() -> None:
    scenarios = (
        Scenario("ETP 50k", {COST: 50000}),
        Scenario("no psy", {"psychological_support.annual_cap": 0}),
    )
    result = compare(portfolio(), 2024, reference_parameters(), *scenarios)
    summary = result.summary.set_index("scenario")
    assert list(summary.index) == ["reference", "ETP 50k", "no psy"]
    base_total = 34_000_000 + 17_250_000
    assert summary.loc["reference", "total_cents"] == base_total
    assert summary.loc["ETP 50k", "difference_cents"] == 3_000_000
    assert summary.loc["no psy", "difference_cents"] == -3_000_000  # a's 30 000 € only
    assert summary.loc["no psy", "difference_pct"] == pytest.approx(-100 * 3_000_000 / base_total)
    assert summary.loc["ETP 50k", "structures_changed"] == 2
    assert summary.loc["no psy", "structures_changed"] == 1
    assert summary.loc["ETP 50k", "total_eur"] == Decimal("542500.00")
    # each scenario's lines sum to its total, in the summary and in the detail
    line_sum = sum(summary[f"{key}_cents"] for key in LINES)
    assert (line_sum == summary["total_cents"]).all()
    assert set(result.parameters) == {"reference", "ETP 50k", "no psy"}


def test_baseline_may_be_a_scenario_and_names_must_differ() -> None:
    dear = Scenario("ETP 50k", {COST: 50000})
    cheap = Scenario("ETP 40k", {COST: 40000})
    result = compare(portfolio(), 2024, dear, cheap)
    # (4 + 2) ETP × (40 000 − 50 000) €
    assert result.summary.set_index("scenario").loc["ETP 40k", "difference_cents"] == -6_000_000
    with pytest.raises(ValueError, match="repeated: ETP 50k"):
        compare(portfolio(), 2024, dear, Scenario("ETP 50k", {COST: 1}))


def test_compare_invalid_frame_raises_or_reports_like_allocate_frame() -> None:
    frame = portfolio()
    frame.loc[1, "poverty_rate"] = 40  # a percentage
    with pytest.raises(InputError, match="poverty_rate"):
        compare(frame, 2024, reference_parameters(), Scenario("x", {COST: 50000}))
    valid = secpa_model.portfolio(frame).valid()
    result = compare(valid, 2024, reference_parameters(), Scenario("x", {COST: 50000}))
    assert list(result.errors["row"]) == [1]
    assert list(result.errors["field"]) == ["poverty_rate"]
    assert set(result.detail["structure_id"]) == {"a", ALL_STRUCTURES_LABEL}
    assert result.summary.set_index("scenario").loc["x", "difference_cents"] == 2_000_000


@settings(max_examples=examples(30), deadline=None)
@given(cost=st.integers(min_value=0, max_value=200_000))
def test_cost_override_difference_is_etp_times_delta(cost: int) -> None:
    result = compare(portfolio(), 2024, reference_parameters(), Scenario("c", {COST: cost}))
    totals = result.summary.set_index("scenario")
    # whole year, no proration: (4 + 2) ETP × (cost − 45 000) €, in cents
    assert totals.loc["c", "difference_cents"] == 6 * (cost - 45000) * 100
    assert (
        totals.loc["c", "practitioner_participation_cents"]
        == totals.loc["reference", "practitioner_participation_cents"]
    )


def test_sweep_is_linear_in_the_cost_of_an_etp() -> None:
    table = sweep(portfolio(), 2024, COST, [40000, 45000, 50000])
    assert list(table["value"]) == [40000, 45000, 50000]
    # participatory line: 6 ETP × cost
    assert list(table["participatory_activities_cents"]) == [
        6 * c * 100 for c in (40000, 45000, 50000)
    ]
    assert list(table["difference_cents"]) == [-3_000_000, 0, 3_000_000]
    assert table["practitioner_participation_cents"].nunique() == 1
    assert (table[[f"{k}_cents" for k in LINES]].sum(axis=1) == table["total_cents"]).all()
    assert table.loc[1, "total_eur"] == Decimal("512500.00")


def test_sweep_values_are_all_validated_first() -> None:
    with pytest.raises(ParameterError) as caught:
        sweep(portfolio(), 2024, COST, [40000, -1, "abc"])
    message = str(caught.value)
    assert "-1 is negative" in message and "valid decimal" in message


def test_sweep_invalid_frame() -> None:
    frame = portfolio()
    frame.loc[0, "kind"] = "hospital"
    with pytest.raises(InputError, match="kind"):
        sweep(frame, 2024, COST, [40000])
    valid = secpa_model.portfolio(frame).valid()
    table = sweep(valid, 2024, COST, [40000, 50000])
    assert list(valid.problems["field"]) == ["kind"]
    # only b (2 ETP) is counted
    assert list(table["participatory_activities_cents"]) == [8_000_000, 10_000_000]


def test_sweep_grid_two_parameters() -> None:
    grid = sweep_grid(
        portfolio(),
        2024,
        (COST, [40000, 50000]),
        ("psychological_support.annual_cap", [0, 20000]),
    )
    assert len(grid) == 4
    pivot = grid.pivot(index=COST, columns="psychological_support.annual_cap", values="total_cents")
    # a's psychological support: min(cap, 30 000) → 0 or 20 000; b has no ARS agreement
    base = 12_400_000 + 600_000 + 8_250_000  # practitioner a, interpreting a, practitioner b
    for cost in (40000, 50000):
        for cap in (0, 20000):
            assert pivot.loc[cost, cap] == base + 6 * cost * 100 + cap * 100
    with pytest.raises(ValueError, match="two different parameters"):
        sweep_grid(portfolio(), 2024, (COST, [1]), (COST, [2]))


def test_sweep_with_scales() -> None:
    flat = {"mode": "step", "brackets": [{"threshold": 0, "value": 10}]}
    table = sweep(portfolio(), 2024, "practitioner_participation.amount_per_patient", [flat])
    # (3 100 + 1 500) patients × 10 €
    assert table.loc[0, "practitioner_participation_cents"] == 4600 * 10 * 100
    assert np.issubdtype(table["total_cents"].dtype, np.integer)
