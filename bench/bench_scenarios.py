"""Speed of sweep and compare on a large SYNTHETIC portfolio (prints figures; not a test).

Run: ``PYTHONPATH=src python bench/bench_scenarios.py [structures] [values]``.
"""

from __future__ import annotations

import sys
import time

from secpa_model import Scenario, compare, reference_parameters, sweep
from secpa_model.datasets import synthetic_portfolio

PATH = "participatory_activities.cost_per_etp"


def main() -> None:
    """Time one sweep and one comparison."""
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    frame = synthetic_portfolio(size)
    values = [40_000 + 1_000 * i for i in range(count)]
    start = time.perf_counter()
    sweep(frame, "2024-01-01..2025-04-30", PATH, values)
    elapsed = time.perf_counter() - start
    print(f"sweep: {size} structures × {count} values: {elapsed:.2f} s")
    start = time.perf_counter()
    compare(frame, 2024, reference_parameters(), Scenario("x", {PATH: 50_000}))
    elapsed = time.perf_counter() - start
    print(f"compare: {size} structures, baseline + 1 scenario: {elapsed:.2f} s")


if __name__ == "__main__":
    main()
