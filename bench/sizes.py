"""Speed of ``allocate_frame`` by frame size, and of ``allocate``, across source trees.

Usage, from the repository root::

    python bench/sizes.py                                    # times the tree ``src``
    python bench/sizes.py --src before=../old-checkout/src --src after=src
    python bench/sizes.py --src after=src --sizes allocate,26,1000

Each configuration is timed in a FRESH Python subprocess (this script re-invoked with
``--one SIZE``) whose ``PYTHONPATH`` is the tree's source folder, so no tree shares caches,
imports or allocator state with another size or tree. The child builds the input, calls once
to warm up, then times several calls with ``time.perf_counter`` (garbage collector on) and
prints one JSON line; the parent prints the medians:

* ``allocate`` on one pre-built :class:`secpa_model.Structure`: 7 rounds of 1 000 calls,
  the median of the per-call means;
* ``allocate_frame(frame, 2022)`` on 26 and 1 000 synthetic structures: 7 rounds of 50
  calls; on 100 000 structures: 5 calls; on 1 000 000 structures: 3 calls (medians);
* for 1 000 000 structures also the resident set size just before the timed calls
  (``/proc/self/statm``) and the peak RSS of the child (``ru_maxrss``).

The frames come from ``synthetic_frame`` in ``bench/run.py`` (SYNTHETIC figures, fixed
seed), the same for every tree. Trees are interleaved per size (A then B for each size) so
that the machine's load weighs on both alike. With two trees or more, each column after the
first has its ratio to the first tree. ``--src`` is repeatable, as ``LABEL=PATH`` or
``PATH``; without it the tree ``src`` next to this script's folder is timed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
YEAR = 2022
ONE = "allocate"
SIZES = [ONE, "26", "1000", "100000", "1000000"]
MEMORY_SIZE = "1000000"
# (rounds, calls per round) of the timed calls, by configuration
REPEATS = {
    ONE: (7, 1_000),
    "26": (7, 50),
    "1000": (7, 50),
    "100000": (5, 1),
    "1000000": (3, 1),
}


@dataclass(frozen=True)
class Tree:
    """A source tree to time: its label and the folder put on ``PYTHONPATH``."""

    label: str
    path: Path


def parse_tree(value: str) -> Tree:
    """``LABEL=PATH`` or ``PATH`` (labelled by the path as written) as a :class:`Tree`."""
    label, sep, path = value.partition("=")
    if not sep or not label or os.sep in label:
        label, path = value, value
    folder = Path(path).expanduser().resolve()
    if not (folder / "secpa_model" / "__init__.py").is_file():
        raise argparse.ArgumentTypeError(f"{folder} holds no secpa_model package")
    return Tree(label, folder)


def current_rss() -> int:
    """The resident set size now, in bytes (Linux: ``/proc/self/statm``; else 0)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def peak_rss() -> int:
    """The peak resident set size of this process so far, in bytes."""
    # ru_maxrss is in kibibytes on Linux (bytes on macOS)
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def per_call_seconds(run: Callable[[], object], rounds: int, number: int) -> list[float]:
    """The mean seconds per call of each of ``rounds`` rounds of ``number`` calls."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(number):
            run()
        times.append((time.perf_counter() - start) / number)
    return times


def workload(size: str) -> tuple[Callable[[], Any], Callable[[Any], str]]:
    """The call timed for ``size`` (inputs built beforehand) and a checksum of its result,
    so that trees can be checked to compute the same figures."""
    sys.path.insert(0, str(HERE))
    import run  # bench/run.py: synthetic_frame, structures_of (imports secpa_model)

    import secpa_model

    if size == ONE:
        structure = run.structures_of(run.synthetic_frame(26))[0]
        return lambda: secpa_model.allocate(structure, YEAR), lambda result: str(result.total)
    frame = run.synthetic_frame(int(size))
    return (
        lambda: secpa_model.allocate_frame(frame, YEAR),
        lambda result: str(int(result["total_cents"].sum())),
    )


def child(size: str) -> dict[str, Any]:
    """Run in a fresh subprocess: time the configuration ``size`` and return its figures."""
    load = os.getloadavg()[0]
    call, checksum = workload(size)
    import numpy as np
    import pandas as pd

    import secpa_model

    rounds, number = REPEATS[size]
    result = call()  # warm up: imports, caches, first-call costs
    check = checksum(result)
    del result
    gc.collect()
    rss_before = current_rss()
    times = per_call_seconds(call, rounds, number)
    return {
        "size": size,
        "module": secpa_model.__file__,
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "rounds": rounds,
        "number": number,
        "rss_before": rss_before,
        "peak_rss": peak_rss(),
        "checksum": check,
        "load": load,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }


def json_of_child(
    script: Path, args: list[str], env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``script`` with ``args`` in a fresh interpreter (``env`` added to the environment)
    and return the JSON of its last line of output; exit with its stderr if it fails."""
    completed = subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"the child {script.name} {args} failed ({completed.returncode})")
    figures: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return figures


