"""Files: structures from CSV (comma or French semicolon), Parquet and Excel; allocations
back to the same formats, with no loss of rows or cents."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from secpa_model import (
    InputError,
    allocate_frame,
    read_allocations,
    read_structures,
    write_allocations,
)
from tests.frame_support import changed_parameters, frame_of, valid_row
from tests.helpers import allocate_valid

SUFFIXES = [".csv", ".parquet", ".xlsx"]


def full_row(**changes: Any) -> dict[str, Any]:
    """A valid row with every optional column filled (an empty number cell is an error)."""
    defaults = {
        "interpreting_hours_in_person": 0.0,
        "interpreting_hours_phone": 0.0,
        "psychologist_cost_requested": 0.0,
        "segur_psychologist_funding": 0.0,
        "ars_psychology_agreement": False,
        "entry_date": None,
        "exit_date": None,
    }
    return valid_row(**{**defaults, **changes})


def source_frame() -> pd.DataFrame:
    """Rows with every kind of cell: leading-zero ids, cents, dates, booleans, ineligible."""
    return frame_of(
        full_row(
            structure_id="007",
            psychologist_cost_requested=70_000.55,
            segur_psychologist_funding=10_000.10,
            ars_psychology_agreement=True,
            interpreting_hours_in_person=12.25,
            entry_date=date(2022, 3, 15),
        ),
        full_row(structure_id="B-2", kind="msp", location="near_qpv", exit_date=date(2022, 9, 1)),
        full_row(structure_id="C", location="outside_qpv", file_active_mg=800),
        full_row(structure_id="D", file_active_mg=7400, poverty_rate=0.42),
    )


def write_source(frame: pd.DataFrame, path: Path) -> None:
    """Write an input file as a user's tool would (pandas, without the index)."""
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_excel(path, index=False)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_round_trip_keeps_every_row_and_cent(suffix: str, tmp_path: Path) -> None:
    source = source_frame()
    structures_file = tmp_path / f"structures{suffix}"
    write_source(source, structures_file)

    structures = read_structures(structures_file)
    assert list(structures["structure_id"]) == ["007", "B-2", "C", "D"]
    assert list(structures["psychologist_cost_requested"] * 100) == [7_000_055, 0, 0, 0]
    assert list(structures["segur_psychologist_funding"] * 100) == [1_000_010, 0, 0, 0]
    assert list(structures["entry_date"]) == [date(2022, 3, 15), None, None, None]
    assert list(structures["exit_date"]) == [None, date(2022, 9, 1), None, None]
    assert list(structures["ars_psychology_agreement"]) == [True, False, False, False]

    params = changed_parameters()
    allocations = allocate_frame(structures, 2022, params)
    pd.testing.assert_frame_equal(allocations, allocate_frame(source, 2022, params))

    allocations_file = tmp_path / f"allocations{suffix}"
    write_allocations(allocations, allocations_file)
    back = read_allocations(allocations_file)
    assert list(back.columns) == list(allocations.columns)
    pd.testing.assert_frame_equal(back, allocations, check_dtype=False)
    for name in [c for c in back.columns if c.endswith("_cents")]:
        assert str(back[name].dtype) == "int64"
        assert back[name].sum() == allocations[name].sum()


def test_french_csv_with_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    path = tmp_path / "structures.csv"
    path.write_text(
        "structure_id;kind;location;file_active_mg;poverty_rate;"
        "psychologist_cost_requested;ars_psychology_agreement;entry_date;region\n"
        "A;centre_de_sante;in_qpv;1 200;0,31;12 345,50;oui;2022-03-01;Nord\n"
        "B;msp;near_qpv;3000;0.2;100;non;;Var\n",
        encoding="utf-8-sig",  # as Excel saves a CSV: with a byte-order mark
    )
    frame = read_structures(path)
    assert list(frame["file_active_mg"]) == [1200, 3000]
    assert list(frame["poverty_rate"]) == [0.31, 0.2]
    assert list(frame["psychologist_cost_requested"]) == [12345.5, 100.0]
    assert list(frame["ars_psychology_agreement"]) == [True, False]
    assert list(frame["entry_date"]) == [date(2022, 3, 1), None]
    assert list(frame["region"]) == ["Nord", "Var"]  # other columns are kept
    assert str(frame["file_active_mg"].dtype) == "int64"


def test_a_comma_in_a_comma_separated_file_is_not_a_decimal_comma(tmp_path: Path) -> None:
    path = tmp_path / "structures.csv"
    path.write_text(
        'structure_id,kind,location,file_active_mg,poverty_rate\nA,msp,in_qpv,"1,200",0.3\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_structures(path)
    assert str(caught.value) == (
        f"{path}: 1 invalid row (1 problem): "
        "row 0 (line 2), structure 'A': file_active_mg = '1,200': file_active_mg must be a "
        "number"
    )


def test_read_reports_bad_cells_with_the_file_or_returns_them_unvalidated(tmp_path: Path) -> None:
    path = tmp_path / "structures.csv"
    path.write_text(
        "structure_id;kind;location;file_active_mg;poverty_rate\n"
        "A;msp;in_qpv;1000;31\n"
        "B;msp;nowhere;1000;0,31\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_structures(path)
    assert str(caught.value).splitlines() == [
        f"{path}: 2 invalid rows (2 problems):",
        "  row 0 (line 2), structure 'A': poverty_rate = '31': poverty_rate looks like a "
        "percentage: give it as a fraction in [0, 1] (31 → 0.31)",
        "  row 1 (line 3), structure 'B': location = 'nowhere': location must be one of "
        "in_qpv, near_qpv, outside_qpv",
    ]
    raw = read_structures(path, validate=False)
    allocations, errors = allocate_valid(raw, 2022)
    assert len(allocations) == 0 and list(errors["row"]) == [0, 1]


def test_missing_columns_in_a_file_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "structures.csv"
    path.write_text("structure_id,kind\nA,msp\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_structures(path)
    assert str(caught.value) == (
        f"{path}: missing required columns: location, file_active_mg, poverty_rate "
        "(columns present: structure_id, kind)"
    )


def test_unknown_suffixes_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_structures(tmp_path / "structures.json")
    assert str(caught.value) == (
        f"{tmp_path / 'structures.json'}: unknown file type '.json' "
        "(known: .csv, .jsonl, .parquet, .pq, .xlsx)"
    )
    with pytest.raises(InputError, match="no such file"):
        read_structures(tmp_path / "absent.csv")


@pytest.mark.parametrize(
    ("suffix", "module", "name", "extra"), [(".xlsx", "openpyxl", "Excel", "excel")]
)
def test_a_missing_extra_is_named(
    suffix: str, module: str, name: str, extra: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / f"structures{suffix}"
    path.write_bytes(b"not read")
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    with pytest.raises(ImportError) as caught:
        read_structures(path)
    assert str(caught.value) == (
        f"reading {name} files needs the optional dependency {module}: "
        f"install it with pip install 'secpa-model[{extra}]'"
    )
    with pytest.raises(ImportError, match=rf"^writing {name} files needs"):
        write_allocations(pd.DataFrame({"a": [1]}), tmp_path / f"out{suffix}")


def test_a_non_default_index_is_written_as_a_column(tmp_path: Path) -> None:
    frame = frame_of(valid_row(structure_id="a"), valid_row(structure_id="b"), index=["x", "y"])
    path = write_allocations(allocate_frame(frame, 2022), tmp_path / "out.csv")
    back = read_allocations(path)
    assert list(back.iloc[:, 0]) == ["x", "y"]
    assert list(back["structure_id"]) == ["a", "b"]
