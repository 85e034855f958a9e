"""``secpa-model reproduce``: run the command an output's manifest records again, into a
temporary directory, and say whether it gives the same output from the same input, model,
parameters and library, or exactly what differs."""

from __future__ import annotations

import argparse
import contextlib
import io
import tempfile
from pathlib import Path
from typing import Final

from secpa_model.core.errors import InputError, SecpaError
from secpa_model.io.manifest import (
    SIDECAR_SUFFIX,
    Fingerprint,
    Manifest,
    read_manifest,
)
from secpa_model.io.readers import file_sha256
from secpa_model.model.model import Model
from secpa_model.presentation.cli.common import (
    OUTPUT_OPTIONS,
    Subcommands,
    errors_path,
    same_file,
)

__all__ = ["REPRODUCIBLE", "add_reproduce", "run_reproduce"]

REPRODUCIBLE: Final = frozenset(
    {"batch", "compare", "sweep", "simulate", "budget", "sensitivity", "calibrate"}
)
"""The commands whose table output reproduce runs again and compares."""
DIFFERS: Final = 1
"""The exit code when something differs."""
_LEFT_OUT: Final = ("tornado", "sobol")  # charts (no manifest): not drawn again
_SHOWN: Final = 12  # the hex digits of a hash shown


def add_reproduce(commands: Subcommands, model: Model) -> None:
    """``reproduce``: recompute an output from its manifest."""
    sub = commands.add_parser(
        "reproduce",
        help="recompute an output from its manifest: identical, or what differs",
        description=(
            "Read the manifest of OUTPUT_OR_MANIFEST (a Parquet or .xlsx output, a CSV or "
            "JSON Lines output with its OUT.manifest.json beside it, or that file), run the "
            "command it records again (from the directory it ran in: its paths are as "
            "given) into a temporary directory, and compare. Exit 0: identical; exit 1: "
            "what differs, one line each (input changed, parameters changed, scenario "
            "changed, library changed, model changed, result differs); exit 2: no "
            "readable manifest."
        ),
    )
    sub.add_argument("target", metavar="OUTPUT_OR_MANIFEST", help="the output or its manifest")
    sub.add_argument(
        "--input",
        metavar="FILE",
        help="read the input from FILE instead of the path recorded (an input that was "
        "read from standard input, or moved)",
    )
    sub.set_defaults(handler=run_reproduce)


def run_reproduce(args: argparse.Namespace) -> int:
    """Print ``identical`` (exit 0) or each difference (exit 1)."""
    target = Path(args.target)
    recorded = read_manifest(target)
    output = Path(str(target).removesuffix(SIDECAR_SUFFIX))
    command = _command(recorded, target)
    differences: list[str] = []
    source = args.input or (recorded.input.path if recorded.input else None)
    if recorded.input is not None and source is not None:
        if source == "-":
            differences.append(
                "input changed: the input was read from standard input: give it again "
                "with --input FILE"
            )
        elif not Path(source).is_file():
            differences.append(f"input changed: {source} is missing")
        elif (digest := file_sha256(source)) != recorded.input.sha256:
            differences.append(
                f"input changed: {source}: sha256 {_short(recorded.input.sha256)} recorded, "
                f"{_short(digest)} now"
            )
    print(f"secpa-model reproduce: {output} ({' '.join(['secpa-model', *command])})")
    if not any(d.startswith("input changed") and "sha256" not in d for d in differences):
        with tempfile.TemporaryDirectory(prefix="secpa-model-reproduce-") as directory:
            differences += _recomputed(recorded, command, output, source, Path(directory))
    if not differences:
        print(
            f"identical: the recorded run gives {output} again (model {recorded.model.name!r}, "
            f"parameters {recorded.parameters.name!r}, library {recorded.library})"
        )
        return 0
    for line in differences:
        print(line)
    return DIFFERS


def _command(recorded: Manifest, target: Path) -> list[str]:
    """The recorded command line, if reproduce can run it again."""
    words = list(recorded.command or ())
    named = next((word for word in words if not word.startswith("-")), None)
    if named not in REPRODUCIBLE:
        raise InputError(
            f"{target}: the manifest records no command reproduce runs again "
            f"({named or 'none'}; it runs {', '.join(sorted(REPRODUCIBLE))})"
        )
    return words


