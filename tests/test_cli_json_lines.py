"""JSON Lines through ``secpa-model batch`` (and the Python readers and writers): structures
in one per line, allocations out one per line (with the trace when asked), streamed chunk by
chunk and written whole or not at all; ``secpa-model --version``."""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest

from secpa_model import json_schema, read_allocations, read_structures, write_allocations
from secpa_model.core.errors import InputError
from secpa_model.io import json_lines
from secpa_model.io.files import read_structure_rows
from secpa_model.models import experimentation
from secpa_model.presentation.cli import main
from tests.portfolio_files import EXPECTED_CENTS, PORTFOLIO_TOTAL, portfolio_frame

Capture = pytest.CaptureFixture[str]
LINE_KEYS = (
    "participatory_activities_cents",
    "practitioner_participation_cents",
    "interpreting_cents",
    "psychological_support_cents",
)


def portfolio_objects() -> list[dict[str, Any]]:
    """The three structures of the hand-worked portfolio as JSON objects; msp-b and
    outside-c leave out every optional key (their defaults are the portfolio's zeros)."""
    objects: list[dict[str, Any]] = []
    for record in portfolio_frame().to_dict("records"):
        data = {
            key: (value.item() if hasattr(value, "item") else value)
            for key, value in record.items()
        }
        if data["structure_id"] != "centre-a":
            for optional in (
                "interpreting_hours_in_person",
                "interpreting_hours_phone",
                "psychologist_cost_requested",
                "segur_psychologist_funding",
                "ars_psychology_agreement",
            ):
                del data[optional]
        objects.append(data)
    return objects


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def portfolio_lines(path: Path) -> Path:
    """The portfolio as JSON Lines, with a blank line inside and one at the end."""
    first, second, third = (json.dumps(data) for data in portfolio_objects())
    return write_lines(path, [first, "", second, "   ", third, ""])


def read_lines(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n") and not text.startswith("\ufeff")
    return [json.loads(line) for line in text.splitlines()]


def test_batch_reads_and_writes_json_lines(tmp_path: Path, capsys: Capture) -> None:
    source = portfolio_lines(tmp_path / "in.jsonl")
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(source), "-o", str(out), "--year", "2022"]) == 0
    printed = capsys.readouterr().out
    assert "rows: 3 read, 3 allocated, 2 eligible, 0 invalid" in printed
    assert f"total: {PORTFOLIO_TOTAL}" in printed
    lines = read_lines(out)
    assert [line["structure_id"] for line in lines] == list(EXPECTED_CENTS)
    for line in lines:
        assert list(line) == ["structure_id", "eligible", "reasons", *LINE_KEYS, "total_cents"]
        expected = EXPECTED_CENTS[line["structure_id"]]
        assert tuple(line[key] for key in LINE_KEYS) == expected
        assert all(type(line[key]) is int for key in (*LINE_KEYS, "total_cents"))
        assert line["total_cents"] == sum(expected)
    assert lines[0]["eligible"] is True and lines[0]["reasons"] == ""
    assert lines[2]["eligible"] is False and lines[2]["reasons"] != ""
    # read back in Python: the same cents as int64
    back = read_allocations(out)
    assert list(back["total_cents"]) == [394_400_00, 197_500_00, 0]
    assert str(back["total_cents"].dtype) == "int64"


def test_json_numbers_are_read_exactly(tmp_path: Path, capsys: Capture) -> None:
    exact, finer = portfolio_objects()[0], portfolio_objects()[0]
    exact["psychologist_cost_requested"] = 12345.67
    finer["structure_id"] = "finer"
    # as a float this is 100.0 exactly; as written it is finer than a cent: refused
    text = json.dumps(finer).replace(
        '"psychologist_cost_requested": 70000',
        '"psychologist_cost_requested": 100.0000000000000001',
    )
    path = write_lines(tmp_path / "in.jsonl", [json.dumps(exact), text])
    with pytest.raises(InputError) as caught:
        read_structures(path)
    message = str(caught.value)
    assert "row 1 (line 2)" in message
    assert "psychologist_cost_requested = Decimal('100.0000000000000001')" in message
    assert "row 0" not in message
    path = write_lines(tmp_path / "exact.jsonl", [json.dumps(exact)])
    frame = read_structures(path)
    assert frame.loc[0, "psychologist_cost_requested"] == 12345.67


