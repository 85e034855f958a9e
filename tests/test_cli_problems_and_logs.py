"""Issue 20, items 2, 4 and 5 through the command line: a JSON Lines file's bad lines (a
misspelt key, malformed JSON, a wrong type) are problems of their lines and the others are
computed; one problem shape in the errors file, the ``--json`` objects, ``Problem`` and
``json_schema("problem")``; progress a log can hold, and ``--quiet``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from jsonschema import Draft202012Validator

import secpa_model
from secpa_model import json_schema
from secpa_model.core.errors import PROBLEM_FIELDS, Problem, problem_dicts
from secpa_model.presentation.cli import main
from secpa_model.presentation.cli.progress import ProgressLog

Capture = pytest.CaptureFixture[str]

GOOD = {
    "structure_id": "a",
    "kind": "msp",
    "location": "in_qpv",
    "file_active_mg": 2500,
    "poverty_rate": 0.3,
}


def _source(tmp_path: Path) -> Path:
    """Line 1 valid, line 2 a misspelt key, line 3 malformed, line 4 a wrong type (a list
    for a number), line 5 valid with another model's input."""
    lines = [
        json.dumps(GOOD),
        json.dumps({**GOOD, "structure_id": "b", "locaton": "near_qpv"}),
        '{"structure_id": "c", "kind": "msp",',
        json.dumps({**GOOD, "structure_id": "d", "file_active_mg": [1]}),
        json.dumps({**GOOD, "structure_id": "e", "team_size": 3}),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_lines_are_reported_with_their_lines_and_the_others_computed(
    tmp_path: Path, capsys: Capture
) -> None:
    source = _source(tmp_path)
    out = tmp_path / "out.jsonl"
    argv = ["batch", str(source), "-o", str(out), "--year", "2022", "--errors", "report"]
    assert main(argv) == 0
    capsys.readouterr()
    computed = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(row["row"], row["structure_id"]) for row in computed] == [(0, "a"), (4, "e")]
    errors = [json.loads(line) for line in (tmp_path / "out.errors.jsonl").read_text().splitlines()]
    assert [(e["line"], e["code"], e["field"]) for e in errors] == [
        (2, "unknown_field", "locaton"),
        (3, "invalid_input", None),
        (4, "invalid_value", "file_active_mg"),
    ]
    assert errors[0]["message"] == "line 2 has an unknown key 'locaton': did you mean 'location'?"
    assert (errors[0]["structure_id"], errors[0]["value"]) == ("b", "near_qpv")
    assert errors[1]["message"].startswith("line 3 is not valid JSON")
    assert errors[2]["value"] == "[1]"  # a list, as its JSON text


