"""No silent wrong amount: every class of bad input that used to become a wrong payment is
refused by name, or computed exactly (issue 10, "Silent wrong amounts")."""

from __future__ import annotations

import json
import math
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

import secpa_model
from secpa_model import (
    InputError,
    ParameterError,
    Scenario,
    allocate,
    allocate_frame,
    load_parameters,
    read_structures,
)
from secpa_model.analysis.scenario_files import read_scenario_file
from secpa_model.core.money import EXACT_LIMIT, exact_sum
from secpa_model.datasets import illustrative_portfolio
from secpa_model.engine.compute import SHARE_LIMIT
from secpa_model.io.batch import run_batch
from secpa_model.presentation.cli import main
from tests.helpers import allocate_valid, make_structure, reference_text
from tests.profiles import examples

FEW = settings(max_examples=examples(25), deadline=None)
ROW = {
    "structure_id": "s",
    "kind": "msp",
    "location": "in_qpv",
    "file_active_mg": 2000,
    "poverty_rate": 0.3,
}
LIMIT_EUROS = Decimal(EXACT_LIMIT) / 100  # 90 071 992 547 409,92 €


# ---------------------------------------------------------------- integer overflow


@FEW
@given(extra_cents=st.integers(1, 10**6), power=st.integers(0, 40))
def test_an_amount_beyond_2_53_cents_is_refused(extra_cents: int, power: int) -> None:
    euros = (Decimal(EXACT_LIMIT + extra_cents) / 100) * 10**power
    with pytest.raises(ParameterError, match=r"beyond 2\^53 cents"):
        Scenario("huge", {"participatory_activities.cost_per_etp": euros})


def test_an_amount_at_the_limit_is_exact() -> None:
    """A cap of exactly 2^53 cents pays exactly 2^53 cents: no float rounding at the edge."""
    scenario = Scenario("edge", {"psychological_support.annual_cap": LIMIT_EUROS})
    structure = make_structure(
        psychologist_cost_requested=LIMIT_EUROS, ars_psychology_agreement=True
    )
    allocation = allocate(structure, 2022, scenario)
    assert allocation.line("psychological_support").amount == LIMIT_EUROS
    frame = pd.DataFrame([{**structure.inputs()}])
    result = allocate_frame(frame, 2022, scenario)
    assert int(result["psychological_support_cents"].iloc[0]) == EXACT_LIMIT


def test_a_result_beyond_2_53_cents_is_refused_not_wrapped() -> None:
    """A cost per ETP at the limit times 4 ETP is beyond it: refused, naming the rows, never a
    negative or wrapped amount."""
    scenario = Scenario("dear", {"participatory_activities.cost_per_etp": LIMIT_EUROS})
    frame = illustrative_portfolio().head(3)
    with pytest.raises(InputError, match=r"synthetic-w1-01 \(participatory_activities\)"):
        allocate_frame(frame, 2024, scenario)


def test_a_parameter_file_with_a_huge_amount_is_refused_by_key(tmp_path: Path) -> None:
    text = reference_text().replace("value = 45000", "value = 100000000000000000", 1)
    path = tmp_path / "huge.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError) as caught:
        load_parameters(path)
    message = str(caught.value)
    assert str(path) in message
    assert "participatory_activities.cost_per_etp.values[0].value" in message


@FEW
@given(st.lists(st.integers(0, EXACT_LIMIT), min_size=1, max_size=50), st.integers(1, 2000))
def test_sums_of_cents_are_exact_or_refused(values: list[int], copies: int) -> None:
    array = np.array(values * copies, dtype=np.int64)
    total = sum(values) * copies
    if total <= np.iinfo(np.int64).max:
        assert exact_sum(array) == total
    else:
        with pytest.raises(InputError, match="beyond the int64 cents"):
            exact_sum(array)


def test_a_sum_near_int64_is_exact_and_beyond_it_refused() -> None:
    # one huge value and zeros: the largest × the count exceeds int64, the sum does not
    array = np.array([2**62, 0, 0, 0], dtype=np.int64)
    assert exact_sum(array) == 2**62
    assert exact_sum(np.full(1023, EXACT_LIMIT, dtype=np.int64)) == 1023 * EXACT_LIMIT
    with pytest.raises(InputError, match="beyond the int64 cents"):
        exact_sum(np.full(2048, EXACT_LIMIT, dtype=np.int64))  # 2^64 cents


