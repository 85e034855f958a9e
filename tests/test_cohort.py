"""project_cohort and opening_schedule: structures opening along a schedule, year by year,
with a labelled indexation; refusals (too few structures, uncovered years)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

import secpa_model
from secpa_model import (
    CoverageError,
    Indexation,
    InputError,
    ParameterError,
    opening_schedule,
    project_cohort,
)
from secpa_model.datasets import illustrative_portfolio
from tests.test_calibration import two_structures

COST = "participatory_activities.cost_per_etp"


def population() -> pd.DataFrame:
    """A: 3 100 patients, poverty 0.30: 4 × 45 000 + 3 100 × 40 = 304 000 € a year;
    B: 1 500 patients, poverty 0.40: 2 × 45 000 + 1 500 × 55 = 172 500 € a year
    (reference values; no interpreting or psychologist). Their own dates, here absurd on
    purpose, are replaced by the schedule's."""
    frame = two_structures()
    frame["entry_date"] = ["2030-01-01", "2030-01-01"]
    frame["exit_date"] = ["2022-01-01", None]
    return frame


def test_the_schedule_runs_straight_between_milestones() -> None:
    # 26 → 60 over two years: 43 in 2027; 60 → 100: 80 in 2029
    assert opening_schedule({2026: 26, 2028: 60, 2030: 100}) == {
        2026: 26,
        2027: 43,
        2028: 60,
        2029: 80,
        2030: 100,
    }
    assert opening_schedule({2027: 5}) == {2027: 5}
    with pytest.raises(InputError, match="decreases"):
        opening_schedule({2026: 26, 2027: 20})


def test_structures_open_in_row_order_and_are_paid_each_year() -> None:
    result = project_cohort(population(), {2026: 1, 2027: 2, 2028: 2})
    table = result.by_year.set_index("year")
    assert list(table["structures_open"]) == [1, 2, 2]
    assert list(table["structures_opening"]) == [1, 1, 0]
    assert table.loc[2026, "total_cents"] == 304000_00
    assert table.loc[2027, "total_cents"] == (304000 + 172500) * 100
    assert table.loc[2028, "total_eur"] == Decimal(476500)
    assert table.loc[2027, "per_structure_eur"] == Decimal("238250.00")
    assert result.total_cents == (304000 + 2 * 476500) * 100
    assert result.total_eur == Decimal(1257000)
    assert list(result.structures["entry_date"]) == [date(2026, 1, 1), date(2027, 1, 1)]
    # the values of 2021-08-01 carried forward, and they are assumptions
    assert set(table["values_dated"]) == {date(2021, 8, 1)}
    assert table["assumption_based"].all()


def test_an_indexation_is_dated_labelled_and_compounded() -> None:
    salaries = Indexation(
        rate=Decimal("0.10"),
        start=date(2027, 1, 1),
        paths=(COST,),
        rationale="salaries +10 % a year (a test's round number)",
    )
    result = project_cohort(population(), {2026: 1, 2027: 1, 2028: 1}, indexation=salaries)
    table = result.by_year.set_index("year")
    # A's 4 ETP at 45 000, then 49 500 (×1.1), then 54 450 (×1.21); 124 000 € per patient
    assert table.loc[2026, "participatory_activities_cents"] == 4 * 45000 * 100
    assert table.loc[2027, "participatory_activities_cents"] == 4 * 49500 * 100
    assert table.loc[2028, "participatory_activities_cents"] == 4 * 54450 * 100
    assert table.loc[2028, "practitioner_participation_cents"] == 3100 * 40 * 100
    values = result.parameters.parameters[COST].values
    assert [v.effective_from for v in values] == [
        date(2021, 8, 1),
        date(2027, 1, 1),
        date(2028, 1, 1),
    ]
    assert [v.status for v in values] == ["assumption", "scenario", "scenario"]
    assert "salaries +10 %" in (values[1].rationale or "")
    assert table.loc[2028, "values_dated"] == date(2028, 1, 1)


