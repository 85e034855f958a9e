"""``secpa-model batch``: files in and out, progress in chunks, summary, errors file."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from secpa_model import allocate_frame, read_allocations, write_allocations
from secpa_model.core.errors import InputError
from secpa_model.io.batch import run_batch
from secpa_model.io.files import read_structure_rows
from secpa_model.io.formats import EXCEL, SUFFIXES
from secpa_model.presentation.cli import main
from secpa_model.presentation.cli.common import errors_path
from tests.helpers import allocate_valid
from tests.portfolio_files import (
    EXPECTED_CENTS,
    PORTFOLIO_TOTAL,
    WHOLE,
    batch_outputs,
    portfolio_copies,
    portfolio_frame,
    write_portfolio,
)

Capture = pytest.CaptureFixture[str]
LINES = (
    "participatory_activities_cents",
    "practitioner_participation_cents",
    "interpreting_cents",
    "psychological_support_cents",
)


def mixed_frame(copies: int) -> pd.DataFrame:
    """``copies`` (at least 4) times the portfolio, distinct ids, two invalid cells."""
    assert copies >= 4
    frame = portfolio_copies(copies)
    frame["poverty_rate"] = frame["poverty_rate"].astype(object)
    frame.loc[4, "poverty_rate"] = 31  # a percentage: invalid
    frame.loc[9, "file_active_mg"] = -5  # negative: invalid
    return frame


def test_batch_csv_in_csv_out_with_a_summary(tmp_path: Path, capsys: Capture) -> None:
    source = write_portfolio(tmp_path)
    out = tmp_path / "allocations.csv"
    assert main(["batch", str(source), "-o", str(out), "--year", "2022"]) == 0
    captured = capsys.readouterr()
    assert "rows: 3 read, 3 allocated, 2 eligible, 0 invalid" in captured.out
    assert f"total: {PORTFOLIO_TOTAL}" in captured.out
    assert "ASSUMPTIONS" in captured.out and "participatory_activities.cost_per_etp" in captured.out
    assert captured.err == ""  # 3 rows: no progress
    result = read_allocations(out)
    assert list(result["structure_id"]) == list(EXPECTED_CENTS)
    for _, row in result.iterrows():
        expected = EXPECTED_CENTS[row["structure_id"]]
        assert tuple(int(row[column]) for column in LINES) == expected
        assert int(row["total_cents"]) == sum(expected)
    assert list(result["eligible"]) == [True, True, False]
    assert list(result["reasons"]) == ["", "", "outside_qpv"]


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx"])
def test_batch_writes_parquet_and_excel(suffix: str, tmp_path: Path, capsys: Capture) -> None:
    source = write_portfolio(tmp_path)
    csv_out, other_out = tmp_path / "a.csv", tmp_path / f"a{suffix}"
    assert main(["batch", str(source), "-o", str(csv_out), "--year", "2022"]) == 0
    assert main(["batch", str(source), "-o", str(other_out), "--year", "2022"]) == 0
    capsys.readouterr()
    pd.testing.assert_frame_equal(read_allocations(other_out), read_allocations(csv_out))


def test_pieces_equal_one_call_with_report_and_raise(tmp_path: Path) -> None:
    source = tmp_path / "mixed.csv"
    mixed_frame(5).to_csv(source, index=False)  # 15 rows, rows 4 and 9 invalid
    seen: list[tuple[int, int]] = []
    options: dict[str, Any] = {"errors": "report", "progress": lambda d, t: seen.append((d, t))}
    pieces = batch_outputs(source, tmp_path / "pieces", ".csv", rows=4, **options)
    assert seen == [(4, 15), (8, 15), (12, 15), (15, 15)]
    one = batch_outputs(source, tmp_path / "one", ".csv", rows=WHOLE, errors="report")
    # one row per piece: some pieces hold only an invalid row
    single_rows = batch_outputs(source, tmp_path / "single", ".csv", rows=1, errors="report")
    assert pieces == one == single_rows
    read = read_structure_rows(source)
    frame, located = read.frame, read.rows
    expected = allocate_valid(frame, 2022)
    written = tmp_path / "expected.csv"
    write_allocations(expected.allocations.reset_index(names="row"), written, index=False)
    assert pieces["out.csv"] == written.read_bytes()
    # raise: the same message as one call, listing the problems of every piece
    with pytest.raises(InputError) as single:
        allocate_frame(frame, 2022)
    with pytest.raises(InputError) as in_pieces:
        run_batch(source, tmp_path / "out.csv", 2022, rows=4)
    assert str(in_pieces.value) == str(located.error(single.value))
    assert "row 4 (line 6)" in str(in_pieces.value) and "row 9 (line 11)" in str(in_pieces.value)
    summary = run_batch(
        source,
        tmp_path / "out.csv",
        2022,
        rows=4,
        errors="report",
        problems=tmp_path / "out.errors.csv",
    )
    # 15 rows, 2 invalid; of the 13 valid: 5 centre-a and 5 msp-b eligible minus the two
    # invalid ones (row 4 is msp-b of copy 1, row 9 is centre-a of copy 3) = 8 eligible
    assert (summary.rows, summary.allocated, summary.invalid, summary.eligible) == (15, 13, 2, 8)
    # 4 × 394 400 + 4 × 197 500 = 2 367 600 €
    assert summary.total_cents == 236_760_000


def test_pieces_equal_one_call_on_a_structure_year_table(tmp_path: Path) -> None:
    frame = pd.concat([portfolio_frame().assign(year=year) for year in (2022, 2023, 2024)])
    source = tmp_path / "years.csv"
    frame.to_csv(source, index=False)
    pieces = batch_outputs(source, tmp_path / "pieces", ".csv", rows=2, period=None)
    expected = tmp_path / "expected.csv"
    write_allocations(allocate_frame(read_structure_rows(source).frame, None), expected)
    assert pieces["out.csv"] == expected.read_bytes()
    with pytest.raises(ValueError, match="at least 1"):
        run_batch(source, tmp_path / "out.csv", None, rows=0)


def test_batch_in_chunks_prints_progress_and_writes_the_same_file(
    tmp_path: Path, capsys: Capture
) -> None:
    source = tmp_path / "many.csv"
    frame = mixed_frame(4)
    frame = frame.drop(index=[4, 9]).reset_index(drop=True)  # all valid, 10 rows
    frame.to_csv(source, index=False)
    whole, chunked = tmp_path / "whole.csv", tmp_path / "chunked.csv"
    assert main(["batch", str(source), "-o", str(whole), "--year", "2022"]) == 0
    assert capsys.readouterr().err == ""
    args = ["batch", str(source), "-o", str(chunked), "--year", "2022", "--chunk-rows", "3"]
    assert main(args) == 0
    captured = capsys.readouterr()
    # standard error is not a terminal: no line within ten seconds, then the summary
    (summary,) = captured.err.splitlines()
    assert summary.startswith("secpa-model: 10 rows computed in 0:00:0")
    assert summary.endswith(" rows/s)")
    assert whole.read_bytes() == chunked.read_bytes()
    assert main([*args[:-1], "0"]) == 2
    assert "--chunk-rows 0" in capsys.readouterr().err


def test_batch_errors_report(tmp_path: Path, capsys: Capture) -> None:
    source = tmp_path / "mixed.csv"
    mixed_frame(4).to_csv(source, index=False)
    out = tmp_path / "result.parquet"
    code = main(["batch", str(source), "-o", str(out), "--year", "2022", "--errors", "report"])
    assert code == 0
    text = capsys.readouterr().out
    problems = errors_path(out)
    assert problems == tmp_path / "result.errors.csv"
    assert f"written to {problems}" in text
    assert "rows: 12 read, 10 allocated" in text and "2 invalid" in text
    errors = pd.read_csv(problems)
    assert list(errors["row"]) == [4, 9]
    assert list(errors["field"]) == ["poverty_rate", "file_active_mg"]
    result = read_allocations(out)
    assert 4 not in set(result["row"]) and 9 not in set(result["row"])
    assert len(result) == 10


def test_batch_errors_raise_names_file_row_and_field(tmp_path: Path, capsys: Capture) -> None:
    source = tmp_path / "mixed.csv"
    mixed_frame(4).to_csv(source, index=False)
    out = tmp_path / "result.csv"
    assert main(["batch", str(source), "-o", str(out), "--year", "2022"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"secpa-model: error: {source}")
    assert "row 4" in captured.err and "poverty_rate" in captured.err
    assert not out.exists()  # nothing written


def test_batch_usage_errors(tmp_path: Path, capsys: Capture) -> None:
    source = write_portfolio(tmp_path)
    assert main(["batch", str(source), "-o", str(tmp_path / "out.txt"), "--year", "2022"]) == 2
    assert "unknown output file type '.txt'" in capsys.readouterr().err
    assert main(["batch", str(tmp_path / "none.csv"), "-o", str(tmp_path / "o.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    # no --year, no --period and no year column: the period is required
    assert main(["batch", str(source), "-o", str(tmp_path / "o.csv")]) == 2
    assert "a period is required" in capsys.readouterr().err
    assert main(["batch", str(source), "--year", "2022"]) == 2  # -o is required
    assert "-o/--output" in capsys.readouterr().err
    args = ["batch", str(source), "-o", str(tmp_path / "o.csv"), "--year", "2022"]
    assert main([*args, "--errors", "ignore"]) == 2
    assert "invalid choice: 'ignore'" in capsys.readouterr().err


def test_batch_with_a_year_column_and_a_parameter_file(tmp_path: Path, capsys: Capture) -> None:
    source = tmp_path / "years.csv"
    portfolio_frame().assign(year=2022).to_csv(source, index=False)
    params = tmp_path / "p.toml"
    params.write_text(
        (
            Path(__file__).parents[1] / "src/secpa_model/models/experimentation/reference.toml"
        ).read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    assert main(["batch", str(source), "-o", str(out), "--parameters", str(params)]) == 0
    text = capsys.readouterr().out
    assert "period: each row's year" in text and f"total: {PORTFOLIO_TOTAL}" in text


def test_a_missing_extra_or_an_unwritable_output_is_an_error_message(
    tmp_path: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_portfolio(tmp_path)
    missing_dir = tmp_path / "no" / "such" / "out.csv"
    assert main(["batch", str(source), "-o", str(missing_dir), "--year", "2022"]) == 2
    assert "cannot write the file" in capsys.readouterr().err
    # the check looks for a module that does not exist, as on a machine without the extra
    missing = dataclasses.replace(EXCEL, extra=("secpa_model_no_such_module", "excel"))
    monkeypatch.setitem(SUFFIXES, ".xlsx", missing)
    out = tmp_path / "out.xlsx"
    assert main(["batch", str(source), "-o", str(out), "--year", "2022"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("secpa-model: error:") and "secpa-model[excel]" in err


def test_python_dash_m_batch_progress_on_stderr_summary_on_stdout(tmp_path: Path) -> None:
    source = write_portfolio(tmp_path)
    out = tmp_path / "out.csv"
    command = [sys.executable, "-m", "secpa_model", "batch", str(source), "-o", str(out)]
    done = subprocess.run(
        [*command, "--year", "2022", "--chunk-rows", "2"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1].startswith("secpa-model: 3 rows computed in ")
    assert f"total: {PORTFOLIO_TOTAL}" in done.stdout
    failed = subprocess.run([*command, "--year", "2019"], capture_output=True, text=True)
    assert failed.returncode == 2 and failed.stdout == ""
    assert "do not cover 2019-01-01" in failed.stderr
