"""Work whose size the user sets is estimated first: a run whose results would not fit in
half the available memory is refused before any work, with a message saying what to give."""

from __future__ import annotations

from typing import Any

import pytest

import secpa_model as sm
from secpa_model.analysis import simulation
from secpa_model.datasets import illustrative_portfolio
from secpa_model.presentation.cli import main


@pytest.fixture
def one_mebibyte(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(simulation, "available_memory", lambda: 2**20)


def test_simulate_refuses_results_beyond_the_memory(one_mebibyte: None) -> None:
    frame = illustrative_portfolio()
    lines = len(sm.get_model("experimentation").line_keys)
    # by hand: 26 structures × 4 lines × 8 bytes = 832 bytes a draw with keep="structures";
    # half a MiB (524 288 bytes) holds 524 288 / (8 × (4 + 1 + paths + 104)) draws at most
    with pytest.raises(sm.InputError, match=r"1,000 draws of 26 structures would hold") as big:
        sm.simulate(frame, 2024, draws=1_000)
    assert "keep='totals'" in str(big.value) and "give fewer draws" in str(big.value)
    # the same draws, only the totals kept: (4 + 1 + paths) × 8 bytes a draw fits
    kept = sm.simulate(frame, 2024, draws=1_000, keep="totals")
    assert kept.line_totals_cents.shape == (1_000, lines + 1)


def test_sensitivity_refuses_a_sample_beyond_the_memory(one_mebibyte: None) -> None:
    with pytest.raises(sm.InputError, match=r"runs would hold about .* give fewer samples"):
        sm.sensitivity(illustrative_portfolio(), 2024, samples=2**16)


def test_the_command_line_says_it_in_one_line(
    one_mebibyte: None, tmp_path: Any, capsys: Any
) -> None:
    source = tmp_path / "in.csv"
    illustrative_portfolio().to_csv(source, index=False)
    code = main(["simulate", str(source), "--year", "2024", "--draws", "1000000000"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "give fewer draws" in err
