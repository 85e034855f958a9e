"""A text input (the structure id) read from a typed cell: Excel, Parquet and JSON Lines hold
numbers, booleans and dates, and a spreadsheet holds numbers as float64. A decimal, a
boolean or a date is not an id; a whole number is one only within ±2^53, where a float64
holds it exactly (beyond, another id may have been read: the message says to store ids as
text). An .xlsx whose header is below a title row gets a hint naming the header's row."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

import secpa_model as sm
from secpa_model import InputError
from secpa_model.io.schemas import input_schema
from secpa_model.models import resolve_model
from secpa_model.presentation.cli import main
from tests.portfolio_files import portfolio_frame

Capture = pytest.CaptureFixture[str]
LIMIT = 2**53  # 9 007 199 254 740 992: every whole number up to it is a float64
NOT_TEXT = "structure_id must be text"
INEXACT = "store ids as text"


def rows_with_first_id(value: Any) -> list[list[Any]]:
    """The header, then the three structures with ``value`` as the first one's id."""
    frame = portfolio_frame()
    rows = [list(frame.columns)]
    for row in frame.itertuples(index=False, name=None):
        rows.append([cell.item() if hasattr(cell, "item") else cell for cell in row])
    rows[1][0] = value
    return rows


def xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def batch(capsys: Capture, source: Path) -> tuple[int, str, Path]:
    out = source.with_name(f"out-{source.stem}.csv")
    code = main(["batch", str(source), "-o", str(out), "--year", "2022"])
    return code, capsys.readouterr().err, out


def refused(capsys: Capture, source: Path, value: str, message: str) -> None:
    """Refused by the CLI (exit 2, no output) and by ``portfolio(path)``, naming the field,
    the value, the row and the problem."""
    code, err, out = batch(capsys, source)
    assert code == 2, err
    assert "Traceback" not in err and not out.exists()
    assert "row 0" in err and f"structure_id = {value}" in err and message in err, err
    with pytest.raises(InputError, match="row 0") as caught:
        sm.portfolio(source).allocate(2022)
    assert f"structure_id = {value}" in str(caught.value) and message in str(caught.value)


@pytest.mark.parametrize(
    ("cell", "shown", "message"),
    [
        (1.5, "1.5", NOT_TEXT),
        (True, "True", NOT_TEXT),
        (datetime.datetime(2022, 1, 1), "datetime.datetime(2022, 1, 1, 0, 0)", NOT_TEXT),
        (datetime.date(2022, 1, 1), "datetime.datetime(2022, 1, 1, 0, 0)", NOT_TEXT),
        (12345678901234567890, "1.234567890123457e+19", INEXACT),
        (1e20, "1e+20", INEXACT),
        (-1e16, "-1e+16", INEXACT),
    ],
)
def test_an_excel_id_that_is_not_an_exact_whole_number_is_refused(
    cell: Any, shown: str, message: str, tmp_path: Path, capsys: Capture
) -> None:
    source = xlsx(tmp_path / "in.xlsx", rows_with_first_id(cell))
    refused(capsys, source, shown, message)
    assert "sheet 'Sheet' row 2" in batch(capsys, source)[1]


@pytest.mark.parametrize(("cell", "text"), [(12, "12"), (LIMIT, "9007199254740992"), (-7, "-7")])
def test_an_excel_whole_number_within_the_exact_range_is_its_text(
    cell: int, text: str, tmp_path: Path, capsys: Capture
) -> None:
    source = xlsx(tmp_path / "in.xlsx", rows_with_first_id(cell))
    code, err, out = batch(capsys, source)
    assert code == 0, err
    assert sm.read_allocations(out)["structure_id"].tolist()[0].lstrip("'") == text
    assert sm.portfolio(source).allocate(2022)["structure_id"].tolist()[0] == text