# ------------------------------------------------------ parameters: units and order


@FEW
@given(threshold=st.integers(2, 100))
def test_fraction_thresholds_written_as_percentages_are_refused(threshold: int) -> None:
    scale = {
        "mode": "step",
        "brackets": [{"threshold": 0, "value": 0}, {"threshold": threshold, "value": 25}],
    }
    with pytest.raises(ParameterError, match=r"is not a fraction \(≤ 1"):
        Scenario("percent", {"practitioner_participation.amount_per_patient": scale})


def test_fraction_thresholds_in_a_file_are_refused_by_key(tmp_path: Path) -> None:
    text = reference_text()
    for rate in ("15", "25", "35"):  # the brackets written as percentages, as in the issue
        text = text.replace(f"{{ threshold = 0.{rate},", f"{{ threshold = {rate},")
    path = tmp_path / "percent.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError) as caught:
        load_parameters(path)
    assert (
        "practitioner_participation.amount_per_patient.values[0].value.brackets[1].threshold"
        in str(caught.value)
    )


@FEW
@given(low=st.integers(0, 9000), high=st.integers(0, 9000))
def test_min_and_max_file_active_are_checked_together(low: int, high: int) -> None:
    overrides = {
        "participatory_activities.min_file_active": low,
        "participatory_activities.max_file_active": high,
    }
    if low <= high:
        assert Scenario("ok", overrides).apply() is not None
    else:
        with pytest.raises(ParameterError, match=r"is above participatory_activities\.max"):
            Scenario("reversed", overrides)


def test_a_file_with_max_below_min_is_refused(tmp_path: Path) -> None:
    marker = "[[participatory_activities.max_file_active.values]]\neffective_from = 2021-08-01\n"
    text = reference_text().replace(marker + "value = 6000", marker + "value = 500")
    path = tmp_path / "reversed.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError) as caught:
        load_parameters(path)
    assert str(path) in str(caught.value)
    assert "participatory_activities.max_file_active" in str(caught.value)


# -------------------------------------------------------------- conflicting overrides


def test_a_path_set_twice_in_a_scenario_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "twice.toml"
    path.write_text(
        'name = "twice"\n[overrides]\n"interpreting.hourly_rate_phone" = 45\n'
        "[overrides.interpreting]\nhourly_rate_phone = 50\n",
        encoding="utf-8",
    )
    with pytest.raises(ParameterError) as caught:
        read_scenario_file(path)
    text = str(caught.value)
    assert 'overrides."interpreting.hourly_rate_phone"' in text
    assert "overrides.interpreting.hourly_rate_phone" in text


@FEW
@given(key=st.sampled_from(["name", "interpreting.hourly_rate_phone"]))
def test_a_repeated_json_key_is_refused(tmp_path_factory: pytest.TempPathFactory, key: str) -> None:
    path = tmp_path_factory.mktemp("json") / "repeat.json"
    inner = '"interpreting.hourly_rate_phone": 45'
    if key == "name":
        body = f'{{"name": "a", "name": "b", "overrides": {{{inner}}}}}'
    else:
        body = f'{{"name": "a", "overrides": {{{inner}, {inner.replace("45", "50")}}}}}'
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ParameterError, match=f"the key '{key}' is given twice"):
        read_scenario_file(path)
    json.loads(body)  # valid JSON all the same: the library refuses what json would hide


# ----------------------------------------------------------------- duplicate structures


@FEW
@given(
    ids=st.lists(st.sampled_from(["A", " A", "B ", "C", "D"]), min_size=2, max_size=12),
    chunk=st.integers(1, 5),
)
def test_every_copy_of_a_repeated_structure_is_reported(ids: list[str], chunk: int) -> None:
    frame = pd.DataFrame([{**ROW, "structure_id": text} for text in ids])
    stripped = [text.strip() for text in ids]
    repeated = {i for i, text in enumerate(stripped) if stripped.count(text) > 1}
    reported = allocate_valid(frame, 2024)
    assert set(reported.errors["row"]) == repeated
    assert set(reported.allocations.index) == set(range(len(ids))) - repeated
    with tempfile.TemporaryDirectory() as folder:  # in pieces of `chunk` rows, from a file
        source, out, problems = (Path(folder) / name for name in ("in.parquet", "o.csv", "e.csv"))
        frame.to_parquet(source)
        run_batch(source, out, 2024, errors="report", problems=problems, rows=chunk)
        assert list(pd.read_csv(out)["row"]) == list(reported.allocations.index)
        errors = pd.read_csv(problems, keep_default_na=False)
        assert list(errors["row"]) == list(reported.errors["row"])
        assert list(errors["message"]) == list(reported.errors["message"])
    funded = allocate_frame(secpa_model.portfolio(frame, allow_duplicates=True), 2024)
    assert len(funded) == len(ids)
    if repeated:
        with pytest.raises(InputError, match="allow_duplicates=True"):
            allocate_frame(frame, 2024)


