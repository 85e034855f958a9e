"""Hostile readings (issue 21): a file that two readers would read differently. The header
of a CSV file is read as its parser reads it (lines end at ``\\n`` or ``\\r`` only, not at
the form feeds, vertical tabs, ``\\x1c``-``\\x1e``, NEL or U+2028 where Python's
``str.splitlines`` ends them), and a control or invisible character in a column name is
refused; two names alike once blanks are dropped and accents composed are refused; a
Parquet file is read under its Arrow names, whatever its pandas metadata says; an Excel
workbook is read from its active sheet, never a hidden one, naming it; a JSON key given
twice is refused wherever JSON is read. And the remaining tracebacks: long cells, a kept
column the output fills itself, UTF-16 and tab-separated "CSV" files, misspelt required
columns. Each case goes through the command line (``batch``: exit 2 and one line, or the
amounts worked by hand in tests/portfolio_files.py) and through ``secpa_model.portfolio``.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

import secpa_model as sm
from secpa_model import InputError, ParameterError
from secpa_model.analysis.scenario_files import read_scenario_file
from secpa_model.io.readers import MAX_COLUMNS, MAX_NAME, EncodingFallbackWarning
from secpa_model.presentation.cli import main
from tests.portfolio_files import EXPECTED_CENTS, portfolio_frame

Capture = pytest.CaptureFixture[str]
PREFIX = "secpa-model: error: "
# the totals worked by hand in tests/portfolio_files.py: the sum of each structure's lines
HAND_TOTALS = {sid: sum(lines) for sid, lines in EXPECTED_CENTS.items()}
assert HAND_TOTALS == {"centre-a": 39_440_000, "msp-b": 19_750_000, "outside-c": 0}
# where str.splitlines ends a line and pandas' CSV parser does not
SPLITTERS = ["\x0c", "\x0b", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


def batch(capsys: Capture, source: Path, *options: str) -> tuple[int, str, Path]:
    """``batch source -o out.csv --year 2022``: exit code, stderr, the output's path."""
    out = source.with_name(f"out-{source.stem}.csv")
    code = main(["batch", str(source), "-o", str(out), "--year", "2022", *options])
    return code, capsys.readouterr().err, out


def one_line_error(code: int, err: str, source: Path) -> str:
    """Exit 2, one line on stderr naming ``source``, no traceback: that line."""
    assert "Traceback" not in err, err
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(PREFIX) and str(source) in lines[0], err
    return lines[0]


def totals_of(out: Path) -> dict[str, int]:
    written = sm.read_allocations(out)
    return dict(zip(written["structure_id"], written["total_cents"].tolist(), strict=True))


def assert_hand_totals(capsys: Capture, source: Path, *options: str) -> None:
    """The CLI and ``portfolio(path)`` both compute the hand-worked amounts from ``source``."""
    code, err, out = batch(capsys, source, *options)
    assert code == 0, err
    assert totals_of(out) == HAND_TOTALS
    result = sm.portfolio(source).allocate(2022)
    assert dict(zip(result["structure_id"], result["total_cents"], strict=True)) == HAND_TOTALS
    centre = result.set_index("structure_id").loc["centre-a"]
    assert centre["interpreting_cents"] == 300 * 60_00 + 200 * 42_00


def csv_lines(frame: pd.DataFrame) -> list[str]:
    return frame.to_csv(index=False, lineterminator="\n").splitlines()


# ------------------------------------------------------------------ CSV headers


@pytest.mark.parametrize("char", SPLITTERS)
@pytest.mark.parametrize("layout", ["{c},year", "year{c},year", "year{c}year"])
def test_a_header_character_ending_a_python_line_is_refused(
    char: str, layout: str, tmp_path: Path, capsys: Capture
) -> None:
    # str.splitlines would end the header at the character and see one column of `year`;
    # pandas reads the whole line, a second `year` column among them
    lines = csv_lines(portfolio_frame())
    extra = layout.format(c=char)
    values = ",".join(["2023"] * (extra.count(",") + 1))
    text = "\n".join([f"{lines[0]},year,{extra}"] + [f"{row},2022,{values}" for row in lines[1:]])
    source = tmp_path / "in.csv"
    source.write_text(text + "\n", encoding="utf-8")
    line = one_line_error(*batch(capsys, source)[:2], source)
    assert f"U+{ord(char):04X}" in line
    column = len(lines[0].split(",")) + 2
    assert f"column {column} of the header" in line
    with pytest.raises(InputError, match=f"U\\+{ord(char):04X}"):
        sm.portfolio(source)


