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
    """A CSV file of several pieces (1 000 rows each)."""
    base = illustrative_portfolio()
    copies = pd.concat([base] * 200, ignore_index=True)  # 5 200 rows
    copies["structure_id"] = [f"s{number:06d}" for number in range(len(copies))]
    path = folder / "in.csv"
    copies.to_csv(path, index=False)
    return path


# a model whose extra line, on the second piece (the first is written), says so in a marker
# file and then waits: the signal is sent at a known point of the run, however slow the
# machine (a sleep interrupted by the signal's handler)
_WAITING_MODEL = """
import time
from pathlib import Path
from secpa_model import experimentation, rule

MARKER = Path(__file__).with_name("waiting")
calls = []

@rule(key="extra", label="Extra", legal_basis_fr="x", legal_basis_en="x", formula="x",
      inputs=("interpreting_hours_in_person",))
def extra(inputs, params):
    calls.append(1)
    if len(calls) == 2:
        MARKER.write_text("waiting")
        time.sleep(120)
    return inputs["interpreting_hours_in_person"] * 0

MODEL = experimentation().extend(name="waiting", rules=[extra])
"""


@pytest.mark.parametrize(
    "number", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["INT", "TERM", "HUP"]
)
def test_a_signal_ends_the_run_cleanly(tmp_path: Path, number: signal.Signals) -> None:
    source = _large_input(tmp_path)
    (tmp_path / "waiting_model.py").write_text(_WAITING_MODEL, encoding="utf-8")
    out = tmp_path / "out.csv"
    out.write_text("previous output\n")
    command = [sys.executable, "-m", "secpa_model", "batch", str(source), "-o", str(out)]
    model = ["--model", f"{tmp_path / 'waiting_model.py'}:MODEL"]
    running = subprocess.Popen(
        [*command, "--year", "2022", "--chunk-rows", "1000", *model],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not (tmp_path / "waiting").exists():  # the first piece is written, the run waits
        assert running.poll() is None, running.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert list(tmp_path.glob(".out.csv.*.tmp.csv"))  # writing had started
    running.send_signal(number)
    _, err = running.communicate(timeout=60)
    assert running.returncode == 128 + number, err
    assert err.strip().splitlines()[-1] == f"secpa-model: stopped by {number.name}"
    assert "Traceback" not in err
    assert out.read_text() == "previous output\n"
    left = sorted(path.name for path in tmp_path.iterdir() if path.name != "__pycache__")
    assert left == ["in.csv", "out.csv", "waiting", "waiting_model.py"]


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
