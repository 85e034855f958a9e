"""A fuzz test of the command line: generated hostile structure files fed to ``batch``,
``compare``, ``sweep``, ``report`` (also with ``--errors report``) and ``budget``. Whatever
the file, the command exits 0 or 2, prints no traceback, accounts for every row (rows in =
rows allocated + rows reported) and changes no input file. Headers that two readers would
read differently (CSV, Parquet, Excel) are refused in one line; a Parquet file's pandas
metadata never changes what is computed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from secpa_model import read_allocations, read_structures
from secpa_model.presentation.cli import main
from tests.portfolio_files import EXPECTED_CENTS, portfolio_frame
from tests.profiles import examples

COLUMNS = [
    "structure_id",
    "kind",
    "location",
    "file_active_mg",
    "poverty_rate",
    "interpreting_hours_in_person",
    "psychologist_cost_requested",
    "ars_psychology_agreement",
    "entry_date",
    "year",
    "nom",
]
GOOD: dict[str, list[str]] = {
    "structure_id": ["A", "B", "C", "D", "E", "\u00c9vry", "E\u0301vry"],
    "kind": ["msp", "centre_de_sante"],
    "location": ["in_qpv", "near_qpv", "outside_qpv"],
    "file_active_mg": ["2500", "999", "6001"],
    "poverty_rate": ["0.31", "0.1", "0.45"],
    "interpreting_hours_in_person": ["0", "12.5"],
    "psychologist_cost_requested": ["0", "70000", "1234.56"],
    "ars_psychology_agreement": ["true", "oui", "0"],
    "entry_date": ["", "2022-03-01"],
    "year": ["2022", "2023"],
    "nom": ["Centre", "Maison"],
}
HOSTILE = [
    "",
    " ",
    "nan",
    "inf",
    "-1",
    "1e400",
    "100000000000000000000",
    "9" * 500,
    "2_000",
    "70.000",
    "0,31",
    "31",
    "2022-06",
    "2022",
    "2022-13-40",
    "1650000000",
    '=HYPERLINK("http://x")',
    "+1",
    "@SUM(A1)",
    "\t=1",
    "<script>alert(1)</script>",
    "`a`",
    "$x^2$",
    "\x1b[31mred",
    "A",
    " A ",
    "é" * 3,
    "0x10",
    "1" * 30,
    # ids that look alike (issue 21): another normalisation, invisible characters, spaces
    "\u00c9vry",
    "E\u0301vry",
    "A\u200b",
    "A\u2060",
    "\ufeffA",
    "A\u00ad",
    "A\x00",
    "centre A",
    "centre\u00a0A",
    "\u00a0A\u202f",
    # decimals at the extremes: 2^46 €, around 2^53 cents, int64 cents, finer than a cent
    "70368744177664.01",
    "90071992547409.92",
    "90071992547409.93",
    "9007199254740993",
    "92233720368547758.07",
    "45000.10000000000000001",
    "45000.1000000000000000000000001",
    "1e-400",
]
CELL = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8))
FUZZ = settings(
    max_examples=examples(15),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SCENARIO = 'name = "dearer"\n[overrides]\n"participatory_activities.cost_per_etp" = 50000\n'


@st.composite
def hostile_frames(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """A header (required columns sometimes missing, extra columns) and rows mixing good and
    hostile cells."""
    header = [c for c in COLUMNS if c in GOOD and (draw(st.integers(0, 9)) > 0)]
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        rows.append(
            [
                draw(CELL) if draw(st.integers(0, 3)) == 0 else draw(st.sampled_from(GOOD[c]))
                for c in header
            ]
        )
    return header, rows


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(path: Path, header: list[str], rows: list[list[str]], sep: str, encoding: str) -> None:
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    try:
        frame.to_csv(path, index=False, sep=sep, encoding=encoding)
    except UnicodeEncodeError:
        frame.to_csv(path, index=False, sep=sep, encoding="utf-8")


def run(capsys: Any, arguments: list[str]) -> tuple[int, str]:
    code = main(arguments)
    captured = capsys.readouterr()
    return code, captured.err


@FUZZ
@given(
    data=hostile_frames(),
    sep=st.sampled_from([",", ";"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    period=st.sampled_from([["--year", "2022"], []]),
)
def test_hostile_files_never_crash_the_commands(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: Any,
    data: tuple[list[str], list[list[str]]],
    sep: str,
    encoding: str,
    period: list[str],
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    header, rows = data
    source = folder / "in.csv"
    write(source, header, rows, sep, encoding)
    scenario = folder / "dearer.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    before = {path: digest(path) for path in (source, scenario)}
    out = folder / "out.csv"
    commands = {
        "batch": ["batch", str(source), "-o", str(out), "--errors", "report", *period],
        "compare": ["compare", str(source), "--scenario", str(scenario), *period],
        "sweep": [
            "sweep",
            str(source),
            "--path",
            "participatory_activities.cost_per_etp",
            "--values",
            "45000,50000",
            *period,
        ],
        "report": ["report", str(source), "-o", str(folder / "r.html"), *period],
        "report-errors": [
            "report",
            str(source),
            "-o",
            str(folder / "e.html"),
            "--errors",
            "report",
            *period,
        ],
        "budget": [
            "budget",
            str(source),
            "--freq",
            "quarter",
            "--errors",
            "report",
            "-o",
            str(folder / "b.csv"),
            *period,
        ],
    }
    for name, arguments in commands.items():
        code, err = run(capsys, arguments)
        assert code in (0, 2), (name, code, err)
        assert "Traceback" not in err, (name, err)
        if code == 2:
            assert err.startswith("secpa-model: error:"), (name, err)
            assert err.count("\n") >= 1
        if name == "batch" and code == 0:
            rows_in = len(read_structures(source, validate=False))  # rows as the file has them
            allocations = read_allocations(out)
            problems = pd.read_csv(folder / "out.errors.csv", dtype=str, keep_default_na=False)
            invalid = set(problems["row"]) if len(problems) else set()
            assert len(allocations) + len(invalid) == rows_in, (rows_in, invalid)
            assert not set(allocations["row"].astype(str)) & invalid
    assert {path: digest(path) for path in (source, scenario)} == before


# ------------------------------------------------- header, metadata and sheet tricks

# where str.splitlines ends a line and a CSV parser does not, and invisible characters
TRICK_CHARACTERS = "\x0c\x0b\x1c\x1d\x1e\x85\u2028\u2029\u200b\ufeff\u00ad\u2066"
# the ones an Excel cell can hold (openpyxl refuses the other control characters)
EXCEL_CHARACTERS = "\x85\u2028\u2029\u200b\ufeff\u00ad\u2066"


@st.composite
def header_tricks(draw: st.DrawFn) -> tuple[str, list[str], list[list[str]]]:
    """A format and a header of the good columns with one trick, each a header two readers
    could read differently: a hidden character inside a name, or a name given again (after
    a hidden character, a blank, a no-break space, or as it is); and rows of good cells."""
    suffix = draw(st.sampled_from([".csv", ".parquet", ".xlsx"]))
    characters = EXCEL_CHARACTERS if suffix == ".xlsx" else TRICK_CHARACTERS
    header = [name for name in COLUMNS if name in GOOD]
    position = draw(st.integers(0, len(header) - 1))
    name = header[position]
    char = draw(st.sampled_from(characters))
    if draw(st.booleans()):  # a hidden character strictly inside the name
        cut = draw(st.integers(1, len(name) - 1))
        header[position] = name[:cut] + char + name[cut:]
    else:  # the name again, after a trick
        again = name + draw(st.sampled_from([char, " ", "\u00a0", ""]))
        header.insert(draw(st.integers(0, len(header))), again)
    rows = [
        [draw(st.sampled_from(GOOD.get(column.strip(), ["x"]))) for column in header]
        for _ in range(draw(st.integers(0, 3)))
    ]
    return suffix, header, rows


def write_any(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """``rows`` under ``header`` (names as they are, repeats allowed) in the format of
    ``path``'s suffix."""
    if path.suffix == ".csv":
        lines = [",".join(header), *(",".join(row) for row in rows)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif path.suffix == ".parquet":
        columns = [pa.array([row[i] for row in rows], pa.string()) for i in range(len(header))]
        pq.write_table(pa.Table.from_arrays(columns, names=header), path)
    else:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for row in [header, *rows]:
            sheet.append(row)
        book.save(path)


@FUZZ
@given(data=header_tricks())
def test_header_tricks_are_refused_in_one_line(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: Any,
    data: tuple[str, list[str], list[list[str]]],
) -> None:
    suffix, header, rows = data
    folder = tmp_path_factory.mktemp("tricks")
    source = folder / f"in{suffix}"
    write_any(source, header, rows)
    before = digest(source)
    out = folder / "out.csv"
    code, err = run(capsys, ["batch", str(source), "-o", str(out), "--year", "2022"])
    assert code == 2, (header, err)
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert err.startswith(f"secpa-model: error: {source}"), err
    assert not out.exists()
    assert digest(source) == before


@FUZZ
@given(
    names=st.permutations(list(portfolio_frame().columns)),
    index=st.lists(st.sampled_from(list(portfolio_frame().columns)), max_size=2, unique=True),
)
def test_pandas_metadata_never_changes_what_is_computed(
    tmp_path_factory: pytest.TempPathFactory, capsys: Any, names: list[str], index: list[str]
) -> None:
    # the pandas metadata of a Parquet file renames its columns (a permutation) and makes
    # some of them the index: the file is read under its Arrow names all the same
    folder = tmp_path_factory.mktemp("metadata")
    table = pa.Table.from_pandas(portfolio_frame(), preserve_index=False)
    meta = json.loads(table.schema.metadata[b"pandas"])
    for column, name in zip(meta["columns"], names, strict=True):
        column["name"] = name
    meta["index_columns"] = index
    source = folder / "in.parquet"
    pq.write_table(table.replace_schema_metadata({b"pandas": json.dumps(meta).encode()}), source)
    out = folder / "out.csv"
    code, err = run(capsys, ["batch", str(source), "-o", str(out), "--year", "2022"])
    assert code == 0, err
    written = read_allocations(out)
    totals = dict(zip(written["structure_id"], written["total_cents"].tolist(), strict=True))
    assert totals == {sid: sum(lines) for sid, lines in EXPECTED_CENTS.items()}
