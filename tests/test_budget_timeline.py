"""project_budget on structure-year tables, per month or quarter, with the cumulative
consumption of the envelope; bad rows reported. Amounts worked by hand."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pandas as pd
import pytest

import secpa_model
from secpa_model import InputError, project_budget
from secpa_model.core.money import format_euros
from secpa_model.core.periods import Period, calendar_steps

# An MSP in a QPV with a poverty rate of 0.10 (bracket from 0: 0 € per patient), so only
# the participatory line pays: 2024 with 1 000 patients, 2 ETP × 45 000 = 90 000 € a year;
# 2025 with 2 000 patients, 3 ETP × 45 000 = 135 000 € a year.
YEAR_2024 = 90_000
YEAR_2025 = 135_000
ENVELOPE = 200_000


def euros(amount: Fraction | int) -> Decimal:
    """Half up to the cent (the rounding of each line)."""
    exact = Fraction(amount)
    value = Decimal(exact.numerator) / Decimal(exact.denominator)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def structure_years() -> pd.DataFrame:
    row = {"structure_id": "s", "kind": "msp", "location": "in_qpv", "poverty_rate": 0.10}
    return pd.DataFrame(
        [
            {**row, "year": 2024, "file_active_mg": 1000},
            {**row, "year": 2025, "file_active_mg": 2000},
        ]
    )


def test_calendar_steps_are_clipped_and_labelled() -> None:
    quarters = calendar_steps(Period.parse("2024-02-10..2024-11-05"), "quarter")
    assert [label for label, _ in quarters] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert quarters[0][1] == Period(date(2024, 2, 10), date(2024, 3, 31))
    assert quarters[-1][1] == Period(date(2024, 10, 1), date(2024, 11, 5))
    months = calendar_steps(Period.parse("2023-12-31..2024-02-01"), "month")
    assert [str(step) for _, step in months] == [
        "2023-12-31..2023-12-31",
        "2024-01-01..2024-01-31",
        "2024-02-01..2024-02-01",
    ]
    assert [label for label, _ in months] == ["2023-12", "2024-01", "2024-02"]
    years = calendar_steps(Period.parse("2023-07-01..2024-02-29"), "year")
    assert [label for label, _ in years] == ["2023", "2024"]
    with pytest.raises(ValueError, match="freq"):
        calendar_steps(Period.year(2024), "week")


def test_a_structure_year_table_by_quarter_against_the_envelope() -> None:
    projection = project_budget(
        structure_years(), "2024-01-01..2025-06-30", envelope=ENVELOPE, freq="quarter"
    )
    steps = projection.timeline.set_index("label")
    assert list(steps.index) == [
        "2024-Q1",
        "2024-Q2",
        "2024-Q3",
        "2024-Q4",
        "2025-Q1",
        "2025-Q2",
    ]
    # cumulative from 1 January 2024 to the end of each quarter: the 2024 row over its days
    # of 2024 (2024 has 366 days), the 2025 row over its days of 2025 (365 days)
    cumulative = [
        euros(Fraction(YEAR_2024 * 91, 366)),  # January to March 2024: 31 + 29 + 31 days
        euros(Fraction(YEAR_2024 * 182, 366)),
        euros(Fraction(YEAR_2024 * 274, 366)),
        euros(YEAR_2024),
        euros(YEAR_2024) + euros(Fraction(YEAR_2025 * 90, 365)),  # 31 + 28 + 31 days
        euros(YEAR_2024) + euros(Fraction(YEAR_2025 * 181, 365)),
    ]
    assert list(steps["cumulative_eur"]) == cumulative
    assert cumulative[0] == Decimal("22377.05")
    assert cumulative[-1] == Decimal("156945.21")
    # a step is the difference of two cumulative amounts: the steps add up to the period
    firsts = [Decimal(0), *cumulative[:-1]]
    assert list(steps["total_eur"]) == [
        now - then for now, then in zip(cumulative, firsts, strict=True)
    ]
    period = projection.by_period.iloc[0]
    assert period["total_eur"] == cumulative[-1] == sum(steps["total_eur"])
    assert period["structures_participating"] == 1  # one structure, two rows
    assert period["structure_years"] == pytest.approx(1 + 181 / 365)
    assert steps.loc["2025-Q1", "structure_years"] == pytest.approx(90 / 365)
    # the envelope consumed, quarter by quarter
    assert list(steps["envelope_eur"]) == [Decimal(ENVELOPE)] * 6
    assert list(steps["remaining_eur"]) == [Decimal(ENVELOPE) - c for c in cumulative]
    assert steps.loc["2025-Q2", "consumed_pct"] == pytest.approx(100 * 156_945.21 / ENVELOPE)
    assert bool(steps["within_envelope"].all())
    # the calendar years: a 2025 row counts on 2025 only
    years = projection.by_year.set_index("label")
    assert years.loc["2024", "total_eur"] == euros(YEAR_2024)
    assert years.loc["2025", "total_eur"] == euros(Fraction(YEAR_2025 * 181, 365))


def test_months_with_an_entry_date_and_no_envelope() -> None:
    frame = structure_years().iloc[[0]].drop(columns="year").assign(entry_date="2024-03-15")
    projection = project_budget(frame, "2024-01-01..2024-04-30", freq="month")
    steps = projection.timeline.set_index("label")
    assert list(steps.index) == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert list(steps["structures_participating"]) == [0, 0, 1, 1]
    # 17 days of March (15 to 31), then 47 days to 30 April
    march = euros(Fraction(YEAR_2024 * 17, 366))
    april = euros(Fraction(YEAR_2024 * 47, 366))
    assert list(steps["cumulative_eur"]) == [0, 0, march, april]
    assert steps.loc["2024-04", "total_eur"] == april - march
    assert steps["envelope_eur"].isna().all() and steps["consumed_pct"].isna().all()


def test_without_periods_a_structure_year_table_gives_its_years() -> None:
    projection = project_budget(structure_years(), None, envelope=ENVELOPE, freq="year")
    period = projection.by_period.iloc[0]
    assert period["label"] == "2024-01-01..2025-12-31"
    assert period["total_eur"] == Decimal(YEAR_2024 + YEAR_2025)
    # 225 000 € against 200 000 €: an overrun of 25 000 €, 112.5 % consumed
    assert period["gap_eur"] == Decimal(-25_000) and period["within_envelope"] is False
    last = projection.timeline.iloc[-1]
    assert last["consumed_pct"] == pytest.approx(112.5)
    assert last["within_envelope"] is False and last["remaining_eur"] == Decimal(-25_000)


def test_bad_rows_are_refused_or_reported() -> None:
    frame = structure_years()
    frame["file_active_mg"] = frame["file_active_mg"].astype(object)
    frame.loc[1, "file_active_mg"] = "lots"
    with pytest.raises(InputError, match="file_active_mg"):
        project_budget(frame, None)
    projection = project_budget(secpa_model.portfolio(frame).valid(), 2024, freq="quarter")
    assert list(projection.errors["row"]) == [1]
    assert projection.by_period.iloc[0]["total_eur"] == euros(YEAR_2024)
    assert projection.timeline.iloc[-1]["cumulative_eur"] == euros(YEAR_2024)
    clean = project_budget(structure_years(), 2024)
    assert clean.errors.empty


def test_a_projection_shows_as_html_in_a_notebook() -> None:
    label = "<b>plan</b>"
    projection = project_budget(
        structure_years(), {label: 2024}, envelope={label: 100_000}, freq="quarter"
    )
    page = projection._repr_html_()
    assert "<b>plan" not in page and "&lt;b&gt;plan&lt;/b&gt;" in page  # escaped
    assert format_euros(Decimal(YEAR_2024)) in page  # the total, in euros
    assert format_euros(Decimal(100_000 - YEAR_2024)) in page  # the gap
    assert "2024-Q4" in page and "100.0 %" not in page and "90.0 %" in page
    assert "ASSUMPTIONS" in page and "participatory_activities.cost_per_etp" in page


def test_a_projection_too_long_to_compute_is_refused_by_name() -> None:
    far = structure_years().assign(year=[1, 9999])  # a typo in a year: 9 999 years
    with pytest.raises(InputError, match=r"9999 calendar years .* at most 1200"):
        project_budget(far, None, freq="year")
    # 101 years of months: 1 212 steps; the same years as years: 101 steps, computed
    with pytest.raises(InputError, match="1212 steps"):
        project_budget(structure_years(), "2000-01-01..2100-12-31", freq="month")
    years = project_budget(structure_years(), "2000-01-01..2100-12-31", freq="year")
    assert len(years.timeline) == 101
