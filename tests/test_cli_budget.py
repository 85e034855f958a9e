"""``secpa-model budget``: a structure-year table per quarter against its envelope, files
never overwritten, bad rows reported."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from secpa_model.core.money import format_euros
from secpa_model.presentation.cli import main
from tests.test_budget_timeline import ENVELOPE, YEAR_2024, YEAR_2025, structure_years

Capture = pytest.CaptureFixture[str]


def write_years(directory: Path) -> Path:
    path = directory / "years.csv"
    structure_years().to_csv(path, index=False)
    return path


def test_budget_of_a_structure_year_table_by_quarter(tmp_path: Path, capsys: Capture) -> None:
    source = write_years(tmp_path)
    out = tmp_path / "steps.csv"
    words = ["budget", str(source), "--envelope", str(ENVELOPE), "--freq", "quarter"]
    assert main([*words, "-o", str(out)]) == 0
    text = capsys.readouterr().out
    # no period: the table's years, 2024 and 2025, each row over its own year
    assert "period each row's year (the years of the table)" in text
    total = Decimal(YEAR_2024 + YEAR_2025)  # 225 000 € against 200 000 €
    assert format_euros(total) in text and format_euros(Decimal(-25_000)) in text
    assert "2025-Q4" in text and "112.5" in text and "false" in text
    assert "ASSUMPTIONS" in text and f"steps: 8 rows written to {out}" in text
    steps = pd.read_csv(out)
    assert list(steps["label"])[:2] == ["2024-Q1", "2024-Q2"]
    assert int(steps["cumulative_cents"].iloc[-1]) == int(total) * 100
    assert int(steps["total_cents"].sum()) == int(total) * 100
    assert int(steps["cumulative_cents"].iloc[3]) == YEAR_2024 * 100  # end of 2024


def test_budget_with_periods_and_their_envelopes(tmp_path: Path, capsys: Capture) -> None:
    source = write_years(tmp_path)
    words = ["budget", str(source), "--period", "2024-01-01..2025-06-30", "--year", "2025"]
    assert main([*words, "--envelope", "200000", "--envelope", "100000.50"]) == 0
    text = capsys.readouterr().out
    # 90 000 € + 181/365 of 135 000 € = 156 945,21 €; 2025 alone: 135 000 € > 100 000,50 €
    assert format_euros(Decimal("156945.21")) in text
    assert format_euros(Decimal("-34999.50")) in text
    assert "2025-01-01..2025-12-31 2025-12" in text  # months, by period


def test_budget_refuses_bad_arguments_and_never_overwrites(tmp_path: Path, capsys: Capture) -> None:
    source = write_years(tmp_path)
    before = source.read_bytes()
    assert main(["budget", str(source), "-o", str(source)]) == 2
    assert "would overwrite the structures file" in capsys.readouterr().err
    assert source.read_bytes() == before
    assert main(["budget", str(source), "--envelope", "14M"]) == 2
    assert "--envelope '14M': not an amount in euros" in capsys.readouterr().err
    assert main(["budget", str(source), "--envelope", "1", "--envelope", "2"]) == 2
    assert "2 --envelope for 1" in capsys.readouterr().err
    assert main(["budget", str(source), "--period", "2024-13-01..2024-12-31"]) == 2
    assert "--period/--year '2024-13-01..2024-12-31'" in capsys.readouterr().err
    assert main(["budget", str(source), "--freq", "week"]) == 2
    assert "invalid choice: 'week'" in capsys.readouterr().err
    plain = tmp_path / "plain.csv"
    structure_years().iloc[[0]].drop(columns="year").to_csv(plain, index=False)
    assert main(["budget", str(plain)]) == 2
    assert "give the periods" in capsys.readouterr().err


def test_budget_reports_bad_rows(tmp_path: Path, capsys: Capture) -> None:
    frame = structure_years()
    frame["file_active_mg"] = frame["file_active_mg"].astype(object)
    frame.loc[1, "file_active_mg"] = "lots"
    source = tmp_path / "bad.csv"
    frame.to_csv(source, index=False)
    assert main(["budget", str(source), "--year", "2024"]) == 2
    assert "row 1" in capsys.readouterr().err
    out = tmp_path / "steps.xlsx"
    args = ["budget", str(source), "--year", "2024", "--errors", "report", "-o", str(out)]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert format_euros(Decimal(YEAR_2024)) in text
    assert "invalid rows: 1 of 2 left out of every total (1 problem, written to" in text
    errors = pd.read_csv(tmp_path / "steps.errors.csv")
    assert list(errors["row"]) == [1] and list(errors["field"]) == ["file_active_mg"]
    assert len(pd.read_excel(out)) == 12  # the twelve months of 2024


@pytest.mark.parametrize("command", ["budget", "simulate"])
@pytest.mark.parametrize(
    ("envelope", "words"),
    [
        ("100.001", "not an amount in euros, at most to the cent"),
        ("1e40", "at most 2^53 cents"),
        ("-5", "at least 0"),
    ],
)
def test_an_envelope_finer_than_a_cent_or_out_of_range_is_refused_by_name(
    command: str, envelope: str, words: str, tmp_path: Path, capsys: Capture
) -> None:
    # one parsing of --envelope for both commands: these were internal errors (exit 3)
    source = write_years(tmp_path)
    extra = ["--draws", "3"] if command == "simulate" else []
    assert main([command, str(source), "--year", "2024", *extra, "--envelope", envelope]) == 2
    err = capsys.readouterr().err
    assert f"--envelope '{envelope}': " in err and words in err
    assert "internal error" not in err


def test_an_envelope_may_group_thousands(tmp_path: Path, capsys: Capture) -> None:
    source = write_years(tmp_path)
    assert main(["budget", str(source), "--year", "2024", "--envelope", "200 000"]) == 0
    assert format_euros(Decimal(200_000)) in capsys.readouterr().out
