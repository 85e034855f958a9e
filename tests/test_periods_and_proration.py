"""Proration by days, cuts at 1 January, entry/exit dates and parameter changes (by hand)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from secpa_model import CoverageError, Parameters, Period, allocate
from secpa_model.core.periods import days_in_year, split_period
from tests.helpers import euros_half_up, make_structure

ACTIVITIES = "participatory_activities"
ANNUAL_3_ETP = 3 * 45000  # file active 2 500 → 3 ETP at 45 000 €


def test_split_at_new_year_and_cut_dates() -> None:
    pieces = split_period(Period(date(2021, 11, 1), date(2023, 2, 10)), [date(2022, 3, 1)])
    assert [(p.start, p.end) for p in pieces] == [
        (date(2021, 11, 1), date(2021, 12, 31)),
        (date(2022, 1, 1), date(2022, 2, 28)),
        (date(2022, 3, 1), date(2022, 12, 31)),
        (date(2023, 1, 1), date(2023, 2, 10)),
    ]
    assert sum(p.days for p in pieces) == Period(date(2021, 11, 1), date(2023, 2, 10)).days


def test_period_parsing_and_validation() -> None:
    assert Period.parse(2024) == Period(date(2024, 1, 1), date(2024, 12, 31))
    assert Period.parse("2022-03-01..2022-03-31").days == 31
    with pytest.raises(ValueError, match="before its start"):
        Period(date(2022, 2, 1), date(2022, 1, 1))
    with pytest.raises(ValueError, match="not a year"):
        Period.parse("last year")
    assert (days_in_year(2023), days_in_year(2024)) == (365, 366)


def test_mid_year_entry_is_prorated_by_days() -> None:
    structure = make_structure(entry_date=date(2022, 3, 1))
    line = allocate(structure, 2022).line(ACTIVITIES)
    # 1 March to 31 December 2022: 306 days of 365
    assert line.amount == euros_half_up(Fraction(ANNUAL_3_ETP * 306, 365))  # 113 178,08 €
    assert [(p.start, p.end, p.days, p.year_days) for p in line.pieces] == [
        (date(2022, 3, 1), date(2022, 12, 31), 306, 365)
    ]


def test_exit_date_and_leap_year() -> None:
    structure = make_structure(entry_date=date(2024, 3, 1), exit_date=date(2024, 6, 30))
    line = allocate(structure, 2024).line(ACTIVITIES)
    days = 31 + 30 + 31 + 30  # March to June
    assert line.amount == euros_half_up(Fraction(ANNUAL_3_ETP * days, 366))


def test_period_across_new_year_sums_to_the_annual_amount() -> None:
    period = Period(date(2022, 7, 1), date(2023, 6, 30))  # 184/365 + 181/365
    assert allocate(make_structure(), period).line(ACTIVITIES).amount == ANNUAL_3_ETP


def test_parameter_change_on_1_march_shows_in_a_2022_allocation(
    changed_parameters: Parameters,
) -> None:
    # cost_per_etp 45 000 € until 28 February, 54 750 € from 1 March (test parameter file)
    line = allocate(make_structure(), 2022, changed_parameters).line(ACTIVITIES)
    expected = Fraction(3 * 45000 * 59, 365) + Fraction(3 * 54750 * 306, 365)
    assert line.amount == euros_half_up(expected)
    assert [(p.start, p.end) for p in line.pieces] == [
        (date(2022, 1, 1), date(2022, 2, 28)),
        (date(2022, 3, 1), date(2022, 12, 31)),
    ]
    used = {(u.path, u.effective_from) for u in line.parameters}
    assert ("participatory_activities.cost_per_etp", date(2021, 8, 1)) in used
    assert ("participatory_activities.cost_per_etp", date(2022, 3, 1)) in used


def test_a_change_does_not_touch_lines_that_do_not_read_it(
    changed_parameters: Parameters, reference: Parameters
) -> None:
    structure = make_structure(interpreting_hours_in_person=10)
    before, after = (
        allocate(structure, 2022, reference),
        allocate(structure, 2022, changed_parameters),
    )
    for key in ("practitioner_participation", "interpreting", "psychological_support"):
        assert before.line(key).amount == after.line(key).amount


def test_a_day_before_the_parameters_is_an_error_not_a_zero() -> None:
    with pytest.raises(CoverageError, match=r"2021-08-01 onwards") as caught:
        allocate(make_structure(), 2021)
    assert "participatory_activities.cost_per_etp" in str(caught.value)


def test_wave_1_entry_inside_2021_is_covered() -> None:
    structure = make_structure(entry_date=date(2021, 8, 1))
    line = allocate(structure, 2021).line(ACTIVITIES)
    assert line.amount == euros_half_up(Fraction(ANNUAL_3_ETP * 153, 365))  # Aug–Dec


def test_no_participating_day_is_a_reason_not_an_error() -> None:
    structure = make_structure(entry_date=date(2023, 1, 1))
    allocation = allocate(structure, 2022)
    assert not allocation.eligible
    assert [r.code for r in allocation.reasons] == ["not_participating"]
    assert allocation.total == 0


def test_period_is_required() -> None:
    with pytest.raises(TypeError):
        allocate(make_structure())  # type: ignore[call-arg]
