"""A run stopped by a signal (Ctrl-C, SIGTERM, SIGHUP) ends with one line on stderr, exit
128 + the signal's number, the previous output untouched and no temporary file left."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from secpa_model.datasets import illustrative_portfolio


def _large_input(folder: Path) -> Path:
    """A CSV file long enough that a batch is still writing when the signal comes."""
    base = illustrative_portfolio()
    copies = pd.concat([base] * 4_000, ignore_index=True)  # 104 000 rows
    copies["structure_id"] = [f"s{number:06d}" for number in range(len(copies))]
    path = folder / "in.csv"
    copies.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "number", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["INT", "TERM", "HUP"]
)
def test_a_signal_ends_the_run_cleanly(tmp_path: Path, number: signal.Signals) -> None:
    source = _large_input(tmp_path)
    out = tmp_path / "out.csv"
    out.write_text("previous output\n")
    command = [sys.executable, "-m", "secpa_model", "batch", str(source), "-o", str(out)]
    running = subprocess.Popen(
        [*command, "--year", "2022", "--chunk-rows", "1000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".out.csv.*.tmp.csv")):  # writing has started
        assert running.poll() is None, running.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    running.send_signal(number)
    _, err = running.communicate(timeout=60)
    assert running.returncode == 128 + number
    assert err.strip().splitlines()[-1] == f"secpa-model: stopped by {number.name}"
    assert "Traceback" not in err
    assert out.read_text() == "previous output\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.csv", "out.csv"]
