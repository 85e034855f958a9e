"""Ids that look alike are one id, or refused (issue 21, "Ids that look alike are funded
twice"): an id is read stripped and normalised to NFC, and an id holding a control or
invisible format character, or a space other than U+0020, is refused by name. Two rows
whose ids look alike are therefore never both funded: in one frame, in a file of any
format, across the pieces of a streamed batch, across dask partitions and through the one
structure path. docs/trust.md ("Structures are counted once") states it."""

from __future__ import annotations

import json
import string
import unicodedata
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import secpa_model
from secpa_model import InputError, Structure, allocate, allocate_frame, read_allocations
from secpa_model.io.batch import run_batch
from secpa_model.model.inputs import _NOT_LATIN, KIND_RULES, Input
from secpa_model.presentation.cli import main
from tests.profiles import examples

ROW = {"kind": "msp", "location": "in_qpv", "file_active_mg": 2000, "poverty_rate": 0.3}
INVISIBLE = (
    "\u200b",  # zero-width space
    "\u2060",  # word joiner
    "\ufeff",  # byte order mark
    "\u00ad",  # soft hyphen
    "\x00",  # NUL
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\x01",
    "\x7f",
    "\x1b",
)
"""Characters of category Cf or Cc that are no whitespace: refused wherever they are."""
SPACES = ("\u00a0", "\u2007", "\u202f", "\u2009", "\u3000", "\u1680", "\u2028", "\u2029")
"""Spaces other than U+0020 (no-break, figure, narrow no-break, thin, ideographic, ogham;
line and paragraph separators): refused inside an id, stripped around it."""
ACCENTED = "ÉéèàçñüÅöÇ"
"""Letters with a canonical decomposition (É is E + U+0301 in NFD)."""
INVISIBLE_MESSAGE = "structure_id holds a control or invisible character"
SPACE_MESSAGE = "structure_id holds a space other than a plain space"
FEW = settings(
    max_examples=examples(20),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

words = st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=5)


@st.composite
def look_alikes(draw: st.DrawFn) -> tuple[str, str, str]:
    """An id, a look-alike of it, and what the look-alike is, worked out by hand: ``same``
    (the same id once read: another normalisation, or a space stripped around it),
    ``invisible`` or ``space`` (refused, with that message)."""
    how = draw(st.sampled_from(["nfd", "invisible", "space", "around"]))
    if how == "nfd":
        plain = draw(words) + draw(st.sampled_from(ACCENTED)) + draw(words)
        return plain, unicodedata.normalize("NFD", plain), "same"
    if how == "around":  # a space other than U+0020 around the id: stripped, the same id
        plain = draw(words)
        space = draw(st.sampled_from(SPACES))
        return plain, draw(st.sampled_from([space + plain, plain + space])), "same"
    if how == "space":
        first, second = draw(words), draw(words)
        return f"{first} {second}", f"{first}{draw(st.sampled_from(SPACES))}{second}", "space"
    plain = draw(words)
    at = draw(st.integers(0, len(plain)))
    return plain, plain[:at] + draw(st.sampled_from(INVISIBLE)) + plain[at:], "invisible"


