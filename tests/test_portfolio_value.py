"""A portfolio: structures validated once, allocated under many periods and parameter
sets; it keeps what it read, refuses to compute with problems unless its valid rows are
asked for, and knows where each row came from in a file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from secpa_model import InputError, Portfolio, Scenario, allocate_frame, compare, portfolio
from tests.frame_support import frame_of, valid_row

COST = "participatory_activities.cost_per_etp"
SCENARIOS = [None, Scenario("dearer ETP", {COST: 50000}), Scenario("cheap ETP", {COST: 1000})]


def _frame() -> pd.DataFrame:
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
def test_one_portfolio_allocates_as_a_fresh_one_each_time(
    scenario: Scenario | None, period: object
) -> None:
    checked = portfolio(_frame())
    checked.allocate(2024)  # an earlier use leaves nothing behind
    pd.testing.assert_frame_equal(
        checked.allocate(period, scenario), allocate_frame(_frame(), period, scenario)
    )


def test_the_scenarios_differ_where_they_should() -> None:
    """Not one result repeated: the dearer ETP raises exactly the participatory line."""
    checked = portfolio(_frame())
    base, dearer = checked.allocate(2022), checked.allocate(2022, SCENARIOS[1])
    assert (
        dearer["participatory_activities_cents"] >= base["participatory_activities_cents"]
    ).all()
    assert (dearer["participatory_activities_cents"] > base["participatory_activities_cents"]).any()
    pd.testing.assert_series_equal(dearer["interpreting_cents"], base["interpreting_cents"])


def test_a_structure_year_table_needs_no_period() -> None:
    frame = frame_of(valid_row(structure_id="a", year=2022), valid_row(structure_id="a", year=2023))
    result = portfolio(frame, keep=()).allocate(None)
    assert list(result["year"]) == [2022, 2023]
    assert list(result.columns[:3]) == ["structure_id", "year", "eligible"]


def test_the_frame_is_read_once() -> None:
    """Changing the frame after making the portfolio changes nothing in what it allocates."""
    frame = _frame()
    checked = portfolio(frame)
    before = checked.allocate(2022)
    frame.loc["r1", "file_active_mg"] = 6000
    frame.loc["r1", "nom"] = "changed"
    pd.testing.assert_frame_equal(checked.allocate(2022), before)
    assert before.loc["r1", "nom"] == "Alpha"


def test_problems_refuse_to_compute_until_the_valid_rows_are_asked_for() -> None:
    frame = _frame()
    frame.loc["r2", "poverty_rate"] = 35
    checked = portfolio(frame)  # made: the problems are kept, not raised
    assert list(checked.problems["row"]) == ["r2"]
    assert list(checked.problems["field"]) == ["poverty_rate"]
    assert checked.invalid_rows == 1
    with pytest.raises(InputError, match=r"row 'r2'.*poverty_rate looks like a percentage"):
        checked.allocate(2022)
    with pytest.raises(InputError, match="poverty_rate"):
        compare(checked, 2022, SCENARIOS[1])
    valid = checked.valid()
    assert list(valid.allocate(2022).index) == ["r1", "r3", "r4"]
    pd.testing.assert_frame_equal(valid.problems, checked.problems)  # still listed
    # the valid rows are allocated as a frame of them alone would be
    alone = allocate_frame(_frame().drop(index="r2"), 2022)
    pd.testing.assert_frame_equal(valid.allocate(2022), alone)
    with pytest.raises(InputError):  # asking for the valid rows changed nothing in the first
        checked.allocate(2022)


def test_a_missing_period_is_named_before_invalid_cells() -> None:
    frame = _frame()
    frame.loc["r2", "poverty_rate"] = 35
    message = "a period is required (or a 'year' column giving each row's year)"
    with pytest.raises(InputError) as caught:
        allocate_frame(frame, None)
    assert str(caught.value) == message
    with pytest.raises(InputError, match="a period is required"):
        portfolio(frame).valid().allocate(None)


def test_a_file_portfolio_names_the_lines_of_its_problems(tmp_path: Path) -> None:
    frame = _frame().reset_index(drop=True)
    frame.loc[2, "kind"] = "hospital"
    path = tmp_path / "structures.csv"
    frame.to_csv(path, index=False)
    checked = portfolio(path)
    assert checked.rows is not None and checked.rows.file == str(path)
    # row 2 is the third row after the header: line 4
    assert list(checked.problems[["row", "line", "field"]].itertuples(index=False)) == [
        (2, 4, "kind")
    ]
    with pytest.raises(InputError, match=r"(?s)structures\.csv.*row 2 \(line 4\)"):
        checked.allocate(2022)
    by_file = checked.valid().allocate(2022)
    by_frame = portfolio(_frame().reset_index(drop=True).drop(index=2)).allocate(2022)
    assert list(by_file["total_cents"]) == list(by_frame["total_cents"])
    assert list(by_file["structure_id"]) == ["a", "b", "d"]


def test_the_keywords_are_given_once() -> None:
    checked = portfolio(_frame())
    assert portfolio(checked) is checked
    with pytest.raises(InputError, match="validated for the model 'experimentation'"):
        portfolio(checked, model="five_pillars")
    with pytest.raises(InputError, match="keep, allow_duplicates: this portfolio"):
        portfolio(checked, keep=["nom"], allow_duplicates=True)
    with pytest.raises(InputError, match="a file's path or a Portfolio, got int"):
        portfolio(42)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="encoding is chosen for a file only"):
        portfolio(_frame(), encoding="cp1252")


def test_repeated_ids_are_problems_unless_allowed() -> None:
    frame = frame_of(valid_row(structure_id="a"), valid_row(structure_id="a"))
    assert len(portfolio(frame).problems) == 2  # every copy named
    allowed = portfolio(frame, allow_duplicates=True)
    assert allowed.problems.empty and allowed.size == 2
    one = int(allocate_frame(frame.iloc[:1], 2022)["total_cents"].iloc[0])
    assert list(allowed.allocate(2022)["total_cents"]) == [one, one]


def test_repr_says_what_it_holds() -> None:
    frame = _frame()
    frame.loc["r2", "poverty_rate"] = 35
    checked = portfolio(frame)
    assert repr(checked) == "<Portfolio of 3 rows, 1 invalid, model 'experimentation'>"
    assert repr(checked.valid()).endswith("1 invalid (left out), model 'experimentation'>")
    assert isinstance(checked, Portfolio)
