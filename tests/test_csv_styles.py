"""Files as French Excel writes them: CSV written with ``;``, decimal commas and a byte order
mark (``--csv-style fr``, ``write_allocations(csv_style="fr")``) and read back exactly; input
CSV in Windows-1252 (detected, with a note, or ``--encoding``)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from secpa_model import read_allocations, read_structures, write_allocations
from secpa_model.core.errors import InputError
from secpa_model.io.readers import EncodingFallbackWarning
from secpa_model.presentation.cli import main
from tests.portfolio_files import EXPECTED_CENTS, PORTFOLIO_TOTAL, write_portfolio

Capture = pytest.CaptureFixture[str]
BOM = b"\xef\xbb\xbf"


def hostile_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "structure_id": ["a", "=1+2", "-3", "'q"],
            "eligible": [True, False, True, True],
            "reasons": ["", "outside_qpv", "", ""],
            "total_cents": pd.array([12_345_678, 0, -5, 2**53], dtype="int64"),
            "share": [0.31, 12345.5, 1e-20, 0.1 + 0.2],
            "note": ["≥ 5 → ok", "x;y", "Évry, centre", ""],
        }
    )


def test_write_allocations_fr_round_trips_exactly(tmp_path: Path) -> None:
    frame = hostile_frame()
    path = write_allocations(frame, tmp_path / "out.csv", csv_style="fr")
    data = path.read_bytes()
    assert data.startswith(BOM)
    text = data[len(BOM) :].decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == "structure_id;eligible;reasons;total_cents;share;note"
    assert lines[1] == "a;True;;12345678;0,31;≥ 5 → ok"
    # formula-like texts neutralised as in the default style; ';' in a text quoted
    assert lines[2] == '\'=1+2;False;outside_qpv;0;12345,5;"x;y"'
    assert lines[3].startswith("'-3;True;;-5;")
    assert lines[4].startswith("''q;")
    back = read_allocations(path)
    back["total_cents"] = back["total_cents"].astype("int64")
    expected = frame.copy()
    expected["note"] = expected["note"].replace("", float("nan"))
    pd.testing.assert_frame_equal(
        back.astype({"note": object, "structure_id": object, "reasons": object}),
        expected.astype({"note": object, "structure_id": object, "reasons": object}),
    )
    assert back.loc[3, "share"] == 0.1 + 0.2  # the float's every digit


def test_default_style_has_no_byte_order_mark(tmp_path: Path) -> None:
    path = write_allocations(hostile_frame(), tmp_path / "out.csv")
    data = path.read_bytes()
    assert not data.startswith(BOM)
    assert data.decode("utf-8").splitlines()[1] == "a,True,,12345678,0.31,≥ 5 → ok"
    assert list(read_allocations(path)["structure_id"]) == ["a", "=1+2", "-3", "'q"]


def test_a_comma_then_a_formula_is_quoted_in_the_fr_style(tmp_path: Path) -> None:
    frame = pd.DataFrame({"structure_id": ["a", "b,=HYPERLINK(1)"], "n": [1, 2]})
    path = write_allocations(frame, tmp_path / "out.csv", csv_style="fr")
    # a comma-list spreadsheet would start a cell at ",=": every text is quoted
    lines = path.read_bytes()[len(BOM) :].decode("utf-8").splitlines()
    assert lines == ['"structure_id";"n"', '"a";1', '"b,=HYPERLINK(1)";2']
    default = write_allocations(frame, tmp_path / "default.csv")
    assert default.read_text(encoding="utf-8").splitlines()[2] == '"b,=HYPERLINK(1)",2'


def test_unknown_style_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="csv_style must be one of default, fr, got 'de'"):
        write_allocations(hostile_frame(), tmp_path / "out.csv", csv_style="de")  # type: ignore[arg-type]
    assert not (tmp_path / "out.csv").exists()


def test_batch_csv_style_fr(tmp_path: Path, capsys: Capture) -> None:
    source = write_portfolio(tmp_path)
    out = tmp_path / "out.csv"
    assert main(["batch", str(source), "-o", str(out), "--year", "2022", "--csv-style", "fr"]) == 0
    assert f"total: {PORTFOLIO_TOTAL}" in capsys.readouterr().out
    data = out.read_bytes()
    assert data.startswith(BOM)
    header, first = data[len(BOM) :].decode("utf-8").splitlines()[:2]
    assert header.split(";")[:3] == ["structure_id", "eligible", "reasons"]
    assert first == "centre-a;True;;18000000;12800000;2640000;6000000;39440000"
    back = read_allocations(out)
    for _, row in back.iterrows():
        assert row["total_cents"] == sum(EXPECTED_CENTS[row["structure_id"]])


def test_batch_errors_file_in_the_fr_style(tmp_path: Path, capsys: Capture) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "structure_id;kind;location;file_active_mg;poverty_rate\n"
        "A;msp;in_qpv;1000;31\n"
        "B;msp;in_qpv;1000;0,3\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    args = ["batch", str(source), "-o", str(out), "--year", "2022", "--errors", "report"]
    assert main([*args, "--csv-style", "fr"]) == 0
    errors = (tmp_path / "out.errors.csv").read_bytes()
    assert errors.startswith(BOM)
    text = errors[len(BOM) :].decode("utf-8")
    assert text.splitlines()[0] == "file;sheet;row;line;structure_id;field;value;code;message"
    assert "31 → 0.31" in text
    # B: 2 ETP × 45 000 € (1 000 patients) + 1 000 × 40 € (poverty 30 %, in [25 %, 35 %))
    assert read_allocations(out)["total_cents"].tolist() == [(2 * 45_000 + 1_000 * 40) * 100]


def test_csv_style_fr_needs_a_csv_file_written(tmp_path: Path, capsys: Capture) -> None:
    source = write_portfolio(tmp_path)
    out = tmp_path / "out.parquet"
    assert main(["batch", str(source), "-o", str(out), "--year", "2022", "--csv-style", "fr"]) == 2
    assert "--csv-style fr: no CSV file is written" in capsys.readouterr().err


def windows_1252_file(path: Path) -> Path:
    """A French Excel export: semicolons, decimal commas, Windows-1252 (É is byte 0xc9)."""
    path.write_bytes(
        "structure_id;kind;location;file_active_mg;poverty_rate;commune\n"
        "centre-É;msp;in_qpv;2500;0,2;Évry\n".encode("cp1252")
    )
    return path


def test_windows_1252_input_is_detected_with_a_warning(tmp_path: Path) -> None:
    path = windows_1252_file(tmp_path / "in.csv")
    with pytest.warns(EncodingFallbackWarning, match="not UTF-8 text: read as Windows-1252"):
        frame = read_structures(path)
    assert frame.loc[0, "structure_id"] == "centre-É" and frame.loc[0, "commune"] == "Évry"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        given = read_structures(path, encoding="cp1252")
    assert given.loc[0, "commune"] == "Évry"
    with pytest.raises(InputError, match=r"not utf-8 text: byte 0xc9 at line 2"):
        read_structures(path, encoding="utf-8")


def test_batch_reads_windows_1252(tmp_path: Path, capsys: Capture) -> None:
    path = windows_1252_file(tmp_path / "in.csv")
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(path), "-o", str(out), "--year", "2022"]) == 0
    captured = capsys.readouterr()
    assert captured.err == (
        f"secpa-model: note: {path} is not UTF-8 text: read as Windows-1252 (Excel's CSV on "
        "Windows); if it is another encoding, give it (--encoding)\n"
    )
    # msp-b's figures: 3 ETP × 45 000 + 2 500 × 25 € = 197 500 €
    assert "total: 197 500,00 €" in captured.out
    assert read_allocations(out)["structure_id"].tolist() == ["centre-É"]
    assert main(["batch", str(path), "-o", str(out), "--year", "2022", "--encoding", "cp1252"]) == 0
    assert capsys.readouterr().err == ""
    code = main(["batch", str(path), "-o", str(out), "--year", "2022", "--encoding", "utf-8"])
    assert code == 2
    assert "not utf-8 text: byte 0xc9 at line 2" in capsys.readouterr().err
    code = main(["batch", str(path), "-o", str(out), "--year", "2022", "--encoding", "nope"])
    assert code == 2
    assert "unknown encoding 'nope'" in capsys.readouterr().err


def test_encoding_is_for_a_csv_input(tmp_path: Path, capsys: Capture) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"structure_id": "a"}\n', encoding="utf-8")
    code = main(["batch", str(source), "-o", str(tmp_path / "o.csv"), "--encoding", "cp1252"])
    assert code == 2
    assert "an encoding is chosen for a CSV file only (this is jsonl)" in capsys.readouterr().err


def test_sweep_table_in_the_fr_style_has_decimal_commas(tmp_path: Path, capsys: Capture) -> None:
    source = write_portfolio(tmp_path)
    out = tmp_path / "sweep.csv"
    path = "participatory_activities.cost_per_etp"
    args = ["sweep", str(source), "--path", path, "--values", "45000,50000.5", "--year", "2022"]
    assert main([*args, "-o", str(out), "--csv-style", "fr"]) == 0
    lines = out.read_bytes()[len(BOM) :].decode("utf-8").splitlines()
    header = lines[0].split(";")
    second = dict(zip(header, lines[2].split(";"), strict=True))
    # 7 ETP × 50 000,50 € = 350 003,50 €; the other lines as at 45 000 € (591 900 − 315 000)
    assert second["value"] == "50000,5"
    assert second["participatory_activities_cents"] == str(7 * 5_000_050)
    assert second["total_eur"] == "626903,50"
    assert 350_003.50 + 591_900 - 7 * 45_000 == 626_903.50
    table = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig")
    assert table["total_cents"].tolist() == [59_190_000, 62_690_350]


def test_a_failed_run_keeps_its_error_first_and_the_note_in_it(
    tmp_path: Path, capsys: Capture
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(
        "structure_id;kind;location;file_active_mg;poverty_rate\n"
        "centre-É;hôpital;in_qpv;2500;0,2\n".encode("cp1252")
    )
    assert main(["batch", str(path), "-o", str(tmp_path / "o.csv"), "--year", "2022"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("secpa-model: error: ")
    assert "kind = 'hôpital'" in err  # decoded as Windows-1252
    assert err.endswith(
        f"  (note: {path} is not UTF-8 text: read as Windows-1252 (Excel's CSV on Windows); "
        "if it is another encoding, give it (--encoding))\n"
    )
