"""``secpa-model batch`` in pieces (issue 18): read, computed and written a piece of rows at
a time, with the files one pass over the whole input writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from secpa_model import read_allocations, read_structures
from secpa_model.core.errors import InputError
from secpa_model.io import batch
from secpa_model.io.batch import run_batch
from secpa_model.io.files import read_pieces
from secpa_model.io.locations import LineRuns
from secpa_model.model.text_cells import text_keys
from tests.portfolio_files import WHOLE, batch_outputs, portfolio_copies

# 13 copies of the three structures of tests/portfolio_files.py (row 3c + k is structure k
# of copy c: centre-a 394 400 €, msp-b 197 500 €, outside-c 0 €, over 2022), with
# - repeated ids far apart: row 37 (an msp-b) takes the id of row 1, msp-b-0; rows 20 and 35
#   (outside-c's) take the id of row 5, outside-c-1;
# - a bad cell in three pieces of 4 rows: row 3 (centre-a-1) a poverty rate of 31 (a
#   percentage), row 17 (outside-c-5) -5 patients, row 33 (centre-a-11) kind "hôpital".
# Valid: 11 centre-a (copies but 1 and 11) and 11 msp-b (copies but 0 and 12), 31 rows:
# 11 × 394 400 + 11 × 197 500 = 4 338 400 + 2 172 500 = 6 510 900 €.
INVALID_ROWS = [1, 3, 5, 17, 20, 33, 35, 37]
VALID_TOTAL_CENTS = 651_090_000
PIECE = 4


def mixed_frame() -> pd.DataFrame:
    frame = portfolio_copies(13)
    frame.insert(1, "nom", [f"Centre {row}" for row in range(len(frame))])
    frame.loc[37, "structure_id"] = frame.loc[1, "structure_id"]
    frame.loc[[20, 35], "structure_id"] = frame.loc[5, "structure_id"]
    frame.loc[3, "poverty_rate"] = 31.0
    frame.loc[17, "file_active_mg"] = -5
    frame.loc[33, "kind"] = "hôpital"
    return frame


def write_frame(frame: pd.DataFrame, path: Path) -> Path:
    """``frame`` as the file ``path`` (its format from the suffix; ``-fr.csv``: the French
    CSV convention, semicolons and decimal commas)."""
    if path.name.endswith("-fr.csv"):
        frame.to_csv(path, index=False, sep=";", decimal=",")
    elif path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".jsonl":
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        path.write_text("".join(json.dumps(record) + "\n" for record in records))
    elif path.suffix == ".parquet":
        frame.to_parquet(path, index=False, row_group_size=7)  # row groups across pieces
    else:
        frame.to_excel(path, index=False)
    return path


def streamed_and_whole(
    source: Path, tmp_path: Path, suffix: str, **options: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What ``run_batch`` writes in pieces of :data:`PIECE` rows, and in one piece."""
    streamed = batch_outputs(source, tmp_path / "streamed", suffix, rows=PIECE, **options)
    whole = batch_outputs(source, tmp_path / "whole", suffix, rows=WHOLE, **options)
    return streamed, whole


def assert_same_files(streamed: dict[str, Any], whole: dict[str, Any]) -> None:
    assert list(streamed) == list(whole)
    for name, written in streamed.items():
        if isinstance(written, tuple):  # Parquet: the same table, types and pandas metadata
            table, metadata = written
            assert table.equals(whole[name][0]), name
            assert table.schema == whole[name][0].schema, name
            assert metadata == whole[name][1], name
        else:
            assert written == whole[name], name