def frame_of(ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame([{"structure_id": text, **ROW} for text in ids])


def spread(plain: str, alike: str) -> list[str]:
    """The two ids apart, other ids around them (in pieces of two rows, in other pieces)."""
    return ["filler-1", plain, "filler-2", "filler-3", alike, "filler-4"]


def check_verdict(
    kind: str, ids: list[str], allocated_rows: list[int], problems: pd.DataFrame
) -> None:
    """The rows of ``ids`` (:func:`spread`) allocated and the problems reported agree with
    ``kind``: both look-alikes repeated (every copy named), or the second one refused by
    name; never both funded."""
    plain_row, alike_row = 1, 4
    rows = [int(row) for row in problems["row"]]
    assert not {plain_row, alike_row} <= set(allocated_rows)
    if kind == "same":
        assert rows == [plain_row, alike_row]
        assert list(problems["code"]) == ["duplicate_id", "duplicate_id"]
        assert f"is in 2 rows ({plain_row}, {alike_row})" in problems["message"].iloc[0]
        assert sorted(allocated_rows) == [0, 2, 3, 5]
    else:
        assert rows == [alike_row]
        assert list(problems["field"]) == ["structure_id"]
        assert list(problems["code"]) == ["invalid_value"]
        expected = INVISIBLE_MESSAGE if kind == "invisible" else SPACE_MESSAGE
        assert problems["message"].iloc[0].startswith(expected)
        assert sorted(allocated_rows) == [0, 1, 2, 3, 5]


# ------------------------------------------------------------------ one frame


@FEW
@given(look_alikes())
@example(("7", "\u200b7", "invisible"))  # the number below must not repeat the plain id
def test_look_alike_ids_in_one_frame_are_one_id_or_refused(case: tuple[str, str, str]) -> None:
    plain, alike, kind = case
    ids = spread(plain, alike)
    valid = secpa_model.portfolio(frame_of(ids)).valid()
    allocations = valid.allocate(2024)
    check_verdict(kind, ids, list(allocations.index), valid.problems)
    if kind != "same":  # the refused value is the cell as given
        assert valid.problems["value"].iloc[0] == alike
    with pytest.raises(InputError, match="structure_id"):
        allocate_frame(frame_of(ids), 2024)
    # a column of Python objects of several kinds goes cell by cell: the same verdict
    mixed = frame_of(ids).astype({"structure_id": object})
    number = next(n for n in range(7, 20) if str(n) not in ids)  # no id of the frame
    mixed.loc[0, "structure_id"] = number  # a whole number, written out as its digits
    cells = secpa_model.portfolio(mixed).valid()
    assert cells.problems.drop(columns="structure_id").equals(
        valid.problems.drop(columns="structure_id")
    )


# ------------------------------------------------------ files, in pieces, the CLI


def write(frame: pd.DataFrame, path: Path) -> None:
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        lines = [json.dumps(record) for record in frame.to_dict(orient="records")]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@FEW
@given(
    case=look_alikes(),
    suffix=st.sampled_from([".csv", ".parquet", ".jsonl"]),
    rows=st.sampled_from([1, 2, 100]),
)
def test_look_alike_ids_in_a_file_read_in_pieces_are_one_id_or_refused(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[str, str, str], suffix: str, rows: int
) -> None:
    plain, alike, kind = case
    ids = spread(plain, alike)
    folder = tmp_path_factory.mktemp("ids")
    source, out, errors = folder / f"in{suffix}", folder / "out.csv", folder / "errors.csv"
    write(frame_of(ids), source)
    # rows=1 or 2: the two look-alikes in different pieces of the streamed batch
    summary = run_batch(source, out, 2024, errors="report", problems=errors, rows=rows)
    problems = pd.read_csv(errors, dtype=str, keep_default_na=False)
    allocated = [int(row) for row in pd.read_csv(out)["row"]]
    check_verdict(kind, ids, allocated, problems)
    assert summary.allocated == len(allocated) and summary.rows == len(ids)
    with pytest.raises(InputError, match="structure_id"):
        run_batch(source, folder / "refused.csv", 2024, rows=rows)
    assert not (folder / "refused.csv").exists()


@FEW
@given(look_alikes())
def test_the_cli_batch_reports_look_alike_ids(
    tmp_path_factory: pytest.TempPathFactory, capsys: Any, case: tuple[str, str, str]
) -> None:
    plain, alike, kind = case
    ids = spread(plain, alike)
    folder = tmp_path_factory.mktemp("cli")
    source, out = folder / "in.csv", folder / "out.csv"
    write(frame_of(ids), source)
    code = main(["batch", str(source), "-o", str(out), "--errors", "report", "--year", "2024"])
    assert code == 0, capsys.readouterr().err
    problems = pd.read_csv(folder / "out.errors.csv", dtype=str, keep_default_na=False)
    check_verdict(kind, ids, [int(row) for row in pd.read_csv(out)["row"]], problems)
    capsys.readouterr()
    refused = folder / "refused.csv"
    assert main(["batch", str(source), "-o", str(refused), "--year", "2024"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("secpa-model: error:") and "structure_id" in err
    assert "Traceback" not in err and not refused.exists()


@settings(max_examples=examples(6), deadline=None)
@given(look_alikes())
def test_look_alike_ids_across_dask_partitions_are_one_id_or_refused(
    case: tuple[str, str, str],
) -> None:
    plain, alike, kind = case
    ids = spread(plain, alike)
    parts = dd.from_pandas(frame_of(ids), npartitions=3)  # rows 1 and 4 apart
    assert 4 not in parts.get_partition(0).compute(scheduler="synchronous").index
    lazy = secpa_model.allocate_frame(secpa_model.portfolio(parts), 2024)
    expected = "is in 2 rows (1, 4)" if kind == "same" else "structure_id holds a"
    with pytest.raises(InputError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        lazy.compute(scheduler="synchronous")


# --------------------------------------------------------------- the id returned


@FEW
@given(
    st.lists(
        st.tuples(words, st.sampled_from(ACCENTED), words), min_size=1, max_size=4, unique=True
    )
)
def test_the_id_returned_is_the_nfc_one_in_every_path(
    tmp_path_factory: pytest.TempPathFactory, parts: list[tuple[str, str, str]]
) -> None:
    composed = ["".join(part) for part in parts]  # NFC already: precomposed letters
    decomposed = [unicodedata.normalize("NFD", text) for text in composed]
    assert all(a != b for a, b in zip(composed, decomposed, strict=True))
    result = allocate_frame(frame_of(decomposed), 2024)
    assert list(result["structure_id"]) == composed
    one = allocate({"structure_id": decomposed[0], **ROW}, 2024)
    assert one.structure_id == composed[0]
    assert Structure(structure_id=decomposed[0], **ROW).structure_id == composed[0]
    folder = tmp_path_factory.mktemp("nfc")
    source, out = folder / "in.parquet", folder / "out.csv"
    write(frame_of(decomposed), source)
    run_batch(source, out, 2024, rows=1)
    assert list(read_allocations(out)["structure_id"]) == composed


# ----------------------------------------------------------- one structure


@pytest.mark.parametrize("character", INVISIBLE)
def test_one_structure_with_an_invisible_character_is_refused_by_name(character: str) -> None:
    with pytest.raises(InputError) as caught:
        allocate({"structure_id": f"centre{character}A", **ROW}, 2024)
    (problem,) = caught.value.problems
    assert (problem.field, problem.value) == ("structure_id", f"centre{character}A")
    assert problem.message.startswith(INVISIBLE_MESSAGE)


@pytest.mark.parametrize("space", SPACES)
def test_one_structure_with_an_odd_space_is_refused_and_a_plain_one_kept(space: str) -> None:
    with pytest.raises(InputError) as caught:
        allocate({"structure_id": f"centre{space}A", **ROW}, 2024)
    (problem,) = caught.value.problems
    assert problem.field == "structure_id" and problem.message.startswith(SPACE_MESSAGE)
    assert allocate({"structure_id": f"{space}centre A{space}", **ROW}, 2024).structure_id == (
        "centre A"
    )


def test_the_cli_refuses_an_invisible_id_in_one_line(capsys: Any) -> None:
    flags = ["--kind", "msp", "--location", "in_qpv", "--file-active-mg", "2000"]
    flags += ["--poverty-rate", "0.3", "--year", "2024"]
    assert main(["allocate", "--structure-id", "A\u200b", *flags]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "structure_id" in err and "invisible" in err
    assert main(["allocate", "--structure-id", "E\u0301vry", *flags, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["structure_id"] == "\u00c9vry"


# ------------------------------------------------------ the Arrow shortcut for Latin text


def test_text_of_latin_letters_is_nfc_and_clean_so_arrow_may_leave_it() -> None:
    # the claim of _NOT_LATIN: a cell of printable ASCII and U+00A1..U+024F but U+00AD is
    # NFC (alone and after any such character) and holds no character text refuses
    safe = [chr(c) for c in range(0x20, 0x7F)]
    safe += [chr(c) for c in range(0xA1, 0x250) if c != 0xAD]
    flagged = pc.match_substring_regex(pa.array(safe), _NOT_LATIN).to_pylist()
    assert not any(flagged)
    outside = ["\u00a0", "\u00ad", "\u0250", "\u0301", "\x7f", "\x9f", "\u200b", "\uff21"]
    assert all(pc.match_substring_regex(pa.array(outside), _NOT_LATIN).to_pylist())
    item = Input("structure_id", "text", "an id")
    for first in safe:
        assert unicodedata.combining(first) == 0
        for second in safe:
            pair = first + second
            assert unicodedata.normalize("NFC", pair) == pair
    for character in safe[0x5F:]:
        assert item.parse("A" + character) == "A" + character
    parsed = KIND_RULES["text"].parse_column(item, pd.Series(["É\u0301", "e\u0301", "a\u00a0b"]))
    assert list(parsed.values[:2]) == ["É\u0301", "é"]  # É + acute has no composed form
    ((mask, message),) = parsed.problems
    assert mask.tolist() == [False, False, True] and message.startswith(SPACE_MESSAGE)
