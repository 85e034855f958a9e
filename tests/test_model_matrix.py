"""Every public function and command that takes a model, on three models: the
experimentation, the five-pillar proposal and a model built from scratch in the tests
(``tests/scratch_model.py``: other inputs and id, one rule, no eligibility condition, a
parameter in ``fraction``). Each asserts what a user relies on: the model's own lines as
columns, totals that are the sums of their lines, its name and note in what it prints."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secpa_model import Model, Parameters, allocate, get_model
from secpa_model.datasets import illustrative_portfolio
from secpa_model.model.parameters import Scale
from secpa_model.testing import (
    parameter_sets,
    parameter_values,
    parameters_and_periods,
    structure_frames,
    structures,
)
from tests.helpers import euros_half_up
from tests.profiles import examples
from tests.scratch_model import SCRATCH_2024_CENTS, scratch_frame, scratch_model

MODEL_NAMES = ("experimentation", "five_pillars", "scratch")
SOME = settings(
    max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def model_of(name: str) -> Model:
    """The model of a case of the matrix."""
    return scratch_model() if name == "scratch" else get_model(name)


def frame_of(name: str) -> pd.DataFrame:
    """The structures of a case: the illustrative portfolio with the model's inputs only
    (26 SYNTHETIC structures), or the four practices of the scratch model."""
    if name == "scratch":
        return scratch_frame()
    model = model_of(name)
    frame = illustrative_portfolio()
    return frame[[item.name for item in model.inputs if item.name in frame.columns]]


def one_structure(name: str) -> dict[str, Any]:
    """The first structure of the case's frame, as a mapping of its given inputs."""
    row = frame_of(name).iloc[0].to_dict()
    return {key: value for key, value in row.items() if value is not None and not pd.isna(value)}


# ------------------------------------------------------------------- the testing kit


def _within_units(params: Parameters, model: Model) -> None:
    """Every value of ``params`` within its unit's bounds: ≥ 0, whole for a count, at most
    1 in ``fraction`` (a number, a scale's threshold or value)."""
    for path, spec in model.specs.items():
        for dated in params.parameters[path].values:
            value = dated.value
            if isinstance(value, Scale):
                for bracket in value.brackets:
                    assert bracket.threshold >= 0 and bracket.value >= 0, path
                    if spec.threshold_unit == "fraction":
                        assert bracket.threshold <= 1, (path, bracket)
                    if spec.unit == "fraction":
                        assert bracket.value <= 1, (path, bracket)
                continue
            assert value >= 0, path
            if spec.kind == "count":
                assert value == value.to_integral_value(), path
            if spec.unit == "fraction":
                assert value <= 1, (path, value)


@pytest.mark.parametrize("name", MODEL_NAMES)
@SOME
@given(data=st.data())
def test_the_testing_kit_draws_for_every_model(name: str, data: st.DataObject) -> None:
    model = model_of(name)
    params, period = data.draw(parameters_and_periods(model=model), label="pair")
    assert set(params.specs) == set(model.specs)
    assert params.coverage_start <= period.start
    _within_units(params, model)
    _within_units(data.draw(parameter_sets(model=model), label="set"), model)
    path = data.draw(st.sampled_from(sorted(model.specs)), label="path")
    value = data.draw(parameter_values(path, model=model), label="value")
    assert isinstance(value, Scale) == (model.specs[path].kind == "scale")
    if model.specs[path].unit == "fraction":
        assert isinstance(value, Decimal) and 0 <= value <= 1
    structure = data.draw(structures(model=model), label="structure")
    assert isinstance(structure, model.structure)
    allocation = allocate(structure, period, params, model=model)
    assert [line.key for line in allocation.lines] == list(model.line_keys)
    assert allocation.total == sum(line.amount for line in allocation.lines)
    frame = data.draw(structure_frames(max_size=3, model=model), label="frame")
    assert list(frame.columns) == [item.name for item in model.inputs]


def _annual_euros(structure: Any, values: dict[str, Any]) -> Fraction:
    """The scratch model's formula by hand, in exact euros a year."""
    share = Fraction(structure.deprived_share)
    weight = 1 + Fraction(values["enrolment.deprivation_uplift"]) * share
    uncapped = structure.enrolled * Fraction(values["enrolment.per_patient"]) * weight
    return min(uncapped, Fraction(values["enrolment.annual_cap"]))


@SOME
@given(
    pair=parameters_and_periods(model=scratch_model(), dated_change=False),
    structure=structures(model=scratch_model(), dated=False),
)
def test_a_users_model_meets_its_formula_under_random_parameters(
    pair: tuple[Parameters, Any], structure: Any
) -> None:
    """A property test of a user's model with random parameters (what docs/testing.md
    shows): its one line is the formula computed by hand, prorated by calendar year."""
    params, period = pair
    values = {path: params.parameters[path].values[0].value for path in params.specs}
    expected = Fraction(0)
    day = period.start
    while day <= period.end:
        year_end = min(date(day.year, 12, 31), period.end)
        days = (year_end - day).days + 1
        year_days = 366 if day.year % 4 == 0 else 365  # 2020-2035: no century year
        expected += _annual_euros(structure, values) * days / year_days
        day = year_end + timedelta(days=1)
    allocation = allocate(structure, period, params, model=scratch_model())
    assert allocation.eligible and not allocation.reasons  # the model has no condition
    amount = allocation.line("enrolment").amount
    # float64 cents in the engine against exact fractions here: at most a cent apart, on a
    # sum within a micro-cent of a half cent
    assert abs(amount - euros_half_up(expected)) <= Decimal("0.01"), (amount, expected)
    assert allocation.total == amount


def test_the_scratch_model_pays_what_its_docstring_computes() -> None:
    from secpa_model import portfolio

    result = portfolio(scratch_frame(), model=scratch_model()).allocate(2024)
    assert dict(zip(result["practice"], result["enrolment_cents"], strict=True)) == (
        SCRATCH_2024_CENTS
    )