@pytest.mark.parametrize(
    "source_name", ["in.csv", "in-fr.csv", "in.jsonl", "in.parquet", "in.xlsx"]
)
@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_streaming_equals_one_pass_with_repeats_far_apart_and_bad_rows(
    source_name: str, suffix: str, tmp_path: Path
) -> None:
    source = write_frame(mixed_frame(), tmp_path / source_name)
    streamed, whole = streamed_and_whole(source, tmp_path, suffix, errors="report")
    assert_same_files(streamed, whole)
    out = tmp_path / "streamed" / f"out{suffix}"
    result = read_allocations(out)
    assert list(result["row"]) == [row for row in range(39) if row not in INVALID_ROWS]
    assert int(result["total_cents"].sum()) == VALID_TOTAL_CENTS
    errors_name = f"out.errors{'.jsonl' if suffix == '.jsonl' else '.csv'}"
    if suffix == ".jsonl":
        errors = pd.read_json(tmp_path / "streamed" / errors_name, lines=True)
    else:
        errors = pd.read_csv(tmp_path / "streamed" / errors_name)
    assert list(errors["row"]) == INVALID_ROWS
    repeated = errors[errors["code"] == "duplicate_id"]
    assert list(repeated["row"]) == [1, 5, 20, 35, 37]
    messages = list(repeated["message"])
    assert messages[0].startswith("structure_id 'msp-b-0' is in 2 rows (1, 37): ")
    assert messages[1].startswith("structure_id 'outside-c-1' is in 3 rows (5, 20, 35): ")
    if source.suffix == ".csv" or source.suffix == ".xlsx":  # the header is line 1
        assert list(errors["line"]) == [row + 2 for row in INVALID_ROWS]
    elif source.suffix == ".jsonl":
        assert list(errors["line"]) == [row + 1 for row in INVALID_ROWS]


def test_a_structure_year_repeats_only_in_its_year_across_pieces(tmp_path: Path) -> None:
    frame = pd.concat([portfolio_copies(4).assign(year=year) for year in (2022, 2023)])
    # 24 rows, rows 12 to 23 in 2023: every id is in both years (not a repeat), and rows 22
    # and 23 (msp-b-3, outside-c-3 in 2023) take the ids of rows 13 and 14 (2023 too)
    frame = frame.reset_index(drop=True)
    frame.loc[[22, 23], "structure_id"] = ["msp-b-0", "outside-c-0"]
    source = write_frame(frame, tmp_path / "years.csv")
    streamed, whole = streamed_and_whole(source, tmp_path, ".csv", errors="report", period=None)
    assert_same_files(streamed, whole)
    errors = pd.read_csv(tmp_path / "streamed" / "out.errors.csv")
    assert list(errors["row"]) == [13, 14, 22, 23]
    assert (
        errors["message"]
        .iloc[0]
        .startswith("structure_id 'msp-b-0' with year 2023 is in 2 rows (13, 22)")
    )
    assert (
        errors["message"]
        .iloc[1]
        .startswith("structure_id 'outside-c-0' with year 2023 is in 2 rows (14, 23)")
    )


def test_repeats_are_compared_exactly_when_every_key_collides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every id gets the same key: every row is a candidate, and only the exact comparison
    # tells the repeated ids from the others
    monkeypatch.setattr(batch, "text_keys", lambda values: np.full(len(values), 7, np.uint64))
    source = write_frame(mixed_frame(), tmp_path / "in.csv")
    streamed, whole = streamed_and_whole(source, tmp_path, ".csv", errors="report")
    assert_same_files(streamed, whole)
    errors = pd.read_csv(tmp_path / "streamed" / "out.errors.csv")
    assert list(errors[errors["code"] == "duplicate_id"]["row"]) == [1, 5, 20, 35, 37]


def test_equal_texts_have_equal_keys_and_the_keys_read_every_byte() -> None:
    texts = ["a", "a ", "ab", "STRUCTURE-2022-A-0001", "STRUCTURE-2023-A-0001", "", "é"]
    keys = text_keys(np.array([*texts, *texts], dtype=object))
    assert list(keys[: len(texts)]) == list(keys[len(texts) :])
    # ids that differ in the middle only (beyond 8 bytes from either end) differ
    assert len(set(keys[: len(texts)].tolist())) == len(texts)
    # a piece's other cells change nothing of a cell's key
    alone = text_keys(np.array(["a"], dtype=object))
    assert alone[0] == keys[0]


def test_raise_names_every_problem_of_every_piece_as_one_pass_does(tmp_path: Path) -> None:
    source = write_frame(mixed_frame(), tmp_path / "in.csv")
    messages = []
    for rows in (PIECE, WHOLE):
        with pytest.raises(InputError) as caught:
            run_batch(source, tmp_path / "out.csv", 2022, rows=rows)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert messages[0].startswith(f"{source}: 8 invalid rows (8 problems):")
    assert "row 17 (line 19), structure 'outside-c-5': file_active_mg = '-5'" in messages[0]
    assert not (tmp_path / "out.csv").exists()


