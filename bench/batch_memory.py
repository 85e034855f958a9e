"""Wall time and peak memory of ``secpa-model batch`` on large Parquet files, per install.

Usage, from the repository root::

    python bench/batch_memory.py                      # the secpa-model beside this Python
    python bench/batch_memory.py --install before=/tmp/venv-main/bin/secpa-model \\
        --install after=/tmp/venv-branch/bin/secpa-model --rows 1000000,10000000 --runs 3

The inputs are SYNTHETIC structures (``synthetic_frame`` of ``bench/run.py``, one row per
structure, ids made distinct across blocks), written once to ``--data`` (default
``/tmp/secpa-batch-bench``) as ``batch-ROWS.parquet``, one row group per million rows (as
pandas' ``to_parquet`` writes by default), and reused by later runs.

Each run is ``secpa-model batch IN -o OUT.parquet --year 2022`` in a FRESH process,
started by a small Python wrapper that is itself fresh: the wrapper times the command
(``time.perf_counter``, Python's start included) and reads its peak resident set size
from ``resource.getrusage(RUSAGE_CHILDREN)`` (``ru_maxrss``: the largest resident set of
the waited-for child, the command). Installs are interleaved run by run (A, B, A, B...)
so that the machine's load weighs on both alike; the table gives the medians over
``--runs`` runs, and each install's total (the ``total:`` line of the summary) is checked
to be the same.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BLOCK = 1_000_000  # rows generated at a time: one row group each
DEFAULT_ROWS = "1000000,10000000"
YEAR = "2022"

# the wrapper: runs the command given as its arguments, prints its figures as JSON
WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - start
scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale
print(json.dumps({"seconds": seconds, "peak": peak, "code": done.returncode,
                  "out": done.stdout, "err": done.stderr[-2000:]}))
"""


@dataclass(frozen=True)
class Install:
    """A ``secpa-model`` command to measure: its label and its argv."""

    label: str
    command: tuple[str, ...]


def parse_install(value: str) -> Install:
    """``LABEL=PATH`` or ``PATH`` of a ``secpa-model`` executable."""
    label, sep, path = value.partition("=")
    if not sep:
        label, path = value, value
    found = shutil.which(path)
    if found is None:
        raise argparse.ArgumentTypeError(f"{path}: no such executable")
    return Install(label, (found,))


def default_install() -> Install:
    """The ``secpa-model`` installed beside this Python, else ``python -m secpa_model``."""
    beside = Path(sys.executable).with_name("secpa-model")
    if beside.is_file():
        return Install("this", (str(beside),))
    return Install("this", (sys.executable, "-m", "secpa_model"))


def input_file(folder: Path, rows: int) -> Path:
    """The Parquet file of ``rows`` SYNTHETIC structures, written once."""
    path = folder / f"batch-{rows}.parquet"
    if path.is_file():
        return path
    sys.path.insert(0, str(HERE))
    import pyarrow as pa
    import pyarrow.parquet as pq
    import run  # bench/run.py: synthetic_frame

    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    writer = None
    try:
        for block, start in enumerate(range(0, rows, BLOCK)):
            frame = run.synthetic_frame(min(BLOCK, rows - start), seed=run.SEED + block)
            frame["structure_id"] = [f"SYN-{start + i:09d}" for i in range(len(frame))]
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(partial, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    partial.replace(path)
    return path


def one_run(install: Install, source: Path, output: Path) -> dict[str, Any]:
    """One ``batch`` run of ``install`` on ``source``, in a fresh process."""
    command = [*install.command, "batch", str(source), "-o", str(output), "--year", YEAR]
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command], capture_output=True, text=True, check=True
    )
    figures: dict[str, Any] = json.loads(done.stdout)
    if figures["code"] != 0:
        raise SystemExit(f"{install.label}: {' '.join(command)} failed:\n{figures['err']}")
    totals = [line for line in figures["out"].splitlines() if line.startswith("total:")]
    figures["total"] = totals[0] if totals else "?"
    output.unlink(missing_ok=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    """Measure every install on every size; print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--install",
        action="append",
        type=parse_install,
        metavar="[LABEL=]PATH",
        help="a secpa-model executable to measure (repeatable; default: the one beside "
        "this Python)",
    )
    parser.add_argument("--rows", default=DEFAULT_ROWS, help=f"sizes (default {DEFAULT_ROWS})")
    parser.add_argument("--runs", type=int, default=3, help="runs per install and size")
    parser.add_argument("--data", type=Path, default=Path("/tmp/secpa-batch-bench"))
    args = parser.parse_args(argv)
    installs: list[Install] = args.install or [default_install()]
    sizes = [int(text.replace("_", "")) for text in args.rows.split(",") if text.strip()]

    print("secpa-model batch: SYNTHETIC Parquet in, Parquet out, --year 2022")
    print(
        f"machine: {platform.platform()}; {os.cpu_count()} logical cores; Python "
        f"{platform.python_version()}; load average {os.getloadavg()[0]:.2f} at start"
    )
    for install in installs:
        print(f"install {install.label}: {' '.join(install.command)}")
    rows: list[list[str]] = [["rows", "install", "median wall", "median peak RSS", "runs"]]
    for size in sizes:
        source = input_file(args.data, size)
        output = args.data / f"out-{size}.parquet"
        found: dict[str, list[dict[str, Any]]] = {install.label: [] for install in installs}
        for _ in range(args.runs):
            for install in installs:
                figures = one_run(install, source, output)
                found[install.label].append(figures)
                print(
                    f"  {size:,} rows, {install.label}: {figures['seconds']:.2f} s, "
                    f"{figures['peak'] / 1e9:.3f} GB peak",
                    flush=True,
                )
        totals = {label: {run["total"] for run in runs} for label, runs in found.items()}
        if len({total for each in totals.values() for total in each}) != 1:
            print(f"WARNING: {size:,} rows: the totals differ: {totals}")
        for install in installs:
            runs = found[install.label]
            seconds = statistics.median(run["seconds"] for run in runs)
            peak = statistics.median(run["peak"] for run in runs)
            every = ", ".join(f"{r['seconds']:.2f} s/{r['peak'] / 1e9:.2f} GB" for r in runs)
            rows.append(
                [f"{size:,}", install.label, f"{seconds:.2f} s", f"{peak / 1e9:.3f} GB", every]
            )
        print(f"  {size:,} rows: {next(iter(totals.values())).pop()}")
    print()
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for number, row in enumerate(rows):
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            print("-+-".join("-" * width for width in widths))
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