@pytest.mark.parametrize("char", ["\u200b", "\ufeff", "\u00ad", "\x00", "\x7f", "\u2066"])
def test_an_invisible_character_in_a_column_name_is_refused_in_every_format(
    char: str, tmp_path: Path, capsys: Capture
) -> None:
    frame = portfolio_frame().rename(columns={"kind": f"ki{char}nd"})
    # a NUL: a CSV header gets a hint of its own (below), an Excel cell cannot hold one
    formats = (".parquet",) if char == "\x00" else FORMATS
    for source in written_every_way(frame, tmp_path, formats):
        line = one_line_error(*batch(capsys, source)[:2], source)
        assert f"U+{ord(char):04X}" in line and "column 2 of the header" in line, line
        with pytest.raises(InputError, match="control or invisible character"):
            sm.portfolio(source)


def test_such_characters_in_a_cell_are_read_as_text(tmp_path: Path, capsys: Capture) -> None:
    frame = portfolio_frame()
    names = ["a\x0cb", "c\u2028d", "e\x85f"]
    frame["nom"] = names
    source = tmp_path / "in.csv"
    source.write_text(frame.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    assert_hand_totals(capsys, source)
    assert sm.read_structures(source)["nom"].tolist() == names


def test_the_column_limit_holds_whatever_ends_the_first_python_line(
    tmp_path: Path, capsys: Capture
) -> None:
    source = tmp_path / "wide.csv"
    source.write_text("structure_id,kind\x0c" + ",c" * 200_000 + "\nA,msp\n", encoding="utf-8")
    line = one_line_error(*batch(capsys, source)[:2], source)
    assert f"200002 columns, more than the {MAX_COLUMNS} allowed" in line
    assert len(line) < 300
    # the header is bounded before it is split: a line longer than any allowed header
    source.write_text("structure_id,kind\x0c" + ",c" * 600_000 + "\nA,msp\n", encoding="utf-8")
    line = one_line_error(*batch(capsys, source)[:2], source)
    assert f"the header is longer than {MAX_COLUMNS * (MAX_NAME + 1)} characters" in line
    plain = tmp_path / "plain.csv"
    plain.write_text(",".join(f"c{i}" for i in range(MAX_COLUMNS + 1)) + "\n", encoding="utf-8")
    assert f"{MAX_COLUMNS + 1} columns" in one_line_error(*batch(capsys, plain)[:2], plain)


@pytest.mark.parametrize("length", [MAX_NAME + 1, 140_000])
def test_a_column_name_too_long_is_refused(length: int, tmp_path: Path, capsys: Capture) -> None:
    # 140 000 characters: longer than the csv module's field limit (131 072)
    frame = portfolio_frame()
    frame["n" * length] = 1
    source = tmp_path / "in.csv"
    frame.to_csv(source, index=False)
    line = one_line_error(*batch(capsys, source)[:2], source)
    assert "header" in line and len(line) < 300
    with pytest.raises(InputError, match="header"):
        sm.portfolio(source)


NFD_ANNEE = unicodedata.normalize("NFD", "année")


FORMATS = (".csv", ".parquet", ".xlsx")


def written_every_way(
    frame: pd.DataFrame, folder: Path, formats: tuple[str, ...] = FORMATS
) -> list[Path]:
    """``frame`` as a CSV file, a Parquet file and an Excel sheet (those of ``formats``),
    its column names as they are (repeats allowed)."""
    names = [str(name) for name in frame.columns]
    rows = [
        [value.item() if hasattr(value, "item") else value for value in row]
        for row in frame.itertuples(index=False, name=None)
    ]
    paths = [folder / f"in{suffix}" for suffix in formats]
    for path in paths:
        if path.suffix == ".csv":
            lines = [",".join(names), *(",".join(map(str, row)) for row in rows)]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        elif path.suffix == ".parquet":
            arrays = [pa.array(frame.iloc[:, i].tolist()) for i in range(frame.shape[1])]
            pq.write_table(pa.Table.from_arrays(arrays, names=names), path)
        else:
            book = Workbook()
            sheet = book.active
            assert sheet is not None
            sheet.title = "structures"
            for row in [names, *rows]:
                sheet.append(row)
            book.save(path)
    return paths


@pytest.mark.parametrize(
    ("first", "second"),
    [("year", "year "), ("année", NFD_ANNEE), ("nom", "nom\u00a0")],
)
def test_two_names_alike_are_refused_never_renamed(
    first: str, second: str, tmp_path: Path, capsys: Capture
) -> None:
    frame = portfolio_frame()
    frame.insert(len(frame.columns), "_a", [2022, 2022, 2022])
    frame.insert(len(frame.columns), "_b", [2023, 2023, 2023])
    frame.columns = [*frame.columns[:-2], first, second]
    for source in written_every_way(frame, tmp_path):
        line = one_line_error(*batch(capsys, source)[:2], source)
        assert "is given twice" in line, line
        with pytest.raises(InputError, match="is given twice"):
            sm.portfolio(source)


def test_a_blank_before_a_csv_name_makes_no_second_column(tmp_path: Path, capsys: Capture) -> None:
    # pandas skips the initial blank (as the header check does): ` year` is `year` again
    lines = csv_lines(portfolio_frame())
    source = tmp_path / "in.csv"
    rows = [f"{line},2022,2023" for line in lines[1:]]
    source.write_text("\n".join([f"{lines[0]},year, year", *rows]) + "\n", encoding="utf-8")
    assert "'year' is given twice" in one_line_error(*batch(capsys, source)[:2], source)


# ---------------------------------------------------------------------- Parquet


def swapped(meta: dict[str, Any]) -> dict[str, Any]:
    names = {"interpreting_hours_in_person": "interpreting_hours_phone"}
    names.update({value: key for key, value in names.items()})
    for column in meta["columns"]:
        column["name"] = names.get(column["name"], column["name"])
    return meta


def indexed(meta: dict[str, Any]) -> dict[str, Any]:
    meta["index_columns"] = ["interpreting_hours_in_person"]
    return meta


METADATA: dict[str, Callable[[dict[str, Any]], Any]] = {
    "two names swapped": swapped,
    "a column made the index": indexed,
    "no columns listed": lambda meta: {**meta, "columns": []},
    "a list": lambda meta: [1, 2],
    "names of another file": lambda meta: {
        **meta,
        "columns": [{**c, "name": f"x{i}"} for i, c in enumerate(meta["columns"])],
    },
}


@pytest.mark.parametrize("case", [*sorted(METADATA), "not JSON", "not UTF-8"])
def test_parquet_is_read_under_its_arrow_names(case: str, tmp_path: Path, capsys: Capture) -> None:
    table = pa.Table.from_pandas(portfolio_frame(), preserve_index=False)
    meta = json.loads(table.schema.metadata[b"pandas"])
    raw = {"not JSON": b"{not json", "not UTF-8": b"\xff\xfe{"}.get(case)
    pandas_meta = raw if raw is not None else json.dumps(METADATA[case](meta)).encode()
    source = tmp_path / "in.parquet"
    pq.write_table(table.replace_schema_metadata({b"pandas": pandas_meta}), source)
    assert pq.read_schema(source).names == list(portfolio_frame().columns)  # pyarrow's view
    assert_hand_totals(capsys, source)


def test_an_index_written_by_pandas_is_a_column(tmp_path: Path, capsys: Capture) -> None:
    source = tmp_path / "in.parquet"
    portfolio_frame().set_index("structure_id").to_parquet(source)
    assert_hand_totals(capsys, source)


# ------------------------------------------------------------------------ Excel


def workbook(path: Path, *, hide_first: bool = True, active: int = 1) -> Path:
    """A decoy sheet first (other amounts: 100 patients each), then the structures."""
    book = Workbook()
    decoy = book.active
    assert decoy is not None
    decoy.title = "decoy"
    real = book.create_sheet("structures")
    for sheet, patients in ((decoy, 100), (real, None)):
        frame = portfolio_frame()
        if patients is not None:
            frame["file_active_mg"] = patients
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False, name=None):
            sheet.append([value.item() if hasattr(value, "item") else value for value in row])
    if hide_first:
        decoy.sheet_state = "hidden"
    book.active = active
    book.save(path)
    return path


