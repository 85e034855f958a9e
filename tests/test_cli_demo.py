"""The demo command prints the four lines and the total for the example structures."""

from __future__ import annotations

import subprocess
import sys

import pytest

from secpa_model.datasets import example_structures
from secpa_model.presentation.cli import main


def test_demo_prints_every_example_with_lines_and_total(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for structure in example_structures():
        assert structure.structure_id in out
    for key in (
        "participatory_activities",
        "practitioner_participation",
        "interpreting",
        "psychological_support",
        "total",
    ):
        assert key in out
    # the typical centre: 4 ETP × 45 000 + 3 200 × 40 + (300 × 60 + 200 × 42) + 60 000
    assert "394 400,00 €" in out
    assert "ASSUMPTIONS" in out


def test_python_dash_m_runs_the_demo() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "secpa_model", "demo", "--year", "2023"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "calendar year 2023" in done.stdout