def test_bad_lines_are_refused_naming_their_line(tmp_path: Path, capsys: Capture) -> None:
    first = json.dumps(portfolio_objects()[0])
    repeated = '{"structure_id": "x", "kind": "msp", "kind": "centre_de_sante"}'
    source = write_lines(tmp_path / "in.jsonl", [first, "", "[1, 2]", "{not json", repeated])
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(source), "-o", str(out), "--year", "2022"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 4 and err.startswith("secpa-model: error: ")
    assert f"{source}: 3 invalid rows (3 problems):" in err
    assert "row 1 (line 3): line 3 is a JSON array, not an object" in err
    assert "row 2 (line 4): line 4 is not valid JSON: Expecting property name" in err
    assert "row 3 (line 5): line 5: the key 'kind' is given twice in one object" in err
    assert not out.exists()


def test_bad_lines_are_reported_like_bad_rows(tmp_path: Path, capsys: Capture) -> None:
    good, bad_cell = portfolio_objects()[0], portfolio_objects()[1]
    bad_cell["poverty_rate"] = 31
    source = write_lines(
        tmp_path / "in.jsonl", [json.dumps(good), "[1]", json.dumps(bad_cell), "", "{"]
    )
    out = tmp_path / "out.jsonl"
    code = main(["batch", str(source), "-o", str(out), "--year", "2022", "--errors", "report"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "rows: 4 read, 1 allocated, 1 eligible, 3 invalid" in printed
    errors_file = tmp_path / "out.errors.jsonl"
    assert f"errors: 3 problems in 3 rows written to {errors_file}" in printed
    assert [line["row"] for line in read_lines(out)] == [0]
    assert read_lines(out)[0]["total_cents"] == sum(EXPECTED_CENTS["centre-a"])
    problems = read_lines(errors_file)
    assert [(p["row"], p["line"], p["field"], p["code"]) for p in problems] == [
        (1, 2, None, "invalid_input"),
        (2, 3, "poverty_rate", "invalid_value"),
        (3, 5, None, "invalid_input"),
    ]
    assert (
        problems[0]["message"]
        == "line 2 is a JSON array, not an object with the structure's fields"
    )
    assert problems[0]["value"] == "[1]"
    assert problems[1]["value"] == 31 and "percentage" in problems[1]["message"]
    assert problems[2]["message"].startswith("line 5 is not valid JSON")


def test_lines_too_long_or_not_utf8_are_bad_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(json_lines, "MAX_LINE_BYTES", 200)
    first = json.dumps(portfolio_objects()[1])
    assert len(first) < 200
    long = json.dumps({**portfolio_objects()[2], "note": "x" * 500})
    path = tmp_path / "in.jsonl"
    path.write_bytes(
        (first + "\n" + long + "\n").encode() + b'{"structure_id": "\xe9"}\n' + first.encode()
    )
    read = read_structure_rows(path, model=experimentation())
    assert list(read.frame.index) == [0, 3]
    assert [read.rows.line_of(row) for row in range(4)] == [1, 2, 3, 4]
    assert list(read.problems["row"]) == [1, 2]
    assert list(read.problems["message"]) == [
        "line 2 is longer than 200 bytes",
        "line 3 is not UTF-8 text (byte 0xe9 at column 19); save the file as UTF-8",
    ]


def test_trace_on_each_line_checks_against_the_schema(tmp_path: Path, capsys: Capture) -> None:
    source = portfolio_lines(tmp_path / "in.jsonl")
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(source), "-o", str(out), "--year", "2022", "--trace"]) == 0
    schema = json_schema("trace")
    for line in read_lines(out):
        trace = line["trace"]
        jsonschema.validate(trace, schema)
        assert trace["format"] == "secpa-model.trace"
        assert trace["structure_id"] == line["structure_id"]
        assert trace["period"] == {"start": "2022-01-01", "end": "2022-12-31"}
        cents = [item["amount_cents"] for item in trace["lines"]]
        assert tuple(cents) == EXPECTED_CENTS[line["structure_id"]]
        assert trace["total"] == f"{line['total_cents'] // 100}.00"