def parquet(path: Path, ids: pa.Array) -> Path:
    frame = portfolio_frame()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.set_column(0, "structure_id", ids)
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize(
    ("ids", "shown", "message"),
    [
        (pa.array([1.5, 2.5, 3.5]), "1.5", NOT_TEXT),
        (pa.array([12.0, 13.0, 14.0]), "12.0", NOT_TEXT),
        (pa.array([True, False, True]), "True", NOT_TEXT),
        (
            pa.array([datetime.datetime(2022, 1, 1)] * 3),
            "Timestamp('2022-01-01 00:00:00')",
            NOT_TEXT,
        ),
        (pa.array([LIMIT + 1, 1, 2]), str(LIMIT + 1), INEXACT),
        (pa.array([-LIMIT - 1, 1, 2]), str(-LIMIT - 1), INEXACT),
        (pa.array([12345678901234567890, 1, 2], pa.uint64()), "12345678901234567890", INEXACT),
        (pa.array([1e20, 1.0, 2.0]), "1e+20", INEXACT),
    ],
)
def test_a_parquet_id_column_of_another_type_is_refused(
    ids: pa.Array, shown: str, message: str, tmp_path: Path, capsys: Capture
) -> None:
    refused(capsys, parquet(tmp_path / "in.parquet", ids), shown, message)


def test_parquet_integer_ids_within_the_exact_range_are_their_text(
    tmp_path: Path, capsys: Capture
) -> None:
    source = parquet(tmp_path / "in.parquet", pa.array([LIMIT, -LIMIT, 7]))
    code, err, _ = batch(capsys, source)
    assert code == 0, err
    ids = sm.portfolio(source).allocate(2022)["structure_id"].tolist()
    assert ids == ["9007199254740992", "-9007199254740992", "7"]


def jsonl(path: Path, first_id: str) -> Path:
    """The three structures as JSON Lines, the first id written as the JSON ``first_id``."""
    lines = []
    for number, row in enumerate(rows_with_first_id("X")[1:]):
        record = dict(zip(rows_with_first_id("X")[0], row, strict=True))
        text = json.dumps(record)
        if number == 0:
            text = text.replace('"structure_id": "X"', f'"structure_id": {first_id}')
        lines.append(text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("written", "shown", "message"),
    [
        ("1.5", "Decimal('1.5')", NOT_TEXT),
        ("true", "True", NOT_TEXT),
        ("1e20", "Decimal('1E+20')", NOT_TEXT),
        ("9007199254740993", "9007199254740993", INEXACT),
        ("12345678901234567890", "12345678901234567890", INEXACT),
    ],
)
def test_a_json_lines_id_that_is_not_text_or_an_exact_whole_number_is_refused(
    written: str, shown: str, message: str, tmp_path: Path, capsys: Capture
) -> None:
    refused(capsys, jsonl(tmp_path / "in.jsonl", written), shown, message)


def test_a_json_lines_whole_number_within_the_exact_range_is_its_text(
    tmp_path: Path, capsys: Capture
) -> None:
    source = jsonl(tmp_path / "in.jsonl", "9007199254740992")
    assert batch(capsys, source)[0] == 0
    assert sm.portfolio(source).allocate(2022)["structure_id"].tolist()[0] == "9007199254740992"


def test_the_json_schema_bounds_whole_number_ids_as_the_reading_does() -> None:
    item = resolve_model(None).input("structure_id")
    options = input_schema(item)["anyOf"]
    whole = next(option for option in options if option.get("type") == "integer")
    assert (whole["minimum"], whole["maximum"]) == (-LIMIT, LIMIT)


def test_a_header_below_a_title_row_is_refused_with_a_hint(tmp_path: Path, capsys: Capture) -> None:
    rows = rows_with_first_id("centre-a")  # ten columns: the last is column 10
    source = xlsx(tmp_path / "in.xlsx", [["Structures 2022"], [], *rows])
    code, err, _ = batch(capsys, source)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "row 3 has a value in column 10, beyond the 1 named columns" in err
    assert "the header looks like row 3: remove the rows above it" in err
    with pytest.raises(InputError, match="the header looks like row 3"):
        sm.portfolio(source)
    # a title row as wide as the header: still refused, with the hint
    wide = xlsx(tmp_path / "wide.xlsx", [[f"title {n}" for n in range(len(rows[0]))], *rows])
    with pytest.raises(
        InputError, match="row 1 lacks required columns: the header looks like row 2"
    ):
        sm.portfolio(wide)
    # the header 21 rows down is beyond the search: the refusal alone
    far = xlsx(tmp_path / "far.xlsx", [["title"], *[[] for _ in range(19)], *rows])
    with pytest.raises(InputError) as caught:
        sm.portfolio(far)
    assert "row 21 has a value" in str(caught.value) and "looks like" not in str(caught.value)
