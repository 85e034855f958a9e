"""secpa-model sensitivity and calibrate, through the command line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from secpa_model import load_parameters
from secpa_model.presentation.cli import main
from tests.test_calibration import two_structures
from tests.test_sensitivity import one_structure

IN_PERSON = "interpreting.hourly_rate_in_person"
PHONE = "interpreting.hourly_rate_phone"
COST = "participatory_activities.cost_per_etp"


def sensitivity_args(path: Path, *extra: str) -> list[str]:
    return [
        "sensitivity",
        str(path),
        "--year",
        "2024",
        "--free",
        IN_PERSON,
        "--free",
        PHONE,
        "--bounds",
        f"{IN_PERSON}=40..80",
        "--bounds",
        f"{PHONE}=20..60",
        "--samples",
        "64",
        *extra,
    ]


def test_sensitivity_prints_writes_and_draws(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    one_structure().to_csv(source, index=False)
    out, tornado, sobol = tmp_path / "s.csv", tmp_path / "t.png", tmp_path / "b.png"
    args = sensitivity_args(
        source, "-o", str(out), "--tornado", str(tornado), "--sobol", str(sobol)
    )
    assert main(args) == 0
    captured = capsys.readouterr()
    # 100 h × 40 € of range = 4 000 €; 50 h × 40 € = 2 000 €
    assert "4 000,00 €" in captured.out and "2 000,00 €" in captured.out
    assert "Sobol indices (64 samples, 256 model runs)" in captured.out
    assert "secpa-model: 260 model runs computed in " in captured.err
    table = pd.read_csv(out)
    assert list(table["path"]) == [IN_PERSON, PHONE]
    assert list(table["swing_cents"]) == [400000, 200000]
    assert {"S1", "S1_conf", "ST", "ST_conf", "base_cents"} <= set(table.columns)
    assert tornado.read_bytes()[:4] == b"\x89PNG" and sobol.read_bytes()[:4] == b"\x89PNG"


def test_sensitivity_refuses_bad_options_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    one_structure().to_csv(source, index=False)
    assert main(sensitivity_args(source, "-o", str(source))) == 2
    assert "would overwrite the structures file" in capsys.readouterr().err
    assert main(sensitivity_args(source, "--tornado", str(tmp_path / "t.jpg"))) == 2
    assert "ending in .png" in capsys.readouterr().err
    bad = sensitivity_args(source)
    bad[bad.index(f"{PHONE}=20..60")] = f"{PHONE}=twenty..60"
    assert main(bad) == 2
    err = capsys.readouterr().err
    assert "expected PATH=LOW..HIGH" in err and "Traceback" not in err
    assert main(sensitivity_args(source, "--line", "nope")) == 2
    assert "unknown output line 'nope'" in capsys.readouterr().err


def test_calibrate_writes_a_parameter_file_the_loader_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    two_structures().to_csv(source, index=False)
    targets = tmp_path / "targets.toml"
    # reference 2024: 6 × 45 000 + 206 500 = 476 500 €; 500 500 € needs 49 000 € per ETP
    targets.write_text(
        '[sources.mine]\ntitle = "a test"\nreference = "tests/test_cli_uncertainty.py"\n\n'
        '[[targets]]\nname = "total_2024"\ndescription = "the test total"\n'
        'measure = "portfolio_total"\nkind = "equality"\nvalue = 500500\nunit = "EUR"\n'
        "start = 2024-01-01\nend = 2024-12-31\ntolerance = 0.001\n"
        'tolerance_rationale = "a test"\nsource = "mine"\n',
        encoding="utf-8",
    )
    output = tmp_path / "calibrated.toml"
    args = [
        "calibrate",
        str(source),
        "-o",
        str(output),
        "--targets",
        str(targets),
        "--free",
        COST,
        "--bounds",
        f"{COST}=30000..70000",
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "total_2024" in printed and "identified" in printed
    value = load_parameters(output).parameters[COST].values[0]
    assert value.status == "calibrated"
    assert abs(value.value - 49000) <= 5
    assert "total_2024" in value.source.title
    # the output is never one of the inputs
    assert main([*args[:3], str(targets), *args[4:]]) == 2
    assert "would overwrite the targets file" in capsys.readouterr().err
    assert main([*args[:3], str(tmp_path / "x.csv"), *args[4:]]) == 2
    assert "ending in .toml" in capsys.readouterr().err


def test_calibrate_says_which_public_targets_it_leaves_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from secpa_model.datasets import illustrative_portfolio

    source = tmp_path / "portfolio.csv"
    illustrative_portfolio().to_csv(source, index=False)
    output = tmp_path / "c.toml"
    args = ["calibrate", str(source), "-o", str(output), "--free", COST]
    assert main([*args, "--bounds", f"{COST}=30000..70000"]) == 0
    printed = capsys.readouterr().out
    assert "target left out: budget_share_third (needs the column annual_budget_eur)" in printed
    for name in ("envelope_2024_2025", "budget_2021_2023", "centre_2500_patients"):
        assert name in printed
    assert main([*args, "--target", "nope"]) == 2
    assert "unknown targets nope" in capsys.readouterr().err