def test_lines_and_sheets_are_the_files_whatever_the_pieces(tmp_path: Path) -> None:
    frame = mixed_frame()
    frame["nom"] = frame["nom"].astype(object)
    frame.loc[2, "nom"] = "Centre\nsur deux lignes"  # a quoted cell over two lines
    source = write_frame(frame, tmp_path / "in.csv")
    (tmp_path / "in.csv").write_text("\n" + source.read_text())  # a blank line first
    streamed, whole = streamed_and_whole(source, tmp_path, ".csv", errors="report")
    assert_same_files(streamed, whole)
    errors = pd.read_csv(tmp_path / "streamed" / "out.errors.csv")
    # the header is line 2; row r starts on line r + 3, and one line later after row 2
    assert list(errors["line"]) == [row + 3 + (row > 2) for row in INVALID_ROWS]
    excel = write_frame(mixed_frame(), tmp_path / "in.xlsx")
    outputs = batch_outputs(excel, tmp_path / "excel", ".csv", rows=PIECE, errors="report")
    errors = pd.read_csv(tmp_path / "excel" / "out.errors.csv")
    assert set(errors["sheet"]) == {"Sheet1"} and list(errors["line"]) == [
        row + 2 for row in INVALID_ROWS
    ]
    assert "out.csv" in outputs


def test_the_output_is_not_replaced_when_a_run_fails_midway(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_frame(mixed_frame(), tmp_path / "in.csv")
    out, problems = tmp_path / "out.csv", tmp_path / "out.errors.csv"
    out.write_text("previous output\n")
    problems.write_text("previous errors\n")
    calls = []
    portfolio = batch.portfolio

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 7:  # the columns checked, five pieces written, then a failure
            raise RuntimeError("interrupted")
        return portfolio(*args, **kwargs)

    monkeypatch.setattr(batch, "portfolio", failing)
    with pytest.raises(RuntimeError, match="interrupted"):
        run_batch(source, out, 2022, rows=PIECE, errors="report", problems=problems)
    assert out.read_text() == "previous output\n"
    assert problems.read_text() == "previous errors\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "in.csv",
        "out.csv",
        "out.errors.csv",
    ]
    monkeypatch.undo()
    # an invalid cell in the last piece only, with errors="raise": nothing replaced either
    frame = portfolio_copies(13)
    frame.loc[38, "file_active_mg"] = -5
    write_frame(frame, source)
    with pytest.raises(InputError, match=r"row 38 \(line 40\)"):
        run_batch(source, out, 2022, rows=PIECE)
    assert out.read_text() == "previous output\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "in.csv",
        "out.csv",
        "out.errors.csv",
    ]


def test_a_late_piece_that_needs_the_file_written_otherwise_rewrites_it(tmp_path: Path) -> None:
    frame = portfolio_copies(13)
    frame.insert(1, "nom", [f"Centre {row}" for row in range(len(frame))])
    frame["region"] = [None] * 30 + ["Occitanie"] * 9  # nothing but nulls in the first pieces
    frame.loc[36, "nom"] = "Dupont;=1+2"  # a spreadsheet splits it: every text quoted
    # exact decimals (JSON Lines), wider in later pieces: decimal128(2, 1), (4, 2), (6, 2)
    frame["note"] = [0.5] * 15 + [12.25] * 12 + [1234.75] * 12
    source = write_frame(frame, tmp_path / "in.jsonl")
    keep = ["nom", "region", "note"]
    for suffix in (".csv", ".parquet"):
        streamed = batch_outputs(source, tmp_path / f"s{suffix}", suffix, rows=PIECE, keep=keep)
        whole = batch_outputs(source, tmp_path / f"w{suffix}", suffix, rows=WHOLE, keep=keep)
        assert_same_files(streamed, whole)
    text = (tmp_path / "s.csv" / "out.csv").read_text()
    assert text.splitlines()[1].startswith('"centre-a-0","Centre 0",')  # quoted from line 2
    table = streamed["out.parquet"][0]
    assert str(table.schema.field("region").type) == "large_string"
    assert str(table.schema.field("note").type) == "decimal128(6, 2)"


