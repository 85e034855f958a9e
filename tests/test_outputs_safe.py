"""Files never lost (issue 10): an output that is an input is refused before anything is
read, ``-o -`` needs a format, and outputs are written whole or not at all."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secpa_model import InputError, allocate_frame, read_allocations
from secpa_model.datasets import illustrative_portfolio
from secpa_model.io.files import write_allocations
from secpa_model.io.output import atomic_path
from secpa_model.io.validation import ERROR_COLUMNS
from secpa_model.presentation.cli import main
from secpa_model.presentation.report import write_report
from tests.helpers import reference_text
from tests.profiles import examples

Capture = pytest.CaptureFixture[str]
Snapshot = dict[str, tuple[str, str]]
SCENARIO = 'name = "dearer"\n[overrides]\n"participatory_activities.cost_per_etp" = 50000\n'
ROWS = 4  # a small portfolio: the commands that do run stay fast


def portfolio() -> pd.DataFrame:
    """The first rows of the illustrative (SYNTHETIC) portfolio."""
    return illustrative_portfolio().head(ROWS)


def command(name: str, source: str, output: str, *extra: str) -> list[str]:
    """The argv of subcommand ``name`` reading ``source`` and writing ``output``."""
    year = ["--year", "2022"]
    if name == "batch":
        return ["batch", source, "-o", output, *year, *extra]
    if name == "compare":
        scenario = [] if "--scenario" in extra else ["--scenario", "dearer.toml"]
        return ["compare", source, *scenario, *year, "-o", output, *extra]
    if name == "sweep":
        path = ["--path", "participatory_activities.cost_per_etp", "--values", "45000,50000"]
        return ["sweep", source, *path, *year, "-o", output, *extra]
    return ["report", source, "-o", output, *year, *extra]


SUBCOMMANDS = ("batch", "compare", "sweep", "report")


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp_path`` as the working directory, holding ``in.csv`` (the portfolio),
    ``dearer.toml`` (a scenario), ``params.toml`` (the reference parameters) and ``sub/``."""
    monkeypatch.chdir(tmp_path)
    portfolio().to_csv(tmp_path / "in.csv", index=False)
    (tmp_path / "dearer.toml").write_text(SCENARIO, encoding="utf-8")
    (tmp_path / "params.toml").write_text(reference_text(), encoding="utf-8")
    (tmp_path / "sub").mkdir()
    return tmp_path


