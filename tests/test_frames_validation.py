"""Bad input to allocate_frame: every case with its exact message, both error modes, and
the shape of the result (same index, same order, empty frames)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest

from secpa_model import InputError, add_euro_columns, allocate_frame
from secpa_model.io.validation import ERROR_COLUMNS
from tests.frame_support import frame_of, valid_row
from tests.helpers import RESULT_COLUMNS, allocate_valid

KINDS_TEXT = "msp, centre_de_sante"
LOCATIONS_TEXT = "in_qpv, near_qpv, outside_qpv"


def single_problem(row: dict[str, Any]) -> str:
    """The message for a one-row frame (label 0) with exactly one bad cell."""
    with pytest.raises(InputError) as caught:
        allocate_frame(frame_of(row), 2022)
    return str(caught.value)


# (changes to a valid row, field, value shown, message)
CELL_CASES: list[tuple[dict[str, Any], str, str, str]] = [
    # wrong types
    ({"file_active_mg": "many"}, "file_active_mg", "'many'", "file_active_mg must be a number"),
    ({"poverty_rate": True}, "poverty_rate", "True", "poverty_rate must be a number"),
    ({"kind": 3}, "kind", "3", f"kind must be one of {KINDS_TEXT}"),
    ({"structure_id": 1.5}, "structure_id", "1.5", "structure_id must be text"),
    (
        {"ars_psychology_agreement": "maybe"},
        "ars_psychology_agreement",
        "'maybe'",
        "ars_psychology_agreement must be true or false",
    ),
    ({"entry_date": 20220301}, "entry_date", "20220301", _d := "entry_date must be a date"),
    (
        {"interpreting_hours_phone": pd.Timestamp("2022-01-01")},
        "interpreting_hours_phone",
        "Timestamp('2022-01-01 00:00:00')",
        "interpreting_hours_phone must be a number",
    ),
    # NaN and missing cells
    ({"poverty_rate": np.nan}, "poverty_rate", "nan", "poverty_rate is missing (NaN or empty)"),
    ({"kind": None}, "kind", "None", "kind is missing (NaN or empty)"),
    ({"structure_id": "  "}, "structure_id", "'  '", "structure_id is missing or empty"),
    (
        {"interpreting_hours_phone": np.inf},
        "interpreting_hours_phone",
        "inf",
        "interpreting_hours_phone must be finite",
    ),
    (
        {"ars_psychology_agreement": None},
        "ars_psychology_agreement",
        "None",
        "ars_psychology_agreement is missing (NaN or empty)",
    ),
    # negative counts and amounts
    ({"file_active_mg": -5}, "file_active_mg", "-5", "file_active_mg must be ≥ 0"),
    (
        {"interpreting_hours_in_person": -1.5},
        "interpreting_hours_in_person",
        "-1.5",
        "interpreting_hours_in_person must be ≥ 0",
    ),
    (
        {"segur_psychologist_funding": -10},
        "segur_psychologist_funding",
        "-10",
        "segur_psychologist_funding must be ≥ 0",
    ),
    # poverty rate in percent
    (
        {"poverty_rate": 31},
        "poverty_rate",
        "31",
        "poverty_rate looks like a percentage: give it as a fraction in [0, 1] (31 → 0.31)",
    ),
    ({"poverty_rate": 150.0}, "poverty_rate", "150.0", "poverty_rate must be a fraction in [0, 1]"),
    # unknown kinds and locations
    ({"kind": "hospital"}, "kind", "'hospital'", f"kind must be one of {KINDS_TEXT}"),
    ({"kind": "MSP"}, "kind", "'MSP'", f"kind must be one of {KINDS_TEXT}"),
    ({"location": "qpv"}, "location", "'qpv'", f"location must be one of {LOCATIONS_TEXT}"),
    # bad dates
    ({"entry_date": "2022-13-01"}, "entry_date", "'2022-13-01'", _d),
    ({"exit_date": "01/03/2022"}, "exit_date", "'01/03/2022'", "exit_date must be a date"),
    ({"entry_date": "2022-03-01T10:00"}, "entry_date", "'2022-03-01T10:00'", _d),
    # whole patients, whole cents
    (
        {"file_active_mg": 1200.5},
        "file_active_mg",
        "1200.5",
        "file_active_mg must be a whole number of patients",
    ),
    (
        {"psychologist_cost_requested": 100.001},
        "psychologist_cost_requested",
        "100.001",
        "psychologist_cost_requested has more than two decimals (finer than a cent)",
    ),
    (
        {"psychologist_cost_requested": Decimal("0.000000001")},
        "psychologist_cost_requested",
        "Decimal('1E-9')",
        "psychologist_cost_requested has more than two decimals (finer than a cent)",
    ),
    (
        {"segur_psychologist_funding": "12.345"},
        "segur_psychologist_funding",
        "'12.345'",
        "segur_psychologist_funding has more than two decimals (finer than a cent)",
    ),
    # structure-year tables
    ({"year": 2022.5}, "year", "2022.5", "year must be a whole number"),
    ({"year": 0}, "year", "0", "year must be ≥ 1"),
    ({"year": 10_000}, "year", "10000", "year must be ≤ 9999"),
    ({"year": "next"}, "year", "'next'", "year must be a number"),
    ({"year": np.nan}, "year", "nan", "year is missing (NaN or empty)"),
]


@pytest.mark.parametrize(("changes", "field", "shown", "message"), CELL_CASES)
def test_each_bad_cell_has_its_exact_message(
    changes: dict[str, Any], field: str, shown: str, message: str
) -> None:
    if message.endswith("must be a date"):
        message += " (YYYY-MM-DD) or empty"
    # the row's id names it, unless the id is the problem; a missing value is not quoted
    # (never "kind = nan"): its message says it is missing
    where = "row 0" if field == "structure_id" else "row 0, structure 's'"
    missing = shown in ("nan", "None", "'  '")
    what = message if missing else f"{field} = {shown}: {message}"
    assert single_problem(valid_row(**changes)) == f"1 invalid row (1 problem): {where}: {what}"
    with pytest.raises(InputError) as caught:
        allocate_frame(frame_of(valid_row(**changes)), 2022)
    (problem,) = caught.value.problems
    assert (problem.code, problem.field, problem.row, problem.message) == (
        "missing_value" if missing else "invalid_value",
        field,
        0,
        message,
    )
    assert problem.structure_id == (None if field == "structure_id" else "s")
    # a blank text is kept as given; NaN and None are a missing value: None
    assert (problem.value is None) == (shown in ("nan", "None"))


def test_exit_before_entry() -> None:
    row = valid_row(entry_date=date(2022, 5, 1), exit_date=date(2022, 4, 30))
    assert single_problem(row) == (
        "1 invalid row (1 problem): "
        "row 0, structure 's': exit_date = datetime.date(2022, 4, 30): exit_date is before "
        "entry_date"
    )


def test_missing_columns_are_named_with_the_columns_present() -> None:
    frame = frame_of(valid_row()).drop(columns=["kind", "poverty_rate"])
    with pytest.raises(InputError) as caught:
        allocate_frame(frame, 2022)
    assert str(caught.value) == (
        "missing required columns: kind, poverty_rate "
        "(columns present: structure_id, location, file_active_mg)"
    )


def test_duplicated_columns_and_non_frames_are_rejected() -> None:
    frame = pd.concat([frame_of(valid_row()), frame_of(valid_row())[["kind"]]], axis=1)
    with pytest.raises(InputError, match=r"^duplicated columns: kind$"):
        allocate_frame(frame, 2022)
    expected = r"expected a Portfolio or a pandas DataFrame of structures \(portfolio\(path\)"
    with pytest.raises(InputError, match=rf"^{expected} reads a file\), got list$"):
        allocate_frame([valid_row()], 2022)  # type: ignore[arg-type]


def test_a_period_or_a_year_column_is_required() -> None:
    with pytest.raises(InputError) as caught:
        allocate_frame(frame_of(valid_row()), None)
    assert str(caught.value) == "a period is required (or a 'year' column giving each row's year)"


def test_the_old_errors_keyword_is_refused_not_ignored() -> None:
    """``errors=`` was replaced by ``portfolio(frame).valid()``: passing it is an error."""
    with pytest.raises(TypeError, match="errors"):
        allocate_frame(frame_of(valid_row()), 2022, errors="report")  # type: ignore[call-arg]


def test_raise_lists_problems_in_row_order_with_labels() -> None:
    frame = frame_of(
        valid_row(structure_id="a", location="mars"),
        valid_row(structure_id="b"),
        valid_row(structure_id="c", file_active_mg=-1, kind="x"),
        index=["first", "second", "third"],
    )
    with pytest.raises(InputError) as caught:
        allocate_frame(frame, 2022)
    # rows in frame order; within a row, fields in the order of the columns
    assert str(caught.value) == (
        "2 invalid rows (3 problems):\n"
        f"  row 'first', structure 'a': location = 'mars': location must be one of "
        f"{LOCATIONS_TEXT}\n"
        f"  row 'third', structure 'c': kind = 'x': kind must be one of {KINDS_TEXT}\n"
        "  row 'third', structure 'c': file_active_mg = -1: file_active_mg must be ≥ 0"
    )


def test_raise_shows_the_first_twenty_problems_then_a_count() -> None:
    rows = [valid_row(structure_id=f"s{i}", file_active_mg=-i - 1) for i in range(23)]
    rows.append(valid_row(structure_id="ok"))
    rows[5]["poverty_rate"] = 42  # row 5 has two problems: 24 problems over 23 rows
    with pytest.raises(InputError) as caught:
        allocate_frame(frame_of(*rows), 2022)
    lines = str(caught.value).splitlines()
    assert lines[0] == "23 invalid rows (24 problems):"
    assert len(lines) == 1 + 20 + 1
    assert lines[1] == "  row 0, structure 's0': file_active_mg = -1: file_active_mg must be ≥ 0"
    assert lines[6] == "  row 5, structure 's5': file_active_mg = -6: file_active_mg must be ≥ 0"
    assert lines[7].startswith(
        "  row 5, structure 's5': poverty_rate = 42.0: poverty_rate looks like a percentage"
    )
    assert (
        lines[20] == "  row 18, structure 's18': file_active_mg = -19: file_active_mg must be ≥ 0"
    )
    # every problem is in the error as data, not only the twenty shown
    assert len(caught.value.problems) == 24
    assert caught.value.problems[-1].structure_id == "s22"
    assert lines[21] == "  ... and 4 more problems"


def test_report_returns_valid_rows_and_every_bad_cell() -> None:
    frame = frame_of(
        valid_row(structure_id="a"),
        valid_row(structure_id="b", poverty_rate=35, kind="clinic"),
        valid_row(structure_id="c", entry_date="soon"),
        valid_row(structure_id="d", location="outside_qpv"),
        index=[10, 11, 11, 12],  # labels need not be unique: rows are taken by position
    )
    reported = allocate_valid(frame, 2022)
    assert isinstance(reported, tuple)
    allocations, errors = reported
    assert list(allocations["structure_id"]) == ["a", "d"]
    assert list(allocations.index) == [10, 12]
    assert list(errors.columns) == list(ERROR_COLUMNS)
    assert errors.values.tolist() == [
        [11, "b", "kind", "clinic", "invalid_value", f"kind must be one of {KINDS_TEXT}"],
        [
            11,
            "b",
            "poverty_rate",
            35,
            "invalid_value",
            "poverty_rate looks like a percentage: give it as a fraction in [0, 1] (31 → 0.31)",
        ],
        [
            11,
            "c",
            "entry_date",
            "soon",
            "invalid_value",
            "entry_date must be a date (YYYY-MM-DD) or empty",
        ],
    ]
    # nothing lost: every input row is allocated or reported
    assert len(allocations) + 2 == len(frame)
    # the valid rows are computed as if alone
    alone = allocate_frame(frame.iloc[[0, 3]], 2022)
    pd.testing.assert_frame_equal(allocations, alone)


def test_report_without_problems_has_an_empty_errors_frame() -> None:
    allocations, errors = allocate_valid(frame_of(valid_row()), 2022)
    assert len(allocations) == 1
    assert list(errors.columns) == list(ERROR_COLUMNS) and len(errors) == 0


def test_no_row_is_dropped_or_reordered() -> None:
    labels = ["z", "a", "m", "b"]
    rows = [
        valid_row(structure_id=label, file_active_mg=1000 * n) for n, label in enumerate(labels)
    ]
    result = allocate_frame(frame_of(*rows, index=labels), 2022)
    assert list(result.index) == labels
    assert list(result["structure_id"]) == labels
    assert list(result["eligible"]) == [False, True, True, True]  # 0 patients: below 1 000


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame(
            columns=["structure_id", "kind", "location", "file_active_mg", "poverty_rate"]
        ),
        pd.DataFrame(),
        frame_of(valid_row()).iloc[0:0],
    ],
    ids=["columns-only", "no-columns", "filtered"],
)
def test_an_empty_frame_gives_an_empty_result_with_the_right_columns(frame: pd.DataFrame) -> None:
    full = allocate_frame(frame_of(valid_row()), 2022)
    result = allocate_frame(frame, 2022)
    assert len(result) == 0
    assert list(result.columns) == list(RESULT_COLUMNS)
    assert result.dtypes.to_dict() == full.dtypes.to_dict()
    assert str(result["total_cents"].dtype) == "int64"
    assert str(result["eligible"].dtype) == "bool"
    allocations, errors = allocate_valid(frame, 2022)
    assert len(allocations) == 0 and len(errors) == 0


def test_optional_columns_take_their_defaults_and_other_columns_are_ignored() -> None:
    """2500 patients, poverty 0.30, nothing requested, year 2022 (reference values):
    participatory activities 3 ETP × 45 000 € = 135 000 €; practitioners 2500 × 40 € =
    100 000 € (bracket from 0.25); interpreting and psychology 0 €."""
    frame = frame_of(valid_row(region="Île-de-France"))
    result = allocate_frame(frame, 2022)
    assert result.loc[0, "participatory_activities_cents"] == 135_000 * 100
    assert result.loc[0, "practitioner_participation_cents"] == 2500 * 40 * 100
    assert result.loc[0, "interpreting_cents"] == 0
    assert result.loc[0, "psychological_support_cents"] == 0
    assert result.loc[0, "total_cents"] == 235_000 * 100
    assert result.loc[0, "reasons"] == ""


def test_accepted_spellings_of_text_booleans_and_dates() -> None:
    """Booleans as words (English or French) or 0/1; euros as text; dates as text or
    datetime; ids and categories with surrounding spaces (as Structure strips them)."""
    base = {"psychologist_cost_requested": "1000.50", "entry_date": pd.Timestamp("2022-01-01")}
    frame = frame_of(
        valid_row(structure_id=" a ", kind=" msp", ars_psychology_agreement="Oui", **base),
        valid_row(structure_id="b", ars_psychology_agreement="yes", **base),
        valid_row(structure_id="c", ars_psychology_agreement=1, **base),
        valid_row(structure_id="d", ars_psychology_agreement="FALSE", **base),
    )
    result = allocate_frame(frame, 2022)
    assert list(result["structure_id"]) == ["a", "b", "c", "d"]
    assert list(result["psychological_support_cents"]) == [100_050, 100_050, 100_050, 0]


def test_euro_columns_are_exact_decimals() -> None:
    result = add_euro_columns(allocate_frame(frame_of(valid_row()), 2022))
    assert result.loc[0, "total_eur"] == Decimal("235000.00")
    assert result.loc[0, "interpreting_eur"] == Decimal("0.00")
    assert list(result.columns[: len(RESULT_COLUMNS)]) == list(RESULT_COLUMNS)


@pytest.mark.parametrize("dtype", [np.float32, "Float32"])
def test_float32_cells_are_read_as_the_decimals_they_print_as(dtype: Any) -> None:
    """float32(0.35) is 0.3499999940…: taken as such it would fall below the 0.35 bracket
    (55 € per patient) into the 0.25 one (40 €). 2500 patients × 55 € = 137 500 €."""
    frame = frame_of(valid_row(poverty_rate=0.35)).astype({"poverty_rate": dtype})
    result = allocate_frame(frame, 2022)
    assert result.loc[0, "practitioner_participation_cents"] == 2500 * 55 * 100


def test_nullable_and_categorical_columns() -> None:
    frame = pd.DataFrame(
        {
            "structure_id": ["a", "b"],
            "kind": pd.Categorical(["msp", "hospital"]),
            "location": ["in_qpv", "in_qpv"],
            "file_active_mg": pd.array([2500, None], dtype="Int64"),
            "poverty_rate": [0.3, 0.3],
            "ars_psychology_agreement": pd.array([True, None], dtype="boolean"),
        }
    )
    allocations, errors = allocate_valid(frame, 2022)
    assert list(allocations["structure_id"]) == ["a"]
    assert errors[["row", "field"]].values.tolist() == [
        [1, "kind"],
        [1, "file_active_mg"],
        [1, "ars_psychology_agreement"],
    ]


def test_whole_number_ids_become_text_and_missing_ones_are_reported() -> None:
    frame = frame_of(valid_row(), valid_row(), index=[7, 7])  # labels need not be unique
    frame["structure_id"] = pd.array([750012345, None], dtype="Int64")
    allocations, errors = allocate_valid(frame, 2022)
    assert list(allocations["structure_id"]) == ["750012345"]
    assert errors.values.tolist() == [
        [7, None, "structure_id", None, "missing_value", "structure_id is missing or empty"]
    ]


@pytest.mark.parametrize(
    ("column", "field"),
    [
        ("interpreting_hours_inperson", "interpreting_hours_in_person"),
        ("Psychologist_Cost_Requested", "psychologist_cost_requested"),
        ("ars_psychology_agrement", "ars_psychology_agreement"),
    ],
)
def test_a_misspelt_optional_column_is_refused_not_ignored(column: str, field: str) -> None:
    # under a wrong name the column would be ignored and the field would take its default
    frame = pd.DataFrame(
        {
            "structure_id": ["a"],
            "kind": ["msp"],
            "location": ["in_qpv"],
            "file_active_mg": [2000],
            "poverty_rate": [0.3],
            column: [1],
        }
    )
    with pytest.raises(InputError, match=f"{column!r}: did you mean {field!r}"):
        allocate_frame(frame, 2022)


def test_other_columns_are_ignored() -> None:
    frame = pd.DataFrame(
        {
            "structure_id": ["a"],
            "kind": ["msp"],
            "location": ["in_qpv"],
            "file_active_mg": [2000],
            "poverty_rate": [0.3],
            "region": ["Normandie"],
            "wave": [2],
        }
    )
    assert list(allocate_frame(frame, 2022)["structure_id"]) == ["a"]


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_datetimes_before_1970_read_as_their_day_at_every_resolution(unit: str) -> None:
    """A datetime column's days are floored (1969-12-31 12:00 is on the 31st, not the 1st
    of 1970) and only midnight is a date, whatever the column's resolution."""
    from secpa_model.io.validation import validate_frame
    from secpa_model.models import resolve_model

    frame = frame_of(valid_row(), valid_row(structure_id="S2"), valid_row(structure_id="S3"))
    frame["entry_date"] = pd.Series(
        np.array(["1969-12-31T00:00", "1969-12-31T12:00", "1970-01-01T00:00"], "M8[m]")
    ).astype(f"datetime64[{unit}]")
    found = validate_frame(frame, resolve_model(None))
    assert found.problems["row"].tolist() == [1]
    assert found.problems["message"].tolist() == ["entry_date must be a date (YYYY-MM-DD) or empty"]
    ordinals = found.columns["entry_date"]
    # 1970-01-01 is day 719 163 of the proleptic Gregorian calendar (ordinal 1: 0001-01-01)
    assert ordinals[0] == 719_162
    assert ordinals[2] == 719_163
