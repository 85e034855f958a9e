"""Errors users can act on (issue 11, items 1 and 9): every problem names the row label, the
structure id when it is readable and, from a file, its line (or sheet row); errors carry
their problems as data; the command line prints them as JSON with ``--json`` and tells
invalid input (2) from an internal error (3)."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from secpa_model import InputError, ParameterError, Problem, allocate, allocate_frame
from secpa_model.core.errors import PROBLEM_CODES, SecpaError
from secpa_model.io.files import read_structures, write_allocations
from secpa_model.presentation.cli import main
from tests.frame_support import frame_of, valid_row

ROOT = Path(__file__).resolve().parent.parent
Capture = pytest.CaptureFixture[str]
HEADER = "structure_id,kind,location,file_active_mg,poverty_rate,nom\n"
JSON_KEYS = ["file", "sheet", "row", "line", "structure_id", "field", "value", "code", "message"]


def json_lines(text: str) -> list[dict[str, Any]]:
    """The JSON objects of ``--json`` errors: one per line, nothing else."""
    lines = text.splitlines()
    assert lines, "no error printed"
    return [json.loads(line) for line in lines]


# ------------------------------------------------------------------ Python: the record


def test_a_problem_is_an_immutable_record_and_an_error_holds_them() -> None:
    problem = Problem("invalid_value", "kind must be one of msp", field="kind", value="x", row=3)
    with pytest.raises(AttributeError):
        problem.code = "other"  # type: ignore[misc]
    error = InputError(problems=[problem], summary="1 invalid row (1 problem):")
    assert error.problems == (problem,)
    # one problem: one line
    assert str(error) == "1 invalid row (1 problem): row 3: kind = 'x': kind must be one of msp"
    # an error raised with only a message holds one problem of its class's code
    assert InputError("bad").problems == (Problem("invalid_input", "bad"),)
    assert ParameterError("bad key").problems[0].code == "invalid_parameter"
    assert all(cls.code in PROBLEM_CODES for cls in (InputError, ParameterError, SecpaError))
    # pickled (another process, dask) with its problems
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is InputError and again.problems == error.problems
    assert str(again) == str(error)


def test_to_dict_is_json_ready() -> None:
    problem = Problem("missing_value", "m", field="f", value=np.float64("nan"), row=np.int64(4))
    assert problem.to_dict() == {
        "code": "missing_value",
        "message": "m",
        "field": "f",
        "value": None,
        "row": 4,
        "structure_id": None,
        "file": None,
        "line": None,
        "sheet": None,
    }
    assert list(problem.to_dict()) == JSON_KEYS
    assert Problem("invalid_value", "m", value=pd.Timestamp("2022-01-01")).to_dict()["value"] == (
        "2022-01-01 00:00:00"
    )


# --------------------------------------------------------------- Python: frames, files


def test_the_frames_page_shows_the_real_message() -> None:
    frame = frame_of(
        valid_row(structure_id="a", location="mars"),
        valid_row(structure_id="b"),
        valid_row(structure_id="c", file_active_mg=-1, kind="x"),
        valid_row(structure_id=None),
        valid_row(structure_id="e", kind=np.nan),
        index=["first", "second", "third", "fourth", "fifth"],
    )
    with pytest.raises(InputError) as caught:
        allocate_frame(frame, 2022)
    page = (ROOT / "docs" / "frames.md").read_text(encoding="utf-8")
    shown = re.search(r"```text\n(\d+ invalid rows.*?)```", page, re.DOTALL)
    assert shown is not None
    assert str(caught.value) == shown.group(1).rstrip("\n")
    assert "nan" not in str(caught.value)
    ids = [problem.structure_id for problem in caught.value.problems]
    assert ids == ["a", "c", "c", None, "e"]
    assert [problem.code for problem in caught.value.problems][-2:] == ["missing_value"] * 2


def test_a_csv_file_names_lines_counting_quoted_line_breaks_and_blank_lines(
    tmp_path: Path,
) -> None:
    path = tmp_path / "structures.csv"
    path.write_text(
        HEADER  # line 1
        + 'A,msp,in_qpv,1000,0.3,"Maison\nde santé"\n'  # lines 2-3: row 0
        + "\n"  # line 4: blank, skipped
        + "B,,in_qpv,abc,0.3,x\n"  # line 5: row 1
        + ",msp,in_qpv,1000,0.3,y\n",  # line 6: row 2
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_structures(path)
    assert str(caught.value).splitlines() == [
        f"{path}: 2 invalid rows (3 problems):",
        "  row 1 (line 5), structure 'B': kind is missing (NaN or empty)",
        "  row 1 (line 5), structure 'B': file_active_mg = 'abc': file_active_mg must be a number",
        "  row 2 (line 6): structure_id is missing or empty",
    ]
    assert [(p.row, p.line, p.structure_id, p.file) for p in caught.value.problems] == [
        (1, 5, "B", str(path)),
        (1, 5, "B", str(path)),
        (2, 6, None, str(path)),
    ]
    assert [(p.code, p.field, p.value) for p in caught.value.problems] == [
        ("missing_value", "kind", None),
        ("invalid_value", "file_active_mg", "abc"),
        ("missing_value", "structure_id", None),
    ]


def test_an_excel_file_names_the_sheet_and_its_row(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    path = tmp_path / "structures.xlsx"
    frame = frame_of(valid_row(structure_id="A"), valid_row(structure_id="B", poverty_rate=31))
    write_allocations(frame, path)
    with pytest.raises(InputError) as caught:
        read_structures(path)
    (problem,) = caught.value.problems
    # the header is the sheet's row 1: the second structure is on row 3
    assert (problem.row, problem.sheet, problem.line) == (1, "Sheet1", 3)
    assert " row 1 (sheet 'Sheet1' row 3), structure 'B': poverty_rate = 31.0:" in str(caught.value)


def test_a_misspelt_column_is_a_problem_with_a_suggestion() -> None:
    frame = frame_of(valid_row()).rename(columns={"poverty_rate": "povrty_rate"})
    frame["poverty_rate"] = 0.3
    with pytest.raises(InputError) as caught:
        allocate_frame(frame, 2022)
    (problem,) = caught.value.problems
    assert (problem.code, problem.field) == ("unknown_field", "povrty_rate")
    assert problem.message == "unknown column 'povrty_rate': did you mean 'poverty_rate'?"


# ------------------------------------------------------------- Python: one structure


def test_a_missing_field_says_missing_and_an_unknown_one_did_you_mean() -> None:
    with pytest.raises(InputError) as caught:
        allocate({"structure_id": "S1", "kind": "msp", "locaton": "in_qpv"}, 2022)
    assert str(caught.value) == (
        "invalid structure 'S1': location is missing; file_active_mg is missing; "
        "poverty_rate is missing; unknown field 'locaton': did you mean 'location'?"
    )
    assert "Field required" not in str(caught.value) and "{" not in str(caught.value)
    assert [(p.code, p.field, p.value, p.structure_id) for p in caught.value.problems] == [
        ("missing_value", "location", None, "S1"),
        ("missing_value", "file_active_mg", None, "S1"),
        ("missing_value", "poverty_rate", None, "S1"),
        ("unknown_field", "locaton", "in_qpv", "S1"),
    ]


def test_an_invalid_field_keeps_its_value() -> None:
    fields = {"structure_id": "S", "kind": "msp", "location": "in_qpv", "file_active_mg": 1000}
    with pytest.raises(InputError) as caught:
        allocate({**fields, "poverty_rate": "31"}, 2022)
    (problem,) = caught.value.problems
    assert (problem.code, problem.field, problem.value) == ("invalid_value", "poverty_rate", "31")
    assert str(caught.value).startswith("invalid structure 'S': poverty_rate = '31': ")


# ----------------------------------------------------------------------------- CLI


def write_bad_csv(path: Path) -> None:
    """Row 4 (line 6) misses its kind."""
    rows = [f"{sid},msp,in_qpv,1500,0.3,n{sid}\n" for sid in "ACDE"]
    rows.insert(4, "B,,in_qpv,1500,0.3,nB\n")
    path.write_text(HEADER + "".join(rows), encoding="utf-8")


@pytest.mark.parametrize("where", ["before", "after"])
def test_cli_json_errors_one_object_per_problem(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    monkeypatch.chdir(tmp_path)
    write_bad_csv(tmp_path / "structures.csv")
    command = ["batch", "structures.csv", "-o", "allocations.csv", "--year", "2022"]
    argv = ["--json", *command] if where == "before" else [*command, "--json"]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (problem,) = json_lines(captured.err)
    assert problem == {
        "code": "missing_value",
        "message": "kind is missing (NaN or empty)",
        "field": "kind",
        "value": None,
        "row": 4,
        "structure_id": "B",
        "file": "structures.csv",
        "line": 6,
        "sheet": None,
    }
    assert not (tmp_path / "allocations.csv").exists()
    # the example of docs/cli.md is this output
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "# " + json.dumps(problem) in page


def test_cli_text_errors_name_row_line_and_structure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    monkeypatch.chdir(tmp_path)
    write_bad_csv(tmp_path / "structures.csv")
    for command in (
        ["batch", "structures.csv", "-o", "out.csv"],
        ["sweep", "structures.csv", "--values", "45000", "--path", "interpreting.annual_cap"],
        ["report", "structures.csv", "-o", "report.html"],
    ):
        assert main([*command, "--year", "2022"]) == 2, command
        assert capsys.readouterr().err == (
            "secpa-model: error: structures.csv: 1 invalid row (1 problem): "
            "row 4 (line 6), structure 'B': kind is missing (NaN or empty)\n"
        ), command


def test_cli_errors_report_file_has_lines_ids_and_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    monkeypatch.chdir(tmp_path)
    write_bad_csv(tmp_path / "structures.csv")
    argv = ["batch", "structures.csv", "-o", "out.csv", "--year", "2022", "--errors", "report"]
    assert main(argv) == 0
    capsys.readouterr()
    errors = pd.read_csv(tmp_path / "out.errors.csv", dtype=str, keep_default_na=False)
    # the one shape of a problem (the fields of Problem, in order)
    assert list(errors.columns) == JSON_KEYS
    assert errors.values.tolist() == [
        [
            "structures.csv",
            "",
            "4",
            "6",
            "B",
            "kind",
            "",
            "missing_value",
            "kind is missing (NaN or empty)",
        ]
    ]


def test_cli_json_structure_file_missing_and_unknown_fields(
    tmp_path: Path, capsys: Capture
) -> None:
    path = tmp_path / "structure.json"
    path.write_text(
        '{"structure_id": "S1", "kind": "msp", "locaton": "in_qpv", "poverty_rate": 0.3}',
        encoding="utf-8",
    )
    assert main(["allocate", "--file", str(path), "--year", "2022"]) == 2
    assert capsys.readouterr().err == (
        f"secpa-model: error: {path}: invalid structure 'S1': location is missing; "
        "file_active_mg is missing; unknown field 'locaton': did you mean 'location'?\n"
    )
    assert main(["allocate", "--file", str(path), "--year", "2022", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    problems = json_lines(captured.err)
    assert [(p["code"], p["field"], p["file"], p["structure_id"]) for p in problems] == [
        ("missing_value", "location", str(path), "S1"),
        ("missing_value", "file_active_mg", str(path), "S1"),
        ("unknown_field", "locaton", str(path), "S1"),
    ]
    assert problems[2]["message"] == "unknown field 'locaton': did you mean 'location'?"


def test_cli_json_usage_parameter_and_internal_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    # a usage error argparse finds: JSON too, exit code 2
    assert main(["--json", "params", "--frobnicate"]) == 2
    (usage,) = json_lines(capsys.readouterr().err)
    assert usage["code"] == "usage" and "--frobnicate" in usage["message"]
    assert list(usage) == JSON_KEYS
    # an invalid parameter file: its problem, exit code 2
    bad = tmp_path / "bad.toml"
    bad.write_text("[participatory_activities\n", encoding="utf-8")
    assert main(["params", "--file", str(bad), "--json"]) == 2
    (parameter,) = json_lines(capsys.readouterr().err)
    assert (parameter["code"], parameter["file"]) == ("invalid_parameter", str(bad))
    assert parameter["message"].startswith("(file): not valid TOML at line 1")

    # a bug: exit code 3, one JSON object, no traceback
    def broken(args: object) -> int:
        raise KeyError("x")

    monkeypatch.setattr("secpa_model.presentation.cli.one_structure.run_params", broken)
    monkeypatch.delenv("SECPA_MODEL_TRACEBACK", raising=False)
    assert main(["params", "--json"]) == 3
    (internal,) = json_lines(capsys.readouterr().err)
    assert internal["code"] == "internal_error"
    assert internal["message"].startswith("internal error (KeyError: 'x')")


def test_cli_help_lists_the_exit_codes(capsys: Capture) -> None:
    assert main(["--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "2 invalid input, parameters, scenario or command line" in out
    assert "3 internal error" in out


def test_cli_errors_report_on_every_portfolio_command_names_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    """``--errors report``: the errors file of sweep has the line; without -o, compare lists
    the problems on stderr, as JSON with ``--json``."""
    monkeypatch.chdir(tmp_path)
    write_bad_csv(tmp_path / "structures.csv")
    (tmp_path / "phone.json").write_text(
        '{"name": "phone 45", "overrides": {"interpreting.hourly_rate_phone": 45}}',
        encoding="utf-8",
    )
    sweep = ["sweep", "structures.csv", "--path", "interpreting.hourly_rate_phone"]
    argv = [*sweep, "--values", "42,45", "--year", "2022", "--errors", "report", "-o", "s.csv"]
    assert main(argv) == 0
    capsys.readouterr()
    errors = pd.read_csv(tmp_path / "s.errors.csv")
    assert (errors.loc[0, "row"], errors.loc[0, "line"], errors.loc[0, "structure_id"]) == (
        4,
        6,
        "B",
    )
    compare = ["compare", "structures.csv", "--scenario", "phone.json", "--year", "2022"]
    assert main([*compare, "--errors", "report"]) == 0
    assert " row 4 (line 6), structure 'B': kind is missing" in capsys.readouterr().err
    assert main([*compare, "--errors", "report", "--json"]) == 0
    (problem,) = json_lines(capsys.readouterr().err)
    assert (problem["row"], problem["line"], problem["code"]) == (4, 6, "missing_value")