def with_active_tab(path: Path, tab: int) -> Path:
    """The workbook ``path`` with its active tab set to ``tab`` in its XML (openpyxl will
    not save a hidden sheet as the active one, Excel files can say so)."""
    crafted = path.with_name(f"tab{tab}-{path.name}")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(crafted, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = re.sub(rb'activeTab="\d+"', f'activeTab="{tab}"'.encode(), data)
            target.writestr(item, data)
    return crafted


def test_the_active_sheet_is_read_not_a_hidden_first_one(tmp_path: Path, capsys: Capture) -> None:
    assert_hand_totals(capsys, workbook(tmp_path / "in.xlsx"))


def test_the_active_sheet_is_read_whichever_it_is(tmp_path: Path, capsys: Capture) -> None:
    # both sheets visible, the decoy active: the decoy is what is computed (it is what Excel
    # opens on): 100 patients each, below the minimum file active, so no structure is funded
    source = workbook(tmp_path / "in.xlsx", hide_first=False, active=0)
    code, err, out = batch(capsys, source)
    assert code == 0, err
    assert totals_of(out) == {"centre-a": 0, "msp-b": 0, "outside-c": 0}
    assert sm.read_allocations(out)["reasons"].str.contains("file_active_below_minimum").all()


def test_a_hidden_active_sheet_is_refused_naming_it(tmp_path: Path, capsys: Capture) -> None:
    source = with_active_tab(workbook(tmp_path / "in.xlsx"), 0)
    line = one_line_error(*batch(capsys, source)[:2], source)
    assert "sheet 'decoy'" in line and "hidden" in line
    with pytest.raises(InputError, match=r"sheet 'decoy'.*hidden"):
        sm.portfolio(source)


def test_an_active_sheet_that_does_not_exist_is_refused(tmp_path: Path, capsys: Capture) -> None:
    source = with_active_tab(workbook(tmp_path / "in.xlsx"), 7)
    assert "active sheet does not exist" in one_line_error(*batch(capsys, source)[:2], source)


def test_every_excel_message_names_the_sheet_read(tmp_path: Path, capsys: Capture) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "mes centres"
    frame = portfolio_frame().drop(columns=["location"])
    sheet.append(list(frame.columns))
    book.save(tmp_path / "missing.xlsx")
    source = tmp_path / "missing.xlsx"
    line = one_line_error(*batch(capsys, source)[:2], source)
    assert line.startswith(f"{PREFIX}{source}, sheet 'mes centres': missing required columns")
    sheet.append(["only-id", "msp", 1, 0.3, 0, 0, 0, 0, True, "extra", "more"])
    book.save(source)
    line = one_line_error(*batch(capsys, source)[:2], source)
    assert "sheet 'mes centres': row 2 has a value in column 11" in line


# ------------------------------------------------------------------------- JSON


def structure_json(repeated: str) -> str:
    return (
        '{"structure_id": "a", "kind": "centre_de_sante", "location": "in_qpv", '
        f'"file_active_mg": 3200, "poverty_rate": 0.31, {repeated}}}'
    )


@pytest.mark.parametrize(
    ("repeated", "key"),
    [('"file_active_mg": 100', "file_active_mg"), ('"x": {"y": 1, "y": 2}', "y")],
)
def test_allocate_file_refuses_a_key_given_twice(
    repeated: str, key: str, tmp_path: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "one.json"
    source.write_text(structure_json(repeated), encoding="utf-8")
    code = main(["allocate", "--file", str(source), "--year", "2022"])
    line = one_line_error(code, capsys.readouterr().err, source)
    assert f"the key '{key}' is given twice in one object" in line
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(source.read_bytes())))
    code = main(["allocate", "--file", "-", "--year", "2022"])
    assert f"the key '{key}' is given twice" in one_line_error(code, capsys.readouterr().err, "-")