def test_a_structure_year_is_a_duplicate_only_for_the_same_year() -> None:
    frame = pd.DataFrame([{**ROW, "year": 2023}, {**ROW, "year": 2024}, {**ROW, "year": 2024}])
    reported = allocate_valid(frame, None)
    assert reported.errors["row"].tolist() == [1, 2]
    assert "with year 2024" in reported.errors["message"].iloc[0]
    assert reported.allocations.index.tolist() == [0]


# --------------------------------------------------------------------- file shapes


def _write_csv(path: Path, header: list[str], rows: list[list[Any]], sep: str = ",") -> None:
    lines = [sep.join(header), *(sep.join(str(cell) for cell in row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
@pytest.mark.parametrize("repeated", ["year", "kind"])
def test_a_column_given_twice_is_refused_in_every_format(
    tmp_path: Path, suffix: str, repeated: str
) -> None:
    header = [*ROW, "year", repeated]
    row = [*ROW.values(), 2022, "msp" if repeated == "kind" else 2023]
    path = tmp_path / f"structures{suffix}"
    if suffix == ".csv":
        _write_csv(path, header, [row])
    elif suffix == ".xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(header)
        sheet.append(row)
        book.save(path)
    else:
        arrays = [pa.array([value]) for value in row]
        pq.write_table(pa.Table.from_arrays(arrays, names=header), path)
    with pytest.raises(InputError, match=f"the column '{repeated}' is given twice"):
        read_structures(path, validate=False)
    assert main(["batch", str(path), "-o", str(tmp_path / "out.csv")]) == 2


# French numbers: "70.000" in a decimal-comma file
GROUPED = st.integers(1000, 10**9).map(lambda n: f"{n:,}".replace(",", "."))


@FEW
@given(number=GROUPED, decimals=st.sampled_from(["", ",5", ",25"]))
def test_a_dotted_thousands_number_in_a_french_file_is_refused(
    tmp_path_factory: pytest.TempPathFactory, number: str, decimals: str
) -> None:
    path = tmp_path_factory.mktemp("fr") / "structures.csv"
    header = [*ROW, "psychologist_cost_requested"]
    _write_csv(
        path,
        header,
        [
            ["A", "msp", "in_qpv", 2000, "0,3", "100"],
            ["B", "msp", "in_qpv", 2000, "0,3", number + decimals],
        ],
        sep=";",
    )
    with pytest.raises(InputError) as caught:
        read_structures(path, validate=False)
    message = str(caught.value)
    assert "row 1 (line 3): psychologist_cost_requested" in message
    assert number in message


@FEW
@given(value=st.decimals(0, 10**6, places=2).filter(lambda d: d != d.to_integral_value()))
def test_an_unambiguous_decimal_point_in_a_french_file_is_read(
    tmp_path_factory: pytest.TempPathFactory, value: Decimal
) -> None:
    text = f"{value:f}".rstrip("0")
    if len(text.split(".")[1]) == 3:  # three decimals could be a thousands group
        text += "1"
    path = tmp_path_factory.mktemp("fr") / "structures.csv"
    _write_csv(
        path,
        [*ROW, "interpreting_hours_in_person"],
        [["A", "msp", "in_qpv", 2000, "0,3", text]],
        sep=";",
    )
    frame = read_structures(path)
    assert frame["interpreting_hours_in_person"].iloc[0] == float(text)


def test_partial_dates_in_a_file_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "structures.csv"
    _write_csv(
        path,
        [*ROW, "entry_date"],
        [[*ROW.values(), "2022-06"], ["t", "msp", "in_qpv", 2000, 0.3, "2022"]],
    )
    with pytest.raises(InputError) as caught:
        read_structures(path)
    text = str(caught.value)
    assert "row 0 (line 2), structure 's': entry_date = '2022-06'" in text
    assert "row 1 (line 3), structure 't': entry_date = '2022'" in text


@pytest.mark.parametrize("field", ["file_active_mg", "psychologist_cost_requested"])
def test_an_integer_too_long_to_print_is_refused_by_name(field: str) -> None:
    """Python refuses to write out an int of more than 4 300 digits: the message must still
    be the library's, naming the field (this used to escape as a raw ValueError)."""
    frame = pd.DataFrame([{**ROW, field: 10**5000}])
    with pytest.raises(InputError, match=rf"{field} = <an integer of about 5001 digits>"):
        allocate_frame(frame, 2022)


# ------------------------------------------------- exactness at the extremes (issue 21)

CAPPED = Scenario("no cap", {"psychological_support.annual_cap": LIMIT_EUROS})
"""The psychologist's line pays the amount requested, up to the limit, over a whole year."""
AGREED = {**ROW, "ars_psychology_agreement": True}
extreme_cents = st.one_of(
    st.integers(2**46 * 100 - 10**4, 2**46 * 100 + 10**4),  # around 2^46 €
    st.integers(2**49, EXACT_LIMIT),  # where float64 euros stop holding every cent
    st.integers(EXACT_LIMIT - 10**4, EXACT_LIMIT),  # at the limit
    st.integers(0, 10**9),
)


def euros_text(cents: int, style: int = 0) -> str:
    """``cents`` written out in euros by hand: with two decimals, trailing zeros, or an
    exponent."""
    whole, part = divmod(cents, 100)
    if style == 1:
        return f"{whole}.{part:02d}000"
    if style == 2:
        return f"{cents}e-2"
    return f"{whole}.{part:02d}"


def psychologist_cents(result: pd.DataFrame) -> list[int]:
    return [int(value) for value in result["psychological_support_cents"]]


@FEW
@given(cents=st.lists(extreme_cents, min_size=1, max_size=4), style=st.integers(0, 2))
def test_text_euros_are_exact_in_every_path(cents: list[int], style: int) -> None:
    """Text euros are read exactly (never through a float64 of euros), so a frame, every
    file format read in pieces and ``allocate()`` pay the very cents written (above 2^46 €
    they used to differ by a cent)."""
    texts = [euros_text(value, style) for value in cents]
    rows = [
        {**AGREED, "structure_id": f"s{n}", "psychologist_cost_requested": text}
        for n, text in enumerate(texts)
    ]
    frame = pd.DataFrame(rows)
    assert psychologist_cents(allocate_frame(frame, 2024, CAPPED)) == cents
    for row, value in zip(rows, cents, strict=True):
        line = allocate(row, 2024, CAPPED).line("psychological_support")
        assert line.amount == Decimal(value) / 100
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        (here / "in.csv").write_text(frame.to_csv(index=False), encoding="utf-8")
        frame.to_parquet(here / "in.parquet")
        numbers = [{**row, "psychologist_cost_requested": "@"} for row in rows]
        lines = [  # JSON numbers, written out as the text
            json.dumps(row).replace('"@"', text) for row, text in zip(numbers, texts, strict=True)
        ]
        (here / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for name in ("in.csv", "in.parquet", "in.jsonl"):
            for rows_per_piece in (1, 100):
                out = here / f"{name}.{rows_per_piece}.csv"
                run_batch(here / name, out, 2024, CAPPED, rows=rows_per_piece)
                assert psychologist_cents(pd.read_csv(out)) == cents, (name, rows_per_piece)


@FEW
@given(
    cents=st.one_of(
        st.integers(EXACT_LIMIT + 1, EXACT_LIMIT + 10**4),
        st.integers(2**63 - 10**4, 2**63 + 10**4),  # int64 cents and beyond
        st.integers(2**63, 10**40),
    ),
    style=st.integers(0, 2),
)
def test_text_euros_beyond_2_53_cents_are_refused_in_every_path(cents: int, style: int) -> None:
    text = euros_text(cents, style)
    row = {**AGREED, "psychologist_cost_requested": text}
    with pytest.raises(InputError, match="psychologist_cost_requested is too large"):
        allocate(row, 2024, CAPPED)
    problems = secpa_model.portfolio(pd.DataFrame([row])).problems
    assert list(problems["message"]) == [
        "psychologist_cost_requested is too large to be exact in cents"
    ]
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.csv"
        pd.DataFrame([row]).to_csv(source, index=False)
        with pytest.raises(InputError, match="psychologist_cost_requested is too large"):
            run_batch(source, Path(folder) / "out.csv", 2024, CAPPED)


@pytest.mark.parametrize(
    "text",
    [
        "70368744177664.015",  # a half cent at 2^46 €
        "45000.10000000000000001",
        "45000.1000000000000000000000001",  # beyond a Decimal's 28 digits
        "90071992547409.919",
        "4500010000000000000001e-17",
    ],
)
def test_euros_finer_than_a_cent_are_refused_however_long(text: str) -> None:
    row = {**AGREED, "psychologist_cost_requested": text}
    message = "psychologist_cost_requested has more than two decimals"
    with pytest.raises(InputError, match=message):
        allocate(row, 2024)
    with pytest.raises(InputError, match=message):
        allocate({**row, "psychologist_cost_requested": Decimal(text)}, 2024)
    problems = secpa_model.portfolio(pd.DataFrame([row])).problems
    assert list(problems["message"]) == [f"{message} (finer than a cent)"]


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("9007199254740992", None),
        ("9007199254740993", "file_active_mg must be ≤"),  # 2^53 + 1, not 2^53
        ("9223372036854775808", "file_active_mg must be ≤"),  # 2^63
        ("4503599627370496.5", "file_active_mg must be a whole number"),  # 2^52 + 1/2
    ],
)
def test_counts_written_as_text_are_decided_exactly(text: str, verdict: str | None) -> None:
    frame = pd.DataFrame([{**ROW, "file_active_mg": text}])
    problems = secpa_model.portfolio(frame).problems
    if verdict is None:
        assert problems.empty
        assert int(secpa_model.portfolio(frame).columns["file_active_mg"][0]) == int(text)
        return
    assert len(problems) == 1 and problems["message"].iloc[0].startswith(verdict)
    with pytest.raises(InputError, match=verdict):
        allocate({**ROW, "file_active_mg": text}, 2024)


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_scenario_numbers_are_read_as_exact_decimals(tmp_path: Path, suffix: str) -> None:
    """70368744177664.01 stays .01 (a float64 made it .02), and 45000.10000000000000001 is
    finer than a cent (a float64 made it 45000.1)."""
    key = "psychological_support.annual_cap"

    def scenario(value: str) -> Path:
        path = tmp_path / f"s{suffix}"
        if suffix == ".toml":
            path.write_text(f'name = "s"\n[overrides]\n"{key}" = {value}\n', encoding="utf-8")
        else:
            path.write_text(f'{{"name": "s", "overrides": {{"{key}": {value}}}}}', "utf-8")
        return path

    read = read_scenario_file(scenario("70368744177664.01"))
    assert read.overrides[key] == Decimal("70368744177664.01")
    row = {**AGREED, "psychologist_cost_requested": LIMIT_EUROS}
    paid = allocate(row, 2024, read).line("psychological_support").amount
    assert paid == Decimal("70368744177664.01")
    frame = pd.DataFrame([row])
    assert psychologist_cents(allocate_frame(frame, 2024, read)) == [7036874417766401]
    with pytest.raises(ParameterError, match="more than two decimals"):
        read_scenario_file(scenario("45000.10000000000000001"))


def test_a_parameter_file_number_is_read_exactly(tmp_path: Path) -> None:
    text = reference_text().replace("value = 45000", "value = 45000.10000000000000001", 1)
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError, match="more than two decimals"):
        load_parameters(path)


def test_allocate_file_numbers_are_exact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``allocate --file`` reads its JSON numbers as Decimals: finer than a cent is refused,
    a large amount paid to the cent."""
    path = tmp_path / "s.json"
    fields = {**AGREED, "structure_id": "s"}
    body = json.dumps({**fields, "psychologist_cost_requested": "@"})
    path.write_text(body.replace('"@"', "45000.10000000000000001"), encoding="utf-8")
    assert main(["allocate", "--file", str(path), "--year", "2024"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "psychologist_cost_requested" in err
    assert "more than two decimals" in err
    path.write_text(body.replace('"@"', "12345.67"), encoding="utf-8")
    assert main(["allocate", "--file", str(path), "--year", "2024", "--json"]) == 0
    lines = json.loads(capsys.readouterr().out)["lines"]
    paid = {line["key"]: line["amount"] for line in lines}["psychological_support"]
    assert Decimal(str(paid)) == Decimal("12345.67")


@pytest.mark.parametrize("dtype", ["int64", "object"])
def test_a_rule_amount_float64_cannot_hold_is_refused(dtype: str) -> None:
    """A rule's whole-number amounts are kept exactly or refused: 2^53 + 1 cents is not
    taken as 2^53 (float64 holds 2^53 and 2^53 + 2, not between)."""

    def model_paying(cents: int) -> secpa_model.Model:
        @secpa_model.rule(
            key="large", label="Large", legal_basis_fr="-", legal_basis_en="-", formula="n"
        )
        def large(inputs: Any, params: Any) -> Any:
            return np.full(inputs.size, cents, dtype=dtype)

        return secpa_model.get_model("experimentation").extend(name="large", rules=[large])

    frame = pd.DataFrame([ROW])
    with pytest.raises(InputError, match=r"rule 'large' returned 9007199254740993 cents"):
        secpa_model.portfolio(frame, model=model_paying(EXACT_LIMIT + 1)).allocate(2024)
    paid = secpa_model.portfolio(frame, model=model_paying(EXACT_LIMIT)).allocate(2024)
    assert int(paid["large_cents"].iloc[0]) == EXACT_LIMIT


@FEW
@given(cents=st.integers(2**52, EXACT_LIMIT))
def test_a_whole_year_pays_large_amounts_to_the_cent(cents: int) -> None:
    """Over a whole year, a line is its annual amount, rounded once: exact up to 2^53 cents
    (x · 366 / 366 and x + 0.5 are not x in float64 there)."""
    row = {**AGREED, "psychologist_cost_requested": Decimal(cents) / 100}
    assert psychologist_cents(allocate_frame(pd.DataFrame([row]), 2024, CAPPED)) == [cents]
    line = allocate(row, 2024, CAPPED).line("psychological_support")
    assert line.amount == Decimal(cents) / 100


@FEW
@given(
    cents=st.lists(st.integers(0, EXACT_LIMIT), min_size=1, max_size=20),
    direction=st.sampled_from(["half_up", "down", "up"]),
    unit=st.sampled_from([1, 5, 100]),
)
@example(cents=[2**53], direction="half_up", unit=5)  # x / 5 was not exact there: 2^53 + 4
def test_rounding_whole_cents_is_exact_up_to_2_53(
    cents: list[int], direction: Any, unit: int
) -> None:
    """Whole float64 cents round to themselves (to a unit, as integers do), however large:
    ``x + 0.5`` was ``x + 1`` for odd cents beyond 2^52."""
    rounded = secpa_model.Rounding(unit, direction).round(np.array(cents, dtype=np.float64))
    down = [value // unit * unit for value in cents]
    if direction == "down":
        expected = down
    elif direction == "up":
        expected = [
            low + (unit if low != value else 0) for low, value in zip(down, cents, strict=True)
        ]
    else:
        expected = [
            low + (unit if 2 * (value - low) >= unit else 0)
            for low, value in zip(down, cents, strict=True)
        ]
    assert rounded.tolist() == expected


@FEW
@given(cents=st.integers(2**30, SHARE_LIMIT), days=st.integers(1, 365))
def test_a_share_of_a_year_is_exact_to_the_cent_up_to_its_limit(cents: int, days: int) -> None:
    """``days`` of 2024 (366 days) of an annual amount: the exact share, rounded half up by
    hand, up to 2^42 cents."""
    period = f"2024-01-01..{date(2024, 1, 1) + timedelta(days=days - 1)}"
    row = {**AGREED, "psychologist_cost_requested": Decimal(cents) / 100}
    expected = math.floor(Fraction(cents * days, 366) + Fraction(1, 2))
    assert psychologist_cents(allocate_frame(pd.DataFrame([row]), period, CAPPED)) == [expected]


@FEW
@given(cents=st.integers(SHARE_LIMIT + 1, EXACT_LIMIT))
def test_a_share_of_a_year_beyond_its_limit_is_refused_a_whole_year_paid(cents: int) -> None:
    row = {**AGREED, "structure_id": "big", "psychologist_cost_requested": Decimal(cents) / 100}
    with pytest.raises(InputError, match=r"over part of a year.*big \(psychological_support\)"):
        allocate_frame(pd.DataFrame([row]), "2024-01-01..2024-06-30", CAPPED)
    with pytest.raises(InputError, match="over part of a year"):
        allocate(row, "2024-03-01..2024-12-31", CAPPED)
    assert psychologist_cents(allocate_frame(pd.DataFrame([row]), 2024, CAPPED)) == [cents]
