"""Speed and memory of ``secpa_model.simulate`` (Monte Carlo), against a loop of ``compare``.

Usage, from the repository root::

    python bench/simulate.py                  # every configuration
    python bench/simulate.py --loop-draws 500 # a longer loop of compare
    python bench/simulate.py --skip-memory    # without the 1 000 000-draw run (about 2 min)

Each configuration runs in a FRESH Python subprocess (this script re-invoked with
``--one NAME``), so none shares caches, imports or allocator state with another:

* ``simulate``: 10 000 draws of the experimentation's ranges × the 26 structures of the
  illustrative portfolio × one year (2024): one warm-up run of 100 draws, then 5 timed runs,
  their median;
* ``simulate-same``: ``simulate`` over only the first ``--loop-draws`` draws (same seed, so
  the same draws as the loop), 7 timed runs, their median;
* ``loop``: what a user writes without ``simulate``: for each of those draws a
  :class:`~secpa_model.Scenario` of the drawn values, then ``compare(frame, 2024,
  reference, scenario)``; 3 rounds, the median of the per-draw means. The loop's portfolio
  totals are checked equal to the simulation's, draw by draw: the two compute the same thing;
* ``memory``: 1 000 000 draws × 100 SYNTHETIC structures (``bench/run.py``), one year,
  ``keep="totals"``, once: its time and the child's peak resident set size (``ru_maxrss``).

The ratios printed come from this one run: the loop's seconds per draw over
``simulate``'s at 10 000 draws, and the loop over ``simulate-same`` (the very same draws).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sizes import duration, json_of_child, load_line, peak_rss, print_table  # noqa: E402

YEAR = 2024
DRAWS = 10_000
SEED = 2024
MEMORY_DRAWS = 1_000_000
MEMORY_STRUCTURES = 100
CONFIGURATIONS = ("simulate", "simulate-same", "loop", "memory")


def scenario_of_draw(parameters: Any, drawn: dict[str, float], name: str) -> Any:
    """The point :class:`~secpa_model.Scenario` of one draw, from the drawn values as
    ``Simulation.parameter_draws`` gives them: amounts to the cent (half up), counts to the
    patient, a scale's values times its factor (euros to the cent). Only for parameters with
    one dated value (the shipped ones)."""
    from decimal import ROUND_HALF_UP, Decimal

    from secpa_model import Scenario
    from secpa_model.model.parameters import Scale

    def cents(value: float) -> str:
        return str(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))

    overrides: dict[str, Any] = {}
    for path, value in drawn.items():
        parameter = parameters.parameters[path]
        if len(parameter.values) != 1:
            raise ValueError(f"{path} has several dated values")
        current = parameter.values[0].value
        kind = parameters.specs[path].kind
        if isinstance(current, Scale):
            euros = parameter.unit.startswith("EUR")
            brackets = [
                {
                    "threshold": str(b.threshold),
                    "value": cents(float(b.value) * value)
                    if euros
                    else repr(float(b.value) * value),
                }
                for b in current.brackets
            ]
            overrides[path] = {"mode": current.mode, "brackets": brackets}
        elif kind == "amount":
            overrides[path] = cents(value)
        elif kind == "count":
            overrides[path] = int(value)
        else:
            overrides[path] = repr(value)
    return Scenario(name, overrides, base=parameters)


def _median_seconds(call: Any, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def child(name: str, loop_draws: int) -> dict[str, Any]:
    """Run in a fresh subprocess: the figures of one configuration."""
    import numpy as np

    import secpa_model
    from secpa_model import compare, simulate
    from secpa_model.datasets import illustrative_portfolio

    frame = illustrative_portfolio()
    figures: dict[str, Any] = {"name": name, "load": os.getloadavg()[0]}
    if name == "simulate":
        simulate(frame, YEAR, draws=100, seed=SEED)  # warm up
        times = _median_seconds(lambda: simulate(frame, YEAR, draws=DRAWS, seed=SEED), 5)
        figures.update(draws=DRAWS, structures=len(frame), times=times)
    elif name == "simulate-same":
        simulate(frame, YEAR, draws=100, seed=SEED)
        times = _median_seconds(lambda: simulate(frame, YEAR, draws=loop_draws, seed=SEED), 7)
        result = simulate(frame, YEAR, draws=loop_draws, seed=SEED)
        figures.update(
            draws=loop_draws,
            times=times,
            totals=result.totals["total_cents"].tolist(),
        )
    elif name == "loop":
        reference = secpa_model.reference_parameters()
        drawn = simulate(frame, YEAR, draws=loop_draws, seed=SEED).parameter_draws
        rows = [
            (int(draw), {str(k): float(v) for k, v in row.items()})
            for draw, row in drawn.iterrows()
        ]
        compare(frame, YEAR, reference, scenario_of_draw(reference, rows[0][1], "warm-up"))
        totals: list[int] = []

        def loop() -> None:
            totals.clear()
            for draw, values in rows:
                scenario = scenario_of_draw(reference, values, f"draw {draw}")
                summary = compare(frame, YEAR, reference, scenario).summary
                totals.append(int(summary["total_cents"].iloc[1]))

        times = [t / loop_draws for t in _median_seconds(loop, 3)]
        figures.update(draws=loop_draws, times=times, totals=list(totals))
    else:
        import run  # bench/run.py

        big = run.synthetic_frame(MEMORY_STRUCTURES)
        simulate(big, YEAR, draws=100, seed=SEED, keep="totals")
        start = time.perf_counter()
        result = simulate(big, YEAR, draws=MEMORY_DRAWS, seed=SEED, keep="totals")
        elapsed = time.perf_counter() - start
        figures.update(
            draws=MEMORY_DRAWS,
            structures=MEMORY_STRUCTURES,
            times=[elapsed],
            peak_rss=peak_rss(),
            p5_p95=[str(x) for x in result.interval()],
            totals_bytes=int(result.line_totals_cents.nbytes),
        )
        del result
    figures["numpy"] = np.__version__
    return figures


def run_child(name: str, loop_draws: int) -> dict[str, Any]:
    """One configuration in a fresh interpreter."""
    script = Path(__file__).resolve()
    source = {"PYTHONPATH": str(HERE.parent / "src")}  # this tree's library
    return json_of_child(script, ["--one", name, "--loop-draws", str(loop_draws)], source)


def main(argv: list[str] | None = None) -> int:
    """Run every configuration (or, with ``--one``, be the child)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", choices=CONFIGURATIONS, help=argparse.SUPPRESS)
    parser.add_argument("--loop-draws", type=int, default=200, help="draws of the compare loop")
    parser.add_argument("--skip-memory", action="store_true", help="skip the 1 000 000-draw run")
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(child(args.one, args.loop_draws)))
        return 0
    print(load_line("before"))
    names = [n for n in CONFIGURATIONS if not (args.skip_memory and n == "memory")]
    figures = {name: run_child(name, args.loop_draws) for name in names}
    if figures["loop"]["totals"] != figures["simulate-same"]["totals"]:
        raise SystemExit("the loop of compare and simulate disagree on the same draws")
    rows = [["configuration", "draws", "median", "per draw", "min", "max"]]
    for name, result in figures.items():
        times = result["times"]
        per_draw = (
            statistics.median(times)
            if name == "loop"
            else statistics.median(times) / result["draws"]
        )
        total = statistics.median(times) * (result["draws"] if name == "loop" else 1)
        rows.append(
            [
                name,
                f"{result['draws']:,}",
                duration(total),
                duration(per_draw),
                duration(min(times) * (result["draws"] if name == "loop" else 1)),
                duration(max(times) * (result["draws"] if name == "loop" else 1)),
            ]
        )
    print()
    print_table(rows)
    loop = statistics.median(figures["loop"]["times"])
    fast = statistics.median(figures["simulate"]["times"]) / DRAWS
    same = statistics.median(figures["simulate-same"]["times"]) / args.loop_draws
    print()
    print(f"simulate, {DRAWS:,} draws × 26 structures × {YEAR}: {duration(fast * DRAWS)} (median)")
    print(f"loop of compare / simulate at {DRAWS:,} draws, per draw: {loop / fast:,.0f}×")
    print(f"loop of compare / simulate over the same {args.loop_draws} draws: {loop / same:,.0f}×")
    print("the loop's totals equal simulate's, draw by draw")
    if "memory" in figures:
        memory = figures["memory"]
        print(
            f"memory: {MEMORY_DRAWS:,} draws × {MEMORY_STRUCTURES} structures (keep='totals') in "
            f"{duration(memory['times'][0])}, peak RSS {memory['peak_rss'] / 2**20:,.0f} MiB; "
            f"P5-P95 of the total {memory['p5_p95'][0]} .. {memory['p5_p95'][1]} €"
        )
    print(load_line("after"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