def _recomputed(
    recorded: Manifest, words: list[str], output: Path, source: str | None, directory: Path
) -> list[str]:
    """Run ``words`` again into ``directory``; what differs from ``recorded`` and
    ``output``."""
    from secpa_model.presentation.cli import build_parser

    try:
        args = build_parser().parse_args(words)
    except SystemExit:
        return ["cannot recompute: the recorded command line is not one this version takes"]
    if source is not None and hasattr(args, "input"):
        args.input = source
    args.argv = tuple(words)
    chosen = next(
        (
            name
            for name in OUTPUT_OPTIONS
            if getattr(args, name, None) and same_file(Path(getattr(args, name)), output)
        ),
        "output",
    )
    again = directory / output.name
    for name in OUTPUT_OPTIONS:
        if hasattr(args, name):
            setattr(args, name, str(again) if name == chosen else None)
    for name in _LEFT_OUT:
        if hasattr(args, name):
            setattr(args, name, None)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            args.handler(args)
        fresh = read_manifest(again)
    except SecpaError as exc:
        return [f"cannot recompute: {exc.message.splitlines()[0]}"]
    found = _changes(recorded, fresh)
    found += _result(output, again)
    if getattr(args, "errors", None) == "report" and chosen == "output":
        found += _result(errors_path(output), errors_path(again))
    return found


def _changes(recorded: Manifest, fresh: Manifest) -> list[str]:
    """What the manifest of the run again says differs: library, model, parameters,
    scenarios, the input's rows."""
    found = []
    if recorded.library != fresh.library:
        found.append(
            f"library changed: secpa-model {recorded.library} made it, {fresh.library} is installed"
        )
    if recorded.model != fresh.model:
        found.append(
            f"model changed: {recorded.model.name!r} sha256 {_short(recorded.model.sha256)} "
            f"recorded, {fresh.model.name!r} sha256 {_short(fresh.model.sha256)} now"
        )
    if recorded.parameters != fresh.parameters:
        found.append(
            f"parameters changed: {_described(recorded.parameters)} recorded, "
            f"{_described(fresh.parameters)} now"
        )
    if recorded.compared_with != fresh.compared_with:
        found.append(
            f"compared models changed: {_compared(recorded)} recorded, {_compared(fresh)} now"
        )
    if recorded.scenarios != fresh.scenarios:
        found.append(
            "scenarios changed: "
            f"{', '.join(map(_described, recorded.scenarios)) or 'none'} recorded, "
            f"{', '.join(map(_described, fresh.scenarios)) or 'none'} now"
        )
    before, after = recorded.input, fresh.input
    if before and after and before.sha256 == after.sha256 and before.rows != after.rows:
        found.append(f"input changed: {before.rows} rows recorded, {after.rows} now")
    return found


def _result(output: Path, again: Path) -> list[str]:
    """``result differs: ...`` when ``output`` is not the table ``again`` holds."""
    if not output.is_file():
        return [f"result differs: {output} is missing"]
    where = _difference(output, again)
    return [] if where is None else [f"result differs: {output}: {where}"]


def _difference(output: Path, again: Path) -> str | None:
    """Where the data of ``output`` first differs from ``again``'s (None: nowhere)."""
    suffix = output.suffix.lower()
    if suffix in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        mine, theirs = pq.read_table(output), pq.read_table(again)
        if mine.num_rows != theirs.num_rows:
            return f"{mine.num_rows} rows, {theirs.num_rows} recomputed"
        return None if mine.equals(theirs) else "its values are not the ones recomputed"
    mine_rows: list[object]
    theirs_rows: list[object]
    if suffix == ".xlsx":
        mine_rows, theirs_rows = [*_sheet(output)], [*_sheet(again)]
    else:
        mine_rows = [*output.read_bytes().splitlines()]
        theirs_rows = [*again.read_bytes().splitlines()]
    for number, (mine, theirs) in enumerate(zip(mine_rows, theirs_rows, strict=False), start=1):
        if mine != theirs:
            return f"line {number} is not the one recomputed"
    if len(mine_rows) != len(theirs_rows):
        return f"{len(mine_rows)} lines, {len(theirs_rows)} recomputed"
    return None


def _sheet(path: Path) -> list[tuple[object, ...]]:
    """The cells of the first sheet of an .xlsx file, row by row."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def _described(fingerprint: Fingerprint) -> str:
    version = f" version {fingerprint.version!r}" if fingerprint.version else ""
    where = f" ({fingerprint.file})" if fingerprint.file else ""
    return f"{fingerprint.name!r}{version}{where} sha256 {_short(fingerprint.sha256)}"


def _compared(manifest: Manifest) -> str:
    """The models ``manifest`` compared with its baseline, with their hashes."""
    return (
        ", ".join(
            f"{c.model.name!r} sha256 {_short(c.model.sha256)} with {_described(c.parameters)}"
            for c in manifest.compared_with
        )
        or "none"
    )


def _short(digest: str) -> str:
    return digest[:_SHOWN] + "…"