def test_without_errors_report_a_misspelt_key_fails_the_run_in_one_line(
    tmp_path: Path, capsys: Capture
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps(GOOD) + "\n" + json.dumps({**GOOD, "structure_id": "b", "locaton": "x"}) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    assert main(["batch", str(source), "-o", str(out), "--year", "2022"]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        f"secpa-model: error: {source}: 1 invalid row (1 problem): row 1 (line 2), structure "
        "'b': line 2 has an unknown key 'locaton': did you mean 'location'?\n"
    )
    assert not out.exists()


def test_the_portfolio_of_the_file_holds_the_problems_and_computes_the_rest(
    tmp_path: Path,
) -> None:
    read = secpa_model.portfolio(_source(tmp_path))
    assert list(read.problems["line"]) == [2, 3, 4]
    with pytest.raises(secpa_model.InputError, match="unknown key 'locaton'"):
        read.allocate(2022)
    totals = read.valid().allocate(2022)
    assert list(totals["structure_id"]) == ["a", "e"]


def test_one_problem_shape_in_the_file_the_json_objects_problem_and_the_schema(
    tmp_path: Path, capsys: Capture
) -> None:
    schema = json_schema("problem")
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    expected = ["file", "sheet", "row", "line", "structure_id", "field", "value", "code", "message"]
    assert list(PROBLEM_FIELDS) == expected
    assert list(schema["properties"]) == expected and schema["required"] == expected
    source = _source(tmp_path)
    # the errors file (CSV)
    out = tmp_path / "out.csv"
    argv = ["batch", str(source), "-o", str(out), "--year", "2022", "--errors", "report"]
    assert main(argv) == 0
    capsys.readouterr()
    from_file = pd.read_csv(tmp_path / "out.errors.csv", dtype=str, keep_default_na=False)
    assert list(from_file.columns) == expected
    # the --json objects: the same keys in the same order, the same problems
    assert main(["batch", str(source), "-o", str(out), "--year", "2022", "--json"]) == 2
    objects = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert objects and all(list(obj) == expected for obj in objects)
    for obj in objects:
        validator.validate(obj)
    # batch refuses the bad lines first (the two lines that are not structures)
    assert [(o["line"], o["code"]) for o in objects] == [(2, "unknown_field"), (3, "invalid_input")]
    assert [obj["line"] for obj in objects] == [int(v) for v in from_file["line"][:2]]
    # Problem: the same fields; problem_dicts the same objects
    problem = Problem("unknown_field", "m", field="locaton", row=1, line=2, file="in.jsonl")
    assert list(problem.to_dict()) == expected
    (as_dict,) = problem_dicts([problem])
    validator.validate(as_dict)
    # the errors file's rows are valid problems too (CSV text: empty cells are null)
    for record in from_file.to_dict("records"):
        row = {key: (value or None) for key, value in record.items()}
        row["row"], row["line"] = int(row["row"]), int(row["line"])
        validator.validate(row)
    assert not validator.is_valid({**as_dict, "extra": 1})
    assert not validator.is_valid({**as_dict, "code": "made_up"})


class _Clock:
    """A clock a test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_to_a_log_is_one_line_per_interval_then_a_summary() -> None:
    stream, clock = io.StringIO(), _Clock()
    log = ProgressLog(stream, "rows", clock=clock, interactive=False)
    total = 10_000_000
    for done in range(50_000, total + 1, 50_000):  # 200 pieces, 0.25 s each: 50 s in all
        clock.now += 0.25
        log(done, total)
    log.finish()
    lines = stream.getvalue().splitlines()
    # a line at 10, 20, 30, 40 and 50 s, then the summary (not 200 lines)
    assert len(lines) == 6
    # after 10 s: 2 000 000 rows at 200 000 rows/s, 8 000 000 left: 40 s
    assert lines[0] == (
        "secpa-model: 2 000 000 / 10 000 000 rows computed, 200 000 rows/s, 0:00:40 left (20 %)"
    )
    assert lines[-1] == "secpa-model: 10 000 000 rows computed in 0:00:50 (200 000 rows/s)"


def test_progress_on_a_terminal_is_redrawn_with_the_rate_and_the_time_left() -> None:
    stream, clock = io.StringIO(), _Clock()
    log = ProgressLog(stream, "draws", clock=clock, interactive=True)
    clock.now = 2.0
    log(100, 400)  # 50 draws/s, 300 left: 6 s
    text = stream.getvalue()
    assert text.startswith("\r[#######.......................]  25 % (100 / 400 draws computed")
    assert "50 draws/s, 0:00:06 left" in text and "\n" not in text
    clock.now = 4.0
    log(400, 400)
    log.finish()  # the bar's line ended, then the summary
    assert stream.getvalue().endswith(
        "\nsecpa-model: 400 draws computed in 0:00:04 (100 draws/s)\n"
    )


def test_progress_reading_with_an_unknown_total_says_the_rows_read() -> None:
    stream, clock = io.StringIO(), _Clock()
    log = ProgressLog(stream, "rows", clock=clock, interactive=False, interval=1.0)
    clock.now = 1.0
    log.reading(500, 0)
    assert stream.getvalue() == "secpa-model: 500 rows read, 500 rows/s\n"


def test_a_long_batch_logs_a_line_per_ten_seconds_and_a_summary(
    tmp_path: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "in.jsonl"
    rows = [json.dumps({**GOOD, "structure_id": f"s{i}"}) for i in range(200)]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    clock = _Clock()

    def tick() -> float:  # each look at the clock: one second later
        clock.now += 1.0
        return clock.now

    monkeypatch.setattr("secpa_model.presentation.cli.progress.monotonic", tick)
    out = tmp_path / "out.csv"
    argv = ["batch", str(source), "-o", str(out), "--year", "2022", "--chunk-rows", "2"]
    assert main(argv) == 0
    lines = capsys.readouterr().err.splitlines()
    # 100 pieces read (the ids) then 100 computed, a second each: about 200 s, so about 20
    # lines and the summary, where a line per piece made 100
    assert 15 <= len(lines) <= 22
    assert lines[0].startswith("secpa-model: ") and " rows read" in lines[0]
    assert any(" / 200 rows computed" in line for line in lines)
    assert lines[-1].startswith("secpa-model: 200 rows computed in 0:03:")


def test_quiet_prints_nothing_but_the_data(tmp_path: Path, capsys: Capture) -> None:
    source = tmp_path / "in.jsonl"
    rows = [json.dumps({**GOOD, "structure_id": f"s{i}"}) for i in range(12)]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    argv = ["batch", str(source), "-o", str(out), "--year", "2022", "--chunk-rows", "3"]
    assert main(argv) == 0
    loud = capsys.readouterr()
    assert "rows computed in" in loud.err and "total:" in loud.out
    assert main([*argv, "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")
    assert len(pd.read_csv(out)) == 12
    # before the command too; a table printed is the data: kept
    compare = ["--quiet", "simulate", str(source), "--year", "2022", "--draws", "20"]
    assert main([*compare, "--chunk-size", "5"]) == 0
    quiet = capsys.readouterr()
    assert quiet.err == "" and "secpa-model simulate" in quiet.out
    # errors are still printed
    assert main([*argv[:-4], "--year", "2019", "--quiet"]) == 2
    assert capsys.readouterr().err.startswith("secpa-model: error:")
