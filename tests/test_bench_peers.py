"""The benchmark's bare numpy kernel (bench/peers) computes what allocate_frame computes,
so that the ratios bench/against_peers.py prints compare like with like."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest

import secpa_model

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def bench_modules():
    sys.path.insert(0, str(BENCH))
    try:
        import run
        from peers import kernel, values

        yield run, kernel, values
    finally:
        sys.path.remove(str(BENCH))


def test_kernel_agrees_with_allocate_frame_line_by_line(bench_modules) -> None:
    run, kernel, values = bench_modules
    frame = run.synthetic_frame(2_000, seed=7)
    reference = secpa_model.allocate_frame(frame, 2022)
    v = values.reference_values(2022)
    lines = kernel.kernel(kernel.arrays_of(frame, v), v)
    for key in (*(rule.key for rule in secpa_model.experimentation().rules), "total"):
        assert np.array_equal(lines[key], reference[f"{key}_cents"].to_numpy()), key


def test_kernel_reads_the_reference_values(bench_modules) -> None:
    _, _, values = bench_modules
    v = values.reference_values(2022)
    snapshot = secpa_model.reference_parameters().at(date(2022, 1, 1))
    assert v.cost_per_etp_cents == snapshot.amount_cents("participatory_activities.cost_per_etp")
    assert v.year_days == 365  # 2022 is not a leap year
    assert v.max_file_active == snapshot.count("participatory_activities.max_file_active")
