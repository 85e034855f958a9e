"""project_budget: per year and per period, entry and exit dates, gap to the envelope."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pandas as pd
import pytest

from secpa_model import BudgetProjection, InputError, Scenario, Structure, project_budget
from secpa_model import portfolio as make_portfolio
from tests.scratch_model import scratch_model

# Reference annual lines of structure "a" (hand-computed, see test_comparison): 4 ETP ×
# 45 000; 3 100 patients × 40 €; 100 h × 60 €; min(66 000, 30 000) psychological support.
ANNUAL_A = (180000, 124000, 6000, 30000)


def half_up(amount: Fraction) -> Decimal:
    exact = Decimal(amount.numerator) / Decimal(amount.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def portfolio() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "structure_id": ["a", "gone"],
            "kind": ["centre_de_sante", "msp"],
            "location": ["in_qpv", "in_qpv"],
            "file_active_mg": [3100, 2000],
            "poverty_rate": [0.30, 0.30],
            "interpreting_hours_in_person": [100, 0],
            "psychologist_cost_requested": [30000, 0],
            "ars_psychology_agreement": [True, False],
            "entry_date": ["2024-07-01", "2022-03-01"],
            "exit_date": [None, "2023-12-31"],
        }
    )


def test_years_and_period_respect_entry_and_exit_dates() -> None:
    projection = project_budget(
        portfolio(), {"p": "2024-01-01..2025-06-30"}, envelope={"p": 400000}
    )
    assert isinstance(projection, BudgetProjection)
    years = projection.by_year.set_index("label")
    assert list(years.index) == ["2024", "2025"]
    assert years.loc["2025", "end"] == date(2025, 6, 30)
    # "a" enters 2024-07-01: 184 of 366 days in 2024, then 181 of 365 days in 2025;
    # "gone" left on 2023-12-31 and is paid nothing. Each line rounded once.
    y2024 = sum(half_up(Fraction(amount * 184, 366)) for amount in ANNUAL_A)
    y2025 = sum(half_up(Fraction(amount * 181, 365)) for amount in ANNUAL_A)
    assert years.loc["2024", "total_eur"] == y2024 == Decimal("170928.96")
    assert years.loc["2025", "total_eur"] == y2025
    assert list(years["structures_participating"]) == [1, 1]
    assert years.loc["2024", "structure_years"] == pytest.approx(184 / 366)

    period = projection.by_period.set_index("label").loc["p"]
    whole = sum(
        half_up(Fraction(amount * 184, 366) + Fraction(amount * 181, 365)) for amount in ANNUAL_A
    )
    assert period["total_eur"] == whole
    assert abs(whole - (y2024 + y2025)) <= Decimal("0.04")  # rounding per line and per span
    assert period["envelope_eur"] == Decimal("400000.00")
    assert period["gap_eur"] == Decimal("400000.00") - whole
    assert period["within_envelope"] is True
    assert period["gap_pct"] == pytest.approx(100 * float(Decimal(400000) - whole) / 400000)
    assert period["structure_years"] == pytest.approx(184 / 366 + 181 / 365)


def test_overrun_has_a_negative_gap_and_unlisted_periods_no_envelope() -> None:
    projection = project_budget(
        portfolio(), ["2022-03-01..2022-12-31", 2024], envelope={"2024-01-01..2024-12-31": 1000}
    )
    periods = projection.by_period.set_index("label")
    first = periods.loc["2022-03-01..2022-12-31"]
    assert first["envelope_eur"] is None and first["within_envelope"] is None
    # 2022-03-01..2022-12-31 = 306 days: only "gone" (2 000 patients: 3 ETP × 45 000 €,
    # 2 000 × 40 €) participates
    expected = half_up(Fraction(135000 * 306, 365)) + half_up(Fraction(80000 * 306, 365))
    assert first["total_eur"] == expected
    second = periods.loc["2024-01-01..2024-12-31"]
    assert second["within_envelope"] is False
    assert second["gap_eur"] == Decimal(1000) - second["total_eur"] < 0
    # the years run from 2022 to 2024, 2023 included although no period asked for it
    assert list(projection.by_year["label"]) == ["2022", "2023", "2024"]


def test_scenario_parameters_and_structure_lists() -> None:
    structures = [
        Structure(
            structure_id="s", kind="msp", location="in_qpv", file_active_mg=1000, poverty_rate=0.1
        )
    ]
    base = project_budget(structures, 2024)
    dear = project_budget(
        structures, 2024, Scenario("x", {"participatory_activities.cost_per_etp": 50000})
    )
    # 2 ETP × 5 000 €
    assert dear.by_period.loc[0, "total_cents"] - base.by_period.loc[0, "total_cents"] == 1_000_000
    assert dear.parameters.name == "x"
    assert base.by_period.loc[0, "per_structure_year_eur"] == Decimal("90000.00")


def test_bad_calls() -> None:
    with pytest.raises(ValueError, match="exactly one period"):
        project_budget(portfolio(), [2024, 2025], envelope=1)
    with pytest.raises(ValueError, match="unknown periods: nope"):
        project_budget(portfolio(), {"p": 2024}, envelope={"nope": 1})
    with pytest.raises(ValueError, match="negative"):
        project_budget(portfolio(), 2024, envelope=-1)
    with pytest.raises(InputError, match="give the periods"):
        project_budget(portfolio(), None)  # no periods and no year column
    with pytest.raises(ValueError, match="freq must be one of month, quarter, year"):
        project_budget(portfolio(), 2024, freq="week")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="errors"):  # replaced by portfolio(frame).valid()
        project_budget(portfolio(), 2024, errors="report")  # type: ignore[call-arg]
    bad = portfolio()
    bad.loc[0, "file_active_mg"] = -3
    with pytest.raises(InputError, match="file_active_mg"):
        project_budget(bad, 2024)


def test_the_amount_per_structure_year_is_rounded_half_up() -> None:
    """Two practices of the scratch model over 2024 at 60.01 € per patient: 2 000 × 60.01
    × 1.2 = 144 024.00 € and 1 × 60.01 = 60.01 €, 144 084.01 € over two structure-years:
    72 042.005 €, half up 72 042.01 € (half to even would give 72 042.00 €)."""
    model = scratch_model()
    frame = pd.DataFrame(
        {"practice": ["p-1", "p-2"], "enrolled": [2000, 1], "deprived_share": [0.4, 0.0]}
    )
    prices = Scenario("60.01", {"enrolment.per_patient": Decimal("60.01")}, model=model)
    year = project_budget(make_portfolio(frame, model=model), 2024, prices).by_year.iloc[0]
    assert year["total_cents"] == 14_408_401
    assert year["structure_years"] == 2
    assert year["per_structure_year_eur"] == Decimal("72042.01")
