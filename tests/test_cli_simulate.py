"""``secpa-model simulate``: the summary printed, the draws, detail and summary files, the
seed, progress on stderr, and bad arguments refused in one line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from secpa_model import simulate
from secpa_model.core.money import format_euros
from secpa_model.datasets import illustrative_portfolio
from secpa_model.presentation.cli import main

Capture = pytest.CaptureFixture[str]
PERIOD = "2024-01-01..2025-04-30"


def _portfolio(tmp_path: Path) -> Path:
    path = tmp_path / "portfolio.csv"
    illustrative_portfolio().to_csv(path, index=False)
    return path


def test_simulate_prints_the_summary_and_writes_the_files(tmp_path: Path, capsys: Capture) -> None:
    source = _portfolio(tmp_path)
    draws, detail, summary = (tmp_path / name for name in ("d.csv", "t.parquet", "s.xlsx"))
    code = main(
        [
            "simulate",
            str(source),
            "--period",
            PERIOD,
            "--draws",
            "300",
            "--seed",
            "5",
            "--envelope",
            "14 000 000",
            "-o",
            str(draws),
            "--detail",
            str(detail),
            "--summary-output",
            str(summary),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    expected = simulate(illustrative_portfolio(), PERIOD, draws=300, seed=5, envelope=14_000_000)
    # the table: one row per line and the total, the total's median in euros
    total_row = next(line for line in out.splitlines() if line.startswith("total "))
    p50 = Decimal(int(np.floor(expected.summary.loc["total", "p50"] * 100 + 0.5))) / 100
    assert format_euros(p50) in total_row
    share = expected.summary.loc["total", "prob_exceed"]
    assert f"exceeds 14 000 000,00 €: {share:.1%}" in out
    assert "ASSUMPTIONS" in out
    written = pd.read_csv(draws, index_col="draw")
    assert written["total_cents"].tolist() == expected.totals["total_cents"].tolist()
    assert written["participatory_activities.cost_per_etp"].tolist() == pytest.approx(
        expected.parameter_draws["participatory_activities.cost_per_etp"].tolist()
    )
    tidy = pd.read_parquet(detail)
    assert len(tidy) == 300 * 26 * 5
    assert int(tidy.loc[tidy["line"] == "total", "amount_cents"].sum()) == int(
        expected.totals["total_cents"].sum()
    )
    table = pd.read_excel(summary, index_col="line")
    assert list(table.index) == [*expected.line_keys, "total"]


def test_the_same_seed_writes_the_same_file(tmp_path: Path, capsys: Capture) -> None:
    source = _portfolio(tmp_path)
    outputs = []
    for number, seed in enumerate(("1", "1", "2")):
        out = tmp_path / f"draws{number}.csv"
        args = ["simulate", str(source), "--year", "2024", "--draws", "50", "--seed", seed]
        assert main([*args, "-o", str(out)]) == 0
        outputs.append(out.read_bytes())
    capsys.readouterr()
    assert outputs[0] == outputs[1]
    assert outputs[0] != outputs[2]


def test_long_runs_show_progress_on_stderr(tmp_path: Path, capsys: Capture) -> None:
    source = _portfolio(tmp_path)
    args = ["simulate", str(source), "--year", "2024", "--draws", "30", "--chunk-size", "10"]
    assert main(args) == 0
    err = capsys.readouterr().err
    # not a terminal: the summary only, the run lasting less than ten seconds
    (summary,) = err.splitlines()
    assert summary.startswith("secpa-model: 30 draws computed in ")


def test_a_scenario_fixes_the_values_it_sets(tmp_path: Path, capsys: Capture) -> None:
    source = _portfolio(tmp_path)
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        'name = "cost 50 k€"\n[overrides]\n"participatory_activities.cost_per_etp" = 50000\n',
        encoding="utf-8",
    )
    out = tmp_path / "d.csv"
    args = ["simulate", str(source), "--year", "2024", "--draws", "20", "--scenario"]
    assert main([*args, str(scenario), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert (
        "participatory_activities.cost_per_etp" not in printed.split("drawn from")[1].split("\n")[0]
    )
    assert "participatory_activities.cost_per_etp" not in pd.read_csv(out).columns


def test_the_five_pillar_model(tmp_path: Path, capsys: Capture) -> None:
    source = _portfolio(tmp_path)
    args = ["simulate", str(source), "--year", "2024", "--draws", "20", "--model", "five_pillars"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "training.annual_cap" in out
    assert next(line for line in out.splitlines() if line.startswith("coordination "))


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--draws", "0"], "--draws 0"),
        (["--seed", "-3"], "--seed -3"),
        (["--chunk-size", "0"], "--chunk-size 0"),
        (["--envelope", "lots"], "--envelope 'lots'"),
        (["--envelope", "1.001"], "at most to the cent"),
        (["-o", "draws.txt"], "unknown output file type"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    tmp_path: Path, capsys: Capture, extra: list[str], words: str
) -> None:
    source = _portfolio(tmp_path)
    code = main(["simulate", str(source), "--year", "2024", *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert words in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_an_output_never_overwrites_the_input(tmp_path: Path, capsys: Capture) -> None:
    source = _portfolio(tmp_path)
    before = source.read_bytes()
    code = main(["simulate", str(source), "--year", "2024", "--detail", str(source)])
    assert code == 2
    assert "structures file" in capsys.readouterr().err
    assert source.read_bytes() == before


def test_an_invalid_row_names_the_file(tmp_path: Path, capsys: Capture) -> None:
    path = tmp_path / "bad.csv"
    illustrative_portfolio().assign(file_active_mg=-1).to_csv(path, index=False)
    assert main(["simulate", str(path), "--year", "2024", "--draws", "5"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "file_active_mg" in err
