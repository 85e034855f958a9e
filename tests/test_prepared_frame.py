"""A frame validated once (PreparedFrame) and allocated under many parameter sets gives what
allocate_frame gives for each, column for column; it keeps what it read, and refuses what
allocate_frame refuses, in the same order."""

from __future__ import annotations

import pandas as pd
import pytest

from secpa_model import InputError, PreparedFrame, Scenario, allocate_frame, prepare_frame
from tests.frame_support import frame_of, valid_row

COST = "participatory_activities.cost_per_etp"
SCENARIOS = [None, Scenario("dearer ETP", {COST: 50000}), Scenario("cheap ETP", {COST: 1000})]


def _portfolio() -> pd.DataFrame:
    frame = frame_of(
        valid_row(structure_id="a", file_active_mg=1200),
        valid_row(structure_id="b", file_active_mg=5200, kind="msp"),
        valid_row(structure_id="c", file_active_mg=900),  # below the minimum: not eligible
        valid_row(structure_id="d", entry_date="2022-07-01"),
        index=["r1", "r2", "r3", "r4"],
    )
    frame["nom"] = ["Alpha", "Bêta", "Gamma", "Delta"]
    return frame


@pytest.mark.parametrize("scenario", SCENARIOS, ids=["reference", "dearer", "cheap"])
@pytest.mark.parametrize("period", [2022, "2022-03-01..2023-02-28"])
def test_each_allocation_is_allocate_frames(scenario: Scenario | None, period: object) -> None:
    frame = _portfolio()
    prepared = PreparedFrame(frame)
    pd.testing.assert_frame_equal(
        prepared.allocate(period, scenario), allocate_frame(frame, period, scenario)
    )


def test_the_scenarios_differ_where_they_should() -> None:
    """Not one result repeated: the dearer ETP raises exactly the participatory line."""
    prepared = PreparedFrame(_portfolio())
    base, dearer = prepared.allocate(2022), prepared.allocate(2022, SCENARIOS[1])
    assert (
        dearer["participatory_activities_cents"] >= base["participatory_activities_cents"]
    ).all()
    assert (dearer["participatory_activities_cents"] > base["participatory_activities_cents"]).any()
    pd.testing.assert_series_equal(
        dearer["interpreting_cents"], base["interpreting_cents"], check_names=True
    )


def test_a_structure_year_table_needs_no_period() -> None:
    frame = frame_of(valid_row(structure_id="a", year=2022), valid_row(structure_id="a", year=2023))
    prepared = PreparedFrame(frame, keep=())
    pd.testing.assert_frame_equal(prepared.allocate(None), allocate_frame(frame, None, keep=()))
    assert list(prepared.allocate(None)["year"]) == [2022, 2023]


def test_the_frame_is_read_once() -> None:
    """Changing the frame after preparing it changes nothing in what is allocated."""
    frame = _portfolio()
    prepared = PreparedFrame(frame)
    before = prepared.allocate(2022)
    frame.loc["r1", "file_active_mg"] = 6000
    frame.loc["r1", "nom"] = "changed"
    pd.testing.assert_frame_equal(prepared.allocate(2022), before)
    assert before.loc["r1", "nom"] == "Alpha"


def test_invalid_cells_raise_or_are_reported() -> None:
    frame = _portfolio()
    frame.loc["r2", "poverty_rate"] = 35
    with pytest.raises(InputError, match=r"row 'r2'.*poverty_rate looks like a percentage"):
        PreparedFrame(frame)
    prepared = PreparedFrame(frame, errors="report")
    reported = allocate_frame(frame, 2022, errors="report")
    pd.testing.assert_frame_equal(prepared.problems, reported.errors)
    pd.testing.assert_frame_equal(prepared.allocate(2022), reported.allocations)
    assert list(prepared.allocate(2022).index) == ["r1", "r3", "r4"]


def test_a_missing_period_is_named_before_invalid_cells() -> None:
    """As in allocate_frame: with no period and no year column, the period is asked for
    first, even when cells are invalid too."""
    frame = _portfolio()
    frame.loc["r2", "poverty_rate"] = 35
    message = "a period is required (or a 'year' column giving each row's year)"
    with pytest.raises(InputError) as by_frame:
        allocate_frame(frame, None)
    with pytest.raises(InputError) as by_prepared:
        prepare_frame(frame, None)
    assert str(by_frame.value) == str(by_prepared.value) == message
    with pytest.raises(InputError, match="a period is required"):
        PreparedFrame(frame, errors="report").allocate(None)


def test_errors_must_be_raise_or_report() -> None:
    with pytest.raises(ValueError, match="errors must be 'raise' or 'report'"):
        PreparedFrame(_portfolio(), errors="ignore")  # type: ignore[arg-type]