def test_a_key_given_twice_is_refused_in_every_json_read(tmp_path: Path, capsys: Capture) -> None:
    scenario = tmp_path / "s.json"
    scenario.write_text(
        '{"name": "x", "overrides": {"interpreting": {"hourly_rate_phone": 40, '
        '"hourly_rate_phone": 45}}}',
        encoding="utf-8",
    )
    with pytest.raises(ParameterError, match="the key 'hourly_rate_phone' is given twice"):
        read_scenario_file(scenario)
    lines = tmp_path / "in.jsonl"
    lines.write_text(structure_json('"poverty_rate": 0.1') + "\n", encoding="utf-8")
    code, err, _ = batch(capsys, lines)
    assert code == 2 and "Traceback" not in err
    assert "row 0 (line 1): line 1: the key 'poverty_rate' is given twice" in err


# ------------------------------------------------------------------ long cells


@pytest.mark.parametrize("separator", [",", ";"])
@pytest.mark.parametrize("cell", ["n" * 140_000, ('a,b;"c"\n' * 20_000)])
def test_a_cell_longer_than_the_csv_modules_limit_is_read(
    separator: str, cell: str, tmp_path: Path, capsys: Capture
) -> None:
    frame = portfolio_frame()
    frame["note"] = [cell, "b", "c"]
    source = tmp_path / "in.csv"
    frame.to_csv(source, index=False, sep=separator, decimal="," if separator == ";" else ".")
    assert_hand_totals(capsys, source)
    assert sm.read_structures(source)["note"][0] == cell


