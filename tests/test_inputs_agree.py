"""One structure and a DataFrame accept and refuse exactly the same values, with the same
message and the same column value: both parse an input with the code of its declared kind.

Each value of the corpus is given to ``Structure`` and, as a one-row frame, to the frame
validation in several columns: the one pandas infers for it (float64, int64, bool, text,
datetime64…), pandas' nullable types and Arrow types of it (all read as one Arrow array),
and an object column (read as Arrow text when it holds text, else cell by cell)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

import secpa_model
from secpa_model import InputError, allocate_frame, experimentation
from secpa_model.io.validation import validate_frame
from secpa_model.models import five_pillars

BASE: dict[str, Any] = {
    "structure_id": "s-1",
    "kind": "centre_de_sante",
    "location": "in_qpv",
    "file_active_mg": 2500,
    "poverty_rate": 0.3,
}
NAN = float("nan")
INF = float("inf")

CORPUS: dict[str, list[Any]] = {
    "structure_id": [
        "abc",
        "  abc ",
        "",
        "   ",
        None,
        12,
        np.int64(7),
        1.5,
        True,
        ["s"],
        "E\u0301vry",  # NFD: read as NFC
        "\u00c9vry",
        "a\u200bb",  # invisible characters: refused
        "\ufeffabc",
        "ab\u00ad",
        "a\x00",
        "a\u202eb",
        "centre\u00a0A",  # spaces other than U+0020 inside: refused; around: stripped
        "\u2007A\u202f",
        "a\u2028b",
        "a\tb",
    ],
    "kind": ["msp", " msp ", "MSP", "", None, 3, "hospital", 1.5],
    "location": ["in_qpv", "outside_qpv", "downtown", None, "  "],
    "file_active_mg": [
        2500,
        2500.0,
        "2500",
        "2500.0",
        " 2500 ",
        "2_000",
        "2,000",
        "1e3",
        1.5,
        -1,
        -1.5,
        True,
        "many",
        None,
        NAN,
        INF,
        2**53,
        2**53 + 1,
        -(2**53) - 1,
        2**53 + 2,
        "9007199254740993",
        "4503599627370496.5",
        "\xa02500\u3000",
        "\u0663",
        "2\u0665",
        1e300,
        Decimal("2500"),
        Decimal("2500.5"),
        [1000],
        "",
    ],
    "poverty_rate": [
        0.31,
        "0.31",
        31,
        150,
        -0.1,
        1,
        0,
        NAN,
        INF,
        "high",
        "inf",
        True,
        np.float32(0.35),
        Decimal("0.35"),
        "31 %",
        {},
    ],
    "interpreting_hours_in_person": [0, 10.5, "10.5", -1, NAN, "-inf", "ten", 1e308, None, "1,5"],
    "psychologist_cost_requested": [
        70000,
        "70000.00",
        "1.234",
        0.001,
        1234.56,
        "1e3",
        "1.5e-3",
        -1,
        "abc",
        NAN,
        "Infinity",
        1e17,
        Decimal("10.10"),
        Decimal("1E+30"),
        "70368744177664.01",  # exact at 2^46 €, and at the limit of 2^53 cents
        "90071992547409.92",
        "90071992547409.93",
        "90071992547409.919",
        "45000.1000000000000000000000001",
        "7036874417766401e-2",
        "92233720368547758.08",
        Decimal("70368744177664.01"),
        None,
        [],
    ],
    "ars_psychology_agreement": [
        True,
        False,
        "oui",
        "non",
        "yes",
        "vrai",
        "y",
        "on",
        "1",
        "0",
        1,
        0,
        2,
        1.0,
        "maybe",
        None,
        "",
        " TRUE ",
        np.bool_(True),
    ],
    "entry_date": [
        "2022-03-01",
        " 2022-03-01 ",
        "2022-06",
        "2022",
        "2022-13-01",
        "2022-02-30",
        "0001-01-01",
        "9999-12-31",
        1_650_000_000,
        date(2022, 3, 1),
        datetime(2022, 3, 1),
        datetime(2022, 3, 1, 10, 30),
        pd.Timestamp("2022-03-01", tz="UTC"),
        np.datetime64("2022-03-01"),
        None,
        "",
        "not a date",
        3.5,
        True,
        "01/03/2022",
        "\xa02022-03-01\x1c",
        "\u0662\u0660\u0662\u0662-\u0660\u0663-\u0660\u0661",
    ],
}


def structure_verdict(field: str, value: Any) -> tuple[bool, str, Any]:
    model = experimentation()
    try:
        structure = model.structure(**{**BASE, field: value})
    except ValidationError as exc:
        errors = exc.errors()
        assert len(errors) == 1, errors
        return False, errors[0]["msg"].removeprefix("Value error, "), None
    return True, "", model.columns([structure])[field][0]


def frame_verdict(field: str, column: pd.Series) -> tuple[bool, str, Any]:
    frame = pd.DataFrame({name: [value] for name, value in BASE.items()})
    frame[field] = column
    validated = validate_frame(frame, experimentation())
    if len(validated.problems):
        assert len(validated.problems) == 1, validated.problems
        assert validated.problems["field"].iloc[0] == field
        return False, str(validated.problems["message"].iloc[0]), None
    return True, "", validated.columns[field][0]


def _column_of(values: list[Any], form: str) -> pd.Series:
    """``values`` in one column: pandas' inferred type, an object column, pandas' nullable
    types, Arrow types, text stored by pandas in Python or in Arrow, or a categorical."""
    if form == "object":
        column = pd.Series([None] * len(values), dtype=object)
        for position, value in enumerate(values):
            column.iloc[position] = value
        return column
    if form == "inferred":
        return pd.Series(values)
    if form == "nullable":
        return pd.Series(values).convert_dtypes()
    if form == "arrow":
        return pd.Series(values).convert_dtypes(dtype_backend="pyarrow")
    if form == "category":
        return pd.Series(values, dtype="category")
    return pd.Series(values, dtype=pd.StringDtype(form))


CASES = [(field, value) for field, values in CORPUS.items() for value in values]
FORMS = ["inferred", "object", "nullable", "arrow"]


@pytest.mark.parametrize(("field", "value"), CASES, ids=[f"{f}={v!r}" for f, v in CASES])
@pytest.mark.parametrize("form", FORMS)
def test_both_paths_give_the_same_verdict(field: str, value: Any, form: str) -> None:
    one = structure_verdict(field, value)
    many = frame_verdict(field, _column_of([value], form))
    assert many[:2] == one[:2], (field, value)
    if one[0]:
        assert many[2] == one[2], (field, value)


@pytest.mark.parametrize(
    ("field", "value", "accepted"),
    [
        ("ars_psychology_agreement", "oui", True),
        ("ars_psychology_agreement", "y", False),
        ("ars_psychology_agreement", "on", False),
        ("file_active_mg", "2_000", False),
        ("entry_date", 1_650_000_000, False),
        ("entry_date", pd.Timestamp("2022-03-01", tz="Europe/Paris"), False),
        ("entry_date", "2022-06", False),
        ("entry_date", "2022", False),
    ],
)
def test_the_cases_that_used_to_disagree(field: str, value: Any, accepted: bool) -> None:
    """The values on which the two paths disagreed before the inputs were declared once."""
    assert structure_verdict(field, value)[0] is accepted
    for form in FORMS:
        assert frame_verdict(field, _column_of([value], form))[0] is accepted


TEXT_STORAGES = ["python", "pyarrow", "category"]


@pytest.mark.parametrize("storage", TEXT_STORAGES)
def test_a_text_file_column_agrees_too(storage: str) -> None:
    """Cells read from a CSV are text: read as Arrow text, they get the same verdicts
    whether pandas gave the text in Python objects, in Arrow or as a categorical."""
    for field, values in CORPUS.items():
        for value in values:
            if not isinstance(value, str):
                continue
            text = _column_of([value], storage)
            assert frame_verdict(field, text)[:2] == structure_verdict(field, value)[:2], (
                field,
                value,
            )


def test_a_new_input_is_one_declaration() -> None:
    """team_size (the five-pillar model's) is validated in both paths with no code of its
    own: a count, ≥ 0, default 0."""
    model = five_pillars()
    row = {**BASE, "team_size": "12"}
    assert model.structure(**row).team_size == 12
    frame = pd.DataFrame({name: [value] for name, value in row.items()})
    assert int(validate_frame(frame, model).columns["team_size"][0]) == 12
    frame["team_size"] = [-3]
    with pytest.raises(InputError, match="team_size must be ≥ 0"):
        allocate_frame(secpa_model.portfolio(frame, model=model), 2024)
    with pytest.raises(ValidationError, match="team_size must be ≥ 0"):
        model.structure(**{**BASE, "team_size": -3})
    assert model.structure(**BASE).team_size == 0


@pytest.mark.parametrize("field", list(CORPUS))
@pytest.mark.parametrize("form", [*FORMS, *TEXT_STORAGES])
def test_a_whole_column_of_the_corpus_agrees_row_by_row(field: str, form: str) -> None:
    """All the values of a field in ONE column, good and bad mixed: each row gets the
    verdict, message and value its value gets alone in a ``Structure`` (the vectorised
    paths decide on a whole column at once, and must still place every problem)."""
    values = CORPUS[field]
    if form in TEXT_STORAGES:
        values = [value for value in values if isinstance(value, str) or value is None]
    try:
        column = _column_of(values, form)
    except (TypeError, ValueError):  # pandas refuses to build this column: nothing to check
        pytest.skip("pandas cannot hold these values in this form")
    frame = pd.DataFrame({name: [value] * len(values) for name, value in BASE.items()})
    frame["structure_id"] = [f"s-{row}" for row in range(len(values))]
    frame[field] = column
    validated = validate_frame(frame, experimentation())
    problems = validated.problems
    for row, value in enumerate(values):
        one = structure_verdict(field, value)
        found = problems[problems["row"] == row]
        if field == "structure_id":
            found = found[found["code"] != "duplicate_id"]
        if one[0]:
            assert found.empty, (row, value, found)
            assert validated.columns[field][row] == one[2], (row, value)
        else:
            assert list(found["message"]) == [one[1]], (row, value)


def test_python_and_arrow_strip_the_same_whitespace() -> None:
    """Text cells are stripped by Python in a ``Structure`` and by Arrow in an Arrow
    column: both must remove exactly the same characters (every code point checked)."""
    import sys

    import pyarrow as pa
    import pyarrow.compute as pc

    points = [point for point in range(sys.maxunicode + 1) if not 0xD800 <= point < 0xE000]
    cells = pa.array(["a" + chr(point) for point in points])
    trimmed = pc.utf8_trim_whitespace(cells).to_pylist()
    arrow = {point for point, text in zip(points, trimmed, strict=True) if text == "a"}
    python = {point for point in points if chr(point).isspace()}
    assert arrow == python


@pytest.mark.parametrize("form", ["object", "text"])
def test_a_large_frame_validates_as_its_chunks_do(form: str) -> None:
    """No verdict depends on the size of a frame: 6 000 rows mixing good and bad values of
    every field (large enough for the paths taken only by large columns) give, row by row,
    the problems and column values their chunks of 97 rows give."""
    rng = np.random.default_rng(13)
    rows = 6_000
    frame = pd.DataFrame({name: [value] * rows for name, value in BASE.items()})
    frame["structure_id"] = [f"s-{row}" for row in range(rows)]
    for field, values in CORPUS.items():
        if field == "structure_id":
            continue
        usable = [v for v in values if form == "object" or isinstance(v, str) or v is None]
        picks = rng.integers(0, len(usable), rows)
        good = rng.random(rows) < 0.9  # mostly the valid base value: the usual large column
        column: list[Any] = [
            BASE.get(field, usable[0]) if keep else usable[pick]
            for pick, keep in zip(picks, good, strict=True)
        ]
        series = pd.Series([None] * rows, dtype=object)
        series[:] = column
        frame[field] = series if form == "object" else series.astype(pd.StringDtype())
    whole = validate_frame(frame, experimentation())
    parts = [
        validate_frame(frame.iloc[start : start + 97], experimentation())
        for start in range(0, rows, 97)
    ]
    chunked = pd.concat([part.problems for part in parts], ignore_index=True)
    pd.testing.assert_frame_equal(whole.problems.reset_index(drop=True), chunked)
    for field in CORPUS:
        joined = np.concatenate([np.asarray(part.columns[field], dtype=object) for part in parts])
        assert (np.asarray(whole.columns[field], dtype=object) == joined).all(), field


def test_a_nullable_whole_number_beyond_2_53_is_refused_as_a_structure_refuses_it() -> None:
    """pandas' Int64 with a missing cell: 2^53 + 1 is refused as too large (as ``Structure``
    refuses it), not rounded to the float 2^53 and accepted."""
    values = [2**53 + 1, None, 2500]
    frame = pd.DataFrame({name: [value] * 3 for name, value in BASE.items()})
    frame["structure_id"] = ["a", "b", "c"]
    frame["file_active_mg"] = pd.array(values, dtype="Int64")
    validated = validate_frame(frame, experimentation())
    messages = list(validated.problems["message"])
    assert messages == [structure_verdict("file_active_mg", value)[1] for value in values[:2]]
    assert messages[0] == "file_active_mg must be ≤ 9.0072e+15"
    assert validated.columns["file_active_mg"][2] == 2500
