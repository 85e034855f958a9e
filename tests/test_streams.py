"""Streams in and out (issue 20, item 1) and outputs written whole (issue 21, "Outputs not
written whole"): ``-``, FIFOs and devices as inputs and outputs, through the command line
as a subprocess; the output and its errors file committed together, under a lock."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import io
import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from secpa_model.datasets import illustrative_portfolio
from secpa_model.presentation.cli import main

YEAR = ["--year", "2022"]
ROWS = 6
Capture = pytest.CaptureFixture[str]


def cli(
    *argv: str, stdin: bytes | None = None, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ``secpa-model argv`` in a new process, standard streams as pipes."""
    return subprocess.run(
        [sys.executable, "-m", "secpa_model", *argv],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """``tmp_path`` holding ``in.csv``: the first rows of the illustrative portfolio."""
    illustrative_portfolio().head(ROWS).to_csv(tmp_path / "in.csv", index=False)
    return tmp_path


def bad_input(path: Path, rows: int, bad: list[int], prefix: str) -> None:
    """``rows`` structures with ids ``PREFIX-i``, the rows ``bad`` with an invalid
    poverty rate."""
    frame = pd.concat([illustrative_portfolio().head(1)] * rows, ignore_index=True)
    frame["structure_id"] = [f"{prefix}-{i}" for i in range(rows)]
    frame["poverty_rate"] = frame["poverty_rate"].astype(object)
    for row in bad:
        frame.loc[row, "poverty_rate"] = "not a rate"
    frame.to_csv(path, index=False)


def hidden(directory: Path) -> list[str]:
    """The temporary and lock files left in ``directory``."""
    return sorted(p.name for p in directory.iterdir() if ".tmp" in p.name or ".lock" in p.name)


# ------------------------------------------------------------------ standard streams


def test_batch_reads_standard_input_and_writes_standard_output(workdir: Path) -> None:
    assert cli("batch", "in.csv", "-o", "file.csv", *YEAR, cwd=workdir).returncode == 0
    piped = cli(
        "batch", "-", "-o", "-", "--from", "csv", "--to", "csv", *YEAR,
        stdin=(workdir / "in.csv").read_bytes(), cwd=workdir,
    )  # fmt: skip
    assert piped.returncode == 0, piped.stderr
    # standard output holds the data only, byte for byte what the file run wrote
    assert piped.stdout == (workdir / "file.csv").read_bytes()
    assert len(pd.read_csv(io.BytesIO(piped.stdout))) == ROWS
    # every message went to standard error
    err = piped.stderr.decode()
    assert "secpa-model batch: - -> -" in err and f"rows: {ROWS} read" in err


def test_messages_name_standard_input_not_its_copy(workdir: Path) -> None:
    text = (workdir / "in.csv").read_text(encoding="utf-8").replace("location", "locaton")
    run = cli("batch", "-", "-o", "-", "--from", "csv", "--to", "csv", *YEAR,
              stdin=text.encode(), cwd=workdir)  # fmt: skip
    assert run.returncode == 2 and run.stdout == b""
    err = run.stderr.decode()
    assert err.startswith("secpa-model: error: standard input: ") and err.count("\n") == 1
    assert ".tmp" not in err


def test_a_stream_without_a_format_is_refused_naming_the_option(workdir: Path) -> None:
    run = cli("batch", "-", "-o", "out.csv", *YEAR, stdin=b"", cwd=workdir)
    assert run.returncode == 2 and "--from" in run.stderr.decode()
    run = cli("batch", "in.csv", "-o", "-", *YEAR, cwd=workdir)
    assert run.returncode == 2 and "--to" in run.stderr.decode() and run.stdout == b""
    run = cli("batch", "in.csv", "-o", "out.csv", "--to", "jsonl", *YEAR, cwd=workdir)
    assert run.returncode == 2 and "the name says csv, --to says jsonl" in run.stderr.decode()
    assert not (workdir / "out.csv").exists()


def test_the_copy_of_standard_input_is_removed(workdir: Path, tmp_path_factory: Any) -> None:
    scratch = tmp_path_factory.mktemp("scratch")
    run = cli("batch", "-", "--from", "csv", "-o", "out.jsonl", *YEAR,
              stdin=(workdir / "in.csv").read_bytes(), cwd=workdir,
              env={"TMPDIR": str(scratch)})  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert len((workdir / "out.jsonl").read_text(encoding="utf-8").splitlines()) == ROWS
    assert list(scratch.iterdir()) == []


def test_parquet_from_standard_input_and_excel_to_standard_output(workdir: Path) -> None:
    pd.read_csv(workdir / "in.csv").to_parquet(workdir / "in.parquet")
    run = cli("batch", "-", "--from", "parquet", "-o", "-", "--to", "xlsx", *YEAR,
              stdin=(workdir / "in.parquet").read_bytes(), cwd=workdir)  # fmt: skip
    assert run.returncode == 0, run.stderr
    written = pd.read_excel(io.BytesIO(run.stdout), engine="openpyxl")
    expected = cli("batch", "in.csv", "-o", "file.csv", *YEAR, cwd=workdir)
    assert expected.returncode == 0
    assert (
        written["total_cents"].tolist() == pd.read_csv(workdir / "file.csv")["total_cents"].tolist()
    )


def test_errors_of_a_stream_output_are_listed_on_standard_error(workdir: Path) -> None:
    bad_input(workdir / "bad.csv", 4, [2], "s")
    run = cli("batch", "bad.csv", "-o", "-", "--to", "csv", "--errors", "report", *YEAR,
              cwd=workdir)  # fmt: skip
    assert run.returncode == 0, run.stderr
    written = pd.read_csv(io.BytesIO(run.stdout))
    assert written["row"].tolist() == [0, 1, 3]
    err = run.stderr.decode()
    assert "row 2 (line 4), structure 's-2': poverty_rate" in err
    assert "errors: 1 problems in 1 rows listed on standard error" in err
    assert not list(workdir.glob("*errors*"))


@pytest.mark.parametrize(
    ("name", "extra", "stderr_says"),
    [
        ("compare", ["--scenario", "d.toml", "--to", "jsonl"], "secpa-model compare"),
        (
            "sweep",
            ["--path", "participatory_activities.cost_per_etp", "--values", "1,2", "--to", "jsonl"],
            "secpa-model sweep",
        ),
        ("report", [], "report of 6 structures written to -"),
    ],
)
def test_other_commands_write_standard_output(
    workdir: Path, name: str, extra: list[str], stderr_says: str
) -> None:
    (workdir / "d.toml").write_text(
        'name = "d"\n[overrides]\n"participatory_activities.cost_per_etp" = 50000\n',
        encoding="utf-8",
    )
    run = cli(
        name, "-", "--from", "csv", "-o", "-", *extra, *YEAR,
        stdin=(workdir / "in.csv").read_bytes(), cwd=workdir,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert stderr_says in run.stderr.decode()
    if name == "report":
        assert run.stdout.startswith(b"<!DOCTYPE html>") and run.stdout.endswith(b"</html>\n")
        return
    table = pd.read_json(io.BytesIO(run.stdout), lines=True)
    if name == "sweep":  # one row per value swept
        assert table["value"].astype(str).tolist() == ["1", "2"]
    else:  # the baseline and the scenario, for each structure
        assert set(table["scenario"]) == {"reference", "d"}
        ids = set(table["structure_id"]) - {"(all structures)"}  # the portfolio's rows
        assert ids == set(pd.read_csv(workdir / "in.csv")["structure_id"])


# ----------------------------------------------------------------- FIFOs and devices


@pytest.fixture
def fifo_dir(workdir: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    return workdir


def test_a_fifo_is_read_and_a_fifo_is_written(fifo_dir: Path) -> None:
    os.mkfifo(fifo_dir / "in.fifo.csv")
    os.mkfifo(fifo_dir / "out.fifo.csv")
    received: list[bytes] = []

    def feed() -> None:
        with open(fifo_dir / "in.fifo.csv", "wb") as stream:
            stream.write((fifo_dir / "in.csv").read_bytes())

    def drain() -> None:
        with open(fifo_dir / "out.fifo.csv", "rb") as stream:
            received.append(stream.read())

    threads = [threading.Thread(target=feed), threading.Thread(target=drain)]
    for thread in threads:
        thread.start()
    run = cli("batch", "in.fifo.csv", "-o", "out.fifo.csv", *YEAR, cwd=fifo_dir)
    for thread in threads:
        thread.join(timeout=60)
    assert run.returncode == 0, run.stderr
    assert cli("batch", "in.csv", "-o", "file.csv", *YEAR, cwd=fifo_dir).returncode == 0
    assert received == [(fifo_dir / "file.csv").read_bytes()]
    # neither FIFO was replaced by a regular file
    assert stat.S_ISFIFO(os.lstat(fifo_dir / "in.fifo.csv").st_mode)
    assert stat.S_ISFIFO(os.lstat(fifo_dir / "out.fifo.csv").st_mode)
    assert hidden(fifo_dir) == []


def test_dev_null_stays_a_character_device(workdir: Path) -> None:
    before = os.stat(os.devnull)
    run = cli("batch", "in.csv", "-o", os.devnull, "--to", "csv", *YEAR, cwd=workdir)
    assert run.returncode == 0, run.stderr
    after = os.stat(os.devnull)
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino
    assert f"rows: {ROWS} read" in run.stdout.decode()


def test_a_link_to_a_device_is_written_through_not_replaced(workdir: Path) -> None:
    (workdir / "x.csv").symlink_to(os.devnull)
    run = cli("batch", "in.csv", "-o", "x.csv", *YEAR, cwd=workdir)
    assert run.returncode == 0, run.stderr
    assert os.readlink(workdir / "x.csv") == os.devnull
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert hidden(workdir) == []


def test_dev_stdin_is_read(workdir: Path) -> None:
    if not os.path.exists("/dev/stdin"):
        pytest.skip("no /dev/stdin here")
    run = cli("batch", "/dev/stdin", "--from", "csv", "-o", "out.csv", *YEAR,
              stdin=(workdir / "in.csv").read_bytes(), cwd=workdir)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert len(pd.read_csv(workdir / "out.csv")) == ROWS


# ---------------------------------------------------------- never over an input


def test_standard_input_redirected_from_the_output_is_refused(workdir: Path) -> None:
    before = (workdir / "in.csv").read_bytes()
    with open(workdir / "in.csv", "rb") as stream:
        run = subprocess.run(
            [sys.executable, "-m", "secpa_model", "batch", "-", "--from", "csv", "-o", "in.csv",
             *YEAR],
            stdin=stream, capture_output=True, cwd=workdir, timeout=300, check=False,
        )  # fmt: skip
    assert run.returncode == 2
    assert "would overwrite the structures on standard input" in run.stderr.decode()
    assert (workdir / "in.csv").read_bytes() == before


def test_standard_output_appended_to_the_input_is_refused(workdir: Path) -> None:
    before = (workdir / "in.csv").read_bytes()
    with open(workdir / "in.csv", "ab") as stream:
        run = subprocess.run(
            [sys.executable, "-m", "secpa_model", "batch", "in.csv", "-o", "-", "--to", "csv",
             *YEAR],
            stdout=stream, stderr=subprocess.PIPE, cwd=workdir, timeout=300, check=False,
        )  # fmt: skip
    assert run.returncode == 2 and b"would overwrite" in run.stderr
    assert (workdir / "in.csv").read_bytes() == before


# ------------------------------------------------------- committed together or not


def bad_pair(workdir: Path) -> tuple[bytes, bytes]:
    """``bad.csv`` (4 rows, the second invalid), a scenario ``d.toml`` and an old output and
    errors file (:func:`old_pair`)."""
    (workdir / "d.toml").write_text(
        'name = "d"\n[overrides]\n"participatory_activities.cost_per_etp" = 50000\n',
        encoding="utf-8",
    )
    bad_input(workdir / "bad.csv", 4, [1], "s")
    return old_pair(workdir)


def old_pair(workdir: Path) -> tuple[bytes, bytes]:
    (workdir / "out.csv").write_bytes(b"old output\n")
    (workdir / "out.errors.csv").write_bytes(b"old errors\n")
    return b"old output\n", b"old errors\n"


def test_a_full_disk_on_the_second_rename_leaves_both_old_files(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad_input(workdir / "bad.csv", 4, [1], "s")
    before = old_pair(workdir)
    renamed: list[str] = []
    real = os.replace

    def full(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        if Path(target).name == "out.errors.csv" and ".tmp" in Path(source).name:
            raise OSError(errno.ENOSPC, "No space left on device")
        renamed.append(Path(target).name)
        real(source, target)

    monkeypatch.setattr(os, "replace", full)
    monkeypatch.chdir(workdir)
    code = main(["batch", "bad.csv", "-o", "out.csv", "--errors", "report", *YEAR])
    assert code == 2 and "No space left" in capsys.readouterr().err
    assert "out.csv" in renamed  # the first file was renamed, then put back
    assert ((workdir / "out.csv").read_bytes(), (workdir / "out.errors.csv").read_bytes()) == (
        before
    )
    assert hidden(workdir) == []


def test_a_full_disk_while_writing_the_errors_leaves_both_old_files(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = bad_pair(workdir)
    real = os.fsync
    calls: list[int] = []

    def full(descriptor: int) -> None:
        calls.append(descriptor)
        if len(calls) == 2:  # the second file of the pair
            raise OSError(errno.ENOSPC, "No space left on device")
        real(descriptor)

    monkeypatch.setattr(os, "fsync", full)
    monkeypatch.chdir(workdir)
    argv = ["compare", "bad.csv", "--scenario", "d.toml", "-o", "out.csv", "--errors", "report"]
    assert main([*argv, *YEAR]) == 2 and "No space left" in capsys.readouterr().err
    assert ((workdir / "out.csv").read_bytes(), (workdir / "out.errors.csv").read_bytes()) == (
        before
    )
    assert hidden(workdir) == []


@contextlib.contextmanager
def held_lock(target: Path) -> Iterator[None]:
    """Hold the lock another run would hold while it renames ``target``."""
    descriptor = os.open(target.with_name(f".{target.name}.lock"), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def test_a_run_waits_for_the_lock_of_another_run(workdir: Path) -> None:
    old_pair(workdir)
    bad_input(workdir / "bad.csv", 4, [1], "s")
    argv = [sys.executable, "-m", "secpa_model", "batch", "bad.csv", "-o", "out.csv",
            "--errors", "report", *YEAR]  # fmt: skip
    with held_lock(workdir / "out.csv"):
        run = subprocess.Popen(argv, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        # the run computes, writes its temporaries, then waits for the lock
        while time.monotonic() < deadline and run.poll() is None:
            if len([name for name in hidden(workdir) if ".tmp" in name]) == 2:
                break
            time.sleep(0.05)
        time.sleep(0.5)
        assert run.poll() is None  # still waiting
        assert (workdir / "out.csv").read_bytes() == b"old output\n"
    assert run.wait(timeout=120) == 0
    assert pd.read_csv(workdir / "out.csv")["row"].tolist() == [0, 2, 3]
    assert pd.read_csv(workdir / "out.errors.csv")["row"].tolist() == [1]
    assert hidden(workdir) == []


def test_concurrent_runs_leave_an_output_and_errors_of_one_run(workdir: Path) -> None:
    # run A: 30 rows, 3 invalid; run B: 20 rows, 5 invalid (ids tell them apart)
    bad_input(workdir / "a.csv", 30, [3, 4, 5], "a")
    bad_input(workdir / "b.csv", 20, [0, 1, 2, 3, 4], "b")
    for _ in range(4):
        runs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "secpa_model",
                    "batch",
                    source,
                    "-o",
                    "out.csv",
                    "--errors",
                    "report",
                    *YEAR,
                ],
                cwd=workdir,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for source in ("a.csv", "b.csv")
        ]
        assert [run.wait(timeout=300) for run in runs] == [0, 0]
        output = pd.read_csv(workdir / "out.csv")
        errors = pd.read_csv(workdir / "out.errors.csv")
        prefixes = {i.split("-")[0] for i in [*output["structure_id"], *errors["structure_id"]]}
        assert len(prefixes) == 1
        expected = {"a": (27, 3), "b": (15, 5)}[prefixes.pop()]
        assert (len(output), errors["row"].nunique()) == expected
        assert hidden(workdir) == []


# ------------------------------------------------------- the manifests go with them


@pytest.mark.parametrize("command", ["batch", "compare"])
def test_a_full_disk_on_a_manifest_leaves_every_old_file(
    command: str, workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    before = bad_pair(workdir)
    sidecars = [workdir / "out.csv.manifest.json", workdir / "out.errors.csv.manifest.json"]
    for sidecar in sidecars:
        sidecar.write_text("old manifest\n", encoding="utf-8")
    real = os.replace

    def full(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        if Path(target).name == "out.errors.csv.manifest.json":  # the last file renamed
            raise OSError(errno.ENOSPC, "No space left on device")
        real(source, target)

    monkeypatch.setattr(os, "replace", full)
    monkeypatch.chdir(workdir)
    more = ["--scenario", "d.toml"] if command == "compare" else []
    argv = [command, "bad.csv", *more, "-o", "out.csv", "--errors", "report", *YEAR]
    assert main(argv) == 2 and "No space left" in capsys.readouterr().err
    assert ((workdir / "out.csv").read_bytes(), (workdir / "out.errors.csv").read_bytes()) == (
        before
    )
    assert [p.read_text(encoding="utf-8") for p in sidecars] == ["old manifest\n"] * 2
    assert hidden(workdir) == []
    # and with room, the four files are written, each manifest naming the same run
    monkeypatch.setattr(os, "replace", real)
    assert main(argv) == 0
    made = [json.loads(p.read_text(encoding="utf-8")) for p in sidecars]
    assert made[0] == made[1] and made[0]["command"] == argv


def test_a_stream_output_has_no_manifest_beside_it(workdir: Path) -> None:
    run = cli("batch", "in.csv", "-o", "-", "--to", "csv", *YEAR, cwd=workdir)
    assert run.returncode == 0, run.stderr
    assert "manifest: none (a stream)" in run.stderr.decode()
    assert sorted(p.name for p in workdir.iterdir()) == ["in.csv"]
    run = cli("batch", "in.csv", "-o", "/dev/null", "--to", "csv", *YEAR, cwd=workdir)
    assert run.returncode == 0 and not Path("/dev/null.manifest.json").exists()
