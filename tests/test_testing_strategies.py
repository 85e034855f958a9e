"""The strategies of secpa_model.testing draw what they promise, and hypothesis stays a
test-only dependency."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import FailedHealthCheck, Unsatisfiable

from secpa_model import (
    Parameters,
    Period,
    Structure,
    allocate,
    allocate_frame,
    reference_parameters,
)
from secpa_model.model.parameters import Scale
from secpa_model.testing import (
    eligible_structures,
    parameter_sets,
    parameter_values,
    periods,
    structure_frames,
    structures,
)
from tests.helpers import PARAMETER_SPECS, STRUCTURE_FIELDS
from tests.profiles import examples

FAST = settings(
    max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
SRC = str(Path(__file__).resolve().parents[1] / "src")


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": SRC},
        check=False,
        timeout=120,
    )


def test_importing_the_library_does_not_import_hypothesis() -> None:
    done = run_python(
        "import sys, secpa_model, secpa_model.io.frames, secpa_model.presentation.cli\n"
        "assert 'hypothesis' not in sys.modules, 'hypothesis imported'\n"
        "assert 'secpa_model.testing' not in sys.modules, 'testing imported'\n"
        "print('clean')"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "clean"


def test_testing_without_hypothesis_names_the_test_extra() -> None:
    done = run_python(
        "import sys\n"
        "sys.modules['hypothesis'] = None  # as if it were not installed\n"
        "import secpa_model.testing\n"
    )
    assert done.returncode != 0
    assert "ImportError" in done.stderr
    assert "secpa-model[test]" in done.stderr
    assert "'test' extra" in done.stderr


def test_structures_cover_every_eligibility() -> None:
    """structures() is not biased towards eligible ones: it draws each failed condition,
    participation windows and psychology requests above the reference cap."""
    seen: set[str] = set()

    @settings(max_examples=150, database=None, derandomize=True, deadline=None)
    @given(structures())
    def collect(structure: Structure) -> None:
        allocation = allocate(structure, 2023)
        seen.update(reason.code for reason in allocation.reasons)
        if allocation.eligible:
            seen.add("eligible")
        if structure.entry_date is not None and structure.exit_date is not None:
            seen.add("dated")
        if allocation.line("psychological_support").amount == Decimal("66000.00"):
            seen.add("psychology at its cap")

    collect()
    assert seen >= {
        "eligible",
        "outside_qpv",
        "file_active_below_minimum",
        "not_participating",
        "dated",
        "psychology at its cap",
    }, seen


@FAST
@given(st.data())
def test_eligible_structures_are_paid_on_every_day(data: st.DataObject) -> None:
    params: Parameters = data.draw(st.just(reference_parameters()) | parameter_sets())
    structure = data.draw(eligible_structures(params))
    period = data.draw(periods(params))
    allocation = allocate(structure, period, params)
    assert allocation.eligible
    assert allocation.reasons == []
    for line in allocation.lines:
        assert sum(piece.days for piece in line.pieces) == period.days


def test_eligible_structures_refuses_an_impossible_minimum() -> None:
    params = reference_parameters()
    minimum = params.parameters["eligibility.min_file_active"]
    huge = minimum.model_copy(
        update={"values": [minimum.values[0].model_copy(update={"value": Decimal(10**6)})]}
    )
    impossible = params.model_copy(
        update={"parameters": {**params.parameters, "eligibility.min_file_active": huge}}
    )
    strategy = eligible_structures(impossible)

    @settings(max_examples=5, deadline=None)
    @given(strategy)
    def draw(structure: object) -> None:
        raise AssertionError(f"drew an eligible structure under a 10**6 minimum: {structure}")

    # no structure of the strategies' file actives (at most 12 000) meets that minimum
    with pytest.raises((Unsatisfiable, FailedHealthCheck)):
        draw()


@FAST
@given(structure_frames(2, 4))
def test_structure_frames_have_the_structure_columns(frame: pd.DataFrame) -> None:
    assert 2 <= len(frame) <= 4
    assert tuple(frame.columns) == STRUCTURE_FIELDS
    rows = [
        Structure.model_validate(
            {k: (None if pd.isna(v) else v) for k, v in row.items() if k in STRUCTURE_FIELDS}
        )
        for row in frame.to_dict("records")
    ]
    assert len(rows) == len(frame)


def test_structure_frames_checks_its_sizes() -> None:
    with pytest.raises(ValueError, match="min_size"):
        structure_frames(3, 2)


@FAST
@given(st.data())
def test_periods_are_inside_the_coverage(data: st.DataObject) -> None:
    params = data.draw(parameter_sets())
    period = data.draw(periods(params, max_days=400))
    assert isinstance(period, Period)
    assert period.start >= params.coverage_start
    assert 1 <= period.days <= 400
    params.at(period.start)  # no CoverageError


@FAST
@given(parameter_sets())
def test_parameter_sets_are_valid_and_labelled(params: Parameters) -> None:
    assert set(params.parameters) == set(PARAMETER_SPECS)
    for path, parameter in params.parameters.items():
        assert parameter.unit == PARAMETER_SPECS[path].unit
        for dated in parameter.values:
            assert dated.status == "assumption" and dated.rationale
            value = dated.value
            if isinstance(value, Scale):
                thresholds = [b.threshold for b in value.brackets]
                values = [b.value for b in value.brackets]
                assert thresholds == sorted(set(thresholds))
                assert values == sorted(values) and values[0] >= 0
            else:
                assert value >= 0


@FAST
@given(parameter_sets(dated_change=True), parameter_sets(dated_change=False))
def test_parameter_sets_with_and_without_a_dated_change(
    changed: Parameters, constant: Parameters
) -> None:
    assert len(changed.change_dates()) == 2
    assert len(constant.change_dates()) == 1


def test_parameter_values_refuses_an_unknown_path() -> None:
    with pytest.raises(ValueError, match="unknown parameter"):
        parameter_values("interpreting.colour")


@FAST
@given(structure_frames(1, 3), st.data())
def test_structure_frames_allocate_without_error(frame: pd.DataFrame, data: st.DataObject) -> None:
    period = data.draw(periods())
    result = allocate_frame(frame, period)
    assert (result["total_cents"] >= 0).all()