def test_pieces_are_typed_as_the_whole_file(tmp_path: Path) -> None:
    # an integer column with one empty cell, in the last piece: pandas reads the whole
    # column as floats, so every piece must
    frame = portfolio_copies(13)
    frame["finess"] = pd.array(list(range(39)), dtype="Int64")
    frame.loc[38, "finess"] = None
    for name in ("in.jsonl", "in.parquet"):
        source = write_frame(frame, tmp_path / name)
        folder = tmp_path / name.replace(".", "-")
        folder.mkdir()
        streamed, whole = streamed_and_whole(source, folder, ".csv", keep=["finess"])
        assert_same_files(streamed, whole)
        lines = (folder / "streamed" / "out.csv").read_text().splitlines()
        assert lines[1].startswith("centre-a-0,0.0,")  # 0.0: a float, as in the whole file


def test_integer_ids_with_an_empty_one_are_typed_as_the_whole_file(tmp_path: Path) -> None:
    # JSON integers as ids, one null far on: the whole column is floats, which are not text
    # ids; the first reading typed its pieces alone (integers), so the keys are read again
    frame = portfolio_copies(4)
    frame["structure_id"] = [*range(11), None]
    source = write_frame(frame, tmp_path / "in.jsonl")
    streamed, whole = streamed_and_whole(source, tmp_path, ".csv", errors="report")
    assert_same_files(streamed, whole)


def test_read_pieces_gives_the_file_in_pieces(tmp_path: Path) -> None:
    frame = mixed_frame()
    source = write_frame(frame, tmp_path / "in-fr.csv")
    reader = read_pieces(source, rows=PIECE)
    pieces = list(reader)
    assert [len(piece.frame) for piece in pieces] == [4] * 9 + [3]
    assert list(pieces[2].frame.index) == [8, 9, 10, 11]
    joined = pd.concat([piece.frame for piece in pieces])
    pd.testing.assert_frame_equal(joined, read_structures(source, validate=False))
    assert reader.located.line_of(38) == 40 and reader.count == 39
    first = next(reader.pieces(["structure_id", "year"])).frame  # the columns asked for
    assert "structure_id" in first.columns and "kind" not in first.columns


def test_line_runs_keep_runs_of_consecutive_lines() -> None:
    lines = LineRuns()
    for line in [2, 3, 4, 7, 8, 10]:
        lines.append(line)
    assert len(lines) == 6
    assert [lines[row] for row in range(6)] == [2, 3, 4, 7, 8, 10]
    assert len(lines._firsts) == 3  # three runs
    with pytest.raises(IndexError):
        lines[6]


def test_the_command_streams_with_progress(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from secpa_model.presentation.cli import main

    source = write_frame(mixed_frame(), tmp_path / "in.parquet")
    out = tmp_path / "out.csv"
    args = ["batch", str(source), "-o", str(out), "--year", "2022", "--errors", "report"]
    assert main([*args, "--chunk-rows", "10"]) == 0
    captured = capsys.readouterr()
    # pieces of 10 rows (the file's row groups hold 7); not a terminal: the summary
    (summary,) = captured.err.splitlines()
    assert summary.startswith("secpa-model: 39 rows computed in ")
    assert "rows: 39 read, 31 allocated, 22 eligible, 8 invalid" in captured.out
    assert "total: 6 510 900,00 €" in captured.out


@pytest.mark.parametrize("command", ["batch", "compare", "sweep", "simulate", "budget"])
def test_help_texts_list_the_formats_of_the_registry(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from secpa_model.io.formats import FORMATS
    from secpa_model.presentation.cli import main

    assert main([command, "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps the lines
    assert ".csv, .jsonl, .parquet, .pq, .xlsx" in text
    assert [suffix for fmt in FORMATS for suffix in fmt.suffixes] == [
        ".csv",
        ".jsonl",
        ".parquet",
        ".pq",
        ".xlsx",
    ]