# ----------------------------------------------------------- kept columns


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet", ".xlsx"])
def test_a_kept_column_the_output_fills_is_refused(
    suffix: str, tmp_path: Path, capsys: Capture
) -> None:
    frame = portfolio_frame()
    frame["row"] = ["x", "y", "z"]
    frame["trace"] = ["t", "u", "v"]
    source = tmp_path / f"in{suffix}"
    sm.write_allocations(frame, source)
    out = tmp_path / "out.jsonl"
    for options in (["--errors", "report", "--keep", "row"], ["--trace", "--keep", "trace"]):
        code = main(["batch", str(source), "-o", str(out), "--year", "2022", *options])
        line = one_line_error(code, capsys.readouterr().err, source)
        assert "is a column the output fills itself" in line
        assert not out.exists()
    code = main(["batch", str(source), "-o", str(out), "--year", "2022", "--keep", "row,trace"])
    assert code == 0, capsys.readouterr().err
    written = sm.read_allocations(out)
    assert written["row"].tolist() == ["x", "y", "z"]
    assert written["trace"].tolist() == ["t", "u", "v"]


# -------------------------------------------------------------- messages


@pytest.mark.parametrize(
    ("field", "written"), [("kind", "Kind"), ("kind", "kind "), ("location", "locatión")]
)
def test_a_misspelt_required_column_gets_a_did_you_mean(
    field: str, written: str, tmp_path: Path, capsys: Capture
) -> None:
    frame = portfolio_frame().rename(columns={field: written})
    for source in written_every_way(frame, tmp_path):
        code, err, _ = batch(capsys, source)
        if source.suffix == ".xlsx" and written.strip() == field:
            assert code == 0, err  # an Excel header is read stripped: `kind` it is
            continue
        line = one_line_error(code, err, source)
        assert f"did you mean '{field}' for the column '{written}'?" in line, line


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be-bom", "utf-16-le-bom"])
def test_a_utf16_csv_with_its_byte_order_mark_is_read(
    encoding: str, tmp_path: Path, capsys: Capture
) -> None:
    text = portfolio_frame().to_csv(index=False)
    codec = encoding.removesuffix("-bom")
    mark = {"utf-16-be": b"\xfe\xff", "utf-16-le": b"\xff\xfe"}.get(codec, b"")
    source = tmp_path / "in.csv"
    source.write_bytes(mark + text.encode(codec))
    with warnings.catch_warnings():
        warnings.simplefilter("error", EncodingFallbackWarning)  # not read as Windows-1252
        assert_hand_totals(capsys, source)


def test_a_utf16_csv_without_a_mark_is_refused_with_a_hint(tmp_path: Path, capsys: Capture) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(portfolio_frame().to_csv(index=False).encode("utf-16-le"))
    line = one_line_error(*batch(capsys, source)[:2], source)
    assert "UTF-16" in line and "--encoding" in line


def test_a_tab_separated_file_gets_a_hint(tmp_path: Path, capsys: Capture) -> None:
    source = tmp_path / "in.csv"
    portfolio_frame().to_csv(source, index=False, sep="\t")
    line = one_line_error(*batch(capsys, source)[:2], source)
    assert "looks tab-separated" in line
    with pytest.raises(InputError, match="looks tab-separated"):
        sm.portfolio(source)