def test_trace_of_a_structure_year_table(tmp_path: Path, capsys: Capture) -> None:
    first = portfolio_objects()[0]
    lines = [json.dumps({**first, "year": year}) for year in (2022, 2023)]
    source = write_lines(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    args = ["batch", str(source), "-o", str(out), "--trace", "--period", "2022-01-01..2022-12-31"]
    assert main(args) == 0
    written = read_lines(out)
    assert written[0]["trace"]["period"] == {"start": "2022-01-01", "end": "2022-12-31"}
    assert written[0]["total_cents"] == sum(EXPECTED_CENTS["centre-a"])
    # 2023 does not meet the period: not participating, nothing to trace
    assert written[1]["total_cents"] == 0 and written[1]["trace"] is None
    assert main(["batch", str(source), "-o", str(out), "--trace"]) == 0
    assert [line["trace"]["period"]["start"] for line in read_lines(out)] == [
        "2022-01-01",
        "2023-01-01",
    ]


def test_trace_needs_a_json_lines_output(tmp_path: Path, capsys: Capture) -> None:
    source = portfolio_lines(tmp_path / "in.jsonl")
    out = tmp_path / "out.csv"
    assert main(["batch", str(source), "-o", str(out), "--year", "2022", "--trace"]) == 2
    assert "--trace: the traces are written in a .jsonl OUT only" in capsys.readouterr().err
    assert not out.exists()


def test_streamed_chunks_equal_one_pass_and_fail_whole(tmp_path: Path, capsys: Capture) -> None:
    objects = [{**portfolio_objects()[0], "structure_id": f"s{i}"} for i in range(7)]
    source = write_lines(tmp_path / "in.jsonl", [json.dumps(o) for o in objects])
    whole, chunked = tmp_path / "whole.jsonl", tmp_path / "chunked.jsonl"
    assert main(["batch", str(source), "-o", str(whole), "--year", "2022", "--trace"]) == 0
    assert capsys.readouterr().err == ""
    args = ["batch", str(source), "-o", str(chunked), "--year", "2022", "--trace"]
    assert main([*args, "--chunk-rows", "2"]) == 0
    assert "secpa-model: 7 rows computed in " in capsys.readouterr().err
    assert chunked.read_bytes() == whole.read_bytes()
    assert len(read_lines(chunked)) == 7
    # a bad cell in the last chunk: the chunks before it were streamed to a temporary file,
    # which is removed; the previous output is left as it was
    objects[6]["file_active_mg"] = -5
    write_lines(source, [json.dumps(o) for o in objects])
    before = chunked.read_bytes()
    assert main([*args, "--chunk-rows", "2"]) == 2
    assert "row 6 (line 7), structure 's6': file_active_mg = -5" in capsys.readouterr().err
    assert chunked.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "chunked.jsonl",
        "chunked.jsonl.manifest.json",  # of the successful run, as its output
        "in.jsonl",
        "whole.jsonl",
        "whole.jsonl.manifest.json",
    ]


def test_write_and_read_allocations_as_json_lines(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "structure_id": ["a", "=b"],
            "eligible": [True, False],
            "reasons": ["", "outside_qpv"],
            "total_cents": pd.array([12_345_678, 0], dtype="int64"),
            "share": [0.1, float("nan")],
        }
    )
    path = write_allocations(frame, tmp_path / "out.jsonl")
    assert path.read_text(encoding="utf-8").splitlines()[1] == (
        '{"structure_id": "=b", "eligible": false, "reasons": "outside_qpv", '
        '"total_cents": 0, "share": null}'
    )
    back = read_allocations(path)
    assert list(back["structure_id"]) == ["a", "=b"]
    assert list(back["total_cents"]) == [12_345_678, 0]
    assert list(back["eligible"]) == [True, False]
    assert list(back["reasons"]) == ["", "outside_qpv"]


def test_version(capsys: Capture) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"secpa-model {version('secpa-model')}\n"


def test_the_cli_page_shows_a_real_output_line(tmp_path: Path, capsys: Capture) -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    section = page.split("\n### JSON Lines in and out\n", 1)[1].split("\n## ", 1)[0]
    shown = [line for line in section.splitlines() if line.startswith('{"structure_id"')]
    assert len(shown) == 1
    source = portfolio_lines(tmp_path / "in.jsonl")
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(source), "-o", str(out), "--year", "2022"]) == 0
    assert out.read_text(encoding="utf-8").splitlines()[0] == shown[0]


def test_every_output_line_validates_against_the_batch_line_schema(
    tmp_path: Path, capsys: Capture
) -> None:
    validator = jsonschema.Draft202012Validator(json_schema("batch_line"))
    jsonschema.Draft202012Validator.check_schema(json_schema("batch_line"))
    good, bad = portfolio_objects()[0], {**portfolio_objects()[1], "kind": "hospital"}
    source = write_lines(tmp_path / "in.jsonl", [json.dumps(good), json.dumps(bad)])
    out = tmp_path / "out.jsonl"
    args = ["batch", str(source), "-o", str(out), "--year", "2022", "--trace"]
    assert main([*args, "--errors", "report"]) == 0
    (line,) = read_lines(out)
    assert line["row"] == 0 and line["trace"]["structure_id"] == "centre-a"
    validator.validate(line)
    capsys.readouterr()
    assert main(["schema", "batch_line"]) == 0
    assert json.loads(capsys.readouterr().out) == json_schema("batch_line")
    for broken in (
        {**line, "total_cents": 39440000.5},  # cents are whole numbers
        {key: value for key, value in line.items() if key != "total_cents"},
        {**line, "trace": {"format": "other"}},
    ):
        assert not validator.is_valid(broken)