def digest(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(directory: Path) -> Snapshot:
    """Every entry under ``directory`` (hidden ones too): links by target, files by hash."""
    entries: Snapshot = {}
    for path in sorted(directory.rglob("*")):
        name = str(path.relative_to(directory))
        if path.is_symlink():
            entries[name] = ("link", os.readlink(path))
        elif path.is_dir():
            entries[name] = ("dir", "")
        else:
            entries[name] = ("file", digest(path))
    return entries


def leftovers(directory: Path) -> list[str]:
    """Temporary files of :func:`atomic_path` left in ``directory``."""
    return sorted(path.name for path in directory.iterdir() if ".tmp" in path.name)


def link(kind: str, target: Path, name: Path) -> None:
    """``name`` a symbolic (``kind="symlink"``) or hard link to ``target``; skip the test
    where the file system does not allow it."""
    try:
        if kind == "symlink":
            name.symlink_to(target.name)
        else:
            os.link(target, name)
    except (OSError, NotImplementedError) as exc:
        pytest.skip(f"no {kind} here: {exc}")


def refused(argv: list[str], capsys: Capture) -> str:
    """Run ``argv``: it must fail with exit code 2, print nothing on stdout and exactly
    one error line on stderr; returns that line."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("secpa-model: error: ")
    assert captured.err.count("\n") == 1 and captured.err.endswith("\n")
    return captured.err


# ------------------------------------------------------------- outputs on the inputs


@pytest.mark.parametrize("spelling", ["same", "absolute", "dotted", "symlink", "hardlink"])
@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_an_output_on_the_input_is_refused(
    workdir: Path, capsys: Capture, name: str, spelling: str
) -> None:
    source = "in.csv"
    if spelling in ("symlink", "hardlink"):
        link(spelling, workdir / source, workdir / "alias.csv")
        output = "alias.csv"
    else:
        output = {
            "same": "in.csv",
            "absolute": str(workdir / "in.csv"),
            "dotted": "./sub/../in.csv",
        }[spelling]
    before = snapshot(workdir)
    input_hash = digest(workdir / source)
    err = refused(command(name, source, output), capsys)
    assert f"-o {Path(output)} would overwrite the structures file {source} (IN)" in err
    assert "same file" in err
    assert digest(workdir / source) == input_hash
    assert snapshot(workdir) == before  # nothing written, nothing else created


def test_the_refusal_comes_before_anything_is_read(workdir: Path, capsys: Capture) -> None:
    # an unreadable input and a scenario file that does not exist: neither is opened
    (workdir / "in.csv").write_bytes(b"\xff\xfe not a portfolio\n")
    before = snapshot(workdir)
    for name in SUBCOMMANDS:
        option = "--parameters" if name == "batch" else "--scenario"
        err = refused(command(name, "in.csv", "in.csv", option, "missing.toml"), capsys)
        assert "would overwrite the structures file in.csv (IN)" in err
        assert "missing.toml" not in err and "no such file" not in err
    assert snapshot(workdir) == before


@settings(max_examples=examples(25))
@given(
    steps=st.lists(st.sampled_from([".", "sub/..", "sub/./..", "sub/../sub/.."]), max_size=4),
    absolute=st.booleans(),
)
def test_any_spelling_of_the_input_path_is_refused(
    tmp_path_factory: pytest.TempPathFactory, steps: list[str], absolute: bool
) -> None:
    directory = _spelled_directory(tmp_path_factory)
    base = str(directory) if absolute else os.path.relpath(directory)
    output = os.path.join(base, *steps, "in.csv")
    stderr = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
        code = main(command("batch", str(directory / "in.csv"), output))
    assert code == 2
    assert "would overwrite the structures file" in stderr.getvalue()
    assert digest(directory / "in.csv") == _SPELLED_HASH[directory]
    assert sorted(path.name for path in directory.iterdir()) == ["in.csv", "sub"]


_SPELLED: list[Path] = []
_SPELLED_HASH: dict[Path, str] = {}


def _spelled_directory(factory: pytest.TempPathFactory) -> Path:
    """One directory (made once) holding ``in.csv`` and ``sub/``, for the spellings test."""
    if not _SPELLED:
        directory = factory.mktemp("spelled")
        portfolio().to_csv(directory / "in.csv", index=False)
        (directory / "sub").mkdir()
        _SPELLED.append(directory)
        _SPELLED_HASH[directory] = digest(directory / "in.csv")
    return _SPELLED[0]


@pytest.mark.parametrize("kind", ["symlink", "hardlink"])
@pytest.mark.parametrize(
    ("name", "argv", "alias_of", "what"),
    [
        ("batch", ["--parameters", "params.toml"], "params.toml", "parameter file"),
        ("compare", ["--baseline", "params.toml"], "params.toml", "baseline parameter file"),
        ("compare", ["--scenario", "dearer.toml"], "dearer.toml", "scenario file"),
        ("sweep", ["--scenario", "dearer.toml"], "dearer.toml", "scenario file"),
        ("sweep", ["--parameters", "params.toml"], "params.toml", "parameter file"),
    ],
)
def test_a_parameter_or_scenario_file_under_another_name_is_refused(
    workdir: Path,
    capsys: Capture,
    kind: str,
    name: str,
    argv: list[str],
    alias_of: str,
    what: str,
) -> None:
    # the tables must end in .csv, .jsonl, .parquet, .pq or .xlsx: only a link makes them one file
    link(kind, workdir / alias_of, workdir / "alias.csv")
    before = snapshot(workdir)
    err = refused(command(name, "in.csv", "alias.csv", *argv), capsys)
    assert f"-o alias.csv would overwrite the {what} {alias_of} (" in err
    assert snapshot(workdir) == before


@pytest.mark.parametrize(
    ("argv", "what"),
    [
        (["--parameters", "params.toml"], "parameter file params.toml (--parameters)"),
        (["--scenario", "dearer.toml"], "scenario file dearer.toml (--scenario)"),
        (["--scenario", "sub/../dearer.toml"], "scenario file sub/../dearer.toml (--scenario)"),
    ],
)
def test_the_report_does_not_overwrite_a_parameter_or_scenario_file(
    workdir: Path, capsys: Capture, argv: list[str], what: str
) -> None:
    output = argv[1].removeprefix("sub/../")
    before = snapshot(workdir)
    err = refused(command("report", "in.csv", output, *argv), capsys)
    assert f"-o {output} would overwrite the {what}" in err
    assert snapshot(workdir) == before


def test_a_second_scenario_file_is_checked_too(workdir: Path, capsys: Capture) -> None:
    (workdir / "other.toml").write_text(SCENARIO.replace("dearer", "other"), encoding="utf-8")
    argv = ["--scenario", "dearer.toml", "--scenario", "other.toml"]
    err = refused(command("report", "in.csv", "other.toml", *argv), capsys)
    assert "would overwrite the scenario file other.toml (--scenario)" in err


# ------------------------------------------------------------------ the errors file


def test_the_errors_file_on_the_input_is_refused(workdir: Path, capsys: Capture) -> None:
    source = workdir / "out.errors.csv"
    portfolio().to_csv(source, index=False)
    before = snapshot(workdir)
    argv = command("batch", "out.errors.csv", "out.csv", "--errors", "report")
    err = refused(argv, capsys)
    assert (
        "the errors file out.errors.csv (--errors report) would overwrite the structures "
        "file out.errors.csv (IN)"
    ) in err
    assert snapshot(workdir) == before
    # without --errors report no errors file is written: nothing to refuse
    assert main(command("batch", "out.errors.csv", "out.csv")) == 0
    assert len(read_allocations(workdir / "out.csv")) == ROWS
    assert digest(source) == before["out.errors.csv"][1]


@pytest.mark.parametrize("previous", [True, False])
def test_the_errors_file_on_the_output_is_refused(
    workdir: Path, capsys: Capture, previous: bool
) -> None:
    # without a previous output the link dangles: only the resolved paths tell
    if previous:
        (workdir / "out.csv").write_text("previous\n", encoding="utf-8")
    link("symlink", workdir / "out.csv", workdir / "out.errors.csv")
    before = snapshot(workdir)
    err = refused(command("batch", "in.csv", "out.csv", "--errors", "report"), capsys)
    assert "the errors file out.errors.csv (--errors report) would overwrite -o out.csv" in err
    assert snapshot(workdir) == before


def test_the_errors_file_on_a_parameter_file_is_refused(workdir: Path, capsys: Capture) -> None:
    link("hardlink", workdir / "params.toml", workdir / "out.errors.csv")
    argv = command(
        "batch", "in.csv", "out.csv", "--errors", "report", "--parameters", "params.toml"
    )
    err = refused(argv, capsys)
    assert "errors file out.errors.csv (--errors report) would overwrite the parameter" in err
    assert not (workdir / "out.csv").exists()


# ------------------------------------------------------------------------- -o -


@pytest.mark.parametrize("name", ["batch", "compare", "sweep"])
def test_standard_output_without_a_format_is_refused(
    workdir: Path, capsys: Capture, name: str
) -> None:
    before = snapshot(workdir)
    err = refused(command(name, "in.csv", "-"), capsys)
    assert "-: a standard stream has no file type" in err and "--to" in err
    assert not os.path.lexists(workdir / "-")
    assert snapshot(workdir) == before


# ---------------------------------------------------------- whole or not at all


def failing_writer(self: Any, path: Any, *args: Any, **kwargs: Any) -> None:
    """A writer that writes a few bytes to its path or stream (the CSV writer's; a table
    for the Parquet one), then fails: a full disk."""
    if hasattr(path, "write"):
        path.write("structure_id,eligi")
    elif isinstance(path, str | Path):
        Path(path).write_bytes(b"structure_id,eligi")
    else:
        Path(self.where).write_bytes(b"PAR1")  # pyarrow's writer holds the path
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize(
    ("suffix", "owner", "method"),
    [
        (".csv", pd.DataFrame, "to_csv"),
        (".parquet", pq.ParquetWriter, "write_table"),
        (".xlsx", pd.DataFrame, "to_excel"),
    ],
)
def test_a_writer_failing_half_way_leaves_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, owner: Any, method: str
) -> None:
    target = tmp_path / f"out{suffix}"
    previous = allocate_frame(portfolio(), 2022)
    write_allocations(previous, target)
    before = snapshot(tmp_path)
    monkeypatch.setattr(owner, method, failing_writer)
    with pytest.raises(OSError, match="No space left"):
        write_allocations(previous.head(1), target)
    assert snapshot(tmp_path) == before
    assert leftovers(tmp_path) == []


def test_an_illegal_excel_character_is_an_input_error_and_leaves_the_previous_file(
    tmp_path: Path,
) -> None:
    target = tmp_path / "out.xlsx"
    good = allocate_frame(portfolio(), 2022)
    write_allocations(good, target)
    before = digest(target)
    bad = good.copy()
    bad.loc[2, "reasons"] = "not\x01allowed"
    with pytest.raises(InputError) as caught:
        write_allocations(bad, target)
    message = str(caught.value)
    assert message.startswith(f"{target}: cannot write the Excel file")
    assert "'not\\x01allowed'" in message and "\x01" not in message and "\n" not in message
    assert digest(target) == before
    assert leftovers(tmp_path) == []
    assert list(read_allocations(target)["structure_id"]) == list(good["structure_id"])


def test_an_illegal_excel_character_reaches_the_cli_user_as_one_line(
    workdir: Path, capsys: Capture
) -> None:
    frame = portfolio()
    # an id refuses a control character (docs/trust.md): a kept column carries it as given
    frame["region"] = ["fine", "bad\x01region", *["fine"] * (len(frame) - 2)]
    frame.to_csv(workdir / "control.csv", index=False)
    (workdir / "out.xlsx").write_bytes(b"previous workbook")
    err = refused(command("batch", "control.csv", "out.xlsx"), capsys)
    assert err.startswith("secpa-model: error: out.xlsx: cannot write the Excel file")
    assert (workdir / "out.xlsx").read_bytes() == b"previous workbook"
    assert leftovers(workdir) == []


@contextlib.contextmanager
def failing_write_text(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``Path.write_text`` writes half its text, then fails (a full disk)."""
    original = Path.write_text

    def write(self: Path, data: str, *args: Any, **kwargs: Any) -> int:
        original(self, data[: len(data) // 2], *args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(Path, "write_text", write)
        yield


def test_the_cli_report_failing_half_way_leaves_the_previous_report(
    workdir: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / "report.html").write_text("<p>previous report</p>", encoding="utf-8")
    before = snapshot(workdir)
    with failing_write_text(monkeypatch):
        err = refused(command("report", "in.csv", "report.html"), capsys)
    assert "report.html: cannot write the file" in err and "No space left" in err
    assert snapshot(workdir) == before
    assert leftovers(workdir) == []


def test_write_report_failing_half_way_leaves_the_previous_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.html"
    target.write_text("<p>previous report</p>", encoding="utf-8")
    with failing_write_text(monkeypatch), pytest.raises(OSError, match="No space left"):
        write_report(target, portfolio(), 2022, charts=False)
    assert target.read_text(encoding="utf-8") == "<p>previous report</p>"
    assert leftovers(tmp_path) == []
    write_report(target, portfolio(), 2022, charts=False)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_an_interrupt_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("previous\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as temporary:
        assert temporary.parent == tmp_path
        assert temporary.name.startswith(".out.csv.") and temporary.name.endswith(".tmp.csv")
        temporary.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert leftovers(tmp_path) == []


def test_a_missing_directory_is_named_and_nothing_is_created(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as caught, atomic_path(tmp_path / "no" / "out.csv"):
        pytest.fail("the block must not run")  # pragma: no cover
    assert caught.value.filename == str(tmp_path / "no")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------ success still writes


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_a_successful_write_replaces_the_previous_file(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"out{suffix}"
    target.write_bytes(b"previous")
    os.chmod(target, 0o640)
    expected = allocate_frame(portfolio(), 2022)
    assert write_allocations(expected, target) == target
    back = read_allocations(target)
    assert list(back["structure_id"]) == list(expected["structure_id"])
    assert list(back["total_cents"]) == list(expected["total_cents"])
    assert list(back["eligible"]) == list(expected["eligible"])
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # a replaced file keeps its mode
    assert leftovers(tmp_path) == []


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        write_allocations(allocate_frame(portfolio(), 2022), tmp_path / "out.csv")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "out.csv").stat().st_mode) == 0o644


def test_a_symbolic_link_output_is_followed(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "target.csv").write_text("previous\n", encoding="utf-8")
    try:
        (tmp_path / "out.csv").symlink_to(Path("real") / "target.csv")
    except OSError as exc:
        pytest.skip(f"no symlink here: {exc}")
    write_allocations(allocate_frame(portfolio(), 2022), tmp_path / "out.csv")
    assert (tmp_path / "out.csv").is_symlink()
    assert len(read_allocations(tmp_path / "real" / "target.csv")) == ROWS
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "real") == []


def test_a_read_only_previous_file_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file the user may not write stays as it is, although the directory would allow the
    rename (as root every file is writable: the check is made to see a read-only file)."""
    target = tmp_path / "out.csv"
    target.write_text("previous\n", encoding="utf-8")
    os.chmod(target, 0o444)
    real_access = os.access

    def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        if Path(path) == target and mode == os.W_OK:
            return bool(stat.S_IMODE(target.stat().st_mode) & stat.S_IWUSR)
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    with pytest.raises(PermissionError):
        write_allocations(allocate_frame(portfolio(), 2022), target)
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_the_subcommands_still_write_their_outputs(
    workdir: Path, capsys: Capture, name: str
) -> None:
    output = "out.html" if name == "report" else "out.csv"
    (workdir / output).write_text("previous\n", encoding="utf-8")
    input_hash = digest(workdir / "in.csv")
    assert main(command(name, "in.csv", output)) == 0
    assert capsys.readouterr().err == ""
    written = (workdir / output).read_text(encoding="utf-8")
    assert written != "previous\n"
    if name == "batch":
        expected = allocate_frame(portfolio(), 2022)
        back = read_allocations(workdir / output)
        assert list(back["total_cents"]) == list(expected["total_cents"])
    elif name == "report":
        assert written.startswith("<!DOCTYPE html>")
    else:
        assert len(pd.read_csv(workdir / output)) > 0
    assert digest(workdir / "in.csv") == input_hash
    assert leftovers(workdir) == []


def test_batch_errors_report_still_writes_both_files(workdir: Path, capsys: Capture) -> None:
    assert main(command("batch", "in.csv", "out.csv", "--errors", "report")) == 0
    assert len(read_allocations(workdir / "out.csv")) == ROWS
    # the one shape of a problem: the errors frame's columns with the file, sheet and line
    assert list(pd.read_csv(workdir / "out.errors.csv").columns) == [
        "file",
        "sheet",
        "row",
        "line",
        *ERROR_COLUMNS[1:],
    ]
    assert leftovers(workdir) == []