def run_child(size: str, tree: Tree) -> dict[str, Any]:
    """Time ``size`` on ``tree`` in a fresh interpreter and return the child's figures."""
    script = Path(__file__).resolve()
    figures = json_of_child(script, ["--one", size], {"PYTHONPATH": str(tree.path)})
    if Path(figures["module"]).resolve().parent.parent != tree.path:
        raise SystemExit(f"{tree.label}: imported {figures['module']}, not from {tree.path}")
    return figures


def duration(seconds: float) -> str:
    """``seconds`` in µs, ms or s with 3 or 4 significant figures."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.3f} s"


def describe(size: str) -> str:
    """A configuration as a table row label."""
    if size == ONE:
        return "allocate, 1 structure"
    return f"allocate_frame, {int(size):,} rows"


def load_line(when: str) -> str:
    """The load average now."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"load average ({when}, 1/5/15 min): {load}"


def print_table(rows: list[list[str]]) -> None:
    """Print ``rows`` (the first is the header) as an aligned text table."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        print(" | ".join(cells).rstrip())
        if n == 0:
            print("-+-".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    """Time every configuration on every tree (or, with ``--one``, be the child)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--src",
        action="append",
        type=parse_tree,
        metavar="[LABEL=]PATH",
        help="a source tree to time (repeatable; default: src next to this folder)",
    )
    parser.add_argument(
        "--sizes",
        default=",".join(SIZES),
        help=f"comma-separated configurations among {','.join(SIZES)} (default: all)",
    )
    parser.add_argument("--one", choices=SIZES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(child(args.one)))
        return 0

    trees: list[Tree] = args.src or [Tree("src", HERE.parent / "src")]
    sizes = [s.strip().replace("_", "") for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown sizes {unknown}; choose among {SIZES}")

    print("secpa-model: allocate_frame by frame size (SYNTHETIC structures, year 2022)")
    print(f"command: {shlex.join([Path(sys.executable).name, *sys.argv])}  (cwd {Path.cwd()})")
    print(
        f"machine: {platform.platform()}; {platform.machine()}; "
        f"{os.cpu_count()} logical cores (os.cpu_count)"
    )
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("numpy", "pandas"))
    print(f"software: Python {platform.python_version()} ({sys.executable}), {versions}")
    for tree in trees:
        print(f"tree {tree.label}: PYTHONPATH={tree.path}")
    print(load_line("start"))
    print(
        "each configuration in a fresh subprocess; one warm-up call, then the median of the "
        "per-call mean of each round (time.perf_counter, garbage collector on):"
    )
    for size in sizes:
        rounds, number = REPEATS[size]
        print(f"  {describe(size)}: {rounds} rounds × {number} call{'s' if number > 1 else ''}")
    print()

    results: dict[tuple[str, str], dict[str, Any]] = {}
    for size in sizes:
        for tree in trees:
            start = time.perf_counter()
            figures = run_child(size, tree)
            results[size, tree.label] = figures
            print(
                f"  {describe(size)} on {tree.label}: median {duration(figures['median'])} "
                f"(min {duration(figures['min'])}, max {duration(figures['max'])}; "
                f"1-min load at start {figures['load']:.2f}; "
                f"child {time.perf_counter() - start:.1f} s wall)",
                flush=True,
            )
    print()

    first = trees[0].label
    header = ["configuration", *[f"median {t.label}" for t in trees]]
    header += [f"ratio {t.label}/{first}" for t in trees[1:]]
    table = [header]
    for size in sizes:
        medians = [results[size, t.label]["median"] for t in trees]
        row = [describe(size), *[duration(m) for m in medians]]
        row += [f"{m / medians[0]:.2f}×" for m in medians[1:]]
        table.append(row)
    print_table(table)

    if MEMORY_SIZE in sizes:
        print()
        print(f"memory, {int(MEMORY_SIZE):,} rows (fresh child: frame built, one warm-up call):")
        for tree in trees:
            figures = results[MEMORY_SIZE, tree.label]
            before, peak = figures["rss_before"], figures["peak_rss"]
            print(
                f"  {tree.label}: RSS just before the timed calls {before / 2**20:,.0f} MiB; "
                f"peak RSS {peak / 2**20:,.0f} MiB (peak − before {(peak - before) / 2**20:,.0f}"
                " MiB)"
            )

    print()
    for size in sizes:
        checks = {t.label: results[size, t.label]["checksum"] for t in trees}
        if len(set(checks.values())) > 1:
            print(f"WARNING: {describe(size)}: the trees differ in their results: {checks}")
    if all(len({results[s, t.label]["checksum"] for t in trees}) == 1 for s in sizes):
        print("results: every tree gives the same checksum (total) for every configuration")
    print(load_line("end"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
