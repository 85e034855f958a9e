"""secpa-model against its peers, from one structure to a million, in one run.

Usage, from the repository root, with the ``bench`` extra installed
(``python -m pip install -e ".[bench]"``)::

    python bench/against_peers.py                      # every size
    python bench/against_peers.py --sizes 1,26,1000    # some sizes

The peers implement the same four rules with the same reference values (read from
secpa-model, see ``bench/peers/``), on the same SYNTHETIC frames (``synthetic_frame`` of
``bench/run.py``, year 2022):

* ``secpa``: ``allocate_frame(frame, 2022)`` (validation, explanations' data, result frame);
  for one structure also ``allocate(structure, 2022)`` on a pre-built ``Structure``;
* ``portfolio``: ``structures.allocate(2022)`` on ``portfolio(frame)``, made once before the
  timing (what each turn of a loop over scenarios costs: no validation);
* ``openfisca64`` / ``openfisca32``: OpenFisca-Core, its ``float`` variables in float64 or in
  its float32 default; the tax-benefit system is built once, then each call builds a
  simulation from the frame's columns, sets the inputs and calculates the lines and total;
* ``kernel_frame``: the bare numpy kernel reading the same DataFrame (no validation);
* ``kernel_arrays``: the bare numpy kernel on arrays already extracted.

First, one child per size checks agreement with secpa-model, line by line, to the cent
(float32 is reported, not required to agree). Then every (configuration, size) is timed in
a FRESH subprocess: one warm-up call, then rounds of calls timed with ``time.perf_counter``;
the figure is the median of the per-call means. For 1 000 000 structures each child also
measures its peak memory growth: the peak resident set size during the timed calls (Linux
``VmHWM`` reset through ``/proc/self/clear_refs``) minus the RSS just before them.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shlex
import statistics
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, Final

from sizes import duration, json_of_child, print_table  # bench/sizes.py: the same helpers

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
YEAR = 2022
SIZES = ["1", "26", "1000", "100000", "1000000"]
CONFIGS = ["secpa", "portfolio", "openfisca64", "openfisca32", "kernel_frame", "kernel_arrays"]
ONE_STRUCTURE = "secpa_allocate"
MEMORY_SIZE = "1000000"
REPEATS = {"1": (7, 200), "26": (7, 50), "1000": (7, 50), "100000": (5, 1), "1000000": (3, 1)}
ONE_REPEATS = (7, 1_000)


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _workload(config: str, size: int) -> Callable[[], Any]:
    sys.path.insert(0, str(HERE))
    import run
    from peers.values import reference_values

    import secpa_model

    frame = run.synthetic_frame(size)
    values = reference_values(YEAR)
    if config == ONE_STRUCTURE:
        structure = run.structures_of(frame)[0]
        return lambda: secpa_model.allocate(structure, YEAR)
    if config == "secpa":
        return lambda: secpa_model.allocate_frame(frame, YEAR)
    if config == "portfolio":
        structures = secpa_model.portfolio(frame)
        return lambda: structures.allocate(YEAR)
    if config.startswith("openfisca"):
        from peers import openfisca_system

        system = openfisca_system.build_system(values, "float64" if "64" in config else "float32")
        return lambda: openfisca_system.simulate(system, frame, values)
    from peers import kernel

    if config == "kernel_frame":
        return lambda: kernel.kernel(kernel.arrays_of(frame, values), values)
    arrays = kernel.arrays_of(frame, values)
    return lambda: kernel.kernel(arrays, values)


def time_child(config: str, size: str) -> dict[str, Any]:
    """In a fresh process: the median seconds per call of ``config`` on ``size`` rows."""
    load = os.getloadavg()[0]
    call = _workload(config, int(size))
    rounds, number = ONE_REPEATS if config == ONE_STRUCTURE else REPEATS[size]
    call()  # warm up
    gc.collect()
    peak_ok = _reset_peak()
    before = _status_kib("VmRSS")
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(number):
            call()
        times.append((time.perf_counter() - start) / number)
    growth = (_status_kib("VmHWM") - before) * 1024 if peak_ok else None
    return {"median": statistics.median(times), "growth": growth, "load": load}


def check_child(size: str) -> dict[str, Any]:
    """In a fresh process: how each peer agrees with ``allocate_frame`` on ``size`` rows."""
    sys.path.insert(0, str(HERE))
    import numpy as np
    import run
    from peers import kernel, openfisca_system
    from peers.values import reference_values

    import secpa_model

    frame = run.synthetic_frame(int(size))
    values = reference_values(YEAR)
    reference = secpa_model.allocate_frame(frame, YEAR)
    lines = [*openfisca_system.LINES, "total"]
    expected = {line: reference[f"{line}_cents"].to_numpy(dtype=np.int64) for line in lines}
    results = {"kernel": kernel.kernel(kernel.arrays_of(frame, values), values)}
    for precision in ("float64", "float32"):
        system = openfisca_system.build_system(values, precision)
        computed = openfisca_system.simulate(system, frame, values)
        results[f"openfisca_{precision}"] = {
            line: np.rint(computed[line].astype(np.float64)).astype(np.int64) for line in lines
        }
    report: dict[str, Any] = {"poverty_at_threshold": 0}
    thresholds = values.poverty_thresholds
    report["poverty_at_threshold"] = int(np.isin(frame["poverty_rate"], thresholds[1:]).sum())
    for peer, figures in results.items():
        differing = np.zeros(int(size), dtype=bool)
        worst = 0
        for line in lines:
            gap = np.abs(figures[line] - expected[line])
            differing |= gap > 0
            worst = max(worst, int(gap.max(initial=0)))
        total_gap = int(abs(int(figures["total"].sum()) - int(expected["total"].sum())))
        report[peer] = {
            "structures_differing": int(differing.sum()),
            "worst_cents": worst,
            "portfolio_total_gap_cents": total_gap,
        }
    return report


# the goals of issue 18 (item 6), as (what, the figure measured, the bound, True when the
# figure must stay at or below the bound)
_AHEAD: Final = {"1": 1.0, "26": 1.0, "1000": 1.0, "100000": 2.0, "1000000": 2.0}
"""How many times faster than OpenFisca-Core float64 ``allocate_frame`` must be, per size."""
_PORTFOLIO_AHEAD: Final = 2.0
"""How many times faster than OpenFisca-Core float64 a prepared portfolio must be."""

GOALS: list[
    tuple[str, Callable[[dict[tuple[str, str], float], dict[str, Any]], float | None], float, bool]
] = [
    *[
        (
            f"OpenFisca64 / allocate_frame, {int(size):,} rows",
            lambda m, g, size=size: _ratio(m, ("openfisca64", size), ("secpa", size)),
            _AHEAD[size],
            False,
        )
        for size in SIZES
    ],
    *[
        (
            f"OpenFisca64 / prepared portfolio, {int(size):,} rows",
            lambda m, g, size=size: _ratio(m, ("openfisca64", size), ("portfolio", size)),
            _PORTFOLIO_AHEAD,
            False,
        )
        for size in SIZES
    ],
    (
        "allocate_frame / kernel on the frame, 1 000 000 rows",
        lambda m, g: _ratio(m, ("secpa", MEMORY_SIZE), ("kernel_frame", MEMORY_SIZE)),
        2.0,
        True,
    ),
    (
        "peak memory growth, allocate_frame / OpenFisca64, 1 000 000 rows",
        lambda m, g: (
            g["secpa"] / g["openfisca64"] if g.get("secpa") and g.get("openfisca64") else None
        ),
        1.0,
        True,
    ),
]


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1e3


def _ratio(
    medians: dict[tuple[str, str], float], top: tuple[str, str], bottom: tuple[str, str]
) -> float | None:
    if top not in medians or bottom not in medians:
        return None
    return medians[top] / medians[bottom]


def print_goals(medians: dict[tuple[str, str], float], growth: dict[str, Any]) -> None:
    """Each goal of issue 18 with the figure of this run, met or not (and by how much)."""
    table = [["goal", "bound", "measured", "verdict"]]
    for what, measure, bound, at_most in GOALS:
        value = measure(medians, growth)
        if value is None:
            continue
        met = value <= bound if at_most else value >= bound
        off = value / bound if at_most else bound / value
        verdict = "met" if met else f"not met ({off:.2f}× off)"
        table.append([what, f"{'≤' if at_most else '≥'} {bound:g}", f"{value:.2f}", verdict])
    print_table(table)


def _child(args: list[str]) -> dict[str, Any]:
    return json_of_child(
        Path(__file__).resolve(), args, {"PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{HERE}"}
    )


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    """Check agreement, time every configuration in a fresh process, print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--time", nargs=2, metavar=("CONFIG", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--check", metavar="SIZE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.time:
        print(json.dumps(time_child(*args.time)))
        return 0
    if args.check:
        print(json.dumps(check_child(args.check)))
        return 0
    sizes = [s.strip().replace("_", "") for s in args.sizes.split(",") if s.strip()]
    if unknown := [s for s in sizes if s not in SIZES]:
        parser.error(f"unknown sizes {unknown}; choose among {SIZES}")

    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("numpy", "pandas", "openfisca-core")
    )
    print("secpa-model against its peers (SYNTHETIC structures, year 2022)")
    print(f"command: {shlex.join([Path(sys.executable).name, *sys.argv])}")
    print(f"machine: {platform.platform()}; {os.cpu_count()} logical cores")
    print(f"software: Python {platform.python_version()}, {versions}")
    print(f"load average at start (1/5/15 min): {_load()}")
    print()
    print("agreement with allocate_frame, line by line (structures differing / worst gap):")
    for size in sizes:
        report = _child(["--check", size])
        parts = []
        for peer in ("kernel", "openfisca_float64", "openfisca_float32"):
            r = report[peer]
            parts.append(
                f"{peer} {r['structures_differing']:,} / {r['worst_cents']:,} c "
                f"(total gap {r['portfolio_total_gap_cents']:,} c)"
            )
        print(f"  {int(size):>9,} rows: " + "; ".join(parts))
        print(
            f"  {'':>9}       poverty rates exactly on a bracket threshold: "
            f"{report['poverty_at_threshold']:,}"
        )
        for peer in ("kernel", "openfisca_float64"):
            if report[peer]["structures_differing"]:
                raise SystemExit(f"{peer} disagrees with allocate_frame on {size} rows: no timing")
    print()

    medians: dict[tuple[str, str], float] = {}
    growth: dict[str, int | None] = {}
    jobs = [(config, size) for size in sizes for config in CONFIGS]
    if "1" in sizes:
        jobs.insert(0, (ONE_STRUCTURE, "1"))
    for config, size in jobs:
        start = time.perf_counter()
        figures = _child(["--time", config, size])
        medians[config, size] = figures["median"]
        if size == MEMORY_SIZE:
            growth[config] = figures["growth"]
        print(
            f"  {config:>14} {int(size):>9,} rows: {duration(figures['median'])} "
            f"(load {figures['load']:.2f}; child {time.perf_counter() - start:.1f} s)",
            flush=True,
        )
    print()
    header = ["rows", *CONFIGS, "secpa/openfisca64", "secpa/kernel_frame", "portfolio/openfisca64"]
    table = [header]
    for size in sizes:
        row = [f"{int(size):,}", *[duration(medians[c, size]) for c in CONFIGS]]
        row.append(f"{medians['secpa', size] / medians['openfisca64', size]:.2f}×")
        row.append(f"{medians['secpa', size] / medians['kernel_frame', size]:.2f}×")
        row.append(f"{medians['portfolio', size] / medians['openfisca64', size]:.2f}×")
        table.append(row)
    print_table(table)
    if "1" in sizes:
        one = medians[ONE_STRUCTURE, "1"]
        print()
        print(
            f"allocate, one pre-built Structure: {duration(one)}; OpenFisca float64 on one "
            f"structure {duration(medians['openfisca64', '1'])}: OpenFisca/allocate "
            f"{medians['openfisca64', '1'] / one:.1f}×"
        )
    if growth:
        print()
        print(f"peak memory growth during the timed calls, {int(MEMORY_SIZE):,} rows:")
        for config, value in growth.items():
            shown = "unavailable" if value is None else f"{value / 2**20:,.0f} MiB"
            print(f"  {config}: {shown}")
        if growth.get("secpa") and growth.get("openfisca64"):
            print(f"  secpa/openfisca64: {growth['secpa'] / growth['openfisca64']:.2f}×")
    print()
    print("the goals of issue 18, from this run:")
    print_goals(medians, growth)
    print(f"load average at end (1/5/15 min): {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
