"""One implementation: row i of allocate_frame equals allocate(structure i) to the cent."""

from __future__ import annotations

from datetime import date

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secpa_model import Allocation, Period, Structure, allocate, allocate_frame
from secpa_model.core.money import euros_to_cents
from tests.frame_support import changed_parameters, periods, structures, structures_frame
from tests.helpers import LINE_KEYS
from tests.profiles import examples

SETTINGS = settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def assert_row_equals(result: pd.Series, single: Allocation) -> None:
    assert result["structure_id"] == single.structure_id
    assert bool(result["eligible"]) == single.eligible
    assert result["reasons"] == ";".join(reason.code for reason in single.reasons)
    for key in LINE_KEYS:
        assert int(result[f"{key}_cents"]) == euros_to_cents(single.line(key).amount), key
    assert int(result["total_cents"]) == euros_to_cents(single.total)


@st.composite
def structure_lists(draw: st.DrawFn) -> list[Structure]:
    count = draw(st.integers(1, 8))
    return [draw(structures(structure_id=f"s{i}")) for i in range(count)]


@SETTINGS
@given(items=structure_lists(), period=periods(), as_text=st.booleans())
def test_each_row_equals_the_one_structure_path(
    items: list[Structure], period: Period, as_text: bool
) -> None:
    params = changed_parameters()
    frame = structures_frame(items, as_text=as_text)
    result = allocate_frame(frame, period, params)
    assert list(result.index) == list(frame.index)
    for row, structure in enumerate(items):
        assert_row_equals(result.iloc[row], allocate(structure, period, params))


@SETTINGS
@given(
    items=structure_lists(),
    years=st.lists(st.sampled_from([2022, 2023, 2024]), min_size=8, max_size=8),
    period=st.none() | periods(),
)
def test_structure_year_rows_equal_the_year_intersected_with_the_period(
    items: list[Structure], years: list[int], period: Period | None
) -> None:
    params = changed_parameters()
    frame = structures_frame(items).assign(year=years[: len(items)])
    result = allocate_frame(frame, period, params)
    for row, (structure, year) in enumerate(zip(items, years, strict=False)):
        start, end = date(year, 1, 1), date(year, 12, 31)
        if period is not None:
            start, end = max(start, period.start), min(end, period.end)
        if start > end:  # the year does not meet the period: not participating
            assert not result.iloc[row]["eligible"]
            assert "not_participating" in result.iloc[row]["reasons"]
            assert int(result.iloc[row]["total_cents"]) == 0
            continue
        assert_row_equals(result.iloc[row], allocate(structure, Period(start, end), params))


def test_a_multi_year_table_is_one_call() -> None:
    """Two years of one structure: each row is its own year, and the change of
    cost_per_etp on 1 March 2022 is prorated inside 2022 only.

    file active 2500 → 3 ETP (bracket from 2000); 2021-08..: 45 000 €/ETP, 2022-03-01..:
    54 750 €/ETP. 2022: 3 × (45 000 × 59 + 54 750 × 306) / 365 = 3 × 18 773 663 000 / 365 ...
    computed below with integers; 2023: 3 × 54 750 = 164 250 €.
    """
    params = changed_parameters()
    row = {
        "structure_id": "s",
        "kind": "msp",
        "location": "in_qpv",
        "file_active_mg": 2500,
        "poverty_rate": 0.1,  # below 0.15: 0 € per patient
    }
    frame = pd.DataFrame([{**row, "year": 2022}, {**row, "year": 2023}])
    result = allocate_frame(frame, None, params)
    # 2022: 59 days (Jan + Feb) at 45 000, 306 days at 54 750, over 365 days, 3 ETP, cents
    exact_2022_cents = 3 * (4_500_000 * 59 + 5_475_000 * 306) / 365
    assert int(result.loc[0, "participatory_activities_cents"]) == int(exact_2022_cents + 0.5)
    assert int(result.loc[1, "participatory_activities_cents"]) == 3 * 5_475_000
    assert int(result.loc[1, "practitioner_participation_cents"]) == 0
