"""Speed and memory of the batch engine: ``python bench/run.py`` (``--quick``: a smaller run).

Prints, on the machine it runs on, the median over several runs of:

* ``allocate_frame`` on 1 000 000 synthetic structures for one full year
  (target ≤ 1.0 s wall on a 2-core machine), and its peak memory (target ≤ 1.5 GB),
  measured as the peak resident set size (``resource.getrusage``, ``ru_maxrss``) of a fresh
  subprocess that builds the frame and allocates it once;
* ``allocate_frame`` on 26 structures (the overhead floor);
* ``allocate`` on one structure (target ≤ 200 µs);
* the speed-up of ``allocate_frame`` over the row-wise ``frame.apply`` of the
  one-structure path on 100 000 rows (target ≥ 100×). The row-wise path is timed on a
  sample (``--apply-rows``, 10 000 by default) and scaled to 100 000 rows, as printed.

The structures are SYNTHETIC (random figures, fixed seed). Run it from the repository root
with the package importable (installed, or ``PYTHONPATH=src``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from secpa_model import Structure, allocate, allocate_frame, reference_parameters

YEAR = 2022
SEED = 20220101
TARGET_FRAME_SECONDS = 1.0
TARGET_FRAME_MEMORY_GB = 1.5
TARGET_ONE_MICROSECONDS = 200.0
TARGET_SPEEDUP = 100.0


def synthetic_frame(rows: int, seed: int = SEED) -> pd.DataFrame:
    """``rows`` SYNTHETIC structures: random kinds, locations, file actives (some below the
    minimum), poverty rates, hours and requests in whole cents; 10 % enter and 5 % leave
    during the year (datetime64 columns, NaT when open)."""
    rng = np.random.default_rng(seed)
    year_start = np.datetime64(f"{YEAR}-01-01", "D")
    entry = np.where(
        rng.random(rows) < 0.10,
        year_start + rng.integers(0, 365, rows).astype("timedelta64[D]"),
        np.datetime64("NaT", "D"),
    )
    exit_ = np.where(
        rng.random(rows) < 0.05,
        np.datetime64(f"{YEAR}-12-31", "D") - rng.integers(0, 120, rows).astype("timedelta64[D]"),
        np.datetime64("NaT", "D"),
    )
    exit_ = np.where(np.isnat(entry) | (exit_ >= entry), exit_, np.datetime64("NaT", "D"))
    return pd.DataFrame(
        {
            "structure_id": [f"SYN-{i:07d}" for i in range(rows)],
            "kind": rng.choice(["msp", "centre_de_sante"], rows),
            "location": rng.choice(["in_qpv", "near_qpv", "outside_qpv"], rows, p=[0.6, 0.3, 0.1]),
            "file_active_mg": rng.integers(500, 8000, rows),
            "poverty_rate": rng.integers(50, 600, rows) / 1000,
            "interpreting_hours_in_person": rng.integers(0, 80_000, rows) / 100,
            "interpreting_hours_phone": rng.integers(0, 40_000, rows) / 100,
            "psychologist_cost_requested": rng.integers(0, 9_000_000, rows) / 100,
            "segur_psychologist_funding": rng.integers(0, 3_000_000, rows) / 100,
            "ars_psychology_agreement": rng.random(rows) < 0.7,
            "entry_date": pd.Series(entry).astype("datetime64[s]"),
            "exit_date": pd.Series(exit_).astype("datetime64[s]"),
        }
    )


def structures_of(frame: pd.DataFrame) -> list[Structure]:
    """The same rows as :class:`Structure` objects (for the one-structure path)."""
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for record in records:
        for name in ("entry_date", "exit_date"):
            if record[name] is not None:
                record[name] = record[name].date()
    return [Structure(**record) for record in records]


def median_seconds(run: Callable[[], object], repeats: int, number: int = 1) -> float:
    """The median over ``repeats`` runs of the mean time of ``number`` calls (GC on)."""
    run()  # warm up: imports, caches, first-call costs
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            run()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def machine() -> list[str]:
    """What the figures were measured on."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"machine: {platform.system()} {platform.release()} {platform.machine()}; CPU {cpu}; "
        f"{os.cpu_count()} logical cores; {memory:.1f} GiB RAM; load average {load}",
        f"software: Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}",
    ]


def memory_probe(rows: int) -> None:
    """Run in a fresh subprocess: peak RSS of building the frame, then of allocating it."""
    frame = synthetic_frame(rows)
    reference_parameters()
    gc.collect()
    before = _current_rss()
    allocate_frame(frame, YEAR)
    # ru_maxrss is in kibibytes on Linux (bytes on macOS)
    scale = 1 if sys.platform == "darwin" else 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    print(json.dumps({"before": before, "peak": peak}))


