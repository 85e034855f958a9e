"""Fuzzing the batch path: for arbitrary frames, allocate_frame raises only the library's
InputError (CoverageError for a 'year' outside the parameters), or with errors="report"
accounts for every row, never KeyError, IndexError, TypeError or a numpy warning."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secpa_model import CoverageError, InputError, Period, allocate_frame
from secpa_model.testing import periods, structure_frames
from tests.helpers import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, allocate_valid
from tests.profiles import examples

FUZZ = settings(
    max_examples=examples(120),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    report_multiple_bugs=False,  # stop at the first bug: keeps a failing run short
)

CELLS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=8)
    | st.dates()
    | st.datetimes()
    | st.sampled_from(
        [
            "msp",
            "centre_de_sante",
            "in_qpv",
            "near_qpv",
            "outside_qpv",
            "0.3",
            "31",
            "oui",
            "2022-03-01",
            "2022-02-30",
            "1e999",
            "nan",
            "",
            np.nan,
            pd.NaT,
            pd.NA,
            np.int64(5),
            np.float32(0.25),
            2**63,
            1e308,
        ]
    )
)
COLUMN_NAMES = st.sampled_from([*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, "year", "comment"]) | st.text(
    max_size=6
)


@st.composite
def arbitrary_frames(draw: st.DrawFn) -> pd.DataFrame:
    """Frames with any columns (mostly the library's), any cells, a few rows."""
    rows = draw(st.integers(0, 5))
    required = [name for name in REQUIRED_COLUMNS if draw(st.integers(0, 9)) > 0]
    extra = draw(st.lists(COLUMN_NAMES, max_size=10, unique=True))
    names = list(dict.fromkeys([*required, *extra]))
    data: dict[str, Any] = {}
    for name in names:
        homogeneous = draw(st.booleans())
        if homogeneous:
            cell = draw(
                st.sampled_from(
                    [st.integers(-5, 20_000), st.floats(), st.booleans(), st.text(max_size=4)]
                )
            )
            data[name] = draw(st.lists(cell, min_size=rows, max_size=rows))
        else:
            data[name] = pd.Series(
                draw(st.lists(CELLS, min_size=rows, max_size=rows)), dtype=object
            )
    index = draw(
        st.sampled_from(
            [
                pd.RangeIndex(rows),
                pd.Index([f"r{i}" for i in range(rows)]),
                pd.Index([7] * rows),  # duplicated labels
            ]
        )
    )
    frame = pd.DataFrame(data, index=range(rows))
    frame.index = index
    return frame


@st.composite
def corrupted_frames(draw: st.DrawFn) -> pd.DataFrame:
    """A valid frame with some cells replaced by arbitrary values (reaches the per-column
    validation that an arbitrary frame rarely gets past)."""
    frame = draw(structure_frames(1, 5)).astype(object)
    for _ in range(draw(st.integers(1, 4))):
        row = draw(st.integers(0, len(frame) - 1))
        column = draw(st.sampled_from(list(frame.columns)))
        frame.iat[row, frame.columns.get_loc(column)] = draw(CELLS)
    return frame


def check(frame: pd.DataFrame, period: Period) -> None:
    """The fuzz oracle for both error modes."""
    allowed: tuple[type[Exception], ...] = (InputError,)
    if "year" in frame.columns:
        allowed = (InputError, CoverageError)
    try:
        result = allocate_frame(frame, period)
        assert len(result) == len(frame)
        assert (result["total_cents"] >= 0).all()
    except allowed:
        pass
    try:
        reported = allocate_valid(frame, period)
    except allowed:
        return
    assert isinstance(reported, tuple)
    accounted = set(reported.allocations.index) | set(reported.errors["row"])
    assert set(frame.index) <= accounted, "a row was dropped silently"


@pytest.mark.filterwarnings("error")
@FUZZ
@given(arbitrary_frames(), periods())
def test_arbitrary_frames_raise_only_input_error(frame: pd.DataFrame, period: Period) -> None:
    check(frame, period)


@pytest.mark.filterwarnings("error")
@FUZZ
@given(corrupted_frames(), periods())
def test_corrupted_frames_raise_only_input_error(frame: pd.DataFrame, period: Period) -> None:
    check(frame, period)


@pytest.mark.filterwarnings("error")
@settings(max_examples=examples(40), deadline=None)
@given(structure_frames(0, 6), periods())
def test_valid_frames_allocate_without_error(frame: pd.DataFrame, period: Period) -> None:
    result = allocate_frame(frame, period)
    assert list(result.index) == list(frame.index)
    reported = allocate_valid(frame, period)
    assert reported.errors.empty
    pd.testing.assert_frame_equal(reported.allocations, result)


def test_date_objects_in_an_object_column_are_dates() -> None:
    """datetime.date cells (what Structure.model_dump gives) are read as dates."""
    frame = pd.DataFrame(
        {
            "structure_id": ["a"],
            "kind": ["msp"],
            "location": ["in_qpv"],
            "file_active_mg": [1000],
            "poverty_rate": [0.2],
            "entry_date": pd.Series([dt.date(2022, 3, 1)], dtype=object),
        }
    )
    result = allocate_frame(frame, 2022)
    assert bool(result["eligible"].iloc[0])


BASE_ROW: dict[str, Any] = {
    "structure_id": "a",
    "kind": "msp",
    "location": "in_qpv",
    "file_active_mg": 1000,
    "poverty_rate": 0.2,
}

# Single bad cells found by the fuzzers above: each must be an InputError naming the field
# (errors="raise") and a reported row (errors="report"), with no warning on the way.
BAD_CELLS: list[tuple[str, str, Any]] = [
    ("unknown kind", "kind", "hospital"),
    ("boolean kind", "kind", False),
    ("unknown location", "location", "downtown"),
    ("file active beyond int64", "file_active_mg", 2**63),
    ("file active 1e19", "file_active_mg", 1e19),
    ("file active 1e308", "file_active_mg", 1e308),
    ("request of 1e17 euros", "psychologist_cost_requested", 1e17),
    ("request of 1e308 euros", "psychologist_cost_requested", 1e308),
    ("Ségur funding of 1e308 euros", "segur_psychologist_funding", 1e308),
    ("year 0", "year", 0),
    ("year 10000", "year", 10_000),
    ("year 1e300", "year", 1e300),
    ("year inf", "year", float("inf")),
    ("year 2**62", "year", 2**62),
    ("year -2**62", "year", -(2**62)),
    ("entry date beyond any date", "entry_date", 2**70),
    # an Excel serial day number is not a date: read as nanoseconds since 1970 it would be
    # silently guessed as 1970-01-01
    ("integer entry date", "entry_date", 44_621),
]


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(
    ("field", "value"), [case[1:] for case in BAD_CELLS], ids=[case[0] for case in BAD_CELLS]
)
def test_bad_cells_found_by_fuzzing_are_input_errors(field: str, value: Any) -> None:
    frame = pd.DataFrame({**{k: [v] for k, v in BASE_ROW.items()}, field: [value]})
    with pytest.raises(InputError, match=field):
        allocate_frame(frame, 2022)
    try:
        reported = allocate_valid(frame, 2022)
    except InputError as exc:
        # a frame-level defect (such as the 'year' column) may be raised in report mode too
        assert field in str(exc)
        return
    assert reported.allocations.empty
    assert list(reported.errors["field"]) == [field]


@pytest.mark.filterwarnings("error")
def test_huge_interpreting_hours_hit_the_cap_or_are_refused_without_overflow_warning() -> None:
    """Hours up to 2**53 (where float64 stops holding every whole number) are accepted and
    the line is the cap, with no RuntimeWarning; beyond, the cell is refused by name."""
    frame = pd.DataFrame(
        {**{k: [v] for k, v in BASE_ROW.items()}, "interpreting_hours_phone": [float(2**53)]}
    )
    result = allocate_frame(frame, 2022)
    # 2022 is a whole year: the line is the reference annual cap, 40 000 € = 4 000 000 cents
    assert int(result["interpreting_cents"].iloc[0]) == 4_000_000
    frame["interpreting_hours_phone"] = [1e308]
    with pytest.raises(InputError, match=r"interpreting_hours_phone must be ≤ 9\.0072e"):
        allocate_frame(frame, 2022)
