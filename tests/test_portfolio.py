"""The SYNTHETIC illustrative portfolio, bigger synthetic portfolios, and the calibration."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from secpa_model import allocate_frame, project_budget
from secpa_model.datasets import illustrative_portfolio, synthetic_portfolio
from secpa_model.io.validation import validate_frame
from secpa_model.models import experimentation


def test_shape_of_the_experimentation() -> None:
    frame = illustrative_portfolio()
    assert len(frame) == 26
    wave1 = frame[frame["wave"] == 1]
    wave2 = frame[frame["wave"] == 2]
    assert len(wave1) == 6 and len(wave2) == 20
    assert sorted(wave1["kind"]) == ["centre_de_sante"] * 5 + ["msp"]
    assert set(wave1["entry_date"]) == {date(2021, 8, 1)}
    assert set(wave2["entry_date"]) == {date(2022, 3, 1)}
    assert frame["file_active_mg"].between(1000, 6000).all()
    assert frame["file_active_mg"].max() - frame["file_active_mg"].min() >= 4000  # spread
    assert frame["poverty_rate"].between(0.20, 0.45).all()
    assert frame["structure_id"].is_unique
    assert frame["structure_id"].str.fullmatch(r"synthetic-w[12]-\d\d").all()
    assert frame["synthetic"].all()
    assert "SYNTHETIC" in frame.attrs["note"]
    assert (frame["interpreting_hours_in_person"] > 0).all()
    assert (frame["psychologist_cost_requested"] > 0).all()
    validated = validate_frame(frame, experimentation())
    assert validated.problems.empty and validated.valid.all()


def test_deterministic_and_fresh() -> None:
    first = illustrative_portfolio()
    first.loc[0, "file_active_mg"] = 1  # a caller's change does not leak
    pd.testing.assert_frame_equal(illustrative_portfolio(), illustrative_portfolio())
    assert illustrative_portfolio().loc[0, "file_active_mg"] != 1


@pytest.mark.parametrize("size", [60, 100])
def test_bigger_portfolios(size: int) -> None:
    frame = synthetic_portfolio(size)
    assert len(frame) == size
    pd.testing.assert_frame_equal(frame, synthetic_portfolio(size))
    pd.testing.assert_frame_equal(
        frame.iloc[:26].drop(columns="synthetic"),
        illustrative_portfolio().drop(columns="synthetic"),
    )
    extra = frame.iloc[26:]
    assert set(extra["entry_date"]) == {date(2024, 1, 1)}
    assert extra["structure_id"].str.fullmatch(r"synthetic-x-\d{3}").all()
    assert extra["file_active_mg"].between(1000, 6000).all()
    assert extra["poverty_rate"].between(0.20, 0.45).all()
    assert frame["structure_id"].is_unique
    assert validate_frame(frame, experimentation()).problems.empty
    assert synthetic_portfolio(10).equals(illustrative_portfolio().iloc[:10])
    with pytest.raises(ValueError, match="positive whole number"):
        synthetic_portfolio(0)


# Public figures (shared/DOMAIN.md): the arrêté of 28 December 2023 gives 14 M€ to the 26
# structures over 2024-01-01..2025-04-30; the experimentation's budget (FISS) is 30 M€ over
# 2021-08-01..2023-12-31.
EXTENSION_ENVELOPE = Decimal(14_000_000)
EXPERIMENTATION_BUDGET = Decimal(30_000_000)
TOLERANCE = Decimal("0.25")


def test_calibration_on_the_public_envelopes() -> None:
    frame = illustrative_portfolio()
    low = EXTENSION_ENVELOPE * (1 - TOLERANCE)  # 10.5 M€
    high = EXTENSION_ENVELOPE * (1 + TOLERANCE)  # 17.5 M€
    assert (low, high) == (Decimal("10500000.00"), Decimal("17500000.00"))
    extension = allocate_frame(frame, "2024-01-01..2025-04-30")
    extension_total = Decimal(int(extension["total_cents"].sum())) / 100
    assert low <= extension_total <= high, extension_total
    experimentation = allocate_frame(frame, "2021-08-01..2023-12-31")
    experimentation_total = Decimal(int(experimentation["total_cents"].sum())) / 100
    assert experimentation_total <= EXPERIMENTATION_BUDGET, experimentation_total
    # every structure is eligible and paid: the calibration does not hide zeros
    assert extension["eligible"].all() and (extension["total_cents"] > 0).all()


def test_calibration_through_project_budget_agrees() -> None:
    projection = project_budget(
        illustrative_portfolio(),
        {"experimentation": "2021-08-01..2023-12-31", "extension": "2024-01-01..2025-04-30"},
        envelope={"experimentation": 30_000_000, "extension": 14_000_000},
    )
    periods = projection.by_period.set_index("label")
    assert periods["within_envelope"].tolist() == [True, True]
    direct = allocate_frame(illustrative_portfolio(), "2024-01-01..2025-04-30")
    assert periods.loc["extension", "total_cents"] == direct["total_cents"].sum()
    # 614 structure-months in 2021-08..2023-12 (6 × 29 + 20 × 22), i.e. about 51.2 structure-years
    assert periods.loc["experimentation", "structure_years"] == pytest.approx(614 / 12, rel=0.01)
