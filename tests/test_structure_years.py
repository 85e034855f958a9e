"""Structure-year tables all the way: the result keeps ``year`` and the user's columns
(``keep=``, ``--keep``), safely written."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import secpa_model
from secpa_model import InputError, allocate_frame, compare_models, read_allocations
from secpa_model.core.money import format_euros
from secpa_model.io.batch import run_batch
from secpa_model.io.frames import IDENTIFYING_COLUMNS, kept_columns
from secpa_model.presentation.cli import main
from tests.helpers import allocate_valid

Capture = pytest.CaptureFixture[str]

# Reference values, constant over 2022-2024 (no proration: whole years).
# "a" (msp, in a QPV, poverty 0.31): 2022 with 2 400 patients: 3 ETP × 45 000 + 2 400 × 40
# = 231 000 €; 2023 with 3 100 patients: 4 ETP × 45 000 + 3 100 × 40 = 304 000 €.
# "b" (centre, poverty 0.20): 2022 with 1 500 patients: 2 × 45 000 + 1 500 × 25 = 127 500 €;
# 2023 with 900 patients: below the minimum of 1 000, not eligible, 0 €.
A_2022 = (3 * 45_000 + 2_400 * 40) * 100
A_2023 = (4 * 45_000 + 3_100 * 40) * 100
B_2022 = (2 * 45_000 + 1_500 * 25) * 100


def table() -> pd.DataFrame:
    common = {"location": "in_qpv"}
    return pd.DataFrame(
        [
            {"structure_id": "a", "year": 2022, "kind": "msp", "file_active_mg": 2400,
             "poverty_rate": 0.31, "nom": "Maison A", "region": "Bretagne", "wave": 1, **common},
            {"structure_id": "a", "year": 2023, "kind": "msp", "file_active_mg": 3100,
             "poverty_rate": 0.31, "nom": "Maison A", "region": "Bretagne", "wave": 1, **common},
            {"structure_id": "b", "year": 2022, "kind": "centre_de_sante", "file_active_mg": 1500,
             "poverty_rate": 0.20, "nom": "=HYPERLINK(\"http://x\")", "region": "Corse",
             "wave": 2, **common},
            {"structure_id": "b", "year": 2023, "kind": "centre_de_sante", "file_active_mg": 900,
             "poverty_rate": 0.20, "nom": "Centre B", "region": "Corse", "wave": 2, **common},
        ]
    )  # fmt: skip


def test_the_result_keeps_year_and_the_identifying_columns_by_default() -> None:
    result = allocate_frame(table(), None)
    assert list(result.columns[:4]) == ["structure_id", "year", "nom", "region"]
    assert "wave" not in result.columns  # not an identifying column
    assert list(zip(result["structure_id"], result["year"], strict=True)) == [
        ("a", 2022),
        ("a", 2023),
        ("b", 2022),
        ("b", 2023),
    ]
    assert str(result["year"].dtype) == "int64"
    assert list(result["total_cents"]) == [A_2022, A_2023, B_2022, 0]
    assert list(result["nom"]) == list(table()["nom"])  # as given
    assert result.loc[3, "reasons"] == "file_active_below_minimum"


def test_keep_chooses_the_columns() -> None:
    assert list(
        allocate_frame(secpa_model.portfolio(table(), keep=["wave"]), None).columns[:3]
    ) == [
        "structure_id",
        "year",
        "wave",
    ]
    assert list(allocate_frame(secpa_model.portfolio(table(), keep=()), None).columns[:3]) == [
        "structure_id",
        "year",
        "eligible",
    ]
    # the id and the year named again are kept once, in their place
    again = allocate_frame(
        secpa_model.portfolio(table(), keep=["region", "year", "structure_id"]), None
    )
    assert list(again.columns[:3]) == ["structure_id", "year", "region"]
    without_year = table().drop(columns="year").iloc[[0, 2]]
    assert list(
        allocate_frame(secpa_model.portfolio(without_year, keep=["nom"]), 2022).columns[:3]
    ) == [
        "structure_id",
        "nom",
        "eligible",
    ]


def test_keep_refuses_what_it_cannot_keep() -> None:
    with pytest.raises(InputError, match="no column 'nmo'"):
        allocate_frame(secpa_model.portfolio(table(), keep=["nmo"]), None)
    with pytest.raises(InputError, match="'total_cents' is a column of the result"):
        allocate_frame(
            secpa_model.portfolio(table().assign(total_cents=1), keep=["total_cents"]), None
        )
    with pytest.raises(TypeError, match="list of column names"):
        allocate_frame(secpa_model.portfolio(table(), keep="nom"), None)  # type: ignore[arg-type]


def test_identifying_names_ignore_case_accents_spaces_and_hyphens() -> None:
    frame = table().rename(columns={"nom": "Nom", "region": "Région"})
    frame["Raison sociale"] = "SISA"
    frame["code-finess"] = "x"  # not a listed name
    assert kept_columns(frame) == ["year", "Nom", "Région", "Raison sociale"]
    assert {"nom", "region", "raison_sociale"} <= set(IDENTIFYING_COLUMNS)


def test_kept_columns_follow_the_valid_rows_and_the_pieces(tmp_path: Path) -> None:
    frame = table()
    frame["file_active_mg"] = frame["file_active_mg"].astype(object)
    frame.loc[1, "file_active_mg"] = "many"
    allocations, errors = allocate_valid(frame, None)
    assert list(errors["row"]) == [1]
    assert list(allocations.index) == [0, 2, 3]
    assert list(allocations["nom"]) == [frame.loc[i, "nom"] for i in (0, 2, 3)]
    assert list(allocations["year"]) == [2022, 2022, 2023]
    # a batch in pieces of 2 rows keeps the kept columns of the valid rows, as one call
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    frame.to_csv(source, index=False)
    run_batch(
        source, out, None, errors="report", problems=tmp_path / "e.csv", keep=["wave"], rows=2
    )
    written = pd.read_csv(out)
    assert list(written["row"]) == [0, 2, 3]
    assert list(written.columns[:4]) == ["row", "structure_id", "year", "wave"]
    assert list(written["wave"]) == [1, 2, 2]


def test_batch_keeps_year_and_names_safely(tmp_path: Path, capsys: Capture) -> None:
    source = tmp_path / "years.csv"
    table().to_csv(source, index=False)
    out = tmp_path / "out.csv"
    assert main(["batch", str(source), "-o", str(out)]) == 0
    assert A_2022 + A_2023 + B_2022 == 66_250_000  # 231 000 + 304 000 + 127 500 €
    assert f"total: {format_euros(Decimal(662_500))}" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("structure_id,year,nom,region,eligible,")
    assert "'=HYPERLINK" in text  # no live formula in a spreadsheet
    back = read_allocations(out)
    assert list(back["nom"]) == list(table()["nom"])  # read back as written by the user
    assert list(back["year"]) == [2022, 2023, 2022, 2023]

    chosen = tmp_path / "chosen.csv"
    assert main(["batch", str(source), "-o", str(chosen), "--keep", "wave"]) == 0
    assert chosen.read_text(encoding="utf-8").startswith("structure_id,year,wave,eligible,")
    bare = tmp_path / "bare.csv"
    assert main(["batch", str(source), "-o", str(bare), "--keep", ""]) == 0
    assert bare.read_text(encoding="utf-8").startswith("structure_id,year,eligible,")
    capsys.readouterr()
    assert main(["batch", str(source), "-o", str(tmp_path / "x.csv"), "--keep", "nmo"]) == 2
    assert "no column 'nmo'" in capsys.readouterr().err


def test_batch_to_excel_keeps_names_as_text(tmp_path: Path, capsys: Capture) -> None:
    source = tmp_path / "years.csv"
    table().to_csv(source, index=False)
    out = tmp_path / "out.xlsx"
    assert main(["batch", str(source), "-o", str(out), "--errors", "report"]) == 0
    sheet = openpyxl.load_workbook(out).active
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["row", "structure_id", "year", "nom", "region"]
    formula_cell = sheet.cell(row=4, column=4)  # row 2 of the input (b, 2022)
    assert formula_cell.value == table().loc[2, "nom"] and formula_cell.data_type == "s"


def test_who_gains_and_who_loses_keeps_the_year_and_the_names(tmp_path: Path) -> None:
    comparison = compare_models(table(), None, "experimentation", "five_pillars")
    by_structure = comparison.by_structure
    assert list(by_structure.columns[:4]) == ["structure_id", "year", "nom", "region"]
    assert list(by_structure["year"]) == [2022, 2023, 2022, 2023]
    assert list(by_structure["nom"]) == list(table()["nom"])
    assert list(by_structure["experimentation_cents"]) == [A_2022, A_2023, B_2022, 0]
    out = tmp_path / "winners.csv"
    source = tmp_path / "years.csv"
    table().to_csv(source, index=False)
    words = ["compare", str(source), "--model", "experimentation", "--model", "five_pillars"]
    assert main([*words, "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text  # the winners file is safe in a spreadsheet too
