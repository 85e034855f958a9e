"""A JSON Lines line that is not a structure is a problem row on every command that reads
structures, as on ``batch``: listed with its line under ``--errors report`` beside the
invalid cells (the other rows computed), and refusing the run, named by file and line,
without it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from secpa_model.presentation.cli import main
from tests.portfolio_files import portfolio_copies

Capture = pytest.CaptureFixture[str]

MALFORMED = "{not json"
MALFORMED_LINE = 5  # after the 4 first structures: row 4
BAD_CELL_LINE = 14  # centre-a-4 (structure 12), one line further down: row 13
PHONE = "interpreting.hourly_rate_phone"
YEAR = ("--year", "2022")


def structure_lines() -> list[str]:
    """The 30 structures of ten copies of the portfolio, one JSON object each."""
    frame = portfolio_copies(10)
    return [json.dumps(record) for record in json.loads(frame.to_json(orient="records"))]


def write_files(directory: Path) -> tuple[Path, Path]:
    """The mixed file (a malformed line and a percentage for a rate among the 30
    structures) and the clean file (the same without those two lines)."""
    lines = structure_lines()
    bad = json.loads(lines[12])
    assert bad["structure_id"] == "centre-a-4"
    bad["poverty_rate"] = 31  # a percentage
    mixed = [*lines[:4], MALFORMED, *lines[4:12], json.dumps(bad), *lines[13:]]
    assert mixed[MALFORMED_LINE - 1] == MALFORMED
    assert json.loads(mixed[BAD_CELL_LINE - 1])["poverty_rate"] == 31
    clean = [*lines[:12], *lines[13:]]
    paths = directory / "mixed.jsonl", directory / "clean.jsonl"
    for path, text in zip(paths, (mixed, clean), strict=True):
        path.write_text("".join(line + "\n" for line in text), encoding="utf-8")
    return paths


def scenario(directory: Path) -> Path:
    path = directory / "phone.json"
    path.write_text(f'{{"name": "phone 45", "overrides": {{"{PHONE}": 45}}}}', encoding="utf-8")
    return path


def commands(directory: Path) -> dict[str, list[str]]:
    """The words after ``IN`` of each command taking ``--errors report``."""
    return {
        "compare": ["--scenario", str(scenario(directory)), "--year", "2022"],
        "compare_models": ["--model", "experimentation", "--model", "five_pillars", *YEAR],
        "sweep": ["--path", PHONE, "--values", "42,45", "--year", "2022"],
        "budget": ["--year", "2022", "--freq", "quarter"],
    }


def assert_problems(errors: pd.DataFrame) -> None:
    """The malformed line and the bad cell, each with its row and line, in file order."""
    assert list(errors["row"]) == [4, 13]
    assert list(errors["line"]) == [MALFORMED_LINE, BAD_CELL_LINE]
    assert errors.loc[0, "message"].startswith(f"line {MALFORMED_LINE} is not valid JSON")
    assert errors.loc[1, "field"] == "poverty_rate"
    assert errors["sheet"].isna().all()  # not an Excel file


def amounts(table: pd.DataFrame) -> pd.DataFrame:
    """A result table without its row labels (the two files number their rows apart)."""
    kept = [name for name in table.columns if name != "row" and not name.startswith("Unnamed")]
    return table[kept].reset_index(drop=True)


@pytest.mark.parametrize("command", ["compare", "compare_models", "sweep", "budget"])
def test_a_bad_line_is_a_problem_row_and_the_rest_is_computed(
    tmp_path: Path, capsys: Capture, command: str
) -> None:
    mixed, clean = write_files(tmp_path)
    words = commands(tmp_path)[command]
    name = command.split("_")[0]
    out_mixed, out_clean = tmp_path / "mixed_out.csv", tmp_path / "clean_out.csv"
    assert main([name, str(mixed), *words, "--errors", "report", "-o", str(out_mixed)]) == 0
    printed = capsys.readouterr().out
    assert "invalid rows: 2 of 31 left out of every total (2 problems, written to" in printed
    assert_problems(pd.read_csv(tmp_path / "mixed_out.errors.csv"))
    assert main([name, str(clean), *words, "-o", str(out_clean)]) == 0
    capsys.readouterr()
    computed = amounts(pd.read_csv(out_mixed))
    assert len(computed) > 0
    pd.testing.assert_frame_equal(computed, amounts(pd.read_csv(out_clean)))


@pytest.mark.parametrize("command", ["compare", "compare_models", "sweep", "budget"])
def test_without_an_output_the_problems_are_listed_with_their_lines(
    tmp_path: Path, capsys: Capture, command: str
) -> None:
    mixed, _ = write_files(tmp_path)
    words = [command.split("_")[0], str(mixed), *commands(tmp_path)[command]]
    assert main([*words, "--errors", "report"]) == 0
    captured = capsys.readouterr()
    assert "2 problems, listed on standard error" in captured.out
    assert f"row 4 (line {MALFORMED_LINE}): line {MALFORMED_LINE} is not valid JSON" in captured.err
    where = f"row 13 (line {BAD_CELL_LINE}), structure 'centre-a-4'"
    assert f"{where}: poverty_rate = 31: poverty_rate looks like a percentage" in captured.err
    # with --json, one object per problem, each with its file and line
    assert main(["--json", *words, "--errors", "report"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(p["row"], p["line"], p["file"]) for p in listed] == [
        (4, MALFORMED_LINE, str(mixed)),
        (13, BAD_CELL_LINE, str(mixed)),
    ]


def test_report_lists_a_bad_line_beside_the_page(tmp_path: Path, capsys: Capture) -> None:
    mixed, clean = write_files(tmp_path)
    pages = tmp_path / "mixed.html", tmp_path / "clean.html"
    words = ["--year", "2022", "--scenario", str(scenario(tmp_path))]
    assert main(["report", str(mixed), "-o", str(pages[0]), *words, "--errors", "report"]) == 0
    printed = capsys.readouterr().out
    assert "report of 31 structures written to" in printed
    assert "invalid rows: 2 of 31 left out of every total (2 problems, written to" in printed
    assert_problems(pd.read_csv(tmp_path / "mixed.errors.csv"))
    assert main(["report", str(clean), "-o", str(pages[1]), *words]) == 0
    capsys.readouterr()
    # 9 valid centre-a × 394 400 € + 10 × (msp-b + outside-c: 197 500 €) = 5 524 600 €
    total = "5 524 600"
    for page in pages:
        assert total in page.read_text(encoding="utf-8").replace("\u202f", " ")


RUNS = {
    "compare": ["compare", "--year", "2022", "--scenario"],
    "compare_models": ["compare", "--year", "2022", "--model", "experimentation"],
    "sweep": ["sweep", "--path", PHONE, "--values", "42", "--year", "2022"],
    "report": ["report", "--year", "2022", "-o"],
    "budget": ["budget", "--year", "2022"],
    "simulate": ["simulate", "--year", "2022", "--draws", "2"],
    "sensitivity": ["sensitivity", "--year", "2022", "--free", PHONE, "--samples", "16"],
    "calibrate": ["calibrate", "--free", PHONE, "-o"],
}


@pytest.mark.parametrize("command", list(RUNS))
def test_without_errors_report_a_bad_line_refuses_the_run_naming_it(
    tmp_path: Path, capsys: Capture, command: str
) -> None:
    lines = structure_lines()
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join([*lines[:4], MALFORMED, *lines[4:]]) + "\n", encoding="utf-8")
    name, *options = RUNS[command]
    extra = {
        "compare": [str(scenario(tmp_path))],
        "compare_models": ["--model", "five_pillars"],
        "report": [str(tmp_path / "r.html")],
        "sensitivity": ["--bounds", f"{PHONE}=20..60"],
        "calibrate": [str(tmp_path / "fit.toml")],
    }.get(command, [])
    assert main([name, str(source), *options, *extra]) == 2
    err = capsys.readouterr().err
    # one line: the summary naming the file, then the problem naming its line (batch's)
    (message,) = err.splitlines()
    assert message.startswith(
        f"secpa-model: error: {source}: 1 invalid row (1 problem): "
        f"row 4 (line {MALFORMED_LINE}): line {MALFORMED_LINE} is not valid JSON"
    )
    assert main(["batch", str(source), "-o", str(tmp_path / "out.csv"), "--year", "2022"]) == 2
    assert capsys.readouterr().err == err
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "fit.toml").exists()


def test_a_missing_period_names_the_file_as_batch_does(tmp_path: Path, capsys: Capture) -> None:
    _, clean = write_files(tmp_path)
    message = "a period is required (or a 'year' column giving each row's year)"
    assert main(["batch", str(clean), "-o", str(tmp_path / "out.csv")]) == 2
    assert capsys.readouterr().err == f"secpa-model: error: {clean}: {message}\n"
    page = str(tmp_path / "r.html")
    for words in (["sweep", "--path", PHONE, "--values", "42"], ["report", "-o", page]):
        assert main([words[0], str(clean), *words[1:]]) == 2
        assert capsys.readouterr().err == f"secpa-model: error: {clean}: {message}\n"
