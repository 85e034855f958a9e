"""A run stopped by a signal (Ctrl-C, SIGTERM, SIGHUP) ends with one line on stderr, exit
128 + the signal's number, the previous output untouched and no temporary file left."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

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


def test_a_signal_inside_pandas_parser_still_stops_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """SIGINT delivered while pandas' C parser calls the file's ``read``: Python's own
    ``KeyboardInterrupt`` came out of pandas as a ParserError, reported as a malformed CSV
    file with exit 2; the run must end as any signal does (130, one line)."""
    from secpa_model.presentation.cli import main

    source = _large_input(tmp_path)  # several of the parser's 256 KiB reads
    out = tmp_path / "out.csv"
    out.write_text("previous output\n")
    reads: list[int] = []

    class Interrupted:
        """A file whose third ``read`` receives SIGINT (its handler runs inside it)."""

        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def read(self, *size: int) -> Any:
            reads.append(1)
            if len(reads) == 3:
                signal.raise_signal(signal.SIGINT)
            return self.handle.read(*size)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.handle, name)

        def __iter__(self) -> Any:
            return iter(self.handle)

    read_csv = pd.read_csv

    def interrupted(stream: Any, **options: Any) -> Any:
        return read_csv(Interrupted(stream), **options)

    monkeypatch.setattr(pd, "read_csv", interrupted)
    code = main(["batch", str(source), "-o", str(out), "--year", "2022", "--chunk-rows", "1000"])
    err = capsys.readouterr().err
    assert len(reads) == 3  # the signal came inside pandas' reading, which it stopped
    assert code == 130
    assert err.strip().splitlines() == ["secpa-model: stopped by SIGINT"]
    assert out.read_text() == "previous output\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.csv", "out.csv"]
