"""Every portfolio command reports bad rows: ``--errors report`` on ``compare``, ``sweep``
and ``report`` as on ``batch``; one bad row out of 30 does not fail the run."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from secpa_model.core.money import format_euros
from secpa_model.presentation.cli import main
from tests.portfolio_files import portfolio_copies

Capture = pytest.CaptureFixture[str]

COPIES = 10
BAD_ROW = 12  # centre-a of copy 4
# Ten copies of the three structures of tests/portfolio_files.py over 2022: 10 × 591 900 €;
# the bad row is a centre-a (394 400 €, 4 ETP, 200 phone hours), left out.
VALID_TOTAL = Decimal(COPIES * 591_900 - 394_400)
VALID_ETP = COPIES * (4 + 3) - 4
VALID_CENTRES = COPIES - 1


def write_thirty(directory: Path) -> Path:
    frame = portfolio_copies(COPIES)
    assert len(frame) == 30 and frame.loc[BAD_ROW, "structure_id"] == "centre-a-4"
    frame["poverty_rate"] = frame["poverty_rate"].astype(object)
    frame.loc[BAD_ROW, "poverty_rate"] = 31  # a percentage
    path = directory / "thirty.csv"
    frame.to_csv(path, index=False)
    return path


def scenario(directory: Path) -> Path:
    path = directory / "phone.json"
    path.write_text(
        '{"name": "phone 45", "overrides": {"interpreting.hourly_rate_phone": 45}}',
        encoding="utf-8",
    )
    return path


def assert_errors_file(path: Path) -> None:
    errors = pd.read_csv(path)
    assert list(errors["row"]) == [BAD_ROW]
    assert list(errors["field"]) == ["poverty_rate"]
    assert errors.loc[0, "message"].startswith("poverty_rate looks like a percentage")


def test_without_errors_report_one_bad_row_fails_each_command(
    tmp_path: Path, capsys: Capture
) -> None:
    source = write_thirty(tmp_path)
    runs = [
        ["compare", str(source), "--scenario", str(scenario(tmp_path))],
        ["sweep", str(source), "--path", "interpreting.hourly_rate_phone", "--values", "42,45"],
        ["report", str(source), "-o", str(tmp_path / "r.html")],
    ]
    for words in runs:
        assert main([*words, "--year", "2022"]) == 2, words[0]
        err = capsys.readouterr().err
        assert f"row {BAD_ROW}" in err and "poverty_rate" in err, words[0]
    assert not (tmp_path / "r.html").exists()


def test_compare_reports_the_bad_row_and_compares_the_others(
    tmp_path: Path, capsys: Capture
) -> None:
    source = write_thirty(tmp_path)
    out = tmp_path / "detail.csv"
    words = ["compare", str(source), "--scenario", str(scenario(tmp_path)), "--year", "2022"]
    assert main([*words, "--errors", "report", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    # phone hours at 45 € instead of 42 €: 200 h × 3 € more for each valid centre-a
    assert format_euros(VALID_TOTAL) in text
    assert format_euros(VALID_TOTAL + VALID_CENTRES * 200 * 3) in text
    assert "invalid rows: 1 of 30 left out of every total (1 problem, written to" in text
    assert_errors_file(tmp_path / "detail.errors.csv")
    detail = pd.read_csv(out)
    assert "centre-a-4" not in set(detail["structure_id"])
    # without -o, the problems are listed on standard error, and the run still succeeds
    assert main([*words, "--errors", "report"]) == 0
    captured = capsys.readouterr()
    assert "listed on standard error" in captured.out
    assert f"row {BAD_ROW}" in captured.err and "poverty_rate" in captured.err


def test_compare_models_reports_the_bad_row(tmp_path: Path, capsys: Capture) -> None:
    source = write_thirty(tmp_path)
    out = tmp_path / "winners.csv"
    words = ["compare", str(source), "--model", "experimentation", "--model", "five_pillars"]
    assert main([*words, "--year", "2022", "--errors", "report", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert format_euros(VALID_TOTAL) in text  # the experimentation, the baseline
    assert_errors_file(tmp_path / "winners.errors.csv")
    assert len(pd.read_csv(out)) == 29


def test_sweep_reports_the_bad_row_and_sweeps_the_others(tmp_path: Path, capsys: Capture) -> None:
    source = write_thirty(tmp_path)
    out = tmp_path / "sweep.csv"
    words = ["sweep", str(source), "--path", "participatory_activities.cost_per_etp"]
    words += ["--values", "45000,50000", "--year", "2022", "--errors", "report", "-o", str(out)]
    assert main(words) == 0
    text = capsys.readouterr().out
    assert "invalid rows: 1 of 30 left out" in text
    table = pd.read_csv(out)
    # 5 000 € more for each of the 66 ETP of the valid rows
    assert list(table["total_cents"]) == [
        int(VALID_TOTAL) * 100,
        (int(VALID_TOTAL) + VALID_ETP * 5_000) * 100,
    ]
    assert VALID_ETP == 66
    assert_errors_file(tmp_path / "sweep.errors.csv")


def test_report_reports_the_bad_row_in_the_page_and_beside_it(
    tmp_path: Path, capsys: Capture
) -> None:
    source = write_thirty(tmp_path)
    page = tmp_path / "report.html"
    words = ["report", str(source), "-o", str(page), "--year", "2022", "--errors", "report"]
    assert main([*words, "--scenario", str(scenario(tmp_path))]) == 0
    assert "invalid rows: 1 of 30 left out" in capsys.readouterr().out
    html = page.read_text(encoding="utf-8")
    assert "1 invalid input row left out" in html and f"row {BAD_ROW}" in html
    assert format_euros(VALID_TOTAL) in html
    assert "centre-a-4" not in html
    assert_errors_file(tmp_path / "report.errors.csv")


def test_the_errors_file_never_overwrites_an_input(tmp_path: Path, capsys: Capture) -> None:
    source = write_thirty(tmp_path)
    # -o thirty.csv.csv would write its errors to thirty.csv.errors.csv; -o x.csv with an
    # input named x.errors.csv is refused before anything is read
    clash = tmp_path / "x.errors.csv"
    clash.write_bytes(source.read_bytes())
    words = ["sweep", str(clash), "--path", "interpreting.hourly_rate_phone", "--values", "45"]
    words += ["--year", "2022", "--errors", "report", "-o", str(tmp_path / "x.csv")]
    assert main(words) == 2
    assert "would overwrite the structures file" in capsys.readouterr().err
    assert clash.read_bytes() == source.read_bytes()