def _current_rss() -> int:
    """The resident set size now, in bytes (Linux: /proc/self/statm; else 0)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def measure_memory(rows: int) -> dict[str, int]:
    output = subprocess.run(
        [sys.executable, __file__, "--memory-probe", str(rows)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    ).stdout
    result: dict[str, int] = json.loads(output.strip().splitlines()[-1])
    return result


def time_frame(rows: int, repeats: int) -> float:
    """Median seconds of allocate_frame over ``rows`` synthetic structures (the frame is
    freed on return)."""
    frame = synthetic_frame(rows)
    return median_seconds(lambda: allocate_frame(frame, YEAR), repeats)


def verdict(ok: bool) -> str:
    return "meets the target" if ok else "MISSES the target"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    parser.add_argument("--rows", type=int, help="rows of the large frame (default 1 000 000)")
    parser.add_argument("--repeats", type=int, help="runs per median (default 5, quick 3)")
    parser.add_argument(
        "--apply-rows", type=int, help="rows timed on the row-wise path (default 10 000)"
    )
    parser.add_argument("--memory-probe", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_probe:
        memory_probe(args.memory_probe)
        return 0

    rows = args.rows or (200_000 if args.quick else 1_000_000)
    repeats = args.repeats or (3 if args.quick else 5)
    apply_rows = args.apply_rows or (1_000 if args.quick else 10_000)
    ratio_rows = 100_000
    print("secpa-model benchmark (SYNTHETIC structures, calendar year 2022)")
    print("\n".join(machine()))
    print(f"command: python bench/run.py {' '.join(sys.argv[1:])}".rstrip())
    print(f"medians over {repeats} runs; wall-clock time.perf_counter; garbage collector on")
    print()

    # The small calls first, in a process that has not yet allocated (and freed) the large
    # frames: after the 1 000 000-row arrays are freed, the allocator's state makes small
    # calls about 40 % slower on this machine, which measures the allocator, not the library.
    small = synthetic_frame(26)
    small_seconds = median_seconds(lambda: allocate_frame(small, YEAR), repeats * 20, 20)
    print(f"allocate_frame, 26 structures: {small_seconds * 1e3:.2f} ms per call")

    structures = structures_of(small)
    one = structures[0]
    allocate(one, YEAR)
    one_seconds = median_seconds(lambda: allocate(one, YEAR), repeats * 20, 200)
    print(f"allocate, one structure: {one_seconds * 1e6:.0f} µs per call")

    seconds = time_frame(rows, repeats)
    scaled = f" ({seconds * 1_000_000 / rows:.3f} s per million)" if rows != 1_000_000 else ""
    print(f"allocate_frame, {rows:,} structures, one year: {seconds:.3f} s{scaled}")
    memory = measure_memory(rows)
    peak_gb = memory["peak"] / 1e9
    print(
        f"  peak memory (peak RSS of a fresh process that builds the frame and allocates it "
        f"once): {peak_gb:.2f} GB; resident just before allocate_frame (interpreter, "
        f"libraries, input frame): {memory['before'] / 1e9:.2f} GB, so allocate_frame adds at "
        f"most {(memory['peak'] - memory['before']) / 1e9:.2f} GB"
    )

    medium = synthetic_frame(ratio_rows)
    frame_seconds = median_seconds(lambda: allocate_frame(medium, YEAR), repeats)
    sample = medium.head(apply_rows)
    sample.apply(lambda r: allocate(Structure(**_cells(r)), YEAR).total, axis=1)  # warm up
    start = time.perf_counter()
    totals = sample.apply(lambda r: allocate(Structure(**_cells(r)), YEAR).total, axis=1)
    apply_seconds = (time.perf_counter() - start) * ratio_rows / apply_rows
    batch_totals = allocate_frame(sample, YEAR)["total_cents"]
    assert [int(t * 100) for t in totals] == list(batch_totals), "batch differs from scalar"
    how = "timed" if apply_rows == ratio_rows else f"timed on {apply_rows:,} rows, scaled"
    print(
        f"row-wise frame.apply(allocate) on {ratio_rows:,} rows: {apply_seconds:.1f} s ({how}); "
        f"allocate_frame: {frame_seconds:.3f} s; speed-up {apply_seconds / frame_seconds:,.0f}×"
        f" (same totals on the {apply_rows:,} rows compared)"
    )
    print()
    print("targets:")
    print(
        f"  allocate_frame 1M rows ≤ {TARGET_FRAME_SECONDS} s: "
        f"{verdict(seconds * 1_000_000 / rows <= TARGET_FRAME_SECONDS)}"
        + (" (extrapolated from a smaller run)" if rows != 1_000_000 else "")
    )
    print(
        f"  peak memory ≤ {TARGET_FRAME_MEMORY_GB} GB: {verdict(peak_gb <= TARGET_FRAME_MEMORY_GB)}"
        + (f" (at {rows:,} rows)" if rows != 1_000_000 else "")
    )
    print(
        f"  allocate ≤ {TARGET_ONE_MICROSECONDS:.0f} µs: "
        f"{verdict(one_seconds * 1e6 <= TARGET_ONE_MICROSECONDS)}"
    )
    print(
        f"  speed-up ≥ {TARGET_SPEEDUP:.0f}×: "
        f"{verdict(apply_seconds / frame_seconds >= TARGET_SPEEDUP)}"
    )
    return 0


def _cells(row: pd.Series) -> dict[str, object]:
    """A row as Structure fields (NaT → None, Timestamp → date), as a user would write."""
    cells = row.to_dict()
    for name in ("entry_date", "exit_date"):
        value = cells[name]
        cells[name] = None if pd.isna(value) else value.date()
    return cells


if __name__ == "__main__":
    sys.exit(main())
