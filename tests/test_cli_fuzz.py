"""A fuzz test of the command line: generated hostile structure files fed to ``batch``,
``compare``, ``sweep``, ``report`` (also with ``--errors report``) and ``budget``. Whatever
the file, the command exits 0 or 2, prints no traceback, accounts for every row (rows in =
rows allocated + rows reported) and changes no input file."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secpa_model import read_allocations, read_structures
from secpa_model.presentation.cli import main
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