def test_an_indexation_of_a_count_is_refused() -> None:
    wrong = Indexation(Decimal("0.02"), date(2027, 1, 1), ("eligibility.min_file_active",), "r")
    with pytest.raises(ParameterError, match="only amounts are indexed"):
        project_cohort(population(), {2027: 1}, indexation=wrong)
    with pytest.raises(ParameterError, match="rationale"):
        Indexation(Decimal("0.02"), date(2027, 1, 1), (COST,), " ")


def test_more_structures_than_the_population_needs_a_fill() -> None:
    with pytest.raises(
        InputError, match="the schedule opens 5 structures and the population has 2"
    ):
        project_cohort(population(), {2026: 2, 2027: 5})
    first = project_cohort(population(), {2026: 2, 2027: 5}, fill="bootstrap", seed=4)
    again = project_cohort(population(), {2026: 2, 2027: 5}, fill="bootstrap", seed=4)
    pd.testing.assert_frame_equal(first.by_year, again.by_year)
    ids = list(first.structures["structure_id"])
    assert ids[:2] == ["a", "b"] and len(set(ids)) == 5
    assert all(i.startswith(("a-drawn-", "b-drawn-")) for i in ids[2:])
    # each drawn structure is a copy of A (304 000 €) or B (172 500 €)
    total_2027 = int(first.by_year.set_index("year").loc[2027, "total_cents"])
    copies_of_a = (total_2027 - 476500_00 - 3 * 172500_00) // (304000_00 - 172500_00)
    assert total_2027 == 476500_00 + copies_of_a * 304000_00 + (3 - copies_of_a) * 172500_00


def test_years_before_the_parameters_are_refused() -> None:
    with pytest.raises(CoverageError, match="2021-08-01"):
        project_cohort(population(), {2020: 1})


def test_the_five_pillar_model_costs_the_illustrative_portfolio() -> None:
    result = project_cohort(
        secpa_model.portfolio(illustrative_portfolio(), model="five_pillars"), {2027: 26}
    )
    assert result.by_year.loc[0, "structures_open"] == 26
    keys = [c for c in result.by_year.columns if c.endswith("_cents") and c != "total_cents"]
    assert len(keys) == 5  # five pillars
    assert sum(int(result.by_year.loc[0, k]) for k in keys) == result.total_cents


def test_intervals_over_draws_are_reproducible_and_bracket_the_point() -> None:
    # only A open, cost per ETP uniform on [40 000, 50 000]: 2026 total = 4 × cost + 124 000
    kwargs = {
        "uncertain": [COST],
        "bounds": {COST: (40000, 50000)},
        "draws": 400,
        "seed": 11,
    }
    first = project_cohort(population(), {2026: 1, 2027: 1}, **kwargs)  # type: ignore[arg-type]
    again = project_cohort(population(), {2026: 1, 2027: 1}, **kwargs)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(first.draws, again.draws)  # type: ignore[arg-type]
    row = first.by_year.set_index("year").loc[2026]
    # the 5th and 95th percentiles of a uniform cost: 40 500 and 49 500, within sampling error
    assert abs(row["p5_eur"] - Decimal(4 * 40500 + 124000)) < 2000
    assert abs(row["p95_eur"] - Decimal(4 * 49500 + 124000)) < 2000
    assert row["p5_eur"] < row["p50_eur"] < row["p95_eur"]
    draws = first.draws
    assert draws is not None and len(draws) == 400 * 2
    # each draw's total is the hand formula of its drawn cost, to the cent
    one = draws.iloc[0]
    cost = Decimal(repr(float(one[COST]))).quantize(Decimal("0.01"))
    assert one["total_cents"] == int((4 * cost + 124000) * 100)
    assert first.total_interval is not None
    assert first.total_interval["p50_eur"] == pytest.approx(2 * row["p50_eur"], rel=Decimal("0.01"))
