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


# ----------------------------------------------------------------------------- synthetic fill

MODELS = ("experimentation", "five_pillars")
GROWTH = {2027: 26, 2028: 300}


def _synthetic(model: str, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The illustrative portfolio under ``model`` and the 274 synthetic structures filled."""
    given = secpa_model.portfolio(illustrative_portfolio(), model=model)
    result = project_cohort(given, GROWTH, fill="synthetic", seed=seed)
    return given.frame, result.structures.iloc[26:]


def _profile_columns(model: str) -> list[str]:
    resolved = secpa_model.portfolio(illustrative_portfolio(), model=model).model
    dates = {resolved.entry_input, resolved.exit_input}
    return [i.name for i in resolved.inputs if i.name != resolved.id_input and i.name not in dates]


@pytest.mark.parametrize("model", MODELS)
def test_a_synthetic_fill_is_reproducible_by_its_seed_and_labelled(model: str) -> None:
    _, first = _synthetic(model, 7)
    _, again = _synthetic(model, 7)
    _, other = _synthetic(model, 8)
    pd.testing.assert_frame_equal(first, again)
    columns = _profile_columns(model)
    assert not first[columns].astype(str).equals(other[columns].astype(str))
    assert list(first["structure_id"]) == [f"synthetic-{n:04d}" for n in range(27, 301)]


@pytest.mark.parametrize("model", MODELS)
def test_a_synthetic_fill_has_varied_profiles_where_copies_repeat(model: str) -> None:
    columns = _profile_columns(model)
    _, drawn = _synthetic(model, 7)
    distinct = len(drawn[columns].astype(str).drop_duplicates())
    # 274 new structures from 26 rows: nearly every one its own profile
    assert distinct >= 270
    given = secpa_model.portfolio(illustrative_portfolio(), model=model)
    copies = project_cohort(given, GROWTH, fill="bootstrap", seed=7).structures.iloc[26:]
    assert len(copies[columns].astype(str).drop_duplicates()) <= 26


@pytest.mark.parametrize("model", MODELS)
def test_every_synthetic_row_is_valid_and_within_the_observed_ranges(model: str) -> None:
    observed, drawn = _synthetic(model, 2026)
    checked = secpa_model.portfolio(drawn.reset_index(drop=True), model=model)
    assert checked.problems.empty, checked.problems.head()
    assert checked.invalid_rows == 0
    resolved = checked.model
    for item in resolved.inputs:
        if item.name not in observed.columns or item.name == resolved.id_input:
            continue
        values = drawn[item.name]
        if item.kind in ("count", "fraction", "quantity", "euros"):
            seen = [float(item.parse(v)) for v in observed[item.name]]
            made = [float(v) for v in values]
            assert min(seen) <= min(made) and max(made) <= max(seen), item.name
            assert item.low <= min(made) and max(made) <= item.high, item.name
            if item.kind == "count":
                assert all(isinstance(v, int) for v in values), item.name
            if item.kind == "euros":
                assert all(Decimal(v) == Decimal(v).quantize(Decimal("0.01")) for v in values)
        elif item.kind in ("category", "boolean"):
            assert {str(v) for v in values} <= {str(v) for v in observed[item.name]}, item.name
    # the dates are the schedule's: all 274 open on 1 January 2028, none closes
    assert set(drawn["entry_date"]) == {date(2028, 1, 1)}
    assert drawn["exit_date"].isna().all()


def test_a_synthetic_number_keeps_zero_and_stays_between_the_observed_values() -> None:
    # A: 3 100 patients, poverty 0.30, no interpreting; B: 1 500, 0.40, 10 hours: every
    # synthetic count is whole and within [1 500, 3 100], every rate within [0.30, 0.40];
    # A's zero stays zero and B's single positive value has no spread to draw from
    given = population()
    given["interpreting_hours_phone"] = [0.0, 10.0]
    result = project_cohort(given, {2026: 2, 2027: 60}, fill="synthetic", seed=1)
    drawn = result.structures.iloc[2:]
    patients = list(drawn["file_active_mg"])
    assert all(isinstance(v, int) and 1500 <= v <= 3100 for v in patients)
    assert len(set(patients)) > 30
    rates = [float(v) for v in drawn["poverty_rate"]]
    assert min(rates) >= 0.30 and max(rates) <= 0.40 and len(set(rates)) > 30
    hours = [float(v) for v in drawn["interpreting_hours_phone"]]
    assert set(hours) == {0.0, 10.0}
    # the picked row's category comes with its numbers: A's kind with A's zero hours
    pairs = set(zip(hours, drawn["kind"], strict=True))
    assert pairs == {(0.0, "centre_de_sante"), (10.0, "msp")}


# ----------------------------------------------------------------------------- envelope


def test_an_envelope_without_draws_compares_the_point_total() -> None:
    # A alone in 2026: 304 000 € (see population)
    at = project_cohort(population(), {2026: 1}, envelope="304000")
    assert at.envelope_cents == 304000_00 and at.exceeds_envelope is False
    assert at.prob_exceed is None
    below = project_cohort(population(), {2026: 1}, envelope=303999.99)
    assert below.envelope_cents == 303999_99 and below.exceeds_envelope is True
    assert project_cohort(population(), {2026: 1}).exceeds_envelope is None
    for wrong, message in (
        ("303999.999", "finer than a cent"),
        (-1, "negative"),
        (True, "give euros"),
    ):
        with pytest.raises(InputError, match=message):
            project_cohort(population(), {2026: 1}, envelope=wrong)


def test_the_probability_of_exceeding_an_envelope_over_the_period() -> None:
    # A open in 2026 and 2027, cost per ETP uniform on [40 000, 50 000], one value per draw:
    # each year 4 × cost + 124 000 €, so the period's total exceeds 608 000 € exactly when
    # the drawn cost exceeds 45 000 €
    result = project_cohort(
        population(),
        {2026: 1, 2027: 1},
        uncertain=[COST],
        bounds={COST: (40000, 50000)},
        draws=200,
        seed=5,
        envelope=Decimal("608000"),
    )
    assert result.draws is not None and result.prob_exceed is not None
    costs = result.draws.groupby("draw")[COST].first()
    by_hand = sum(1 for cost in costs if round(cost * 100) > 45000_00) / len(costs)
    assert result.prob_exceed == by_hand
    assert 0.35 < by_hand < 0.65  # half of a uniform range, give or take 200 draws
    assert result.exceeds_envelope is False  # the point: 2 × 304 000 = 608 000 €
    assert result.total_cents == 608000_00


# ----------------------------------------------------------------------------- schedules


def test_a_schedule_that_closes_structures_is_refused() -> None:
    # 20 then 10: closing is not supported (it used to fund 20 while reporting 10 open)
    with pytest.raises(InputError, match="decreases from 2 structures in 2027 to 1 in 2028"):
        project_cohort(population(), {2027: 2, 2028: 1})


@pytest.mark.parametrize(
    ("schedule", "seed", "message"),
    [
        ({}, 0, "maps each year"),
        ({2027: 0}, 0, "at least one structure in 2027"),
        ({2027: -1}, 0, "count must be a whole number ≥ 0, got -1"),
        ({2027: 1.5}, 0, "count must be a whole number"),
        ({10000: 1}, 0, "within"),
        ({2027: 1, 2029: 1}, 0, "every year from 2027 to 2029"),
        ({2027: 1}, -1, "seed must be a whole number ≥ 0, got -1"),
    ],
)
def test_a_wrong_schedule_or_seed_is_named(
    schedule: dict[int, int], seed: int, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        project_cohort(population(), schedule, seed=seed)


def test_an_unknown_fill_is_named() -> None:
    with pytest.raises(InputError, match="fill must be 'refuse', 'bootstrap' or 'synthetic'"):
        project_cohort(population(), {2026: 3}, fill="copies")  # type: ignore[arg-type]
